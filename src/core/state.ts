import type { DeploymentError } from './errors.ts';
import type { Status } from './status.ts';
import type {
  Address,
  DeploymentSpec,
  Fees,
  Hex,
  Receipt,
  SignedTx,
  VerificationOutcome,
} from './types.ts';

/** A signed transaction and whether it is known to have reached a node. */
export interface TrackedTx extends SignedTx {
  broadcast: boolean;
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
