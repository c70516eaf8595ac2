/** Plain data types shared by the journal, the state and the interfaces. Wei amounts are decimal strings. */

export type Hex = `0x${string}`;
export type Address = `0x${string}`;

/** Fees of one transaction, as signed. */
export type Fees =
  | { type: 'legacy'; gasPrice: string }
  | { type: 'eip1559'; maxFeePerGas: string; maxPriorityFeePerGas: string };

/** What a caller asked for; fixed at creation, recorded in the first journal event. */
export interface DeploymentSpec {
  /** The caller's build reference (e.g. the AI builder's buildId); generated when absent. */
  buildId: string;
  chainId: number;
  /** The chain's preset or config name, e.g. `metis-sepolia`. */
  chainName: string;
  contractName: string;
  /** Creation bytecode without constructor arguments. */
  bytecode: Hex;
  abi: readonly unknown[];
  /** Constructor arguments as JSON values, in ABI order. */
  constructorArgs: unknown[];
  /** Deployer address (the key itself is never recorded). */
  signer: Address;
  confirmations: number;
  gasBuffer: number;
  verify: boolean;
  /** When to replace a transaction that is not mined; absent in journals before fee bumps. */
  feePolicy?: FeePolicy;
  /** The source, for verification; absent when only bytecode was given. */
  source?: VerificationSource;
}

/** What a deployment keeps of its source, for verification. */
export interface VerificationSource {
  /** solc standard JSON input. */
  standardJsonInput: unknown;
  /** Long compiler version, `v0.8.x+commit.xxxxxxxx`. */
  compilerVersion: string;
  /** `path/File.sol:Name`. */
  fullyQualifiedName: string;
}

/** How long to wait before replacing a pending transaction, and how far to go. */
export interface FeePolicy {
  /** Replace a transaction not mined this long after it was broadcast. */
  bumpAfterMs: number;
  /** At most this many replacements per deployment. */
  maxBumps: number;
  /** Never offer more than this per gas (wei, decimal); null: no cap. */
  maxFeePerGas: string | null;
}

export const DEFAULT_FEE_POLICY: FeePolicy = {
  bumpAfterMs: 60_000,
  maxBumps: 5,
  maxFeePerGas: null,
};

/** A transaction signed for a deployment. Recorded before it is broadcast. */
export interface SignedTx {
  nonce: number;
  hash: Hex;
  /** The raw signed transaction, so a resume can rebroadcast exactly the same bytes. */
  raw: Hex;
  gasLimit: string;
  fees: Fees;
  /** The contract address that follows from (signer, nonce). */
  predictedAddress: Address;
}

export interface Receipt {
  hash: Hex;
  blockNumber: string;
  blockHash: Hex;
  contractAddress: Address;
  gasUsed: string;
  effectiveGasPrice: string;
}

export type VerificationStatus = 'pending' | 'verified' | 'failed' | 'skipped';

export type LocalProofResult = 'exact_match' | 'partial_match' | 'mismatch' | 'unavailable';

/** Verification, beside the status: it never blocks `complete`. */
export interface VerificationOutcome {
  status: VerificationStatus;
  /** Why it failed or was skipped, or the explorer's last answer while pending. */
  reason?: string;
  /** The explorer page of the verified contract. */
  explorerUrl?: string;
  /** Recompiled source against the code on chain, before any explorer is asked. */
  localProof?: { result: LocalProofResult; reason?: string };
  /** Explorer requests made so far. */
  attempts?: number;
  /** When the next explorer request is due (ISO); null when none is scheduled. */
  nextAttemptAt?: string | null;
  /** A submission the explorer queued (guid, or the address for Blockscout v2). */
  reference?: string | null;
  /** When the current round of attempts began: the budget counts from here. */
  startedAt?: string;
}
