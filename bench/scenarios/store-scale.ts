import { statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { SqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { DeploymentError } from '../../src/core/errors.ts';
import type { DeploymentEvent } from '../../src/core/events.ts';
import { reduce } from '../../src/core/reduce.ts';
import type { DeploymentState } from '../../src/core/state.ts';
import type { DeploymentSpec, Fees } from '../../src/core/types.ts';
import { toDeployment } from '../../src/core/view.ts';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { DeploymentFilter } from '../../src/ports/store.ts';
import { buildServer } from '../../src/server/app.ts';
import {
  counterArtifact,
  fmt,
  mdTable,
  onCleanup,
  round,
  type ScenarioOptions,
  type ScenarioResult,
  type Stats,
  stats,
  tempDir,
} from './common.ts';

const CHAINS = [
  { chainId: 1088, chainName: 'metis-andromeda', share: 0.4 },
  { chainId: 59902, chainName: 'metis-sepolia', share: 0.35 },
  { chainId: 133717, chainName: 'hyperion-testnet', share: 0.2 },
  { chainId: 31337, chainName: 'local', share: 0.05 },
] as const;
const SIGNER: Address = '0x1111111111111111111111111111111111111111';
const PER_BUILD = 20;
const SECOND = 1000;

/** A deterministic pseudo-random sequence (mulberry32), so every run builds the same store. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex32 = (prefix: string, n: number): Hex =>
  `0x${prefix}${n.toString(16).padStart(64 - prefix.length, '0')}`;
const address = (prefix: string, n: number): Address =>
  `0x${prefix}${n.toString(16).padStart(40 - prefix.length, '0')}`;

type Outcome = 'complete' | 'failed' | 'submitted' | 'retrying' | 'cancelled';

/** complete 90%, failed 6%, still submitted 2%, retrying 1%, cancelled 1%. */
function outcomeOf(r: number): Outcome {
  if (r < 0.9) return 'complete';
  if (r < 0.96) return 'failed';
  if (r < 0.98) return 'submitted';
  if (r < 0.99) return 'retrying';
  return 'cancelled';
}

/** The journal of one synthetic deployment, as the engine would have written it. */
function journal(
  i: number,
  createdMs: number,
  random: () => number,
  base: { bytecode: Hex; abi: readonly unknown[]; raw: Hex },
): { id: string; events: DeploymentEvent[] } {
  const pick = random();
  let cumulative = 0;
  const chosen =
    CHAINS.find((c) => {
      cumulative += c.share;
      return pick < cumulative;
    }) ?? CHAINS[0];
  const outcome = outcomeOf(random());
  const id = `dep_${Math.floor(createdMs).toString(36).padStart(9, '0')}${i.toString(16).padStart(12, '0')}`;
  let t = createdMs;
  const at = (stepMs: number) => {
    t += stepMs;
    return new Date(t).toISOString();
  };
  const spec: DeploymentSpec = {
    buildId: `build_${Math.floor(i / PER_BUILD)
      .toString()
      .padStart(6, '0')}`,
    chainId: chosen.chainId,
    chainName: chosen.chainName,
    contractName: 'Counter',
    bytecode: base.bytecode,
    abi: base.abi,
    constructorArgs: [],
    signer: SIGNER,
    confirmations: 2,
    gasBuffer: 1.2,
    verify: false,
    feePolicy: { bumpAfterMs: 60_000, maxBumps: 5, maxFeePerGas: null },
  } as DeploymentSpec;
  const fees: Fees = { type: 'legacy', gasPrice: '1000000000' };
  const hash = hex32('a', i);
  const contract = address('c', i);
  const events: DeploymentEvent[] = [{ type: 'deployment_created', at: at(0), id, spec }];
  if (outcome === 'cancelled') {
    events.push({ type: 'deployment_cancelled', at: at(500), reason: 'cancelled by request' });
    return { id, events };
  }
  events.push(
    { type: 'compilation_started', at: at(2) },
    {
      type: 'bytecode_checked',
      at: at(3),
      deployData: base.bytecode,
      bytecodeSize: (base.bytecode.length - 2) / 2,
    },
    { type: 'gas_estimation_started', at: at(1) },
  );
  if (outcome === 'failed') {
    const error: DeploymentError = {
      code: 'INSUFFICIENT_FUNDS',
      message: `${SIGNER} has 0.001 METIS on chain ${chosen.chainId}; this deployment needs about 0.02 METIS.`,
      hint: `Send at least 0.019 METIS to ${SIGNER}, then deploy again.`,
      retryable: false,
      step: 'estimating_gas',
      attempt: 0,
    };
    events.push({ type: 'deployment_failed', at: at(40), error });
    return { id, events };
  }
  events.push(
    { type: 'gas_estimated', at: at(30), gasLimit: '150000', estimatedGas: '125000', fees },
    {
      type: 'tx_signed',
      at: at(5),
      tx: { nonce: i, hash, raw: base.raw, gasLimit: '150000', fees, predictedAddress: contract },
    },
    { type: 'tx_broadcast', at: at(10), hash },
  );
  if (outcome === 'submitted') return { id, events };
  if (outcome === 'retrying') {
    const error: DeploymentError = {
      code: 'RPC_TIMEOUT',
      message: 'The RPC did not answer within 15000 ms.',
      hint: 'hyperdeploy retries.',
      retryable: true,
      step: 'submitted',
      attempt: 1,
    };
    events.push({
      type: 'retry_scheduled',
      at: at(15_000),
      error,
      attempt: 1,
      nextAttemptAt: new Date(t + 5 * SECOND).toISOString(),
    });
    return { id, events };
  }
  const block = 1_000_000 + i;
  events.push(
    {
      type: 'tx_mined',
      at: at(2000),
      receipt: {
        hash,
        blockNumber: String(block),
        blockHash: hex32('b', block),
        contractAddress: contract,
        gasUsed: '125000',
        effectiveGasPrice: '1000000000',
      },
    },
    {
      type: 'confirmations_reached',
      at: at(2000),
      confirmations: 2,
      blockNumber: String(block + 1),
    },
    {
      type: 'verification_skipped',
      at: at(1),
      reason: 'verification disabled for this deployment',
    },
    { type: 'deployment_completed', at: at(1), contractAddress: contract },
  );
  return { id, events };
}

/** Fills the store through `create` + `append` (one SQLite transaction per batch). */
export async function fill(store: SqliteStore, total: number, log: (line: string) => void) {
  const artifact = await counterArtifact();
  // A raw transaction of realistic size (the creation code plus an envelope).
  const raw = `0x02f9${'00'.repeat(60)}${artifact.bytecode.slice(2)}${'11'.repeat(67)}` as Hex;
  const base = { bytecode: artifact.bytecode, abi: artifact.abi as readonly unknown[], raw };
  const random = prng(7);
  const startMs = Date.parse('2025-01-01T00:00:00Z');
  const spacingMs = (300 * 86_400_000) / total; // spread over ~300 days
  const ids: string[] = [];
  const batchSize = 2000;
  const started = performance.now();
  let eventsWritten = 0;
  for (let from = 0; from < total; from += batchSize) {
    const pending: Array<Promise<unknown>> = [];
    store.db.transaction(() => {
      for (let i = from; i < Math.min(total, from + batchSize); i++) {
        const { id, events } = journal(i, startMs + i * spacingMs, random, base);
        const [created, ...rest] = events as [DeploymentEvent, ...DeploymentEvent[]];
        let state = { ...reduce(null, created), seq: 1 };
        pending.push(store.create(id, [created], state));
        if (rest.length > 0) {
          const expected = state.seq;
          for (const event of rest) state = { ...reduce(state, event), seq: state.seq + 1 };
          pending.push(store.append(id, expected, rest, state));
        }
        ids.push(id);
        eventsWritten += events.length;
      }
    })();
    await Promise.all(pending);
    if ((from / batchSize) % 10 === 9)
      log(
        `  store: ${from + batchSize} deployments (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  return { ids, eventsWritten, seconds: (performance.now() - started) / 1000 };
}

interface Timed {
  name: string;
  http: Stats;
  raw: Stats;
  items: number;
}

/** GET over a keep-alive connection; resolves with the body once it has fully arrived. */
function httpGet(agent: Agent, base: URL, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, path, agent, method: 'GET' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function runStore(options: ScenarioOptions): Promise<ScenarioResult> {
  const total = options.quick ? 20_000 : 100_000;
  const samples = options.quick ? 60 : 150;
  const dir = tempDir();
  const dbPath = join(dir, 'store.db');
  const store = new SqliteStore(dbPath);
  const closeStore = onCleanup(() => store.close());
  const filled = await fill(store, total, options.log);
  store.db.pragma('wal_checkpoint(TRUNCATE)'); // a steady state, as after a quiet period
  const dbMb =
    (statSync(dbPath).size + (statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size ?? 0)) /
    1024 /
    1024;
  options.log(
    `  store: ${total} deployments, ${filled.eventsWritten} events in ${filled.seconds.toFixed(1)} s`,
  );

  const logger = createLogger({ level: 'silent' });
  const hd = createHyperdeploy({ db: store, chains: {}, logger });
  const app = await buildServer({ hd, chains: {}, logger });
  const closeApp = onCleanup(() => app.close());
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  onCleanup(() => agent.destroy());

  const random = prng(11);
  const anyId = () => filled.ids[Math.floor(random() * filled.ids.length)] as string;
  const anyBuild = () =>
    `build_${Math.floor(random() * (total / PER_BUILD))
      .toString()
      .padStart(6, '0')}`;

  type Query = { name: string; filter: () => DeploymentFilter };
  const lists: Query[] = [
    { name: 'list (no filter)', filter: () => ({ limit: 50 }) },
    { name: 'list status=complete', filter: () => ({ status: 'complete', limit: 50 }) },
    { name: 'list status=failed', filter: () => ({ status: 'failed', limit: 50 }) },
    { name: 'list status=submitted', filter: () => ({ status: 'submitted', limit: 50 }) },
    { name: 'list chainId=133717', filter: () => ({ chainId: 133717, limit: 50 }) },
    { name: 'list buildId=…', filter: () => ({ buildId: anyBuild(), limit: 50 }) },
    {
      name: 'list status=failed & chainId=31337',
      filter: () => ({ status: 'failed', chainId: 31337, limit: 50 }),
    },
  ];
  const qs = (filter: DeploymentFilter) =>
    new URLSearchParams(
      Object.entries(filter)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ).toString();

  const timeHttp = async (path: string) => {
    const t = performance.now();
    const response = await httpGet(agent, base, path);
    const ms = performance.now() - t;
    if (response.status !== 200)
      throw new Error(`GET ${path}: ${response.status} ${response.body}`);
    return { ms, body: response.body };
  };
  const timeRaw = async <T>(fn: () => Promise<T>) => {
    const t = performance.now();
    const value = await fn();
    return { ms: performance.now() - t, value };
  };

  const results: Timed[] = [];
  const warm = 10;
  for (const query of lists) {
    const httpMs: number[] = [];
    const rawMs: number[] = [];
    let items = 0;
    for (let i = 0; i < warm + samples; i++) {
      const filter = query.filter();
      const h = await timeHttp(`/v1/deployments?${qs(filter)}`);
      const r = await timeRaw(() => store.list(filter));
      if (i >= warm) {
        httpMs.push(h.ms);
        rawMs.push(r.ms);
        items += r.value.items.length;
      }
    }
    results.push({
      name: query.name,
      http: stats(httpMs),
      raw: stats(rawMs),
      items: items / samples,
    });
  }

  // Cursor pages: follow nextCursor from the first page, 50 at a time.
  for (const [name, filter] of [
    ['list pages 2–31 via cursor (no filter)', { limit: 50 }],
    ['list pages 2–31 via cursor (status=complete)', { status: 'complete' as const, limit: 50 }],
  ] as Array<[string, DeploymentFilter]>) {
    const httpMs: number[] = [];
    const rawMs: number[] = [];
    let items = 0;
    const rounds = options.quick ? 2 : 5;
    for (let round = 0; round < rounds; round++) {
      let cursor = (await store.list(filter)).nextCursor;
      for (let page = 2; page <= 31 && cursor; page++) {
        const withCursor = { ...filter, cursor };
        const h = await timeHttp(`/v1/deployments?${qs(withCursor)}`);
        const r = await timeRaw(() => store.list(withCursor));
        httpMs.push(h.ms);
        rawMs.push(r.ms);
        items += r.value.items.length;
        cursor = (JSON.parse(h.body) as { nextCursor: string | null }).nextCursor;
      }
    }
    results.push({ name, http: stats(httpMs), raw: stats(rawMs), items: items / httpMs.length });
  }

  for (const [name, path, raw] of [
    [
      'get one deployment',
      (id: string) => `/v1/deployments/${id}`,
      async (id: string): Promise<unknown> => store.get(id),
    ],
    [
      'events page of one deployment',
      (id: string) => `/v1/deployments/${id}/events`,
      async (id: string): Promise<unknown> => store.events(id),
    ],
  ] as Array<[string, (id: string) => string, (id: string) => Promise<unknown>]>) {
    const httpMs: number[] = [];
    const rawMs: number[] = [];
    let items = 0;
    for (let i = 0; i < warm + samples * 2; i++) {
      const id = anyId();
      const h = await timeHttp(path(id));
      const r = await timeRaw(() => raw(id));
      if (i >= warm) {
        httpMs.push(h.ms);
        rawMs.push(r.ms);
        items += Array.isArray(r.value) ? r.value.length : 1;
      }
    }
    results.push({ name, http: stats(httpMs), raw: stats(rawMs), items: items / httpMs.length });
  }

  // Where a list request's time goes: the query, parsing state_json, toDeployment.
  const parseCost = await timeRaw(async () => {
    const rows = store.db
      .prepare('SELECT state_json FROM deployments ORDER BY created_at DESC, id DESC LIMIT 50')
      .all() as Array<{ state_json: string }>;
    const t = performance.now();
    const states = rows.map((row) => JSON.parse(row.state_json) as DeploymentState);
    const parseMs = performance.now() - t;
    const t2 = performance.now();
    const views = states.map(toDeployment);
    const viewMs = performance.now() - t2;
    const t3 = performance.now();
    const json = JSON.stringify({ items: views, nextCursor: null });
    return {
      parseMs,
      viewMs,
      stringifyMs: performance.now() - t3,
      stateBytes: rows.reduce((s, r) => s + r.state_json.length, 0) / rows.length,
      responseBytes: json.length,
    };
  });

  await closeApp();
  await hd.close();
  await closeStore();

  const listRows = results.filter((r) => r.name.startsWith('list'));
  const listP95 = Math.max(...listRows.map((r) => r.http.p95));
  const listP50 = Math.max(...listRows.map((r) => r.http.median));
  const worstList = listRows.reduce((a, b) => (b.http.p95 > a.http.p95 ? b : a));
  const get = results.find((r) => r.name.startsWith('get')) as Timed;
  const events = results.find((r) => r.name.startsWith('events')) as Timed;
  const markdown = [
    mdTable(
      ['query', 'items', 'HTTP p50 ms', 'HTTP p95 ms', 'store p50 ms', 'store p95 ms'],
      results.map((r) => [
        r.name,
        fmt(r.items, 1),
        fmt(r.http.median),
        fmt(r.http.p95),
        fmt(r.raw.median),
        fmt(r.raw.p95),
      ]),
    ),
    '',
    `${total.toLocaleString('en-US')} deployments, ${filled.eventsWritten.toLocaleString('en-US')} events (90% complete, 6% failed, 2% submitted, 1% retrying, 1% cancelled; 4 chains; ${PER_BUILD} per build), written through \`SqliteStore.create\`/\`append\` in ${fmt(filled.seconds, 1)} s; database ${fmt(dbMb, 0)} MB. HTTP: sequential GETs over one keep-alive connection (\`limit=50\`), ${samples} samples per query after ${warm} warm-up; "store" is the same call on \`SqliteStore\` directly. Worst list p95: ${worstList.name}.`,
    '',
    `One page of 50 (no filter): parsing \`state_json\` ${fmt(parseCost.value.parseMs)} ms (${fmt(parseCost.value.stateBytes, 0)} bytes per row), \`toDeployment\` ${fmt(parseCost.value.viewMs)} ms, response JSON ${fmt(parseCost.value.stringifyMs)} ms (${fmt(parseCost.value.responseBytes / 1024, 0)} KiB).`,
  ].join('\n');
  return {
    title: `4. Store at scale (SQLite, ${total.toLocaleString('en-US')} deployments)`,
    markdown,
    json: {
      backend: 'sqlite',
      deployments: total,
      events: filled.eventsWritten,
      fillSeconds: round(filled.seconds, 1),
      dbMb: round(dbMb, 0),
      listP50Ms: round(listP50),
      listP95Ms: round(listP95),
      worstList: worstList.name,
      getP50Ms: round(get.http.median),
      getP95Ms: round(get.http.p95),
      eventsP50Ms: round(events.http.median),
      eventsP95Ms: round(events.http.p95),
      queries: results.map((r) => ({
        name: r.name,
        items: round(r.items, 1),
        httpP50Ms: round(r.http.median),
        httpP95Ms: round(r.http.p95),
        storeP50Ms: round(r.raw.median),
        storeP95Ms: round(r.raw.p95),
      })),
      pageCost: {
        parseMs: round(parseCost.value.parseMs),
        toDeploymentMs: round(parseCost.value.viewMs),
        stringifyMs: round(parseCost.value.stringifyMs),
        stateBytes: round(parseCost.value.stateBytes, 0),
        responseBytes: parseCost.value.responseBytes,
      },
    },
  };
}
