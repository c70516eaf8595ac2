import type { DeploymentEvent, JournalEntry } from '../core/events.ts';
import type { DeploymentState } from '../core/state.ts';
import type { Status } from '../core/status.ts';
import type { Address } from '../core/types.ts';

export interface DeploymentFilter {
  status?: Status;
  chainId?: number;
  buildId?: string;
  /** Newest first; at most this many (default 50). */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/**
 * Claims a nonce of (chainId, address) for a deployment, together with the event that uses
 * it. A claim lasts while the deployment may still use the nonce: the store releases it when
 * the projection is finished or no longer holds a transaction.
 */
export interface NonceClaim {
  chainId: number;
  address: Address;
  nonce: number;
}

/** Raised when the journal moved on since the caller read it (another writer appended). */
export class JournalConflictError extends Error {
  override name = 'JournalConflictError';
}

/** A client's idempotency key and a hash of its request, stored with the deployment. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
}

/** The result of a create: new, or the deployment an earlier request with the key made. */
export type CreateResult =
  | { created: true; entries: JournalEntry[] }
  | { created: false; deploymentId: string; requestHash: string };

/** Raised when an append names a lease that another worker holds now (ours expired). */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** An append committed by some process: its deployment, last seq and number of events. */
export interface JournalNotification {
  deploymentId: string;
  /** The seq of the append's last event; read the journal after your own cursor. */
  seq: number;
  count: number;
}

/** What an append carries besides its events. */
export interface AppendOptions {
  /** The nonce the events use, claimed in the same transaction. */
  nonceClaim?: NonceClaim;
  /** The worker that leased the deployment: the append fails if the lease is another's now. */
  leaseOwner?: string;
}

/** A worker's hold on the deployments it runs; others skip them until `ttlMs` passes unrenewed. */
export interface Lease {
  owner: string;
  ttlMs: number;
}

/** Raised when a claimed nonce was already taken by another deployment. */
export class NonceTakenError extends Error {
  override name = 'NonceTakenError';
}

/**
 * The journal and its projection. Every write appends events and replaces the projection
 * in one transaction, so the two never disagree.
 */
export interface Store {
  /** Appends events after `expectedSeq` (0 for a new deployment) and saves `projection`. */
  append(
    id: string,
    expectedSeq: number,
    events: DeploymentEvent[],
    projection: DeploymentState,
    options?: AppendOptions,
  ): Promise<JournalEntry[]>;
  /**
   * Journals a new deployment (its first events and projection). With an idempotency key
   * already used, nothing is written and the earlier deployment is named instead — the check
   * and the write are one transaction.
   */
  create(
    id: string,
    events: DeploymentEvent[],
    projection: DeploymentState,
    idempotency?: IdempotencyRecord,
  ): Promise<CreateResult>;
  get(id: string): Promise<DeploymentState | null>;
  /** Deployments per (status, chain id): for metrics. */
  countByStatus(): Promise<Array<{ status: string; chainId: number; count: number }>>;
  list(filter: DeploymentFilter): Promise<{ items: DeploymentState[]; nextCursor: string | null }>;
  /** Deployments not in a terminal status, oldest first. */
  listUnfinished(): Promise<DeploymentState[]>;
  /** Complete deployments whose verification is still pending, oldest first. */
  listPendingVerifications(): Promise<DeploymentState[]>;
  events(id: string, afterSeq?: number): Promise<JournalEntry[]>;
  /** Nonces of (chainId, address) currently claimed by deployments, ascending. */
  claimedNonces(chainId: number, address: Address): Promise<number[]>;
  /**
   * Runs `work` while no other holder — in this process or, for a shared store, any other —
   * runs work for the nonces of (chainId, address). Released when `work` settles or the process dies.
   */
  withNonceLock<T>(chainId: number, address: Address, work: () => Promise<T>): Promise<T>;
  /**
   * Leases to `lease.owner` up to `limit` deployments with work due at `now`: unfinished and
   * not waiting for a retry, or complete with a verification attempt due. Deployments another
   * owner holds an unexpired lease on are skipped (and concurrent claims never share one).
   * Oldest first.
   */
  claimRunnable(lease: Lease, limit: number, now: Date): Promise<DeploymentState[]>;
  /** Extends every lease `lease.owner` holds by `lease.ttlMs`; returns the ids it still holds. */
  renewLeases(lease: Lease): Promise<string[]>;
  /** Gives up the leases of `owner`: on `ids`, or all of them. */
  releaseLeases(owner: string, ids?: string[]): Promise<void>;
  /**
   * Shared stores only: calls `onNotification` for every append committed from now on, by any
   * process. Notifications can be missed (reconnects): treat them as hints and read
   * `events(id, afterSeq)` from your own cursor. Resolves with the function that stops it.
   */
  listen?(
    onNotification: (notification: JournalNotification) => void,
    onError?: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
