import { classify } from '../core/classify.ts';
import { HyperdeployError } from '../core/errors.ts';
import type { Hex } from '../core/types.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

const ALREADY_KNOWN = /already known|known transaction|already imported|AlreadyKnown/i;

/**
 * Sends a journaled raw transaction. A node that already has it, or a nonce already used by
 * one of our own mined hashes, counts as sent (that is the crash-after-send case).
 * SIDE EFFECTS: eth_sendRawTransaction; RPC reads of our receipts on a nonce error.
 */
export async function broadcast(ctx: ActionContext, hash: Hex): Promise<ActionResult> {
  const tx = ctx.state.txs.find((candidate) => candidate.hash === hash);
  if (!tx) throw new Error(`broadcast of unknown hash ${hash}`);
  try {
    await ctx.client.sendRawTransaction(tx.raw);
    return { events: [{ type: 'tx_broadcast', at: at(ctx), hash }] };
  } catch (error) {
    const { code, message } = classify(error);
    if (ALREADY_KNOWN.test(fullText(error))) {
      return {
        events: [
          {
            type: 'log',
            at: at(ctx),
            level: 'info',
            event: 'tx.already_known',
            message: `node already has ${hash}`,
          },
          { type: 'tx_broadcast', at: at(ctx), hash },
        ],
      };
    }
    if (code !== 'NONCE_CONFLICT') throw error;
    const mined = await findOwnReceipt(ctx);
    if (mined) {
      return {
        events: [
          {
            type: 'log',
            at: at(ctx),
            level: 'info',
            event: 'tx.found_after_crash',
            message: `nonce ${tx.nonce} was used by our ${mined}`,
            data: { hash: mined },
          },
          { type: 'tx_broadcast', at: at(ctx), hash },
        ],
      };
    }
    throw new HyperdeployError(
      'NONCE_CONFLICT',
      `Nonce ${tx.nonce} of ${ctx.state.spec.signer} was used by a transaction that is not this deployment's (${message}).`,
      { step: 'submitting', details: { nonce: tx.nonce } },
    );
  }
}

/** The first of our hashes with a receipt, if any. */
export async function findOwnReceipt(ctx: ActionContext): Promise<Hex | null> {
  for (const tx of ctx.state.txs) {
    if (await ctx.client.getReceipt(tx.hash)) return tx.hash;
  }
  return null;
}

function fullText(error: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = error;
    e && typeof e === 'object' && parts.length < 10;
    e = (e as { cause?: unknown }).cause
  ) {
    parts.push(String((e as { message?: unknown }).message ?? ''));
  }
  return parts.join('\n');
}
