/**
 * The nonce for a new transaction: the chain's pending count, moved past nonces that our own
 * unfinished deployments hold (signed but maybe not yet seen by this node). A nonce freed by a
 * deployment that ended without using it is below the pending count's gap and is reused.
 */
export function pickNonce(chainPendingCount: number, claimed: readonly number[]): number {
  const held = new Set(claimed);
  let nonce = chainPendingCount;
  while (held.has(nonce)) nonce++;
  return nonce;
}
