import type { DeploymentEvent } from './events.ts';
import { bumpDueAt, type DeploymentState } from './state.ts';
import { DEFAULT_FEE_POLICY, type Hex } from './types.ts';

/** An event the engine appends without any side effect (it only needs a timestamp). */
export type JournalOnlyEvent = DistributiveOmit<DeploymentEvent, 'at'>;

/** The next thing to do for a deployment. Side-effecting actions are run by src/actions. */
export type NextAction =
  | { type: 'append'; event: JournalOnlyEvent }
  | { type: 'check_bytecode' }
  | { type: 'estimate_gas' }
  | { type: 'sign' }
  /** Sign the same nonce again: with the fees a node asked for, or bumped when stuck. */
  | { type: 'replace'; reason: 'rejected' | 'stuck' }
  | { type: 'broadcast'; hash: Hex }
  | { type: 'await_receipt' }
  | { type: 'await_confirmations' }
  | { type: 'verify' }
  | { type: 'wait'; until: string }
  | { type: 'done' };

/** Names the next action from the state alone. Pure: `now` is passed in. */
export function decide(state: DeploymentState, now: Date): NextAction {
  switch (state.status) {
    case 'pending':
      return { type: 'append', event: { type: 'compilation_started' } };
    case 'compiling':
      return { type: 'check_bytecode' };
    case 'compiled':
      return { type: 'append', event: { type: 'gas_estimation_started' } };
    case 'estimating_gas':
      return { type: 'estimate_gas' };
    case 'submitting':
    case 'submitted': {
      // Write-ahead: a signed transaction is journaled first, then broadcast.
      const unsent = state.txs.find((tx) => !tx.broadcast && !tx.rejected);
      if (unsent) return { type: 'broadcast', hash: unsent.hash };
      const latest = state.txs.at(-1);
      if (!latest) return { type: 'sign' };
      if (latest.rejected) return { type: 'replace', reason: 'rejected' };
      const bumpAt = bumpDueAt(state, state.spec.feePolicy ?? DEFAULT_FEE_POLICY);
      if (bumpAt !== null && bumpAt <= now.getTime()) return { type: 'replace', reason: 'stuck' };
      return { type: 'await_receipt' };
    }
    case 'confirming':
      return { type: 'await_confirmations' };
    case 'confirmed':
    case 'verifying':
      // The first attempt runs here; a deferred one goes on after `complete`.
      if (state.verification.status === 'pending' && !state.verification.nextAttemptAt) {
        return { type: 'verify' };
      }
      return complete(state);
    case 'verified':
      return complete(state);
    case 'retrying': {
      const due = state.nextAttemptAt ?? state.updatedAt;
      if (Date.parse(due) > now.getTime()) return { type: 'wait', until: due };
      const first = state.txs[0];
      if (state.error?.code === 'NONCE_CONFLICT' && first) {
        const hashes = state.txs.map((tx) => tx.hash);
        return { type: 'append', event: { type: 'nonce_abandoned', nonce: first.nonce, hashes } };
      }
      return { type: 'append', event: { type: 'retry_started', attempt: state.retryCount + 1 } };
    }
    case 'complete':
    case 'failed':
    case 'cancelled':
      return { type: 'done' };
  }
}

/**
 * Verification after `complete`: the next explorer attempt when one is scheduled. Pure, like
 * `decide`; the engine runs it as its own work so a slow explorer never holds a deployment.
 */
export function decideVerification(state: DeploymentState, now: Date): NextAction {
  const { status, nextAttemptAt } = state.verification;
  if (state.status !== 'complete' || status !== 'pending' || !nextAttemptAt)
    return { type: 'done' };
  if (Date.parse(nextAttemptAt) > now.getTime()) return { type: 'wait', until: nextAttemptAt };
  return { type: 'verify' };
}

function complete(state: DeploymentState): NextAction {
  const contractAddress = state.receipt?.contractAddress ?? state.contractAddress;
  if (!contractAddress) throw new Error(`deployment ${state.id} is confirmed without an address`);
  return { type: 'append', event: { type: 'deployment_completed', contractAddress } };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
