import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type TestChain } from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';
import { startTestServer, type TestServer } from '../harness/server.ts';

const TOKEN = 'api-token-0123456789-abcdef';

describe('HTTP API', () => {
  let chain: TestChain;
  let api: TestServer;
  let counter: Awaited<ReturnType<typeof sample>>;
  let token: Awaited<ReturnType<typeof sample>>;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const body = (overrides: Record<string, unknown> = {}) => ({
    buildId: 'build-api',
    chain: 'metis-sepolia',
    bytecode: counter.bytecode,
    abi: counter.abi,
    constructorArgs: [],
    ...overrides,
  });
  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const { body: d } = await api.request(`/v1/deployments/${id}`, { headers: auth });
      if (d.status === status) return d;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${id} never reached ${status}`);
  };
  const count = async () =>
    (await api.request('/v1/deployments?limit=500', { headers: auth })).body.items.length;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { blockTimeSec: 0.2 });
    api = await startTestServer(chain, { apiToken: TOKEN });
    [counter, token] = await Promise.all([sample('Counter.sol'), sample('Token.sol')]);
  });
  afterAll(async () => {
    await api?.close();
    await chain?.anvil.stop();
  });

  it('accepts a deployment (202), runs it to complete, and serves it, its journal and the list', async () => {
    const created = await api.request('/v1/deployments', {
      method: 'POST',
      headers: auth,
      json: body({ contractName: 'Counter' }),
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      status: 'pending',
      buildId: 'build-api',
      chainId: 59902,
      contractName: 'Counter',
    });
    const done = await waitFor(created.body.id, 'complete');
    expect(done.contractAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);

    const events = await api.request(`/v1/deployments/${done.id}/events`, { headers: auth });
    expect(events.body.items.map((e: { seq: number }) => e.seq)).toEqual(
      events.body.items.map((_: unknown, i: number) => i + 1),
    );
    const after = await api.request(`/v1/deployments/${done.id}/events?after=3`, { headers: auth });
    expect(after.body.items[0].seq).toBe(4);

    const list = await api.request('/v1/deployments?buildId=build-api&status=complete', {
      headers: auth,
    });
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(done.id);
    const badQuery = await api.request('/v1/deployments?status=done', { headers: auth });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.code).toBe('INVALID_REQUEST');
    const missing = await api.request('/v1/deployments/dep_nope', { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'DEPLOYMENT_NOT_FOUND',
      hint: expect.any(String),
    });
  });

  it('pages the list newest first with a cursor', async () => {
    for (let i = 0; i < 3; i++)
      await api.hd.create({
        chain: 'metis-sepolia',
        bytecode: counter.bytecode,
        abi: counter.abi,
        buildId: 'paging',
      });
    const first = await api.request('/v1/deployments?buildId=paging&limit=2', { headers: auth });
    const second = await api.request(
      `/v1/deployments?buildId=paging&limit=2&cursor=${first.body.nextCursor}`,
      { headers: auth },
    );
    const ids = [...first.body.items, ...second.body.items].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(3);
    expect(second.body.nextCursor).toBeNull();
    const dates = [...first.body.items, ...second.body.items].map(
      (d: { createdAt: string }) => d.createdAt,
    );
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('cancels before signing, and answers 409 with the reason after', async () => {
    const pending = await api.hd.create({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
      buildId: 'cancel',
    });
    const cancelled = await api.request(`/v1/deployments/${pending.id}/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await api.request(`/v1/deployments/${pending.id}/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CANCEL_NOT_ALLOWED');
  });

  it('answers an Idempotency-Key replay with the same deployment, a different body with 409, and concurrent duplicates with one deployment', async () => {
    const headers = { ...auth, 'idempotency-key': 'key-1' };
    const first = await api.request('/v1/deployments', {
      method: 'POST',
      headers,
      json: body({ buildId: 'idem' }),
    });
    const replay = await api.request('/v1/deployments', {
      method: 'POST',
      headers,
      json: body({ buildId: 'idem' }),
    });
    expect(first.status).toBe(202);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    const conflict = await api.request('/v1/deployments', {
      method: 'POST',
      headers,
      json: body({ buildId: 'idem-other' }),
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');

    const racing = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.request('/v1/deployments', {
          method: 'POST',
          headers: { ...auth, 'idempotency-key': 'key-race' },
          json: body({ buildId: 'race' }),
        }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 202,
    ]);
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    const raced = await api.request('/v1/deployments?buildId=race', { headers: auth });
    expect(raced.body.items).toHaveLength(1);
  });

  it.each([
    ['invalid hex bytecode', { bytecode: '0x60zz' }, 400, 'INVALID_BYTECODE'],
    ['odd-length bytecode', { bytecode: '0x600' }, 400, 'INVALID_BYTECODE'],
    ['an unknown chain', { chain: 'metis-moon' }, 400, 'UNKNOWN_CHAIN'],
    ['an ABI that does not parse', { abi: 'not an abi' }, 400, 'INVALID_ABI'],
    ['args that do not fit', { constructorArgs: [1] }, 400, 'CONSTRUCTOR_ARGS_INVALID'],
    ['a missing field', { buildId: undefined }, 400, 'INVALID_REQUEST'],
    ['an unknown field', { rpcUrl: 'http://evil' }, 400, 'INVALID_REQUEST'],
    ['a wrong type', { confirmations: 'two' }, 400, 'INVALID_REQUEST'],
  ])('answers %s with %i %s, storing nothing', async (_name, overrides, status, code) => {
    const before = await count();
    const response = await api.request('/v1/deployments', {
      method: 'POST',
      headers: auth,
      json: body(overrides),
    });
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({
      code,
      message: expect.any(String),
      hint: expect.any(String),
    });
    expect(await count()).toBe(before);
  });

  it('answers bad args for a constructor that takes some with the parameter name', async () => {
    const response = await api.request('/v1/deployments', {
      method: 'POST',
      headers: auth,
      json: body({
        bytecode: token.bytecode,
        abi: token.abi,
        contractName: 'Token',
        constructorArgs: ['N', 'S', 'lots'],
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('initialSupply');
  });

  it('answers malformed JSON and an oversize body with 4xx, storing nothing', async () => {
    const before = await count();
    const malformed = await fetch(`${api.url}/v1/deployments`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"buildId":',
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('INVALID_REQUEST');
    const huge = await api.request('/v1/deployments', {
      method: 'POST',
      headers: auth,
      json: body({ bytecode: `0x${'60'.repeat(1_500_000)}` }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('INVALID_REQUEST');
    expect(await count()).toBe(before);
  });

  it('never answers a fuzzed POST body with a 5xx', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.object({ maxDepth: 2 }),
    );
    const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, value);
    const bodies = fc.record(
      {
        buildId: field(fc.string({ maxLength: 30 })),
        chain: field(fc.constantFrom('metis-sepolia', 59902, 'x', 1088, '59902')),
        bytecode: field(
          fc.constantFrom(counter.bytecode, '0x', '0x6', `0x${'ff'.repeat(10)}`, '6080'),
        ),
        abi: field(
          fc.constantFrom(
            counter.abi,
            [],
            [{}],
            [{ type: 'constructor', inputs: [{ type: 'uint999' }] }],
          ),
        ),
        constructorArgs: field(fc.array(fc.anything(), { maxLength: 3 })),
        confirmations: field(fc.integer({ min: -5, max: 5000 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodies, value), async (candidate) => {
        const response = await api.request('/v1/deployments', {
          method: 'POST',
          headers: auth,
          json: candidate,
        });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) expect(response.body.error.code).toEqual(expect.any(String));
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('requires the token on every /v1 route and the stream, but not on health and metrics', async () => {
    for (const path of ['/v1/deployments', '/v1/chains', '/v1/deployments/x', '/v1/stream']) {
      const none = await api.request(path);
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('UNAUTHORIZED');
      const wrong = await api.request(path, { headers: { authorization: 'Bearer wrong' } });
      expect(wrong.status).toBe(401);
    }
    expect((await api.request('/healthz')).status).toBe(200);
    expect((await api.request('/readyz')).status).toBe(200);
    expect((await api.request('/metrics')).text).toContain(
      'hyperdeploy_deployments{status="complete",chain_id="59902"}',
    );
  });

  it('serves the chains without RPC URLs and an OpenAPI document of the routes', async () => {
    const chains = await api.request('/v1/chains', { headers: auth });
    expect(chains.body.items).toEqual([
      expect.objectContaining({ name: 'metis-sepolia', chainId: 59902, txType: 'legacy' }),
    ]);
    expect(chains.text).not.toContain(chain.anvil.rpcUrl);
    const doc = (await api.request('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/deployments',
        '/v1/deployments/{id}',
        '/v1/deployments/{id}/events',
        '/v1/deployments/{id}/cancel',
        '/v1/stream',
        '/v1/chains',
      ]),
    );
    expect(
      doc.paths['/v1/deployments'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['buildId', 'chain', 'bytecode']));
  });

  it('keeps the private key and the API token out of logs, the database and responses', async () => {
    const responses = [
      await api.request('/v1/deployments?limit=500', { headers: auth }),
      await api.request('/v1/chains', { headers: auth }),
      await api.request('/openapi.json'),
      await api.request('/metrics'),
    ];
    const first = responses[0]?.body.items[0];
    responses.push(await api.request(`/v1/deployments/${first.id}/events`, { headers: auth }));
    const key = api.privateKey.slice(2).toLowerCase();
    const haystacks = [
      api.logs.join('\n'),
      readFileSync(api.db).toString('latin1'),
      readWal(api.db),
      ...responses.map((r) => r.text),
    ];
    for (const text of haystacks) {
      expect(text.toLowerCase()).not.toContain(key);
      expect(text).not.toContain(TOKEN);
    }
  });
});

function readWal(db: string): string {
  try {
    return readFileSync(`${db}-wal`).toString('latin1');
  } catch {
    return '';
  }
}
