import { type DestinationStream, pino } from 'pino';
import { isPostgresUrl, openPostgresStore } from '../adapters/store/postgres/index.ts';
import { findChainName, loadConfig, type ResolvedConfig } from '../config/index.ts';
import { HyperdeployError } from '../core/errors.ts';
import { createHyperdeploy, type Hyperdeploy, type HyperdeployOptions } from '../hyperdeploy.ts';
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
  /** Overrides the chain's explorer verification API (with --chain). */
  explorerApi?: string;
  explorerType?: 'etherscan' | 'blockscout-v2';
}

/**
 * Builds the library instance a command runs on: config (presets < file < env < flags),
 * the store, the signer from HYPERDEPLOY_PRIVATE_KEY, and JSON logs on stderr.
 */
export async function openApp(
  flags: GlobalFlags,
  chainFlags: ChainFlags = {},
  logDestination: DestinationStream = pino.destination({ fd: 2, sync: true }),
  options: Pick<HyperdeployOptions, 'runSubmitted'> = {},
): Promise<{ app: Hyperdeploy; config: ResolvedConfig }> {
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
  applyExplorerFlags(config, chainFlags);
  const level = flags.logLevel ?? process.env.HYPERDEPLOY_LOG_LEVEL ?? 'silent';
  const privateKey = process.env.HYPERDEPLOY_PRIVATE_KEY?.trim();
  // `--db postgres://…` (or HYPERDEPLOY_DB) selects the shared PostgreSQL store.
  const postgres = isPostgresUrl(config.dbPath);
  const app = createHyperdeploy({
    db: postgres ? await openPostgresStore(config.dbPath) : config.dbPath,
    chains: config.chains,
    ...(privateKey ? { privateKey } : {}),
    logger: createLogger({ level, destination: logDestination }),
    ...options,
    gasBuffer: config.gasBuffer,
    retry: config.retry,
    explorerKeys: config.explorerKeys,
    secrets: [
      ...Object.values(config.explorerKeys),
      ...(config.webhooks.secret ? [config.webhooks.secret] : []),
      ...(process.env.HYPERDEPLOY_API_TOKEN ? [process.env.HYPERDEPLOY_API_TOKEN] : []),
      ...(postgres ? [config.dbPath] : []),
    ],
  });
  return { app, config };
}

/** `--explorer-api URL [--explorer-type T]` replace the explorer API of `--chain`. */
function applyExplorerFlags(config: ResolvedConfig, flags: ChainFlags): void {
  if (!flags.explorerApi && !flags.explorerType) return;
  const chain = flags.chain ? config.chains[findChainName(config.chains, flags.chain)] : undefined;
  if (!chain) {
    throw new HyperdeployError(
      'CONFIG_INVALID',
      '--explorer-api and --explorer-type need --chain.',
      { step: 'config', hint: 'Add --chain <name> to say which chain the explorer serves.' },
    );
  }
  const api = flags.explorerApi ?? chain.explorer?.api;
  if (!api)
    throw new HyperdeployError('CONFIG_INVALID', `${chain.name} has no explorer API to retype.`, {
      step: 'config',
      hint: 'Pass --explorer-api URL.',
    });
  chain.explorer = {
    type: flags.explorerType ?? chain.explorer?.type ?? 'etherscan',
    api,
    url: chain.explorer?.url ?? new URL(api).origin,
  };
}
