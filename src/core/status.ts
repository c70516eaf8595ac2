/**
 * Deployment statuses and the one table of legal transitions between them.
 * The string values are persisted and sent to clients: they are forever.
 */
export const STATUSES = [
  'pending',
  'compiling',
  'compiled',
  'estimating_gas',
  'submitting',
  'submitted',
  'confirming',
  'confirmed',
  'verifying',
  'verified',
  'complete',
  'failed',
  'retrying',
  'cancelled',
] as const;

export type Status = (typeof STATUSES)[number];

export const TERMINAL_STATUSES: readonly Status[] = ['complete', 'failed', 'cancelled'];

export const isTerminal = (status: Status): boolean => TERMINAL_STATUSES.includes(status);

/**
 * Which status may follow which. `retrying` returns to the step that failed; a reorg takes
 * `confirming` back to `submitted`. Staying in the same status is not a transition and is
 * governed by the events (see reduce.ts).
 */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  pending: ['compiling', 'failed', 'cancelled'],
  compiling: ['compiled', 'failed', 'retrying', 'cancelled'],
  compiled: ['estimating_gas', 'failed', 'cancelled'],
  estimating_gas: ['submitting', 'failed', 'retrying', 'cancelled'],
  submitting: ['submitted', 'failed', 'retrying', 'cancelled'],
  submitted: ['confirming', 'failed', 'retrying'],
  confirming: ['confirmed', 'submitted', 'failed', 'retrying'],
  confirmed: ['verifying', 'complete'],
  verifying: ['verified', 'complete'],
  verified: ['complete'],
  retrying: ['compiling', 'estimating_gas', 'submitted', 'failed', 'cancelled'],
  complete: [],
  failed: [],
  cancelled: [],
};

export const canTransition = (from: Status, to: Status): boolean => TRANSITIONS[from].includes(to);
