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
    nonceClaim?: NonceClaim,
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
  close(): Promise<void>;
}
