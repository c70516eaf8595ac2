import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DeploymentEvent, JournalEntry } from '../../../core/events.ts';
import type { DeploymentState } from '../../../core/state.ts';
import type { Address } from '../../../core/types.ts';
import {
  type AppendOptions,
  type CreateResult,
  type DeploymentFilter,
  type IdempotencyRecord,
  JournalConflictError,
  type Lease,
  LeaseLostError,
  type NonceClaim,
  NonceTakenError,
  type Store,
} from '../../../ports/store.ts';
import { KeyedMutex } from '../../../util/keyed-mutex.ts';
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
  toDbEvent,
} from '../rows.ts';
import { migrate } from './migrate.ts';

const UNFINISHED = "status NOT IN ('complete', 'failed', 'cancelled')";

const PENDING_VERIFICATION = `status = 'complete'
  AND json_extract(state_json, '$.verification.status') = 'pending'`;

/**
 * Ids with work due at @now and no live lease: unfinished and not waiting for a retry, or a
 * verification attempt due. Two index-backed halves (partial indexes on exactly these
 * predicates), so finished deployments are never scanned.
 */
const DUE_UNLEASED = `SELECT id, created_at FROM deployments
    WHERE ${UNFINISHED} AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
      AND (lease_owner IS NULL OR lease_until < @nowMs)
  UNION ALL
  SELECT id, created_at FROM deployments INDEXED BY deployments_pending_verification
    WHERE ${PENDING_VERIFICATION}
      AND json_extract(state_json, '$.verification.nextAttemptAt') <= @now
      AND (lease_owner IS NULL OR lease_until < @nowMs)`;

/**
 * Nonce locks per database file: SQLite has no advisory locks, so this serializes the
 * instances of this process; other processes on the file are kept apart by the nonce claims'
 * primary key (the loser's append fails with NonceTakenError and signs again).
 */
const nonceLocks = new KeyedMutex();

/** The embedded store: one SQLite file in WAL mode. */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly statements;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // First: other processes may hold the file (switching to WAL needs a lock too).
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable in WAL mode against process crashes (only an OS crash can lose
    // the last commits), which is the failure the journal must survive.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.statements = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      lastSeq: db.prepare<[string], { last_seq: number; lease_owner: string | null }>(
        'SELECT last_seq, lease_owner FROM deployments WHERE id = ?',
      ),
      claim: db.prepare<
        { owner: string; until: number; nowMs: number; now: string; limit: number },
        DbDeployment
      >(`UPDATE deployments SET lease_owner = @owner, lease_until = @until
        WHERE id IN (SELECT id FROM (${DUE_UNLEASED}) ORDER BY created_at, id LIMIT @limit)
        RETURNING *`),
      renew: db.prepare<[number, string], { id: string }>(
        'UPDATE deployments SET lease_until = ? WHERE lease_owner = ? RETURNING id',
      ),
      releaseAll: db.prepare<[string]>(
        'UPDATE deployments SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?',
      ),
      releaseOne: db.prepare<[string, string]>(
        `UPDATE deployments SET lease_owner = NULL, lease_until = NULL
         WHERE lease_owner = ? AND id = ?`,
      ),
      insertDeployment: db.prepare<DbDeployment>(`INSERT INTO deployments
        (id, build_id, chain_id, status, signer, tx_hash, contract_address, retry_count,
         next_attempt_at, error_code, state_json, last_seq, created_at, updated_at)
        VALUES (@id, @build_id, @chain_id, @status, @signer, @tx_hash, @contract_address,
         @retry_count, @next_attempt_at, @error_code, @state_json, @last_seq, @created_at,
         @updated_at)`),
      updateDeployment: db.prepare<DbDeployment>(`UPDATE deployments SET status = @status,
        tx_hash = @tx_hash, contract_address = @contract_address, retry_count = @retry_count,
        next_attempt_at = @next_attempt_at, error_code = @error_code, state_json = @state_json,
        last_seq = @last_seq, updated_at = @updated_at WHERE id = @id`),
      insertEvent: db.prepare<DbEvent>(`INSERT INTO events (deployment_id, seq, type, at, data_json)
        VALUES (@deployment_id, @seq, @type, @at, @data_json)`),
      get: db.prepare<[string], DbDeployment>('SELECT * FROM deployments WHERE id = ?'),
      unfinished: db.prepare<[], DbDeployment>(
        `SELECT * FROM deployments WHERE ${UNFINISHED} ORDER BY created_at, id`,
      ),
      pendingVerifications: db.prepare<[], DbDeployment>(
        `SELECT * FROM deployments INDEXED BY deployments_pending_verification
         WHERE ${PENDING_VERIFICATION} ORDER BY created_at, id`,
      ),
      events: db.prepare<[string, number], DbEvent>(
        'SELECT * FROM events WHERE deployment_id = ? AND seq > ? ORDER BY seq',
      ),
      claimedNonces: db.prepare<[number, string], { nonce: number }>(
        'SELECT nonce FROM nonce_claims WHERE chain_id = ? AND address = ? ORDER BY nonce',
      ),
      insertClaim: db.prepare<[number, string, number, string]>(
        'INSERT OR IGNORE INTO nonce_claims (chain_id, address, nonce, deployment_id) VALUES (?, ?, ?, ?)',
      ),
      releaseClaims: db.prepare<[string]>('DELETE FROM nonce_claims WHERE deployment_id = ?'),
      findKey: db.prepare<[string], { deployment_id: string; request_hash: string }>(
        'SELECT deployment_id, request_hash FROM idempotency_keys WHERE key = ?',
      ),
      insertKey: db.prepare<[string, string, string, string]>(
        'INSERT INTO idempotency_keys (key, request_hash, deployment_id, created_at) VALUES (?, ?, ?, ?)',
      ),
      countByStatus: db.prepare<[], { status: string; chainId: number; count: number }>(
        'SELECT status, chain_id AS chainId, COUNT(*) AS count FROM deployments GROUP BY status, chain_id',
      ),
    };
  }

  async append(
    id: string,
    expectedSeq: number,
    events: DeploymentEvent[],
    projection: DeploymentState,
    { nonceClaim, leaseOwner }: AppendOptions = {},
  ): Promise<JournalEntry[]> {
    const s = this.statements;
    return this.db
      .transaction(() => {
        const row = s.lastSeq.get(id);
        if (leaseOwner !== undefined && row && row.lease_owner !== leaseOwner) {
          throw new LeaseLostError(`deployment ${id} is leased to ${row.lease_owner ?? 'nobody'}`);
        }
        const current = row?.last_seq ?? 0;
        if (current !== expectedSeq) {
          throw new JournalConflictError(
            `deployment ${id} is at seq ${current}, not ${expectedSeq}`,
          );
        }
        const next = toDbDeployment(projection);
        if (expectedSeq === 0) s.insertDeployment.run(next);
        else s.updateDeployment.run(next);
        if (nonceClaim) this.claimNonce(id, nonceClaim);
        if (releasesNonce(projection)) s.releaseClaims.run(id);
        return events.map((event, index) => {
          const seq = expectedSeq + index + 1;
          s.insertEvent.run(toDbEvent(id, seq, event));
          return { ...event, seq };
        });
      })
      .immediate();
  }

  private claimNonce(id: string, { chainId, address, nonce }: NonceClaim) {
    const inserted = this.statements.insertClaim.run(chainId, address.toLowerCase(), nonce, id);
    if (inserted.changes === 0) throw new NonceTakenError(`nonce ${nonce} of ${address} is taken`);
  }

  async create(
    id: string,
    events: DeploymentEvent[],
    projection: DeploymentState,
    idempotency?: IdempotencyRecord,
  ): Promise<CreateResult> {
    const s = this.statements;
    return this.db
      .transaction((): CreateResult => {
        if (idempotency) {
          const earlier = s.findKey.get(idempotency.key);
          if (earlier) {
            return {
              created: false,
              deploymentId: earlier.deployment_id,
              requestHash: earlier.request_hash,
            };
          }
        }
        s.insertDeployment.run(toDbDeployment(projection));
        const entries = events.map((event, index) => {
          s.insertEvent.run(toDbEvent(id, index + 1, event));
          return { ...event, seq: index + 1 };
        });
        if (idempotency)
          s.insertKey.run(idempotency.key, idempotency.requestHash, id, projection.createdAt);
        return { created: true, entries };
      })
      .immediate();
  }

  async countByStatus() {
    return this.statements.countByStatus.all();
  }

  async get(id: string): Promise<DeploymentState | null> {
    const row = this.statements.get.get(id);
    return row ? fromDbDeployment(row) : null;
  }

  async list(filter: DeploymentFilter) {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: limit + 1 };
    if (filter.status) {
      where.push('status = @status');
      params.status = filter.status;
    }
    if (filter.chainId !== undefined) {
      where.push('chain_id = @chainId');
      params.chainId = filter.chainId;
    }
    if (filter.buildId) {
      where.push('build_id = @buildId');
      params.buildId = filter.buildId;
    }
    const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
    if (cursor) {
      where.push('(created_at, id) < (@cursorCreatedAt, @cursorId)');
      params.cursorCreatedAt = cursor.createdAt;
      params.cursorId = cursor.id;
    }
    const sql = `SELECT * FROM deployments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT @limit`;
    const rows = this.db.prepare<Record<string, string | number>, DbDeployment>(sql).all(params);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(fromDbDeployment),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async listUnfinished(): Promise<DeploymentState[]> {
    return this.statements.unfinished.all().map(fromDbDeployment);
  }

  async listPendingVerifications(): Promise<DeploymentState[]> {
    return this.statements.pendingVerifications.all().map(fromDbDeployment);
  }

  async events(id: string, afterSeq = 0): Promise<JournalEntry[]> {
    return this.statements.events.all(id, afterSeq).map(fromDbEvent);
  }

  async claimedNonces(chainId: number, address: Address): Promise<number[]> {
    return this.statements.claimedNonces.all(chainId, address.toLowerCase()).map((r) => r.nonce);
  }

  withNonceLock<T>(chainId: number, address: Address, work: () => Promise<T>): Promise<T> {
    return nonceLocks.run(`${this.path}:${chainId}:${address.toLowerCase()}`, work);
  }

  async claimRunnable(lease: Lease, limit: number, now: Date): Promise<DeploymentState[]> {
    const nowMs = Date.now();
    const rows = this.statements.claim.all({
      owner: lease.owner,
      until: nowMs + lease.ttlMs,
      nowMs,
      now: now.toISOString(),
      limit,
    });
    return rows.sort(byAge).map(fromDbDeployment);
  }

  async renewLeases(lease: Lease): Promise<string[]> {
    return this.statements.renew.all(Date.now() + lease.ttlMs, lease.owner).map((r) => r.id);
  }

  async releaseLeases(owner: string, ids?: string[]): Promise<void> {
    const s = this.statements;
    if (!ids) {
      s.releaseAll.run(owner);
      return;
    }
    this.db.transaction(() => {
      for (const id of ids) s.releaseOne.run(owner, id);
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
