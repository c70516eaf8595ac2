import path from 'node:path';
import type { ChainConfig } from '../chains/types.ts';
import { readConfigFile } from './file.ts';
import { assertRpcPresent, mergeFileChains } from './merge.ts';
import { applyEnv, applyFlags, type ConfigFlags, type Env, envValue } from './overrides.ts';

export const DEFAULT_DB_PATH = '.hyperdeploy/hyperdeploy.db';

export interface LoadConfigOptions {
  /** Directory the default config file, db path and relative paths are resolved against. */
  cwd: string;
  /** `--config`: must exist when given. */
  configPath?: string;
  env: Env;
  flags?: ConfigFlags;
}

export interface ResolvedConfig {
  /** Presets and configured chains by name, with every layer applied. */
  chains: Record<string, ChainConfig>;
  gasBuffer: number;
  retry: { maxRetries: number; delaysMs: number[] };
  /** Absolute path, or as given for `:memory:` and URLs (e.g. `postgres://…`). */
  dbPath: string;
  /** Explorer API keys by chain name: kept apart so a chain can be logged without its secret. */
  explorerKeys: Record<string, string>;
  /** Webhook endpoints and the secret that signs deliveries (HYPERDEPLOY_WEBHOOK_SECRET). */
  webhooks: { urls: string[]; secret: string | undefined };
}

/** Presets < config file < environment < flags. Throws CONFIG_INVALID naming the bad field. */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
  const { cwd, env, flags = {} } = options;
  const { config, file } = readConfigFile(cwd, options.configPath);
  const { chains, explorerKeys } = mergeFileChains(config.chains ?? {});
  applyEnv(chains, explorerKeys, env);
  applyFlags(chains, flags);
  assertRpcPresent(chains);

  const dbFlag = flags.db?.trim() || undefined;
  const dbEnv = envValue(env, 'HYPERDEPLOY_DB');
  // A relative "db" in the file is relative to the file, like other paths in config files.
  const dbPath =
    dbFlag !== undefined || dbEnv !== undefined
      ? resolveDb(cwd, (dbFlag ?? dbEnv) as string)
      : config.db !== undefined && file !== undefined
        ? resolveDb(path.dirname(file), config.db)
        : resolveDb(cwd, DEFAULT_DB_PATH);

  return {
    chains,
    gasBuffer: config.gasBuffer,
    retry: { maxRetries: config.retry.maxRetries, delaysMs: [...config.retry.delaysMs] },
    dbPath,
    explorerKeys,
    webhooks: {
      urls: (config.webhooks ?? []).map((hook) => hook.url),
      secret: envValue(env, 'HYPERDEPLOY_WEBHOOK_SECRET'),
    },
  };
}

const resolveDb = (base: string, db: string): string =>
  db === ':memory:' || /^[a-z][a-z0-9+.-]*:\/\//i.test(db) ? db : path.resolve(base, db);
