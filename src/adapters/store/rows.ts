import type { DeploymentEvent, JournalEntry } from '../../core/events.ts';
import type { DeploymentState } from '../../core/state.ts';
import { isTerminal } from '../../core/status.ts';

/** A deployments row as stored (snake_case); distinct from the domain state. */
export interface DbDeployment {
  id: string;
  build_id: string;
  chain_id: number;
  status: string;
  signer: string;
  tx_hash: string | null;
  contract_address: string | null;
  retry_count: number;
  next_attempt_at: string | null;
  error_code: string | null;
  state_json: string;
  last_seq: number;
  created_at: string;
  updated_at: string;
}

export interface DbEvent {
  deployment_id: string;
  seq: number;
  type: string;
  at: string;
  data_json: string;
}

export const toDbDeployment = (state: DeploymentState): DbDeployment => ({
  id: state.id,
  build_id: state.spec.buildId,
  chain_id: state.spec.chainId,
  status: state.status,
  signer: state.spec.signer,
  tx_hash: state.receipt?.hash ?? state.txs.at(-1)?.hash ?? null,
  contract_address: state.contractAddress,
  retry_count: state.retryCount,
  next_attempt_at: state.nextAttemptAt,
  error_code: state.error?.code ?? null,
  state_json: JSON.stringify(state),
  last_seq: state.seq,
  created_at: state.createdAt,
  updated_at: state.updatedAt,
});

export const fromDbDeployment = (row: DbDeployment): DeploymentState =>
  JSON.parse(row.state_json) as DeploymentState;

export const toDbEvent = (deploymentId: string, seq: number, event: DeploymentEvent): DbEvent => {
  const { type, at, ...data } = event;
  return { deployment_id: deploymentId, seq, type, at, data_json: JSON.stringify(data) };
};

export const fromDbEvent = (row: DbEvent): JournalEntry =>
  ({ ...JSON.parse(row.data_json), type: row.type, at: row.at, seq: row.seq }) as JournalEntry;

/** Cursor for newest-first pagination: the last row's (created_at, id). */
export const encodeCursor = (row: { created_at: string; id: string }): string =>
  Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');

export const decodeCursor = (cursor: string): { createdAt: string; id: string } | null => {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    return typeof createdAt === 'string' && typeof id === 'string' ? { createdAt, id } : null;
  } catch {
    return null;
  }
};

/** A finished deployment, or one that dropped its transactions, no longer holds its nonce. */
export const releasesNonce = (projection: DeploymentState): boolean =>
  isTerminal(projection.status) || projection.txs.length === 0;

/** Oldest first, as listUnfinished orders: by creation time, then id. */
export const byAge = (a: DbDeployment, b: DbDeployment): number =>
  a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1;
