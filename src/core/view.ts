import type { DeploymentError } from './errors.ts';
import { currentTxHash, type DeploymentState } from './state.ts';
import type { Status } from './status.ts';
import type { Address, Hex, VerificationOutcome } from './types.ts';

/** The public shape of a deployment: CLI `--json`, the library, later the HTTP API. */
export interface Deployment {
  id: string;
  buildId: string;
  chain: string;
  chainId: number;
  contractName: string;
  status: Status;
  signer: Address;
  nonce: number | null;
  txHash: Hex | null;
  /** Every hash signed for the nonce (fee-bump replacements included). */
  txHashes: Hex[];
  contractAddress: Address | null;
  blockNumber: string | null;
  confirmations: number;
  requiredConfirmations: number;
  gasUsed: string | null;
  retryCount: number;
  nextAttemptAt: string | null;
  error: Pick<
    DeploymentError,
    'code' | 'message' | 'hint' | 'step' | 'retryable' | 'attempt'
  > | null;
  verification: VerificationOutcome;
  createdAt: string;
  updatedAt: string;
}

export function toDeployment(state: DeploymentState): Deployment {
  const { spec } = state;
  return {
    id: state.id,
    buildId: spec.buildId,
    chain: spec.chainName,
    chainId: spec.chainId,
    contractName: spec.contractName,
    status: state.status,
    signer: spec.signer,
    nonce: state.txs[0]?.nonce ?? null,
    txHash: currentTxHash(state),
    txHashes: state.txs.map((tx) => tx.hash),
    contractAddress: state.contractAddress,
    blockNumber: state.receipt?.blockNumber ?? null,
    confirmations: state.confirmations,
    requiredConfirmations: spec.confirmations,
    gasUsed: state.receipt?.gasUsed ?? null,
    retryCount: state.retryCount,
    nextAttemptAt: state.nextAttemptAt,
    error: state.error
      ? {
          code: state.error.code,
          message: state.error.message,
          hint: state.error.hint,
          step: state.error.step,
          retryable: state.error.retryable,
          attempt: state.error.attempt,
        }
      : null,
    verification: state.verification,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
