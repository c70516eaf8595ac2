import { type EIP1193RequestFn, RpcRequestError } from 'viem';
import { buildRequest, getHttpRpcClient, stringify } from 'viem/utils';

export interface BatchingHttpOptions {
  /** Per-request timeout in milliseconds (a batch is one request). */
  timeoutMs: number;
  /** Most calls in one HTTP request; more are split over several (default 100). */
  maxBatchSize?: number;
}

/**
 * Reads that several callers may share when they ask for exactly the same thing in the same
 * turn of the event loop: the request leaves after all of them asked, so each gets an answer
 * read after its call. Simulations and estimates are never merged: each deployment runs its
 * own.
 */
const SHAREABLE = new Set([
  'eth_blockNumber',
  'eth_chainId',
  'eth_gasPrice',
  'eth_maxPriorityFeePerGas',
  'eth_getBalance',
  'eth_getBlockByNumber',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_getTransactionByHash',
]);

type Args = Parameters<EIP1193RequestFn>[0];

interface Queued {
  args: Args;
  key: string | null;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface RpcAnswer {
  id?: number | string;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * An EIP-1193 request function over one HTTP JSON-RPC URL that sends the calls made in the same
 * turn of the event loop as one JSON-RPC batch (flushed with `setImmediate`: no timer delay).
 * A lone call is sent as a plain request, as viem's http transport sends it.
 * An HTTP failure of a batch fails each of its calls with that error; a JSON-RPC error answer
 * fails only its own call. Errors are mapped to viem's typed RPC errors as the http transport
 * maps them, so callers classify them the same way.
 */
export function batchingHttp(url: string, options: BatchingHttpOptions): EIP1193RequestFn {
  const rpc = getHttpRpcClient(url, { timeout: options.timeoutMs });
  // What viem's http transport does for one call.
  const single = async ({ method, params }: Args): Promise<unknown> => {
    const body = { method, params };
    const { error, result } = await rpc.request({ body });
    if (error) throw new RpcRequestError({ body, error, url });
    return result;
  };
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 100);
  let queue: Queued[] = [];
  let nextId = 1;

  const sendBatch = async (calls: Queued[]): Promise<void> => {
    // Identical shareable reads become one call of the batch.
    const groups = new Map<string, Queued[]>();
    const unique: Queued[][] = [];
    for (const call of calls) {
      const group = call.key === null ? undefined : groups.get(call.key);
      if (group) {
        group.push(call);
        continue;
      }
      const fresh = [call];
      if (call.key !== null) groups.set(call.key, fresh);
      unique.push(fresh);
    }
    if (unique.length === 1) {
      const [only] = unique as [Queued[]];
      const [first] = only as [Queued];
      try {
        const result = await single(first.args);
        for (const call of only) call.resolve(result);
      } catch (error) {
        for (const call of only) call.reject(error);
      }
      return;
    }
    const body = unique.map((group) => {
      const { method, params } = (group[0] as Queued).args;
      return { jsonrpc: '2.0' as const, id: nextId++, method, params };
    });
    let answers: RpcAnswer[];
    try {
      answers = (await rpc.request({ body })) as RpcAnswer[];
    } catch (error) {
      for (const call of calls) call.reject(error);
      return;
    }
    const byId = new Map(answers.map((answer) => [answer.id, answer]));
    for (const [index, group] of unique.entries()) {
      const request = body[index] as (typeof body)[number];
      const answer = byId.get(request.id);
      const error = answer
        ? answer.error
        : { code: -32603, message: 'no answer to this call in the batch response' };
      for (const call of group) {
        if (error) call.reject(new RpcRequestError({ body: request, error, url }));
        else call.resolve(answer?.result);
      }
    }
  };

  const flush = () => {
    const calls = queue;
    queue = [];
    for (let start = 0; start < calls.length; start += maxBatchSize) {
      void sendBatch(calls.slice(start, start + maxBatchSize));
    }
  };

  const raw = (args: Args): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      const key = SHAREABLE.has(args.method) ? stringify([args.method, args.params]) : null;
      queue.push({ args, key, resolve, reject });
    });

  // The same mapping of JSON-RPC error codes to viem's error classes as the http transport.
  return buildRequest(raw, { retryCount: 0 });
}
