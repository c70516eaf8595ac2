export { startChaosProxy } from './chaos-proxy.ts';
export { type DropResult, dropFromPool } from './drop.ts';
export { RPC_ERRORS } from './faults.ts';
export { decodeRawTx, pendingTxObject, type RawTx } from './held.ts';
export { mulberry32, streamRng } from './prng.ts';
export {
  FAILURE_KINDS,
  FAULT_KINDS,
  type FailureKind,
  type FaultKind,
  type FaultRule,
  PROFILES,
  type ProfileName,
  type ProfileSpec,
  type ReorgRule,
} from './profiles.ts';
export { type ReorgResult, reorgNow } from './reorg.ts';
export type { ChaosProxy, ChaosProxyOptions, FaultEvent } from './types.ts';
