import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../src/adapters/store/sqlite/sqlite-store.ts';
import { loadConfig } from '../src/config/index.ts';
import { createHyperdeploy } from '../src/hyperdeploy.ts';
import type { ContractArtifact } from '../src/inputs/index.ts';
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

/** Journals N deployments with the library, then runs (and kills) `hyperdeploy resume` until done. */
export async function runHyperdeploy(options: HyperdeployRunOptions): Promise<HyperdeployRun> {
  const { dir, rpc, artifact } = options;
  const configPath = writeConfig(dir, rpc, options.confirmations);
  const dbPath = join(dir, 'hyperdeploy.db');
  const config = loadConfig({ cwd: dir, configPath, env: {}, flags: { db: dbPath } });
  const hd = createHyperdeploy({
    db: dbPath,
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

  const store = new SqliteStore(dbPath);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      HYPERDEPLOY_PRIVATE_KEY: options.privateKey,
    };
    for (const key of Object.keys(env)) {
      if (key.startsWith('HYPERDEPLOY_RPC_') || key === 'HYPERDEPLOY_DB') delete env[key];
    }
    const result = await supervise({
      spec: {
        command: process.execPath,
        args: [
          BIN,
          'resume',
          '--chain',
          CHAIN,
          '--rpc',
          rpc,
          '--db',
          dbPath,
          '--config',
          configPath,
          '--json',
        ],
        env,
        cwd: dir,
        logPrefix: join(dir, 'hyperdeploy-worker'),
      },
      isDone: async () => (await store.listUnfinished()).length === 0,
      ...(options.killEverySec ? { killEverySec: options.killEverySec } : {}),
      timeLimitMs: options.timeLimitMs,
    });
    return { dbPath, supervise: result, ...(await readOutcomes(store)) };
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
  store: SqliteStore,
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
