import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { HyperdeployError } from '../../core/errors.ts';
import type { Address, Hex } from '../../core/types.ts';
import type { Signer, UnsignedDeployTx } from '../../ports/signer.ts';

/** Signs with a private key held in memory only; the key is never logged or stored. */
export class PrivateKeySigner implements Signer {
  readonly address: Address;
  readonly #account: PrivateKeyAccount;

  constructor(privateKey: string) {
    const key = (privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`).trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      // Never echo the value: it is a secret even when malformed.
      throw new HyperdeployError('SIGNER_MISSING', 'The private key is not 32 bytes of hex.', {
        step: 'config',
        hint: 'Set HYPERDEPLOY_PRIVATE_KEY to a 0x-prefixed 64-hex-digit private key.',
      });
    }
    this.#account = privateKeyToAccount(key as Hex);
    this.address = this.#account.address;
  }

  signDeployTransaction(tx: UnsignedDeployTx): Promise<Hex> {
    const base = { chainId: tx.chainId, nonce: tx.nonce, gas: tx.gasLimit, data: tx.data };
    if (tx.fees.type === 'legacy') {
      return this.#account.signTransaction({
        ...base,
        type: 'legacy',
        gasPrice: BigInt(tx.fees.gasPrice),
      });
    }
    return this.#account.signTransaction({
      ...base,
      type: 'eip1559',
      maxFeePerGas: BigInt(tx.fees.maxFeePerGas),
      maxPriorityFeePerGas: BigInt(tx.fees.maxPriorityFeePerGas),
    });
  }

  /** Keep the key out of util.inspect / console.log / JSON. */
  toJSON() {
    return { address: this.address };
  }
}
