/** The hyperdeploy library: the API the CLI is built on. */

export { openPostgresStore, PostgresStore } from './adapters/store/postgres/index.ts';
export { SqliteStore } from './adapters/store/sqlite/sqlite-store.ts';
export { type ChainConfig, findPreset, PRESETS } from './chains/index.ts';
export { loadConfig, type ResolvedConfig, resolveChain } from './config/index.ts';
export {
  type DeploymentError,
  ERROR_CATALOGUE,
  type ErrorCode,
  HyperdeployError,
} from './core/errors.ts';
export type { DeploymentEvent, JournalEntry } from './core/events.ts';
export { STATUSES, type Status, TRANSITIONS } from './core/status.ts';
export type { Deployment } from './core/view.ts';
export type { Worker, WorkerOptions } from './engine/worker.ts';
export {
  createHyperdeploy,
  type Hyperdeploy,
  type HyperdeployOptions,
  type JournalSubscriber,
} from './hyperdeploy.ts';
export {
  type ContractArtifact,
  compileSolidity,
  parseArtifact,
  resolveContractInput,
} from './inputs/index.ts';
export { createLogger } from './logging/logger.ts';
export type { DeploymentFilter, Store } from './ports/store.ts';
export type { DeployParams } from './prepare.ts';
