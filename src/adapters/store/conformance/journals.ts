import type { DeploymentEvent, JournalEntry } from '../../../core/events.ts';
import { ev, reach } from '../../../core/fixtures.ts';
import { reduce } from '../../../core/reduce.ts';
import type { DeploymentState } from '../../../core/state.ts';
import type { Status } from '../../../core/status.ts';
import type { Address, Hex } from '../../../core/types.ts';
import type { Store } from '../../../ports/store.ts';

/** Valid journals for the conformance suite, built from the core fixtures and `reduce`. */

export const signer: Address = `0x${'b'.repeat(40)}`;
export const T = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/** Folds events onto a state the way the engine does (seq follows the event count). */
export const fold = (state: DeploymentState | null, events: DeploymentEvent[]): DeploymentState =>
  events.reduce<DeploymentState | null>(
    (s, e) => ({ ...reduce(s, e), seq: (s?.seq ?? 0) + 1 }),
    state,
  ) as DeploymentState;

export interface JournalOptions {
  at?: string;
  chainId?: number;
  buildId?: string;
}

/** A journal that reaches `status`, every event at `at`, or explicit events after creation. */
export function journal(
  id: string,
  status: Status | DeploymentEvent[],
  { at = T(0), chainId = 1088, buildId = 'build-a' }: JournalOptions = {},
): { events: DeploymentEvent[]; state: DeploymentState } {
  const created: DeploymentEvent = {
    ...ev.created,
    id,
    at,
    spec: { ...ev.created.spec, chainId, buildId, signer },
  };
  const rest = typeof status === 'string' ? reach[status].slice(1) : status;
  const events = [created, ...rest.map((event) => ({ ...event, at }))];
  return { events, state: fold(null, events) };
}

/** Journals it and returns its projection. */
export async function seed(
  store: Store,
  id: string,
  status: Status | DeploymentEvent[],
  options?: JournalOptions,
): Promise<DeploymentState> {
  const { events, state } = journal(id, status, options);
  await store.append(id, 0, events, state);
  return state;
}

export const logLine = (message: string): DeploymentEvent => ({
  type: 'log',
  at: T(1),
  level: 'info',
  event: 'tx.waiting',
  message,
});

const hashOf = (nonce: number, salt: string): Hex =>
  `0x${Buffer.from(`${salt}:${nonce}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** The `tx_signed` event of a transaction with `nonce`. */
export const signedWith = (nonce: number, salt = 'tx'): DeploymentEvent => ({
  ...ev.signed,
  tx: { ...ev.signed.tx, nonce, hash: hashOf(nonce, salt) },
});

/** Events that end a transaction with a foreign nonce conflict: the nonce is given up. */
export const abandonNonce = (state: DeploymentState): DeploymentEvent[] => [
  {
    type: 'retry_scheduled',
    at: T(2),
    attempt: state.retryCount + 1,
    nextAttemptAt: T(3),
    error: {
      code: 'NONCE_CONFLICT',
      message: 'nonce taken by another transaction',
      hint: 'sign again with a new nonce',
      retryable: true,
      step: 'submitted',
      attempt: state.retryCount,
    },
  },
  { type: 'nonce_abandoned', at: T(2), nonce: state.txs[0]?.nonce ?? 0, hashes: [] },
];

/** Journals equal apart from the seq the store adds. */
export const withoutSeq = (entries: JournalEntry[]): DeploymentEvent[] =>
  entries.map(({ seq: _seq, ...rest }) => rest as DeploymentEvent);
