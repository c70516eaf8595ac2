export { DEFAULT_CONFIG_FILE } from './file.ts';
export { formatPath } from './issues.ts';
export {
  DEFAULT_DB_PATH,
  type LoadConfigOptions,
  loadConfig,
  type ResolvedConfig,
} from './load.ts';
export type { ConfigFlags, Env } from './overrides.ts';
export { findChainName, resolveChain } from './resolve-chain.ts';
export {
  type ChainEntry,
  type ConfigFile,
  chainEntrySchema,
  configFileSchema,
  DEFAULT_GAS_BUFFER,
  DEFAULT_RETRY,
} from './schema.ts';
