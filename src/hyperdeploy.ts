import { createHash } from 'node:crypto';
import { systemClock } from './adapters/clock/system-clock.ts';
import { createExplorer } from './adapters/explorer/index.ts';
import { createSourceProver } from './adapters/prover/index.ts';
import { ViemChainClient } from './adapters/rpc/viem-chain-client.ts';
import { PrivateKeySigner } from './adapters/signer/private-key-signer.ts';
import { SqliteStore } from './adapters/store/sqlite/sqlite-store.ts';
import { redactUrl, toViemChain } from './chains/index.ts';
import type { ChainConfig } from './chains/types.ts';
import { HyperdeployError } from './core/errors.ts';
import type { JournalEntry, LogData, LogEvent, LogLevel } from './core/events.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './core/retry.ts';
import type { DeploymentState } from './core/state.ts';
import { type Deployment, toDeployment } from './core/view.ts';
import { Engine } from './engine/engine.ts';
import { Worker, type WorkerOptions } from './engine/worker.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { createRedactor } from './logging/redact.ts';
import type { Clock } from './ports/clock.ts';
import type { Explorer } from './ports/explorer.ts';
import type { SourceProver } from './ports/prover.ts';
import type { Signer } from './ports/signer.ts';
import type { DeploymentFilter, Store } from './ports/store.ts';
import { type DeployParams, prepareSpec } from './prepare.ts';

export interface HyperdeployOptions {
  /** SQLite file path (default `.hyperdeploy/hyperdeploy.db`) or a ready Store. */
  db?: string | Store;
  /** Chains by name (presets merged with config: see `loadConfig`). */
  chains: Record<string, ChainConfig>;
  /** Deployer key (0x hex); or pass `signer`. Needed to deploy and resume, not to read. */
  privateKey?: string;
  signer?: Signer;
  logger?: Logger;
  clock?: Clock;
  /** gas estimate × this (default 1.2). */
  gasBuffer?: number;
  retry?: Partial<RetryPolicy>;
  /** Secrets to keep out of messages besides the key and RPC URLs (e.g. API tokens). */
  secrets?: string[];
  /** Explorer API keys by chain name. */
  explorerKeys?: Record<string, string>;
  /** The explorer client of a chain (default: from the chain's `explorer` config; null: none). */
  explorerFor?: (chain: ChainConfig) => Explorer | null;
  /** The local proof of source (default: recompile with the bundled solc-js). */
  prover?: SourceProver;
  /** Verification budget (default 10 minutes) and waits between "not yet" answers. */
  verification?: { budgetMs?: number; delaysMs?: number[] };
  /**
   * Whether `submit` runs what it journals in this process (default true). An API node whose
   * deployments run on workers elsewhere sets false; with a worker started, the worker runs them.
   */
  runSubmitted?: boolean;
}

export type JournalSubscriber = (entry: JournalEntry, deployment: Deployment) => void;

export interface Hyperdeploy {
  /** Validates, journals and runs a deployment; resolves when it is finished. */
  deploy(params: DeployParams): Promise<Deployment>;
  /** Validates and journals a deployment without running it. */
  create(params: DeployParams): Promise<Deployment>;
  /**
   * Validates, journals and starts a deployment without waiting for it. With an idempotency key
   * already used for the same request, returns that deployment (`created: false`); for another
   * request, IDEMPOTENCY_CONFLICT.
   */
  submit(
    params: DeployParams,
    options?: { idempotencyKey?: string },
  ): Promise<{ deployment: Deployment; created: boolean }>;
  /** Runs (or continues) one deployment until it is finished. */
  run(id: string): Promise<Deployment>;
  get(id: string): Promise<Deployment | null>;
  list(filter?: DeploymentFilter): Promise<{ items: Deployment[]; nextCursor: string | null }>;
  events(id: string, afterSeq?: number): Promise<JournalEntry[]>;
  /** Verifies a deployment again by hand and waits for the outcome. */
  verify(id: string): Promise<Deployment>;
  /** Continues every unfinished deployment from its journal. */
  resume(filter?: { chain?: string }): Promise<Deployment[]>;
  /**
   * Starts a worker in this process: it leases due deployments from the store (several
   * processes can share one PostgreSQL store), runs them, and takes over those of workers that
   * died. `submit` hands new deployments to it. Stopped (leases released) by `close`.
   */
  startWorker(options?: WorkerOptions): Worker;
  /**
   * On a shared store, delivers to `subscribe` what other processes append too (an API node
   * streams deployments that workers elsewhere run). Stopped by `close`.
   */
  followStore(): Promise<void>;
  /** Cancels a deployment before any transaction is signed (CANCEL_NOT_ALLOWED after). */
  cancel(id: string, reason?: string): Promise<Deployment>;
  /** Appends a log line to a deployment's journal (shown by `logs`, the API and the dashboard). */
  log(
    id: string,
    entry: { level: LogLevel; event: LogEvent; message: string; data?: LogData },
  ): Promise<void>;
  /** Every journal entry as it is appended, with the deployment after it. */
  subscribe(subscriber: JournalSubscriber): () => void;
  /** Deployments per (status, chain id). */
  countByStatus(): Promise<Array<{ status: string; chainId: number; count: number }>>;
  /** Removes every configured secret (key, tokens, RPC credentials) from a text. */
  redact(text: string): string;
  readonly signerAddress: string | null;
  /** The root logger (JSON lines). */
  readonly logger: Logger;
  readonly storePath: string | null;
  close(): Promise<void>;
}

export function createHyperdeploy(options: HyperdeployOptions): Hyperdeploy {
  const store =
    typeof options.db === 'object'
      ? options.db
      : new SqliteStore(options.db ?? '.hyperdeploy/hyperdeploy.db');
  const signer =
    options.signer ?? (options.privateKey ? new PrivateKeySigner(options.privateKey) : undefined);
  const redact = createRedactor({
    values: [options.privateKey ?? '', ...(options.secrets ?? [])].filter(Boolean),
    urls: Object.values(options.chains).flatMap((chain) =>
      chain.rpc.map((url) => ({ url, display: redactUrl(url) })),
    ),
  });
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const engine = new Engine({
    store,
    chains: options.chains,
    clientFor: (chain) =>
      new ViemChainClient({
        chain: toViemChain(chain),
        rpcUrls: chain.rpc,
        pollIntervalMs: chain.pollIntervalMs,
        txType: chain.txType,
        ...(chain.rpcTimeoutMs ? { timeoutMs: chain.rpcTimeoutMs } : {}),
      }),
    ...(signer ? { signer } : {}),
    clock,
    logger,
    redact,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    explorerFor: options.explorerFor ?? defaultExplorerFor(options.explorerKeys ?? {}),
    prover: options.prover ?? createSourceProver(),
    verification: {
      budgetMs: options.verification?.budgetMs ?? 10 * 60_000,
      delaysMs: options.verification?.delaysMs ?? [5_000, 10_000, 20_000, 30_000, 60_000],
    },
  });
  const view = (state: DeploymentState | null) => (state ? toDeployment(state) : null);
  let worker: Worker | null = null;
  const stopFollowing: Array<() => Promise<void>> = [];

  const prepare = (params: DeployParams) => {
    if (!signer) {
      throw new HyperdeployError('SIGNER_MISSING', 'No deployer key is configured.', {
        step: 'config',
      });
    }
    return prepareSpec(params, {
      chains: options.chains,
      signer: signer.address,
      gasBuffer: options.gasBuffer ?? 1.2,
    });
  };
  const create = async (params: DeployParams) =>
    toDeployment((await engine.create(prepare(params))).state);
  const mustExist = async (id: string) => {
    if (!(await store.get(id))) {
      throw new HyperdeployError('DEPLOYMENT_NOT_FOUND', `No deployment ${id} in the store.`);
    }
  };
  const run = async (id: string) => {
    await mustExist(id);
    return toDeployment(await engine.run(id));
  };

  return {
    create,
    async submit(params, submitOptions = {}) {
      const { idempotencyKey } = submitOptions;
      const spec = prepare(params);
      const requestHash = hashRequest(params);
      const result = await engine.create(
        spec,
        idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash } } : {},
      );
      if (!result.created && result.requestHash !== requestHash) {
        throw new HyperdeployError(
          'IDEMPOTENCY_CONFLICT',
          `Idempotency-Key ${idempotencyKey} was used for another request (deployment ${result.state.id}).`,
          {
            details: { deploymentId: result.state.id },
          },
        );
      }
      // Run in the background: the caller follows the journal (API, stream, subscribe).
      if (result.created && worker) worker.wake();
      else if (result.created && options.runSubmitted !== false)
        void engine
          .run(result.state.id)
          .catch((error: unknown) =>
            logger.error({ err: error, deploymentId: result.state.id }, 'deployment run crashed'),
          );
      return { deployment: toDeployment(result.state), created: result.created };
    },
    run,
    async deploy(params) {
      return run((await create(params)).id);
    },
    get: async (id) => view(await store.get(id)),
    async list(filter = {}) {
      const page = await store.list(filter);
      return { items: page.items.map(toDeployment), nextCursor: page.nextCursor };
    },
    events: (id, afterSeq) => store.events(id, afterSeq),
    async verify(id) {
      await mustExist(id);
      return toDeployment(await engine.verify(id, { requested: true }));
    },
    async resume(filter = {}) {
      const unfinished = (await store.listUnfinished()).filter(
        (state) => !filter.chain || state.spec.chainName === filter.chain,
      );
      const verifications = (await store.listPendingVerifications()).filter(
        (state) => !filter.chain || state.spec.chainName === filter.chain,
      );
      for (const state of verifications) engine.verifyInBackground(state.id);
      const finished = await Promise.all(unfinished.map((state) => engine.run(state.id)));
      return finished.map(toDeployment);
    },
    async cancel(id, reason = 'cancelled by request') {
      await mustExist(id);
      return toDeployment(await engine.cancel(id, reason));
    },
    startWorker(workerOptions) {
      if (worker) throw new Error('a worker is already running in this process');
      worker = new Worker(engine, store, clock, logger, workerOptions).start();
      return worker;
    },
    async followStore() {
      stopFollowing.push(await engine.followStore());
    },
    subscribe: (subscriber) =>
      engine.subscribe((entry, state) => subscriber(entry, deploymentOf(state))),
    countByStatus: () => store.countByStatus(),
    log: (id, entry) => engine.log(id, entry),
    redact,
    signerAddress: signer?.address ?? null,
    logger,
    storePath: store instanceof SqliteStore ? store.path : null,
    async close() {
      await worker?.stop();
      await Promise.all(stopFollowing.map((stop) => stop()));
      await engine.stop();
      await store.close();
    },
  };
}

/** The view of a state, built once however many subscribers receive it. */
const views = new WeakMap<DeploymentState, Deployment>();
function deploymentOf(state: DeploymentState): Deployment {
  let view = views.get(state);
  if (!view) {
    view = toDeployment(state);
    views.set(state, view);
  }
  return view;
}

/** A stable hash of a request: keys sorted, so the same body in another order is the same. */
function hashRequest(params: DeployParams): string {
  const canonical = JSON.stringify(params, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : typeof value === 'bigint'
        ? value.toString()
        : value,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/** Explorer clients from each chain's `explorer` config; chains without an API get none. */
function defaultExplorerFor(keys: Record<string, string>): (chain: ChainConfig) => Explorer | null {
  const cache = new Map<string, Explorer | null>();
  return (chain) => {
    if (!cache.has(chain.name)) {
      const { explorer } = chain;
      const apiKey = keys[chain.name];
      cache.set(
        chain.name,
        explorer?.api
          ? createExplorer({
              type: explorer.type,
              api: explorer.api,
              url: explorer.url,
              ...(apiKey ? { apiKey } : {}),
            })
          : null,
      );
    }
    return cache.get(chain.name) ?? null;
  };
}
