import pg from 'pg';
import type { JournalNotification } from '../../../ports/store.ts';
import type { DbDeployment } from '../rows.ts';

/** The channel every committed append is announced on, payload `<lastSeq>:<count>:<id>`. */
export const EVENTS_CHANNEL = 'hyperdeploy_events';

export const notificationPayload = (id: string, lastSeq: number, count: number): string =>
  `${lastSeq}:${count}:${id}`;

export const parseNotification = (payload: string | undefined): JournalNotification | null => {
  const match = payload?.match(/^(\d+):(\d+):(.+)$/s);
  if (!match) return null;
  return { deploymentId: match[3] as string, seq: Number(match[1]), count: Number(match[2]) };
};

/** BIGINT (chain ids, nonces, counts) as numbers: they stay far below 2^53. */
export const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** A deployments row shaped as rows.ts expects (the JSONB state read back as text). */
export const DEPLOYMENT_COLUMNS = `id, build_id, chain_id, status, signer, tx_hash,
  contract_address, retry_count, next_attempt_at, error_code, state::text AS state_json,
  last_seq, created_at, updated_at`;

export const EVENT_COLUMNS = 'deployment_id, seq, type, at, data::text AS data_json';

export const UNFINISHED = "status NOT IN ('complete', 'failed', 'cancelled')";

/** The database's clock in epoch ms: lease times of every node use this one clock. */
export const NOW_MS = '(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint';

export const PENDING_VERIFICATION =
  "status = 'complete' AND (state -> 'verification' ->> 'status') = 'pending'";

export const INSERT_DEPLOYMENT = `INSERT INTO deployments
  (id, build_id, chain_id, status, signer, tx_hash, contract_address, retry_count,
   next_attempt_at, error_code, state, last_seq, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)`;

export const UPDATE_DEPLOYMENT = `UPDATE deployments SET build_id = $2, chain_id = $3,
  status = $4, signer = $5, tx_hash = $6, contract_address = $7, retry_count = $8,
  next_attempt_at = $9, error_code = $10, state = $11::jsonb, last_seq = $12, created_at = $13,
  updated_at = $14 WHERE id = $1`;

/** Parameters of INSERT_DEPLOYMENT / UPDATE_DEPLOYMENT; `lastSeq` is the journal's own count. */
export const deploymentParams = (row: DbDeployment, lastSeq: number): unknown[] => [
  row.id,
  row.build_id,
  row.chain_id,
  row.status,
  row.signer,
  row.tx_hash,
  row.contract_address,
  row.retry_count,
  row.next_attempt_at,
  row.error_code,
  jsonbSafe(row.state_json),
  lastSeq,
  row.created_at,
  row.updated_at,
];

/**
 * JSONB cannot hold U+0000: in the projection (only) it becomes U+FFFD. The journal (JSON
 * column) keeps the exact text, so nothing is lost: the projection is its fold.
 */
export const jsonbSafe = (json: string): string =>
  json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
