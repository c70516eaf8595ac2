import type pg from 'pg';
import type { DeploymentEvent, JournalEntry } from '../../../core/events.ts';
import { JournalConflictError, type NonceClaim, NonceTakenError } from '../../../ports/store.ts';
import { toDbEvent } from '../rows.ts';
import { EVENTS_CHANNEL, notificationPayload } from './sql.ts';

/** The statements of one append transaction (the caller holds BEGIN … COMMIT). */

export const conflict = (id: string, current: number, expected: number) =>
  new JournalConflictError(`deployment ${id} is at seq ${current}, not ${expected}`);

export async function lastSeqOf(client: pg.PoolClient, id: string, lock = ''): Promise<number> {
  const { rows } = await client.query<{ last_seq: number }>(
    `SELECT last_seq FROM deployments WHERE id = $1 ${lock}`,
    [id],
  );
  return rows[0]?.last_seq ?? 0;
}

export async function insertEvents(
  client: pg.PoolClient,
  id: string,
  afterSeq: number,
  events: DeploymentEvent[],
): Promise<JournalEntry[]> {
  if (events.length === 0) return [];
  const params: unknown[] = [];
  const values = events.map((event, index) => {
    const row = toDbEvent(id, afterSeq + index + 1, event);
    params.push(row.deployment_id, row.seq, row.type, row.at, row.data_json);
    const n = params.length;
    return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::json)`;
  });
  try {
    await client.query(
      `INSERT INTO events (deployment_id, seq, type, at, data) VALUES ${values.join(', ')}`,
      params,
    );
  } catch (error) {
    // Only reachable if last_seq and the journal disagree; still a conflict, never a dup.
    if ((error as { code?: string }).code === '23505') {
      throw new JournalConflictError(`deployment ${id} already has events after seq ${afterSeq}`);
    }
    throw error;
  }
  return events.map((event, index) => ({ ...event, seq: afterSeq + index + 1 }));
}

export async function claimNonce(
  client: pg.PoolClient,
  id: string,
  claim: NonceClaim,
): Promise<void> {
  const { chainId, address, nonce } = claim;
  // A concurrent claim of the same nonce waits here for the other transaction: if that one
  // commits, this inserts nothing; if it rolls back, this one gets the nonce.
  const inserted = await client.query(
    `INSERT INTO nonce_claims (chain_id, address, nonce, deployment_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [chainId, address.toLowerCase(), nonce, id],
  );
  if (inserted.rowCount === 0) throw new NonceTakenError(`nonce ${nonce} of ${address} is taken`);
}

export async function notify(client: pg.PoolClient, id: string, lastSeq: number, count: number) {
  // Delivered at commit, to every listener on any connection, in commit order.
  if (count > 0)
    await client.query('SELECT pg_notify($1, $2)', [
      EVENTS_CHANNEL,
      notificationPayload(id, lastSeq, count),
    ]);
}
