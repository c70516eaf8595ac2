import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPostgresStore } from '../src/adapters/store/postgres/index.ts';
import { SqliteStore } from '../src/adapters/store/sqlite/sqlite-store.ts';
import { loadConfig } from '../src/config/index.ts';
import { createHyperdeploy } from '../src/hyperdeploy.ts';
import type { ContractArtifact } from '../src/inputs/index.ts';
import type { Store } from '../src/ports/store.ts';
import type { Outcome } from './metrics.ts';
import { type SuperviseResult, supervise } from './supervise.ts';

export const REPO = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO, 'bin/hyperdeploy.js');
export const CHAIN = 'metis-sepolia';

export interface HyperdeployRunOptions {
  dir: string;
  rpc: string;
  privateKey: string;
  artifact: ContractArtifact;
  deployments: number;
  confirmations: number;
  killEverySec?: number;
  timeLimitMs: number;
  /** A PostgreSQL database (postgres://…) for the journal; default a SQLite file in `dir`. */
  db?: string;
  /** `hyperdeploy worker` processes sharing the store (default 1). */
  workers?: number;
}

export interface HyperdeployRun {
  dbPath: string;
  outcomes: Outcome[];
  supervise: SuperviseResult;
  /** Journal facts worth counting across all deployments (rebroadcasts, bumps, retries…). */
  journalCounts: Record<string, number>;
}

/** The config file the worker reads: short timeouts and delays for a local chain. */
function writeConfig(dir: string, rpc: string, confirmations: number): string {
  const path = join(dir, 'hyperdeploy.config.json');
  const config = {
    chains: {
      [CHAIN]: {
        rpc: [rpc],
        pollIntervalMs: 100,
        rpcTimeoutMs: 2000,
        bumpAfterMs: 5000,
        confirmations,
      },
    },
    retry: { maxRetries: 5, delaysMs: [200, 500, 1000] },
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

const COUNTED = new Set([
  'tx_signed',
  'tx_rebroadcast',
  'tx_rejected',
  'receipt_reorged',
  'retry_scheduled',
  'nonce_abandoned',
  'fee_bumps_exhausted',
]);

/**
 * Journals N deployments with the library, then runs `hyperdeploy worker` processes on the
 * store (one of them SIGKILLed every S seconds, in turn, and restarted under its name) until done.
 */
export async function runHyperdeploy(options: HyperdeployRunOptions): Promise<HyperdeployRun> {
  const { dir, rpc, artifact } = options;
  const configPath = writeConfig(dir, rpc, options.confirmations);
  const dbPath = options.db ?? join(dir, 'hyperdeploy.db');
  const openStore = (): Promise<Store> | Store =>
    options.db ? openPostgresStore(options.db) : new SqliteStore(dbPath);
  const config = loadConfig({ cwd: dir, configPath, env: {}, flags: {} });
  const hd = createHyperdeploy({
    db: await openStore(),
    chains: config.chains,
    privateKey: options.privateKey,
    retry: config.retry,
    gasBuffer: config.gasBuffer,
  });
  try {
    for (let i = 0; i < options.deployments; i++) {
      await hd.create({
        chain: CHAIN,
        bytecode: artifact.bytecode,
        abi: artifact.abi,
        contractName: artifact.contractName,
        buildId: `bench-${i}`,
        verify: false,
      });
    }
  } finally {
    await hd.close();
  }

  const store = await openStore();
  const workers = options.workers ?? 1;
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      HYPERDEPLOY_PRIVATE_KEY: options.privateKey,
    };
    for (const key of Object.keys(env)) {
      if (key.startsWith('HYPERDEPLOY_RPC_') || key === 'HYPERDEPLOY_DB') delete env[key];
    }
    const kill = options.killEverySec;
    const results = await Promise.all(
      Array.from({ length: workers }, (_, k) =>
        supervise({
          spec: {
            command: process.execPath,
            args: [
              BIN,
              'worker',
              '--chain',
              CHAIN,
              '--rpc',
              rpc,
              '--db',
              dbPath,
              '--config',
              configPath,
              '--owner',
              `bench-worker-${k + 1}`,
              '--lease-ms',
              '5000',
              '--poll-ms',
              '200',
            ],
            env,
            cwd: dir,
            logPrefix: join(dir, `hyperdeploy-worker-${k + 1}`),
          },
          isDone: async () => (await store.listUnfinished()).length === 0,
          // One SIGKILL every `kill` seconds in all, whatever the worker count: in turn.
          ...(kill ? { killEverySec: kill * workers, firstKillAfterSec: kill * (k + 1) } : {}),
          stopSignal: 'SIGTERM',
          timeLimitMs: options.timeLimitMs,
        }),
      ),
    );
    const result: SuperviseResult = {
      starts: results.reduce((n, r) => n + r.starts, 0),
      kills: results.reduce((n, r) => n + r.kills, 0),
      exits: results.flatMap((r) => r.exits),
      timedOut: results.some((r) => r.timedOut),
      wallMs: Math.max(...results.map((r) => r.wallMs)),
    };
    return {
      dbPath: options.db ? 'postgres' : dbPath,
      supervise: result,
      ...(await readOutcomes(store)),
    };
  } finally {
    await store.close();
  }
}

function addOwner<K>(map: Map<K, Set<string>>, key: K, id: string): void {
  const owners = map.get(key) ?? new Set<string>();
  owners.add(id);
  map.set(key, owners);
}

async function readOutcomes(
  store: Store,
): Promise<{ outcomes: Outcome[]; journalCounts: Record<string, number> }> {
  const states = [];
  for (let cursor: string | null | undefined; ; ) {
    const page = await store.list({ limit: 500, ...(cursor ? { cursor } : {}) });
    states.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  const journalCounts: Record<string, number> = {};
  const outcomes: Outcome[] = [];
  const nonceOwners = new Map<number, Set<string>>();
  const hashOwners = new Map<string, Set<string>>();
  for (const state of states.reverse()) {
    const events = await store.events(state.id);
    const hashes = new Set<string>();
    let created: number | null = null;
    let completed: number | null = null;
    for (const e of events) {
      if (COUNTED.has(e.type)) journalCounts[e.type] = (journalCounts[e.type] ?? 0) + 1;
      if (e.type === 'log' && (e.event === 'tx.stuck' || e.event === 'fees.bumped'))
        journalCounts[e.event] = (journalCounts[e.event] ?? 0) + 1;
      if (e.type === 'tx_signed') {
        hashes.add(e.tx.hash.toLowerCase());
        addOwner(nonceOwners, e.tx.nonce, state.id);
        addOwner(hashOwners, e.tx.hash.toLowerCase(), state.id);
      }
      if (e.type === 'deployment_created') created = Date.parse(e.at);
      if (e.type === 'deployment_completed') completed = Date.parse(e.at);
    }
    const status =
      state.status === 'complete'
        ? 'succeeded'
        : state.status === 'failed' || state.status === 'cancelled'
          ? 'failed'
          : 'lost';
    outcomes.push({
      key: state.id,
      status,
      ...(status === 'failed'
        ? { errorCode: state.error?.code ?? state.status, errorMessage: state.error?.message ?? '' }
        : {}),
      ...(status === 'lost' ? { lastStatus: state.status } : {}),
      address: state.contractAddress?.toLowerCase() ?? null,
      hashes,
      durationMs: created !== null && completed !== null ? completed - created : null,
    });
  }
  // Diagnostics of the nonce protocol: one nonce (or one signed tx) journaled by 2+ deployments.
  const shared = (map: Map<unknown, Set<string>>) =>
    [...map.values()].filter((o) => o.size > 1).length;
  if (shared(nonceOwners)) journalCounts['nonce signed by 2+ deployments'] = shared(nonceOwners);
  if (shared(hashOwners)) journalCounts['tx hash in 2+ deployments'] = shared(hashOwners);
  return { outcomes, journalCounts };
}
