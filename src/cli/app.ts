import { type DestinationStream, pino } from 'pino';
import { loadConfig, type ResolvedConfig } from '../config/index.ts';
import { createHyperdeploy, type Hyperdeploy } from '../hyperdeploy.ts';
import { createLogger } from '../logging/logger.ts';

/** Flags every command takes. */
export interface GlobalFlags {
  db?: string;
  config?: string;
  logLevel?: string;
}

export interface ChainFlags {
  chain?: string;
  rpc?: string[];
  confirmations?: number;
}

/**
 * Builds the library instance a command runs on: config (presets < file < env < flags),
 * the store, the signer from HYPERDEPLOY_PRIVATE_KEY, and JSON logs on stderr.
 */
export function openApp(
  flags: GlobalFlags,
  chainFlags: ChainFlags = {},
  logDestination: DestinationStream = pino.destination({ fd: 2, sync: true }),
): { app: Hyperdeploy; config: ResolvedConfig } {
  const config = loadConfig({
    cwd: process.cwd(),
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
    flags: {
      ...(chainFlags.chain ? { chain: chainFlags.chain } : {}),
      ...(chainFlags.rpc?.length ? { rpc: chainFlags.rpc } : {}),
      ...(flags.db ? { db: flags.db } : {}),
      ...(chainFlags.confirmations ? { confirmations: chainFlags.confirmations } : {}),
    },
  });
  const level = flags.logLevel ?? process.env.HYPERDEPLOY_LOG_LEVEL ?? 'silent';
  const privateKey = process.env.HYPERDEPLOY_PRIVATE_KEY?.trim();
  const app = createHyperdeploy({
    db: config.dbPath,
    chains: config.chains,
    ...(privateKey ? { privateKey } : {}),
    logger: createLogger({ level, destination: logDestination }),
    gasBuffer: config.gasBuffer,
    retry: config.retry,
    secrets: [
      ...Object.values(config.explorerKeys),
      ...(config.webhooks.secret ? [config.webhooks.secret] : []),
      ...(process.env.HYPERDEPLOY_API_TOKEN ? [process.env.HYPERDEPLOY_API_TOKEN] : []),
    ],
  });
  return { app, config };
}
