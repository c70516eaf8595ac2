import pg from 'pg';
import type { DeploymentEvent, JournalEntry } from '../../../core/events.ts';
import type { DeploymentState } from '../../../core/state.ts';
import type { Address } from '../../../core/types.ts';
import {
  type AppendOptions,
  type CreateResult,
  type DeploymentFilter,
  type IdempotencyRecord,
  type JournalNotification,
  type Lease,
  LeaseLostError,
  type Store,
} from '../../../ports/store.ts';
import {
  byAge,
  type DbDeployment,
  type DbEvent,
  decodeCursor,
  encodeCursor,
  fromDbDeployment,
  fromDbEvent,
  releasesNonce,
  toDbDeployment,
} from '../rows.ts';
import { JournalListener } from './listener.ts';
import {
  DEPLOYMENT_COLUMNS,
  deploymentParams,
  EVENT_COLUMNS,
  INSERT_DEPLOYMENT,
  NOW_MS,
  PENDING_VERIFICATION,
  types,
  UNFINISHED,
  UPDATE_DEPLOYMENT,
} from './sql.ts';
import { claimNonce, conflict, insertEvents, lastSeqOf, notify } from './writes.ts';

/** Thrown inside create's transaction when another request holds the idempotency key. */
class KeyTaken extends Error {}

/**
 * The shared store: PostgreSQL through a pg Pool, for several workers and API nodes on one
 * database. Every append is one transaction that locks the deployment row, so writers on any
 * number of processes get contiguous seqs; each commit is announced with NOTIFY.
 */
export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private readonly listeners = new Set<JournalListener>();
  private closed = false;

  constructor(private readonly config: pg.PoolConfig) {
    this.pool = new pg.Pool({ max: 10, ...config, types });
    // An idle client that loses its connection must not crash the process; the next
    // query gets a fresh connection (or the error).
    this.pool.on('error', () => undefined);
  }

  async append(
    id: string,
    expectedSeq: number,
    events: DeploymentEvent[],
    projection: DeploymentState,
    { nonceClaim, leaseOwner }: AppendOptions = {},
  ): Promise<JournalEntry[]> {
    const lastSeq = expectedSeq + events.length;
    const params = deploymentParams(toDbDeployment(projection), lastSeq);
    return this.transaction(async (client) => {
      if (expectedSeq === 0) {
        const inserted = await client.query(
          `${INSERT_DEPLOYMENT} ON CONFLICT (id) DO NOTHING`,
          params,
        );
        if (inserted.rowCount === 0) throw conflict(id, await lastSeqOf(client, id), 0);
      } else {
        const { rows } = await client.query<{ last_seq: number; lease_owner: string | null }>(
          'SELECT last_seq, lease_owner FROM deployments WHERE id = $1 FOR UPDATE',
          [id],
        );
        const row = rows[0];
        if (leaseOwner !== undefined && row && row.lease_owner !== leaseOwner) {
          throw new LeaseLostError(`deployment ${id} is leased to ${row.lease_owner ?? 'nobody'}`);
        }
        const current = row?.last_seq ?? 0;
        if (current !== expectedSeq) throw conflict(id, current, expectedSeq);
        await client.query(UPDATE_DEPLOYMENT, params);
      }
      const entries = await insertEvents(client, id, expectedSeq, events);
      if (nonceClaim) await claimNonce(client, id, nonceClaim);
      if (releasesNonce(projection)) {
        await client.query('DELETE FROM nonce_claims WHERE deployment_id = $1', [id]);
      }
      await notify(client, id, lastSeq, events.length);
      return entries;
    });
  }

  async create(
    id: string,
    events: DeploymentEvent[],
    projection: DeploymentState,
    idempotency?: IdempotencyRecord,
  ): Promise<CreateResult> {
    for (let attempt = 0; ; attempt += 1) {
      if (idempotency) {
        const earlier = await this.findKey(idempotency.key);
        if (earlier) return earlier;
      }
      try {
        return await this.transaction(async (client) => {
          // The key first: of concurrent requests with one key, one inserts it and the others
          // wait for its commit and insert nothing (the reference is checked at commit).
          if (idempotency) {
            const claimed = await client.query(
              `INSERT INTO idempotency_keys (key, request_hash, deployment_id, created_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
              [idempotency.key, idempotency.requestHash, id, projection.createdAt],
            );
            if (claimed.rowCount === 0) throw new KeyTaken();
          }
          const lastSeq = events.length;
          await client.query(
            INSERT_DEPLOYMENT,
            deploymentParams(toDbDeployment(projection), lastSeq),
          );
          const entries = await insertEvents(client, id, 0, events);
          await notify(client, id, lastSeq, events.length);
          return { created: true as const, entries };
        });
      } catch (error) {
        // Read the winner's key back (committed by now); never loop for ever.
        if (!(error instanceof KeyTaken) || attempt >= 3) throw error;
      }
    }
  }

  private async findKey(key: string): Promise<CreateResult | null> {
    const { rows } = await this.pool.query<{ deployment_id: string; request_hash: string }>(
      'SELECT deployment_id, request_hash FROM idempotency_keys WHERE key = $1',
      [key],
    );
    const row = rows[0];
    return row
      ? { created: false, deploymentId: row.deployment_id, requestHash: row.request_hash }
      : null;
  }

  async countByStatus() {
    const { rows } = await this.pool.query<{ status: string; chainId: number; count: number }>(
      `SELECT status, chain_id AS "chainId", COUNT(*) AS count FROM deployments
       GROUP BY status, chain_id`,
    );
    return rows;
  }

  async get(id: string): Promise<DeploymentState | null> {
    const { rows } = await this.pool.query<DbDeployment>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = $1`,
      [id],
    );
    return rows[0] ? fromDbDeployment(rows[0]) : null;
  }

  async list(filter: DeploymentFilter) {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.status) where.push(`status = ${param(filter.status)}`);
    if (filter.chainId !== undefined) where.push(`chain_id = ${param(filter.chainId)}`);
    if (filter.buildId) where.push(`build_id = ${param(filter.buildId)}`);
    const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
    if (cursor) where.push(`(created_at, id) < (${param(cursor.createdAt)}, ${param(cursor.id)})`);
    const { rows } = await this.pool.query<DbDeployment>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(fromDbDeployment),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async listUnfinished(): Promise<DeploymentState[]> {
    return this.select(`WHERE ${UNFINISHED} ORDER BY created_at, id`);
  }

  async listPendingVerifications(): Promise<DeploymentState[]> {
    return this.select(`WHERE ${PENDING_VERIFICATION} ORDER BY created_at, id`);
  }

  private async select(rest: string): Promise<DeploymentState[]> {
    const { rows } = await this.pool.query<DbDeployment>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments ${rest}`,
    );
    return rows.map(fromDbDeployment);
  }

  async events(id: string, afterSeq = 0): Promise<JournalEntry[]> {
    const { rows } = await this.pool.query<DbEvent>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE deployment_id = $1 AND seq > $2 ORDER BY seq`,
      [id, afterSeq],
    );
    return rows.map(fromDbEvent);
  }

  async claimedNonces(chainId: number, address: Address): Promise<number[]> {
    const { rows } = await this.pool.query<{ nonce: number }>(
      'SELECT nonce FROM nonce_claims WHERE chain_id = $1 AND address = $2 ORDER BY nonce',
      [chainId, address.toLowerCase()],
    );
    return rows.map((row) => row.nonce);
  }

  /**
   * A session-level advisory lock on a connection of its own: held across processes until
   * `work` settles, and released by the server if this process dies.
   */
  async withNonceLock<T>(chainId: number, address: Address, work: () => Promise<T>): Promise<T> {
    const key = `hyperdeploy:nonce:${chainId}:${address.toLowerCase()}`;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await work();
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
          .catch((error: Error) => {
            broken = error; // dropping the connection releases the lock
          });
      }
    } finally {
      client.release(broken);
    }
  }

  async claimRunnable(lease: Lease, limit: number, now: Date): Promise<DeploymentState[]> {
    // SKIP LOCKED: concurrent claimers pass over each other's rows instead of waiting. Two
    // halves, each on its partial index, so finished deployments are never scanned.
    const unleased = `(lease_owner IS NULL OR lease_until < ${NOW_MS})`;
    const { rows } = await this.pool.query<DbDeployment>(
      `WITH work AS (
         SELECT id, created_at FROM deployments
         WHERE ${UNFINISHED} AND (next_attempt_at IS NULL OR next_attempt_at <= $3) AND ${unleased}
         ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
       checks AS (
         SELECT id, created_at FROM deployments
         WHERE ${PENDING_VERIFICATION}
           AND (state -> 'verification' ->> 'nextAttemptAt') COLLATE "C" <= $3 AND ${unleased}
         ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
       picked AS (
         SELECT id FROM (SELECT * FROM work UNION ALL SELECT * FROM checks) due
         ORDER BY created_at, id LIMIT $4)
       UPDATE deployments SET lease_owner = $1, lease_until = ${NOW_MS} + $2
       WHERE id IN (SELECT id FROM picked)
       RETURNING ${DEPLOYMENT_COLUMNS}`,
      [lease.owner, lease.ttlMs, now.toISOString(), limit],
    );
    return rows.sort(byAge).map(fromDbDeployment);
  }

  async renewLeases(lease: Lease): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE deployments SET lease_until = ${NOW_MS} + $2 WHERE lease_owner = $1 RETURNING id`,
      [lease.owner, lease.ttlMs],
    );
    return rows.map((row) => row.id);
  }

  async releaseLeases(owner: string, ids?: string[]): Promise<void> {
    await this.pool.query(
      `UPDATE deployments SET lease_owner = NULL, lease_until = NULL
       WHERE lease_owner = $1 ${ids ? 'AND id = ANY($2)' : ''}`,
      ids ? [owner, ids] : [owner],
    );
  }

  /**
   * Calls `onNotification` for every append committed from now on, by any process, on a
   * connection of its own. Notifications can be missed (reconnects): treat them as hints and
   * read `events(id, afterSeq)` from your own cursor. Returns the function that stops listening.
   */
  async listen(
    onNotification: (notification: JournalNotification) => void,
    onError: (error: Error) => void = () => undefined,
  ): Promise<() => Promise<void>> {
    const listener = new JournalListener(this.config, onNotification, onError);
    await listener.start();
    this.listeners.add(listener);
    return async () => {
      if (this.listeners.delete(listener)) await listener.stop();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.listeners].map((listener) => listener.stop()));
    this.listeners.clear();
    await this.pool.end();
  }

  /** Runs `work` in one transaction (READ COMMITTED; the row locks do the ordering). */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError; // the connection is unusable: drop it from the pool
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
