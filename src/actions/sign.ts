import { getContractAddress, keccak256 } from 'viem';
import { pickNonce } from '../core/nonce.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

/**
 * Picks the nonce (the chain's pending count, past nonces our deployments hold), signs the
 * deployment locally and returns `tx_signed`. The engine journals it together with the nonce
 * claim before anything is broadcast.
 * SIDE EFFECTS: RPC read (eth_getTransactionCount), store read (claimed nonces).
 */
export async function signTransaction(ctx: ActionContext): Promise<ActionResult> {
  const { state, client, signer, store, chain } = ctx;
  if (!state.deployData || !state.gasLimit || !state.fees)
    throw new Error('sign before gas_estimated');
  const [claimed, chainPending] = await Promise.all([
    store.claimedNonces(chain.chainId, signer.address),
    client.getTransactionCount(signer.address, 'pending'),
  ]);
  const nonce = pickNonce(chainPending, claimed);
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
