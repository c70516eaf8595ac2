import type { Address, Fees, Hex } from '../core/types.ts';

export interface UnsignedDeployTx {
  chainId: number;
  nonce: number;
  gasLimit: bigint;
  fees: Fees;
  data: Hex;
}

/** Signs locally; the key never leaves the signer. */
export interface Signer {
  readonly address: Address;
  signDeployTransaction(tx: UnsignedDeployTx): Promise<Hex>;
}
