import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { batchingHttp } from './batching-http.ts';

interface Call {
  id: number;
  method: string;
  params?: unknown[];
}

/** A JSON-RPC endpoint that records each HTTP body and answers per call (or fails the request). */
describe('batchingHttp', () => {
  let server: Server;
  let url: string;
  const bodies: unknown[] = [];
  let failWith: number | null = null;

  const answer = (call: Call) =>
    call.method === 'eth_fail'
      ? { jsonrpc: '2.0', id: call.id, error: { code: -32000, message: 'nope' } }
      : { jsonrpc: '2.0', id: call.id, result: `${call.method}:${JSON.stringify(call.params)}` };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => {
        raw += chunk;
      });
      req.on('end', () => {
        const body = JSON.parse(raw) as Call | Call[];
        bodies.push(body);
        if (failWith !== null) {
          res.writeHead(failWith, { 'content-type': 'text/plain' }).end('unavailable');
          return;
        }
        // Answer a batch in reverse order: calls are matched by id, not position.
        const out = Array.isArray(body) ? body.map(answer).reverse() : answer(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    bodies.length = 0;
    failWith = null;
  });

  it('sends a lone call as a plain JSON-RPC request', async () => {
    const request = batchingHttp(url, { timeoutMs: 2_000 });
    expect(await request({ method: 'eth_blockNumber' })).toBe('eth_blockNumber:undefined');
    expect(bodies).toHaveLength(1);
    expect(Array.isArray(bodies[0])).toBe(false);
  });

  it('sends the calls of one tick as one batch and gives each its own answer', async () => {
    const request = batchingHttp(url, { timeoutMs: 2_000 });
    const answers = await Promise.all([
      request({ method: 'eth_getBalance', params: ['0x1', 'latest'] }),
      request({ method: 'eth_call', params: [{ data: '0x01' }, 'latest'] }),
      request({ method: 'eth_estimateGas', params: [{ data: '0x01' }] }),
    ] as never[]);
    expect(answers).toEqual([
      'eth_getBalance:["0x1","latest"]',
      'eth_call:[{"data":"0x01"},"latest"]',
      'eth_estimateGas:[{"data":"0x01"}]',
    ]);
    expect(bodies).toHaveLength(1);
    expect((bodies[0] as Call[]).map((c) => c.method)).toEqual([
      'eth_getBalance',
      'eth_call',
      'eth_estimateGas',
    ]);
  });

  it('asks once for identical reads of one tick, but runs every simulation', async () => {
    const request = batchingHttp(url, { timeoutMs: 2_000 });
    const balance = { method: 'eth_getBalance', params: ['0x1', 'latest'] } as never;
    const call = { method: 'eth_call', params: [{ data: '0x01' }, 'latest'] } as never;
    const answers = await Promise.all([
      request(balance),
      request(balance),
      request(call),
      request(call),
    ]);
    expect(answers[0]).toBe(answers[1]);
    expect((bodies[0] as Call[]).map((c) => c.method)).toEqual([
      'eth_getBalance',
      'eth_call',
      'eth_call',
    ]);
  });

  it('splits a large tick into several requests', async () => {
    const request = batchingHttp(url, { timeoutMs: 2_000, maxBatchSize: 2 });
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => request({ method: 'eth_call', params: [{ data: `0x0${n}` }] })),
    );
    expect(bodies.map((b) => (Array.isArray(b) ? b.length : 1))).toEqual([2, 2, 1]);
  });

  it('fails only the call a JSON-RPC error answers, with the error class viem maps it to', async () => {
    const request = batchingHttp(url, { timeoutMs: 2_000 });
    const [ok, failed] = await Promise.allSettled([
      request({ method: 'eth_chainId' }),
      request({ method: 'eth_fail' } as never),
    ]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'eth_chainId:undefined' });
    expect(failed.status).toBe('rejected');
    const error = (failed as PromiseRejectedResult).reason as { name: string; code: number };
    // The same class viem's own http transport gives the same answer.
    const viaViem = (await http(url, { retryCount: 0 })({})
      .request({ method: 'eth_fail' } as never)
      .then(
        () => ({ name: 'no error' }),
        (e: unknown) => e,
      )) as { name: string };
    expect(error.code).toBe(-32000);
    expect(error.name).toBe(viaViem.name);
    expect(error.name).toBe('InvalidInputRpcError');
  });

  it('fails every call of a batch the endpoint refuses, with the HTTP status', async () => {
    failWith = 503;
    const request = batchingHttp(url, { timeoutMs: 2_000 });
    const results = await Promise.allSettled([
      request({ method: 'eth_chainId' }),
      request({ method: 'eth_blockNumber' }),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({
        name: 'HttpRequestError',
        status: 503,
      });
    }
  });
});
