import type { DeploymentError } from './errors.ts';
import type {
  Address,
  DeploymentSpec,
  Fees,
  Hex,
  LocalProofResult,
  Receipt,
  SignedTx,
} from './types.ts';

/**
 * Journal events: a closed union of past-tense facts about one deployment.
 * `at` is an ISO timestamp from the injected clock. The store adds `seq`.
 * Event type names are persisted: add new ones, never rename.
 */
export type DeploymentEvent =
  | { type: 'deployment_created'; at: string; id: string; spec: DeploymentSpec }
  | { type: 'compilation_started'; at: string }
  | { type: 'bytecode_checked'; at: string; deployData: Hex; bytecodeSize: number }
  | { type: 'gas_estimation_started'; at: string }
  | { type: 'gas_estimated'; at: string; gasLimit: string; estimatedGas: string; fees: Fees }
  | { type: 'tx_signed'; at: string; tx: SignedTx }
  | { type: 'tx_broadcast'; at: string; hash: Hex }
  | { type: 'tx_rebroadcast'; at: string; hash: Hex; reason: string }
  /** The node refused the transaction; `fees` are what its replacement must offer. */
  | { type: 'tx_rejected'; at: string; hash: Hex; reason: string; fees: Fees }
  /** No replacement is possible under the fee cap: keep waiting for what was sent. */
  | { type: 'fee_bumps_exhausted'; at: string; reason: string }
  /** A foreign transaction took the nonce: these hashes can never be mined. */
  | { type: 'nonce_abandoned'; at: string; nonce: number; hashes: Hex[] }
  | { type: 'tx_mined'; at: string; receipt: Receipt }
  | { type: 'receipt_reorged'; at: string; hash: Hex; blockHash: Hex }
  | { type: 'confirmations_reached'; at: string; confirmations: number; blockNumber: string }
  | { type: 'verification_started'; at: string }
  | { type: 'verification_skipped'; at: string; reason: string }
  | { type: 'verification_local_proof'; at: string; result: LocalProofResult; reason?: string }
  /** The explorer said "not yet" (queued, not indexed, rate limited): ask again then. */
  | {
      type: 'verification_deferred';
      at: string;
      message: string;
      reference: string | null;
      nextAttemptAt: string;
    }
  | { type: 'verification_succeeded'; at: string; explorerUrl?: string; alreadyVerified?: boolean }
  | { type: 'verification_failed'; at: string; reason: string }
  /** A person asked to verify again (`hyperdeploy verify <id>`). */
  | { type: 'verification_requested'; at: string }
  | { type: 'deployment_completed'; at: string; contractAddress: Address }
  | {
      type: 'retry_scheduled';
      at: string;
      error: DeploymentError;
      attempt: number;
      nextAttemptAt: string;
    }
  | { type: 'retry_started'; at: string; attempt: number }
  | { type: 'deployment_failed'; at: string; error: DeploymentError }
  | { type: 'deployment_cancelled'; at: string; reason: string }
  | { type: 'log'; at: string; level: LogLevel; event: LogEvent; message: string; data?: LogData };

export type DeploymentEventType = DeploymentEvent['type'];

/** A journal event as stored: numbered per deployment, contiguous from 1. */
export type JournalEntry = DeploymentEvent & { seq: number };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Log lines that are not status facts; the fixed list keeps logs searchable. */
export const LOG_EVENTS = [
  'deployment.resumed',
  'chain.checked',
  'balance.checked',
  'tx.already_known',
  'tx.found_after_crash',
  'tx.waiting',
  'tx.stuck',
  'fees.bumped',
  'step.error',
  'webhook.delivered',
  'webhook.failed',
] as const;
export type LogEvent = (typeof LOG_EVENTS)[number];

export type LogData = Record<string, string | number | boolean | null>;
