import { getContractAddress, keccak256 } from 'viem';
import { type ActionContext, type ActionResult, at } from './context.ts';

/** What a nonce is picked from: the chain's pending count and the nonces our deployments hold. */
export interface NonceBase {
  chainPending: number;
  claimed: number[];
}

/**
 * Reads what the next nonce of the context's signer is picked from. Call under the nonce lock.
 * SIDE EFFECTS: RPC read (eth_getTransactionCount), store read (claimed nonces).
 */
export async function readNonceBase(ctx: ActionContext): Promise<NonceBase> {
  const { client, signer, store, chain } = ctx;
  const [claimed, chainPending] = await Promise.all([
    store.claimedNonces(chain.chainId, signer.address),
    client.getTransactionCount(signer.address, 'pending'),
  ]);
  return { chainPending, claimed };
}

/**
 * Signs the deployment locally with `nonce` (picked from a NonceBase under the nonce lock) and
 * returns `tx_signed` with its nonce claim. The engine journals both before anything is
 * broadcast. No I/O.
 */
export async function signWithNonce(ctx: ActionContext, nonce: number): Promise<ActionResult> {
  const { state, signer, chain } = ctx;
  if (!state.deployData || !state.gasLimit || !state.fees)
    throw new Error('sign before gas_estimated');
  const raw = await signer.signDeployTransaction({
    chainId: chain.chainId,
    nonce,
    gasLimit: BigInt(state.gasLimit),
    fees: state.fees,
    data: state.deployData,
  });
  const predictedAddress = getContractAddress({ from: signer.address, nonce: BigInt(nonce) });
  return {
    events: [
      {
        type: 'tx_signed',
        at: at(ctx),
        tx: {
          nonce,
          hash: keccak256(raw),
          raw,
          gasLimit: state.gasLimit,
          fees: state.fees,
          predictedAddress,
        },
      },
    ],
    nonceClaim: { chainId: chain.chainId, address: signer.address, nonce },
  };
}
