import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { awaitConfirmations } from '../actions/await-confirmations.ts';
import { awaitReceipt } from '../actions/await-receipt.ts';
import { broadcast } from '../actions/broadcast.ts';
import { checkBytecode } from '../actions/check-bytecode.ts';
import type { ActionContext, ActionResult } from '../actions/context.ts';
import { estimateGas } from '../actions/estimate-gas.ts';
import { replaceTransaction } from '../actions/replace.ts';
import { verify } from '../actions/verify.ts';
import type { ChainConfig } from '../chains/types.ts';
import { decide, decideVerification, type NextAction } from '../core/decide.ts';
import { HyperdeployError } from '../core/errors.ts';
import type { DeploymentEvent, JournalEntry } from '../core/events.ts';
import { fold, next as nextState } from '../core/reduce.ts';
import { planAfterFailure, type RetryPolicy } from '../core/retry.ts';
import type { DeploymentState } from '../core/state.ts';
import { isTerminal } from '../core/status.ts';
import type { DeploymentSpec } from '../core/types.ts';
import { type Logger, logJournalEntry } from '../logging/logger.ts';
import type { Redactor } from '../logging/redact.ts';
import type { ChainClient } from '../ports/chain-client.ts';
import type { Clock } from '../ports/clock.ts';
import type { Explorer } from '../ports/explorer.ts';
import type { SourceProver } from '../ports/prover.ts';
import type { Signer } from '../ports/signer.ts';
import {
  type AppendOptions,
  type IdempotencyRecord,
  JournalConflictError,
  LeaseLostError,
  NonceTakenError,
  type Store,
} from '../ports/store.ts';
import { ChainGate } from './chain-gate.ts';
import { JournalFanout, type JournalListener } from './journal-fanout.ts';
import { SigningQueue } from './signing-queue.ts';
import { toDeploymentError } from './to-deployment-error.ts';

/** How a loop runs: under a worker's lease (its appends fail once another worker holds it). */
export interface RunOptions {
  leaseOwner?: string;
}

export interface EngineOptions {
  store: Store;
  chains: Record<string, ChainConfig>;
  /** Builds the RPC client of a chain (the composition root picks the adapter). */
  clientFor: (chain: ChainConfig) => ChainClient;
  signer?: Signer;
  clock: Clock;
  logger: Logger;
  redact: Redactor;
  retry: RetryPolicy;
  /** The chain's explorer client, or null when it has none. */
  explorerFor: (chain: ChainConfig) => Explorer | null;
  prover: SourceProver;
  verification: { budgetMs: number; delaysMs: number[] };
}

/**
 * The write-ahead loop: load → decide → act → append (event + projection, one transaction)
 * → repeat, until the deployment is finished. One run per deployment at a time per process;
 * across processes the journal's expected-seq check stops a second writer.
 */
export class Engine {
  private readonly running = new Map<string, Promise<DeploymentState>>();
  private readonly verifying = new Map<string, Promise<DeploymentState>>();
  private readonly fanout: JournalFanout;
  private readonly signing: SigningQueue;
  private readonly gate: ChainGate;
  private readonly abort = new AbortController();

  constructor(private readonly options: EngineOptions) {
    this.gate = new ChainGate(options.clientFor, options.redact);
    this.signing = new SigningQueue(options.store, (state, events, appendOptions) =>
      this.append(state, events, appendOptions),
    );
    this.fanout = new JournalFanout((error) =>
      options.logger.error({ err: error, event: 'listener.failed' }, 'journal listener threw'),
    );
    // Every waiting deployment listens on this one signal: hundreds are normal, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  /**
   * Journals a new deployment (status `pending`). With an idempotency key used before, nothing
   * is written and the earlier deployment is returned with `created: false`.
   */
  async create(
    spec: DeploymentSpec,
    options: { id?: string; idempotency?: IdempotencyRecord } = {},
  ): Promise<{ state: DeploymentState; created: boolean; requestHash?: string }> {
    const id = options.id ?? newDeploymentId();
    const event: DeploymentEvent = { type: 'deployment_created', at: this.now(), id, spec };
    const state = nextState(null, event);
    const result = await this.options.store.create(id, [event], state, options.idempotency);
    if (!result.created) {
      return {
        state: await this.load(result.deploymentId),
        created: false,
        requestHash: result.requestHash,
      };
    }
    for (const entry of result.entries) this.publish(entry, state);
    return { state, created: true };
  }

  /**
   * Drives a deployment until it is finished, the engine stops, or (under a lease) another
   * worker takes it over.
   */
  run(id: string, options: RunOptions = {}): Promise<DeploymentState> {
    const current = this.running.get(id);
    if (current) return current;
    const run = this.loop(id, decide, options).finally(() => this.running.delete(id));
    this.running.set(id, run);
    // Verification deferred past `complete` goes on as its own work; a worker claims it
    // again when it is due instead.
    if (options.leaseOwner === undefined)
      void run.then((state) => this.verifyInBackground(state.id)).catch(() => undefined);
    return run;
  }

  /**
   * Drives verification after `complete` until verified, failed or out of budget. With
   * `requested`, first journals a person's request to verify again.
   */
  async verify(
    id: string,
    options: RunOptions & { requested?: boolean } = {},
  ): Promise<DeploymentState> {
    if (options.requested) {
      const state = await this.load(id);
      if (state.status === 'complete' && state.verification.status !== 'verified') {
        await this.append(state, [{ type: 'verification_requested', at: this.now() }]);
      }
    }
    const current = this.verifying.get(id);
    if (current) return current;
    const run = this.loop(id, decideVerification, options).finally(() => this.verifying.delete(id));
    this.verifying.set(id, run);
    return run;
  }

  /** Starts verification loops for deployments whose verification is still due. */
  verifyInBackground(id: string): void {
    void this.verify(id).catch((error: unknown) =>
      this.options.logger.error({ err: error, deploymentId: id }, 'verification loop failed'),
    );
  }

  /**
   * Cancels a deployment that has not signed a transaction yet. A loop running it in this or
   * another process stops at its next append (the journal moved on).
   */
  async cancel(id: string, reason: string): Promise<DeploymentState> {
    const state = await this.load(id);
    if (state.txs.length > 0) {
      throw new HyperdeployError(
        'CANCEL_NOT_ALLOWED',
        `${id} signed transaction ${state.txs[0]?.hash}; it may still be mined.`,
        {
          details: { status: state.status },
        },
      );
    }
    if (isTerminal(state.status)) {
      throw new HyperdeployError('CANCEL_NOT_ALLOWED', `${id} is already ${state.status}.`, {
        hint: 'Only unfinished deployments can be cancelled.',
        details: { status: state.status },
      });
    }
    return this.append(state, [{ type: 'deployment_cancelled', at: this.now(), reason }]);
  }

  /**
   * Journals a log line from outside the loop (e.g. a webhook delivery). A concurrent append
   * by the loop moves the journal on: read it again and retry.
   */
  async log(
    id: string,
    entry: Omit<Extract<DeploymentEvent, { type: 'log' }>, 'type' | 'at'>,
  ): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.append(await this.load(id), [{ type: 'log', at: this.now(), ...entry }]);
        return;
      } catch (error) {
        if (!(error instanceof JournalConflictError)) throw error;
      }
    }
  }

  /** Every journal entry once, appended here or — see `followStore` — by other processes. */
  subscribe(listener: JournalListener): () => void {
    return this.fanout.subscribe(listener);
  }

  /**
   * On a shared store, delivers to subscribers what other processes append too (an API node
   * whose deployments run on workers elsewhere). Resolves with the function that stops it;
   * on a store without notifications, does nothing.
   */
  async followStore(): Promise<() => Promise<void>> {
    const { store, logger } = this.options;
    if (!store.listen) return async () => undefined;
    return store.listen(
      (notification) =>
        void this.fanout
          .catchUp(store, notification)
          .catch((error: unknown) => logger.error({ err: error }, 'journal catch-up failed')),
      (error) => logger.error({ err: error }, 'store notifications failed'),
    );
  }

  /** Stops every loop at its next wait; the journal keeps where each one was. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running.values(), ...this.verifying.values()]);
  }

  private async loop(
    id: string,
    next: typeof decide,
    { leaseOwner }: RunOptions,
  ): Promise<DeploymentState> {
    const lease: AppendOptions = leaseOwner === undefined ? {} : { leaseOwner };
    let state = await this.load(id);
    // Facts decided without any side effect (status steps, the bytecode check) wait here and
    // are journaled in one append before the next side effect, wait or end: write-ahead holds.
    let durable = state;
    let unsaved: DeploymentEvent[] = [];
    const save = async () => {
      if (unsaved.length === 0) return;
      const events = unsaved;
      unsaved = [];
      state = durable = await this.append(durable, events, lease);
    };
    const { signal } = this.abort;
    while (!signal.aborted) {
      const action = next(state, this.options.clock.now());
      try {
        const facts = await this.pureFacts(action, state).catch(async (error: unknown) => {
          await save(); // a failed check fails the deployment where it stood
          throw error;
        });
        if (facts) {
          unsaved.push(...facts);
          state = fold(state, facts);
          continue;
        }
        await save();
        if (action.type === 'done') return state;
        if (action.type === 'wait') {
          const ms = Date.parse(action.until) - this.options.clock.now().getTime();
          await this.options.clock.sleep(Math.max(0, ms), signal).catch(() => undefined);
          continue;
        }
        state = durable = await this.step(action as EffectAction, state, lease);
      } catch (error) {
        unsaved = [];
        state = durable; // facts not journaled are decided again
        if (signal.aborted) break;
        if (error instanceof LeaseLostError) {
          // Our lease expired and another worker resumed it from the journal: stop here.
          this.options.logger.warn({ deploymentId: id, event: 'lease.lost' }, error.message);
          break;
        }
        if (error instanceof JournalConflictError || error instanceof NonceTakenError) {
          state = durable = await this.load(id); // another writer moved on: decide again
          continue;
        }
        if (isTerminal(state.status)) {
          // Verification after `complete` cannot fail the deployment: log, and stop this loop.
          this.options.logger.error({ err: error, deploymentId: id }, 'verification step failed');
          break;
        }
        state = durable = await this.fail(state, error, leaseOwner);
      }
    }
    return durable; // stopped: what is journaled (unsaved facts are decided again later)
  }

  /** The events of an action with no side effect (null for any other): pure, or a CPU check. */
  private async pureFacts(
    action: NextAction,
    state: DeploymentState,
  ): Promise<DeploymentEvent[] | null> {
    if (action.type === 'append') return [{ ...action.event, at: this.now() } as DeploymentEvent];
    if (action.type === 'check_bytecode') {
      return (await checkBytecode(this.context(state, null))).events;
    }
    return null;
  }

  /** Runs one action with side effects and journals its result; returns the new state. */
  private async step(
    action: EffectAction,
    state: DeploymentState,
    lease: AppendOptions,
  ): Promise<DeploymentState> {
    const client = await this.gate.open(this.chainOf(state));
    const ctx = this.context(state, client);
    // Nonce, signature and `tx_signed` with its claim: one lock turn per (chain, signer).
    if (action.type === 'sign') return this.signing.sign(ctx, lease);
    const result = await this.act(action, ctx);
    // No events: nothing happened that the journal must keep (e.g. a wait ended); decide again.
    if (result.events.length === 0) return state;
    return this.append(state, result.events, lease);
  }

  private act(
    action: Exclude<EffectAction, { type: 'sign' }>,
    ctx: ActionContext,
  ): Promise<ActionResult> {
    switch (action.type) {
      case 'estimate_gas':
        return estimateGas(ctx);
      case 'broadcast':
        return broadcast(ctx, action.hash);
      case 'replace':
        return replaceTransaction(ctx, action.reason);
      case 'await_receipt':
        return awaitReceipt(ctx);
      case 'await_confirmations':
        return awaitConfirmations(ctx);
      case 'verify':
        return verify(ctx, {
          explorer: this.options.explorerFor(ctx.chain),
          prover: this.options.prover,
          ...this.options.verification,
        });
    }
  }

  private async fail(
    state: DeploymentState,
    error: unknown,
    leaseOwner: string | undefined,
  ): Promise<DeploymentState> {
    const { clock, retry, redact } = this.options;
    const structured = toDeploymentError(error, state.status, state.retryCount, redact);
    // One clock read: the persisted delay is exactly nextAttemptAt - at.
    const now = clock.now();
    const event = planAfterFailure(state, structured, retry, now, Math.random());
    return this.append(
      state,
      [{ ...event, at: now.toISOString() } as DeploymentEvent],
      leaseOwner === undefined ? {} : { leaseOwner },
    );
  }

  private async append(
    state: DeploymentState | null,
    events: DeploymentEvent[],
    options: AppendOptions = {},
  ): Promise<DeploymentState> {
    const first = events[0];
    if (!first) throw new Error('append of no events');
    const id = state?.id ?? (first.type === 'deployment_created' ? first.id : '');
    const expectedSeq = state?.seq ?? 0;
    const states: DeploymentState[] = [];
    let next = state;
    for (const event of events) {
      next = nextState(next, event);
      states.push(next);
    }
    const entries = await this.options.store.append(
      id,
      expectedSeq,
      events,
      next as DeploymentState,
      options,
    );
    for (const [index, entry] of entries.entries()) {
      this.publish(entry, states[index] as DeploymentState);
    }
    return next as DeploymentState;
  }

  private publish(entry: JournalEntry, state: DeploymentState): void {
    logJournalEntry(this.options.logger, state, entry);
    this.fanout.publish(entry, state);
  }

  private async load(id: string): Promise<DeploymentState> {
    const state = await this.options.store.get(id);
    if (!state) throw new Error(`deployment ${id} not found`);
    return state;
  }

  private chainOf(state: DeploymentState): ChainConfig {
    const chain =
      this.options.chains[state.spec.chainName] ??
      Object.values(this.options.chains).find((c) => c.chainId === state.spec.chainId);
    if (!chain) throw new Error(`chain ${state.spec.chainName} is not configured`);
    return chain;
  }

  private context(state: DeploymentState, client: ChainClient | null): ActionContext {
    const { signer, store, clock } = this.options;
    if (client && !signer) {
      throw new HyperdeployError('SIGNER_MISSING', `No key is configured to continue ${state.id}.`);
    }
    if (signer && signer.address.toLowerCase() !== state.spec.signer.toLowerCase()) {
      throw new HyperdeployError(
        'SIGNER_MISSING',
        `${state.id} is deployed by ${state.spec.signer}, but the configured key is ${signer.address}.`,
        { hint: `Set HYPERDEPLOY_PRIVATE_KEY to the key of ${state.spec.signer} to continue it.` },
      );
    }
    return {
      state,
      chain: this.chainOf(state),
      client: client as ChainClient,
      signer: signer as Signer,
      store,
      clock,
      signal: this.abort.signal,
    };
  }

  private now(): string {
    return this.options.clock.now().toISOString();
  }
}

/** Actions with side effects (RPC, signing, explorers). */
type EffectAction = Exclude<NextAction, { type: 'done' | 'wait' | 'append' | 'check_bytecode' }>;

/** Time-ordered, unique deployment ids: `dep_` + base36 time + random. */
export const newDeploymentId = (): string =>
  `dep_${Date.now().toString(36).padStart(9, '0')}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
