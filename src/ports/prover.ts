import type { ChainConfig } from '../chains/types.ts';
import type { Address, Hex, VerificationSource } from '../core/types.ts';

export type { VerificationSource } from '../core/types.ts';

/**
 * The local proof of source: the recompiled code against the code on chain. `exact_match`:
 * identical including the metadata hash; `partial_match`: identical but for the metadata;
 * `mismatch`: different (reason says how); `unavailable`: could not be checked (reason).
 */
export interface LocalProof {
  result: 'exact_match' | 'partial_match' | 'mismatch' | 'unavailable';
  reason?: string;
}

export interface SourceProver {
  prove(input: {
    chain: ChainConfig;
    address: Address;
    /** The creation transaction, for the creation-bytecode comparison. */
    creationTxHash: Hex;
    source: VerificationSource;
  }): Promise<LocalProof>;
}
