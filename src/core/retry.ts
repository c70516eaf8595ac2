import type { JournalOnlyEvent } from './decide.ts';
import type { DeploymentError } from './errors.ts';
import type { DeploymentState } from './state.ts';

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retries. */
  maxRetries: number;
  /** Delay before retry n is `delaysMs[n-1]` (the last repeats). */
  delaysMs: number[];
  /** Up to this fraction of the delay is added at random, so retries do not align. */
  jitterRatio: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  delaysMs: [5_000, 15_000, 30_000],
  jitterRatio: 0.2,
};

/**
 * What a failed step becomes: a scheduled retry for a retryable error with attempts left,
 * otherwise the end of the deployment. `random` in [0, 1) is passed in to keep this pure.
 *
 * Once a transaction is signed, a transient error never ends the deployment: the transaction
 * may still be mined, and reporting `failed` then would be a lie that invites a second deploy.
 * The protocol keeps watching it (at the longest delay) until it is mined or its nonce is
 * taken. `maxRetries` bounds the attempts before signing and nonce conflicts.
 */
export function planAfterFailure(
  state: DeploymentState,
  error: DeploymentError,
  policy: RetryPolicy,
  now: Date,
  random: number,
): JournalOnlyEvent {
  if (state.txs.some((tx) => tx.broadcast) && !NONCE_SPENT.has(error.code)) {
    // A sent transaction may still be mined: only proof that its nonce is spent ends it.
    return scheduleRetry(state, { ...error, retryable: true }, policy, now, random);
  }
  const protocolOwned = state.txs.length > 0 && error.code !== 'NONCE_CONFLICT';
  if (!error.retryable || (state.retryCount >= policy.maxRetries && !protocolOwned)) {
    return { type: 'deployment_failed', error };
  }
  return scheduleRetry(state, error, policy, now, random);
}

/** Errors that prove the deployment's nonce is used: the reverted creation, or a foreign tx. */
const NONCE_SPENT = new Set(['TX_REVERTED', 'NONCE_CONFLICT']);

function scheduleRetry(
  state: DeploymentState,
  error: DeploymentError,
  policy: RetryPolicy,
  now: Date,
  random: number,
): JournalOnlyEvent {
  const attempt = state.retryCount + 1;
  const base = policy.delaysMs[Math.min(attempt, policy.delaysMs.length) - 1] ?? 0;
  const delayMs = Math.round(base * (1 + policy.jitterRatio * random));
  const nextAttemptAt = new Date(now.getTime() + delayMs).toISOString();
  return { type: 'retry_scheduled', error, attempt, nextAttemptAt };
}
