import { createPublicClient, http } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AnvilInstance, startAnvil } from '../../../src/devchain/index.ts';
import { type ChaosProxy, PROFILES, type ProfileSpec, startChaosProxy } from './index.ts';
import { call, pool, post, rpc } from './util.ts';

let anvil: AnvilInstance;
const proxies: ChaosProxy[] = [];

async function proxy(profile: Parameters<typeof startChaosProxy>[0]['profile'], seed = 1) {
  const p = await startChaosProxy({ target: anvil.rpcUrl, profile, seed });
  proxies.push(p);
  return p;
}

/** Faults of a run as "seq:fault", to compare sequences. */
const trace = (p: ChaosProxy) => p.events().map((e) => `${e.seq}:${e.fault}`);

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 31337 });
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await anvil?.stop();
});

describe('chaos proxy: forwarding', () => {
  it('forwards plain and batched viem calls with profile none', async () => {
    const p = await proxy('none');
    const client = createPublicClient({ transport: http(p.url, { retryCount: 0 }) });
    expect(await client.getChainId()).toBe(31337);
    expect(typeof (await client.getBlockNumber())).toBe('bigint');
    const batched = createPublicClient({ transport: http(p.url, { retryCount: 0, batch: true }) });
    const [id, block] = await Promise.all([batched.getChainId(), batched.getBlock()]);
    expect(id).toBe(31337);
    expect(block.hash).toMatch(/^0x/);
    expect(p.stats().failures).toBeUndefined();
    expect(p.stats()['requests.eth_chainId']).toBe(2);
  });

  it('lets viem retry through two 429s (ProfileSpec with times)', async () => {
    const p = await proxy({ http429: { rate: 1, methods: ['eth_chainId'], times: 2 } });
    const client = createPublicClient({ transport: http(p.url, { retryDelay: 10 }) });
    expect(await client.getBlockNumber()).toBeTypeOf('bigint'); // not targeted
    expect(await client.getChainId()).toBe(31337);
    expect(p.stats()).toMatchObject({ http429: 2, 'faults.eth_chainId': 2, failures: 2 });
  });
});

describe('chaos proxy: each fault is observable by a raw client', () => {
  it('http429 with Retry-After and a JSON body', async () => {
    const p = await proxy('none');
    p.failNext('eth_blockNumber', 'http429');
    const res = await post(p.url, call('eth_blockNumber'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await res.json()).error.message).toMatch(/rate limited/);
    expect((await post(p.url, call('eth_blockNumber'))).status).toBe(200);
  });

  it('http502 and http503 with an HTML body', async () => {
    const p = await proxy('none');
    p.failNext('*', 'http502');
    p.failNext('eth_chainId', 'http503');
    const bad = await post(p.url, call('eth_blockNumber'));
    expect([bad.status, await bad.text()]).toEqual([502, expect.stringContaining('Bad Gateway')]);
    expect((await post(p.url, call('eth_chainId'))).status).toBe(503);
  });

  it('reset makes fetch throw', async () => {
    const p = await proxy({ reset: { rate: 1, times: 1 } });
    const error = await post(p.url, call('eth_blockNumber')).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
    expect(p.stats().reset).toBe(1);
  });

  it('rpcError answers HTTP 200 with a JSON-RPC error, per call of a batch', async () => {
    const p = await proxy({ rpcError: 1 });
    const res = await post(p.url, call('eth_blockNumber'));
    expect(res.status).toBe(200);
    const { error } = await res.json();
    expect([-32005, -32000]).toContain(error.code);
    expect(['limit exceeded', 'header not found']).toContain(error.message);
    const batch = [call('eth_chainId'), call('eth_blockNumber')];
    const answers = await (await post(p.url, batch)).json();
    expect(answers.map((a: { id: number }) => a.id)).toEqual(batch.map((c) => c.id));
    expect(answers.every((a: { error?: unknown }) => a.error)).toBe(true);
  });

  it('timeout never answers; stop() closes the held socket', async () => {
    const p = await proxy({ timeout: 1 });
    const aborted = await post(p.url, call('eth_blockNumber'), 200).catch((e: Error) => e);
    expect((aborted as Error).name).toBe('TimeoutError');
    const pending = post(p.url, call('eth_blockNumber'), 20_000).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await p.stop();
    expect(await pending).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('delay forwards the answer 50–500 ms late', async () => {
    const p = await proxy({ delay: 1 });
    const started = Date.now();
    const { result } = await rpc<string>(p.url, 'eth_chainId');
    expect(result).toBe('0x7a69');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(p.stats().delay).toBe(1);
  });
});

describe('chaos proxy: seeded profiles', () => {
  // Hostile rates, with short delays and a 504 after 20 ms, so that 200 sequential calls are fast.
  const fast: ProfileSpec = {
    ...PROFILES.hostile,
    delayMs: [1, 3],
    timeoutDelayMs: 20,
    reorg: false,
  };
  const run = async (seed: number) => {
    const p = await proxy(fast, seed);
    for (let i = 0; i < 200; i++) await post(p.url, call('eth_blockNumber')).catch(() => null);
    return trace(p);
  };

  it('same seed, same requests → same faults; another seed → others', async () => {
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.length).toBeGreaterThan(20);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('hostile fails ≥ 15% of 1000 eth_blockNumber requests', async () => {
    const p = await proxy('hostile', 42);
    await pool(1000, 50, (i) =>
      post(p.url, call('eth_blockNumber'), 2000)
        .then((r) => r.text())
        .catch(() => `failed ${i}`),
    );
    const stats = p.stats();
    // On a loaded machine a few requests may not reach the proxy before the client gives up.
    expect(stats.requests).toBeGreaterThanOrEqual(950);
    expect((stats.failures ?? 0) / (stats.requests ?? 1)).toBeGreaterThanOrEqual(0.15);
    for (const kind of ['timeout', 'reset', 'http429', 'http502', 'http503', 'rpcError', 'delay'])
      expect(stats[kind], kind).toBeGreaterThan(0);
  });

  it('testnet injects a few % of faults', async () => {
    const p = await proxy('testnet', 3);
    await pool(500, 50, () =>
      post(p.url, call('eth_blockNumber'), 300)
        .then((r) => r.text())
        .catch(() => null),
    );
    const failures = p.stats().failures ?? 0;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(100);
  });
});
