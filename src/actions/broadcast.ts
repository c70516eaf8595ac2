import { classify } from '../core/classify.ts';
import { HyperdeployError } from '../core/errors.ts';
import { bumpFees, feesAtPrice } from '../core/fee-bump.ts';
import type { TrackedTx } from '../core/state.ts';
import { DEFAULT_FEE_POLICY, type Hex } from '../core/types.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

/**
 * Sends a journaled raw transaction. A node that already has it, or a nonce used by one of
 * our own mined hashes, counts as sent (that is the crash-after-send case). A refusal over
 * fees is journaled with the fees its replacement must offer; a nonce proven taken by a
 * foreign transaction is NONCE_CONFLICT.
 * SIDE EFFECTS: eth_sendRawTransaction; RPC reads (receipts, nonce, fees) on refusals.
 */
export async function broadcast(ctx: ActionContext, hash: Hex): Promise<ActionResult> {
  const tx = ctx.state.txs.find((candidate) => candidate.hash === hash);
  if (!tx) throw new Error(`broadcast of unknown hash ${hash}`);
  try {
    await ctx.client.sendRawTransaction(tx.raw);
    return { events: [{ type: 'tx_broadcast', at: at(ctx), hash }] };
  } catch (error) {
    const refusal = classify(error);
    switch (refusal.disposition) {
      case 'already_known':
        return sent(ctx, hash, 'tx.already_known', `node already has ${hash}`);
      case 'bump_fees':
        return rejected(ctx, tx, refusal.message, refusal.suggestedGasPriceWei);
      case 'resync_nonce':
        return nonceRefused(ctx, tx, refusal.message);
      default:
        throw error;
    }
  }
}

function sent(
  ctx: ActionContext,
  hash: Hex,
  event: 'tx.already_known' | 'tx.found_after_crash',
  message: string,
): ActionResult {
  return {
    events: [
      { type: 'log', at: at(ctx), level: 'info', event, message },
      { type: 'tx_broadcast', at: at(ctx), hash },
    ],
  };
}

/** The node wants other fees: the price it names (l2geth's band), or a bump over the current. */
async function rejected(
  ctx: ActionContext,
  tx: TrackedTx,
  reason: string,
  suggested?: bigint,
): Promise<ActionResult> {
  const policy = ctx.state.spec.feePolicy ?? DEFAULT_FEE_POLICY;
  const fees =
    suggested !== undefined
      ? feesAtPrice(suggested)
      : bumpFees(tx.fees, {
          atLeast: await ctx.client.getFees(),
          maxFeePerGasWei: policy.maxFeePerGas === null ? null : BigInt(policy.maxFeePerGas),
        })?.fees;
  if (!fees) {
    throw new HyperdeployError(
      'FEE_TOO_LOW',
      `The node refused ${tx.hash} (${reason}) and the fee cap allows no higher offer.`,
      {
        step: 'submitting',
        hint: "Raise the chain's maxFeePerGas in hyperdeploy.config.json, or wait for fees to fall.",
      },
    );
  }
  return { events: [{ type: 'tx_rejected', at: at(ctx), hash: tx.hash, reason, fees }] };
}

/** "nonce too low": sent if one of our hashes was mined; a conflict if a foreign one was. */
async function nonceRefused(
  ctx: ActionContext,
  tx: TrackedTx,
  reason: string,
): Promise<ActionResult> {
  const mined = await findOwnReceipt(ctx);
  if (mined)
    return sent(ctx, tx.hash, 'tx.found_after_crash', `nonce ${tx.nonce} was used by our ${mined}`);
  const used = await ctx.client.getTransactionCount(ctx.state.spec.signer, 'latest');
  if (used > tx.nonce) throw nonceConflict(ctx, tx.nonce, reason);
  // Not mined by anyone yet (a lagging node, or a foreign transaction pending): ask again later.
  throw new HyperdeployError(
    'RPC_UNAVAILABLE',
    `The node refused nonce ${tx.nonce} (${reason}) while it is unused on chain.`,
    {
      step: 'submitting',
      hint: 'hyperdeploy retries; another process may be sending from the same key.',
    },
  );
}

export const nonceConflict = (ctx: ActionContext, nonce: number, reason?: string) =>
  new HyperdeployError(
    'NONCE_CONFLICT',
    `Nonce ${nonce} of ${ctx.state.spec.signer} was used by a transaction that is not this deployment's${reason ? ` (${reason})` : ''}.`,
    { step: 'submitted', details: { nonce, hashes: ctx.state.txs.map((tx) => tx.hash).join(',') } },
  );

/** The first of our hashes with a receipt, if any. */
export async function findOwnReceipt(ctx: ActionContext): Promise<Hex | null> {
  for (const tx of ctx.state.txs) {
    if (await ctx.client.getReceipt(tx.hash)) return tx.hash;
  }
  return null;
}
