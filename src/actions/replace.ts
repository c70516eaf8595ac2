import { getContractAddress, keccak256 } from 'viem';
import { bumpFees } from '../core/fee-bump.ts';
import { DEFAULT_FEE_POLICY, type Fees } from '../core/types.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

/**
 * Signs a replacement of the deployment's transaction: the same nonce, other fees. For a
 * refused transaction the fees are those the node asked for (journaled with `tx_rejected`);
 * for a stuck one every fee field is raised by at least 12.5% and to at least the network's
 * current fees, under the cap — unless it only waits behind an earlier nonce, which a higher fee
 * cannot fix: then it is sent again as it is. Every earlier hash stays recorded: any one mined
 * completes. SIDE EFFECTS: RPC reads (nonce, fees); eth_sendRawTransaction when waiting.
 */
export async function replaceTransaction(
  ctx: ActionContext,
  reason: 'rejected' | 'stuck',
): Promise<ActionResult> {
  const { state, client, signer, chain } = ctx;
  const latest = state.txs.at(-1);
  if (!latest || !state.deployData || !state.gasLimit || !state.fees)
    throw new Error('replace without a transaction');
  let fees: Fees = state.fees;
  if (reason === 'stuck') {
    // Waiting behind an earlier nonce is not being underpriced: send it again, bump nothing.
    const used = await client.getTransactionCount(signer.address, 'latest');
    if (used < latest.nonce) {
      await client.sendRawTransaction(latest.raw).catch(() => undefined); // "already known" is fine
      const why = `not mined because nonce ${used} (before ours, ${latest.nonce}) is still pending`;
      return { events: [{ type: 'tx_rebroadcast', at: at(ctx), hash: latest.hash, reason: why }] };
    }
    const policy = state.spec.feePolicy ?? DEFAULT_FEE_POLICY;
    const bumped = bumpFees(latest.fees, {
      atLeast: await client.getFees(),
      maxFeePerGasWei: policy.maxFeePerGas === null ? null : BigInt(policy.maxFeePerGas),
    });
    if (!bumped) {
      const cap = `${policy.maxFeePerGas} wei per gas`;
      return {
        events: [
          {
            type: 'fee_bumps_exhausted',
            at: at(ctx),
            reason: `a replacement would need more than the cap of ${cap}`,
          },
        ],
      };
    }
    fees = bumped.fees;
  }
  const raw = await signer.signDeployTransaction({
    chainId: chain.chainId,
    nonce: latest.nonce,
    gasLimit: BigInt(state.gasLimit),
    fees,
    data: state.deployData,
  });
  const predictedAddress = getContractAddress({
    from: signer.address,
    nonce: BigInt(latest.nonce),
  });
  return {
    events: [
      ...(reason === 'stuck'
        ? [
            {
              type: 'log',
              at: at(ctx),
              level: 'warn',
              event: 'fees.bumped',
              message: `${latest.hash} not mined in time: replacing nonce ${latest.nonce} with higher fees`,
              data: { replaces: latest.hash },
            } as const,
          ]
        : []),
      {
        type: 'tx_signed',
        at: at(ctx),
        tx: {
          nonce: latest.nonce,
          hash: keccak256(raw),
          raw,
          gasLimit: state.gasLimit,
          fees,
          predictedAddress,
        },
      },
    ],
  };
}
