import type { DeploymentError } from './errors.ts';
import type { Status } from './status.ts';
import type {
  Address,
  DeploymentSpec,
  FeePolicy,
  Fees,
  Hex,
  Receipt,
  SignedTx,
  VerificationOutcome,
} from './types.ts';

/** A signed transaction and what became of it. */
export interface TrackedTx extends SignedTx {
  /** Known to have reached a node (sent, or the node already had it). */
  broadcast: boolean;
  signedAt: string;
  /** When it was first broadcast; the stuck clock starts here (rebroadcasts do not reset it). */
  broadcastAt: string | null;
  /** Why the node refused it; a replacement with other fees follows. */
  rejected: string | null;
}

/** The state of one deployment: the fold of its journal through `reduce`. */
export interface DeploymentState {
  id: string;
  spec: DeploymentSpec;
  status: Status;
  /** Number of retries started so far (0 on the first attempt). */
  retryCount: number;
  /** When status is `retrying`: when the next attempt is due (ISO). */
  nextAttemptAt: string | null;
  deployData: Hex | null;
  gasLimit: string | null;
  fees: Fees | null;
  /** Every transaction signed for this deployment; all share one nonce (fee bumps). */
  txs: TrackedTx[];
  /** Transactions given up because a foreign transaction took their nonce (history only). */
  abandonedTxs: TrackedTx[];
  /** Set when the fee cap forbids another replacement: wait for what was sent. */
  bumpsExhausted: boolean;
  receipt: Receipt | null;
  confirmations: number;
  contractAddress: Address | null;
  error: DeploymentError | null;
  verification: VerificationOutcome;
  createdAt: string;
  updatedAt: string;
  /** The seq of the last event folded in. */
  seq: number;
}

/** The hash a person should look at: the mined one, else the newest signed. */
export const currentTxHash = (state: DeploymentState): Hex | null =>
  state.receipt?.hash ?? state.txs.at(-1)?.hash ?? null;

/** Replacements sent because a transaction was stuck (refused ones are not counted). */
export const bumpCount = (state: DeploymentState): number =>
  Math.max(0, state.txs.filter((tx) => !tx.rejected).length - 1);

/**
 * When the newest transaction counts as stuck and should be replaced (ms since epoch), or
 * null when no replacement is due: nothing broadcast yet, bumps used up, or capped.
 */
export function bumpDueAt(state: DeploymentState, policy: FeePolicy): number | null {
  const latest = state.txs.at(-1);
  if (!latest?.broadcastAt || latest.rejected || state.bumpsExhausted) return null;
  if (bumpCount(state) >= policy.maxBumps) return null;
  return Date.parse(latest.broadcastAt) + policy.bumpAfterMs;
}
