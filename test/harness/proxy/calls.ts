import type { Hex } from 'viem';
import { type JsonRpcCall, rpcError, rpcResult } from './faults.ts';
import { decodeRawTx, type HeldPool, pendingTxObject, type RawTx } from './held.ts';
import type { Control } from './reorg.ts';

export type Answer = Record<string, unknown>;

/** The per-call behaviour of the proxy, after the request-level faults were decided. */
export interface CallContext {
  control: Control;
  /** Forwards one call as is; the target's answer (result or error) comes back. */
  forward(call: JsonRpcCall): Promise<Answer>;
  pool: HeldPool;
  predicate(): ((tx: RawTx) => boolean) | null;
  /** The message of a queued `rejectSend`, consumed. */
  takeReject(): string | null;
  count(key: string): void;
  record(fault: 'held' | 'rejectSend', methods: string[]): void;
  /** Keeps the raw bytes of a tx the node accepted (to restore it after another tx's drop). */
  remember(hash: Hex, raw: Hex): void;
  /** Runs the drop of an accepted tx: now (awaited) or later, per the proxy's dropDelayMs. */
  scheduleDrop(hash: Hex): Promise<void>;
}

const param = (call: JsonRpcCall, i: number): unknown =>
  Array.isArray(call.params) ? call.params[i] : undefined;

async function sendRaw(ctx: CallContext, call: JsonRpcCall, drop: boolean): Promise<Answer> {
  const reject = ctx.takeReject();
  if (reject !== null) {
    ctx.record('rejectSend', ['eth_sendRawTransaction']);
    return rpcError(call.id, { code: -32000, message: reject });
  }
  let tx: RawTx | undefined;
  try {
    tx = await decodeRawTx(param(call, 0) as Hex);
  } catch {
    return ctx.forward(call); // Not a valid tx: let the node word the error.
  }
  if (ctx.predicate()?.(tx)) {
    ctx.pool.add(tx);
    ctx.record('held', ['eth_sendRawTransaction']);
    return rpcResult(call.id, tx.hash);
  }
  // A forwarded tx with the same nonce replaces a held one, as in a real mempool.
  if (ctx.pool.evict(tx.from, tx.nonce).length > 0) ctx.count('heldReplaced');
  const answer = await ctx.forward(call);
  if (typeof answer.result !== 'string') return answer;
  ctx.remember(tx.hash, tx.raw);
  if (drop) await ctx.scheduleDrop(tx.hash);
  return answer;
}

async function txByHash(ctx: CallContext, call: JsonRpcCall): Promise<Answer> {
  const held = ctx.pool.get(param(call, 0));
  if (!held) return ctx.forward(call);
  // A held tx whose nonce got used on chain is gone from any real mempool.
  const used = Number(await ctx.control<Hex>('eth_getTransactionCount', [held.from, 'latest']));
  if (used > held.nonce) {
    ctx.pool.delete(held.hash);
    return ctx.forward(call);
  }
  return rpcResult(call.id, pendingTxObject(held));
}

async function txCount(ctx: CallContext, call: JsonRpcCall): Promise<Answer> {
  const answer = await ctx.forward(call);
  const from = param(call, 0);
  if (param(call, 1) !== 'pending' || typeof answer.result !== 'string' || typeof from !== 'string')
    return answer;
  const nonce = ctx.pool.pendingNonce(from, Number(answer.result));
  return { ...answer, result: `0x${nonce.toString(16)}` };
}

/** Answers one JSON-RPC call: held txs are served from the proxy's pool, the rest forwarded. */
export function answerCall(ctx: CallContext, call: JsonRpcCall, drop: boolean): Promise<Answer> {
  switch (call.method) {
    case 'eth_sendRawTransaction':
      return sendRaw(ctx, call, drop);
    case 'eth_getTransactionByHash':
      return ctx.pool.size > 0 ? txByHash(ctx, call) : ctx.forward(call);
    case 'eth_getTransactionCount':
      return ctx.pool.size > 0 ? txCount(ctx, call) : ctx.forward(call);
    default:
      return ctx.forward(call);
  }
}
