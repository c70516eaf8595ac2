import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DeploymentState } from '../core/state.ts';
import { isTerminal } from '../core/status.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../ports/clock.ts';
import type { Lease, Store } from '../ports/store.ts';
import type { Engine } from './engine.ts';

export interface WorkerOptions {
  /**
   * Names this worker in leases and logs (default: host:pid:random). A stable name (one per
   * slot of a process manager) lets a restarted worker take back its predecessor's leases at
   * once instead of waiting for them to expire; two live workers must never share one.
   */
  owner?: string;
  /** A lease not renewed for this long passes to another worker (default 30 s). */
  leaseMs?: number;
  /** How often to look for due work besides wake-ups (default 1 s). */
  pollMs?: number;
  /** Deployments run at once (default 1000: they mostly wait on the chain). */
  concurrency?: number;
}

/** Claimed per query: several workers polling together share a burst of submissions. */
const CLAIM_BATCH = 20;

/**
 * Drains the store's queue: claims deployments with work due under a lease, runs each with
 * the engine until it finishes or waits past its lease's reach, and renews the leases while
 * alive. A worker that dies stops renewing; once its leases expire, other workers claim those
 * deployments and resume them from the journal.
 */
export class Worker {
  readonly owner: string;
  private readonly lease: Lease;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly active = new Map<string, Promise<unknown>>();
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly named: boolean;
  private unlisten: Promise<() => Promise<void>> | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: WorkerOptions = {},
  ) {
    this.named = options.owner !== undefined;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.lease = { owner: this.owner, ttlMs: options.leaseMs ?? 30_000 };
    this.pollMs = options.pollMs ?? 1_000;
    this.concurrency = options.concurrency ?? 1_000;
  }

  start(): this {
    // Renew well before expiry: a third of the lease, so two missed beats are survivable.
    this.heartbeat = setInterval(() => void this.renew(), Math.max(10, this.lease.ttlMs / 3));
    this.logger.info(
      { event: 'worker.started', owner: this.owner, leaseMs: this.lease.ttlMs },
      `worker ${this.owner} started`,
    );
    // On a shared store, a deployment journaled by any API node wakes us (else: the next poll).
    const { store } = this;
    if (store.listen) {
      this.unlisten = store
        .listen((n) => {
          if (n.seq === n.count) this.wake(); // a deployment's first append: it was created
        })
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'no store notifications: polling only');
          return async () => undefined;
        });
    }
    // Leases under our name are a dead predecessor's: nothing here runs them yet.
    const inherited = this.named ? this.store.releaseLeases(this.owner) : Promise.resolve();
    void inherited
      .catch((error: unknown) => this.logger.error({ err: error }, 'lease release failed'))
      .then(() => this.wake());
    return this;
  }

  /** Looks for due work now (e.g. a deployment was just submitted). */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true; // one more round after the current one: nothing submitted is missed
      return;
    }
    clearTimeout(this.pollTimer);
    this.claiming = this.claim()
      .catch((error: unknown) => this.logger.error({ err: error }, 'claiming work failed'))
      .finally(() => {
        this.claiming = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.pollTimer = setTimeout(() => this.wake(), this.pollMs);
        }
      });
  }

  /** How many deployments this worker is running now. */
  get running(): number {
    return this.active.size;
  }

  /**
   * Graceful stop: claims nothing more, stops the engine's loops at their next wait (each
   * journals what it did before), then releases every lease so others take over at once.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeat);
    await (await this.unlisten)?.();
    await this.claiming;
    await this.engine.stop();
    await Promise.allSettled(this.active.values());
    await this.store.releaseLeases(this.owner);
    this.logger.info(
      { event: 'worker.stopped', owner: this.owner },
      `worker ${this.owner} stopped`,
    );
  }

  private async claim(): Promise<void> {
    const limit = Math.min(this.concurrency - this.active.size, CLAIM_BATCH);
    if (limit <= 0) return;
    const claimed = await this.store.claimRunnable(this.lease, limit, this.clock.now());
    for (const state of claimed) this.drive(state);
    if (claimed.length === limit) this.again = true; // there may be more
  }

  private drive(state: DeploymentState): void {
    const { id } = state;
    const options = { leaseOwner: this.owner };
    // A complete deployment is claimed only for its verification.
    const work = isTerminal(state.status)
      ? this.engine.verify(id, options)
      : this.engine.run(id, options);
    const done = work
      .catch((error: unknown) =>
        this.logger.error({ err: error, deploymentId: id }, 'deployment run crashed'),
      )
      .finally(async () => {
        this.active.delete(id);
        if (this.stopped) return; // stop() releases everything at once
        await this.store
          .releaseLeases(this.owner, [id])
          .catch((error: unknown) => this.logger.error({ err: error }, 'lease release failed'));
        this.wake(); // a slot is free
      });
    this.active.set(id, done);
  }

  private async renew(): Promise<void> {
    try {
      const held = new Set(await this.store.renewLeases(this.lease));
      for (const id of this.active.keys()) {
        // Its next append fails with LeaseLostError and the loop stops; say why meanwhile.
        if (!held.has(id)) {
          this.logger.warn(
            { event: 'lease.lost', deploymentId: id, owner: this.owner },
            `lease on ${id} passed to another worker`,
          );
        }
      }
    } catch (error) {
      this.logger.error({ err: error, owner: this.owner }, 'lease renewal failed');
    }
  }
}
