import { getContractAddress, keccak256 } from 'viem';
import { bumpFees } from '../core/fee-bump.ts';
import { DEFAULT_FEE_POLICY, type Fees } from '../core/types.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

/**
 * Signs a replacement of the deployment's transaction: the same nonce, other fees. For a
 * refused transaction the fees are those the node asked for (journaled with `tx_rejected`);
 * for a stuck one every fee field is raised by at least 12.5% and to at least the network's
 * current fees, under the cap. Every earlier hash stays recorded: any one mined completes.
 * SIDE EFFECTS: RPC read (current fees) for a stuck transaction.
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
