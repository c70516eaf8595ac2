import type { DeploymentEvent } from './events.ts';
import type { DeploymentState } from './state.ts';
import { canTransition, isTerminal, type Status } from './status.ts';

/** Thrown when an event cannot follow the current state. A bug or a corrupt journal. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  constructor(
    readonly from: Status | null,
    readonly eventType: DeploymentEvent['type'],
    reason: string,
  ) {
    super(`cannot apply ${eventType} in status ${from ?? '(none)'}: ${reason}`);
  }
}

/**
 * The only place that knows which fact may follow which. Pure: returns a new state,
 * or throws IllegalTransitionError.
 */
export function reduce(state: DeploymentState | null, event: DeploymentEvent): DeploymentState {
  if (event.type === 'deployment_created') {
    if (state) throw new IllegalTransitionError(state.status, event.type, 'already created');
    return {
      id: event.id,
      spec: event.spec,
      status: 'pending',
      retryCount: 0,
      nextAttemptAt: null,
      deployData: null,
      gasLimit: null,
      fees: null,
      txs: [],
      abandonedTxs: [],
      bumpsExhausted: false,
      receipt: null,
      confirmations: 0,
      contractAddress: null,
      error: null,
      verification: { status: 'pending' },
      createdAt: event.at,
      updatedAt: event.at,
      seq: 0,
    };
  }
  if (!state) throw new IllegalTransitionError(null, event.type, 'deployment not created');
  if (
    isTerminal(state.status) &&
    event.type !== 'log' &&
    !isVerificationAfterComplete(state, event)
  ) {
    throw new IllegalTransitionError(state.status, event.type, 'deployment is finished');
  }
  const next = apply(state, event);
  if (next.status !== state.status && !canTransition(state.status, next.status)) {
    throw new IllegalTransitionError(state.status, event.type, `no transition to ${next.status}`);
  }
  return { ...next, updatedAt: event.at };
}

/** The state after one more journal entry: `reduce`, and the entry's place in the journal. */
export const next = (state: DeploymentState | null, event: DeploymentEvent): DeploymentState => ({
  ...reduce(state, event),
  seq: (state?.seq ?? 0) + 1,
});

/** The state after appending `events` (seq counted on). */
export const fold = (state: DeploymentState, events: readonly DeploymentEvent[]): DeploymentState =>
  events.reduce(next, state);

/** Folds a whole journal; used to load a deployment and to check a stored projection. */
export const replay = (events: readonly DeploymentEvent[]): DeploymentState | null =>
  events.reduce<DeploymentState | null>(reduce, null);

function apply(state: DeploymentState, event: DeploymentEvent): DeploymentState {
  const fail = (reason: string): never => {
    throw new IllegalTransitionError(state.status, event.type, reason);
  };
  const verificationPending = () => {
    if (state.verification.status !== 'pending')
      fail(`verification is already ${state.verification.status}`);
  };
  const known = (hash: string) => {
    if (!state.txs.some((tx) => tx.hash === hash)) fail(`unknown hash ${hash}`);
  };
  const expect = (...statuses: Status[]) => {
    if (!statuses.includes(state.status)) fail(`expected status ${statuses.join(' or ')}`);
  };
  switch (event.type) {
    case 'deployment_created':
      return fail('already created');
    case 'compilation_started':
      expect('pending');
      return { ...state, status: 'compiling' };
    case 'bytecode_checked':
      expect('compiling');
      return { ...state, status: 'compiled', deployData: event.deployData };
    case 'gas_estimation_started':
      expect('compiled');
      return { ...state, status: 'estimating_gas' };
    case 'gas_estimated':
      expect('estimating_gas');
      return { ...state, status: 'submitting', gasLimit: event.gasLimit, fees: event.fees };
    case 'tx_signed': {
      expect('submitting', 'submitted');
      const first = state.txs[0];
      // A second signature is only ever a replacement of the same nonce (a fee bump).
      if (first && first.nonce !== event.tx.nonce) {
        fail(`nonce ${event.tx.nonce} differs from the deployment's nonce ${first.nonce}`);
      }
      if (state.txs.some((tx) => tx.hash === event.tx.hash)) fail('transaction already recorded');
      return {
        ...state,
        txs: [
          ...state.txs,
          { ...event.tx, broadcast: false, signedAt: event.at, broadcastAt: null, rejected: null },
        ],
        contractAddress: event.tx.predictedAddress,
        fees: event.tx.fees,
      };
    }
    case 'tx_broadcast':
    case 'tx_rebroadcast': {
      expect('submitting', 'submitted', 'confirming');
      known(event.hash);
      const txs = state.txs.map((tx) =>
        // The stuck clock keeps running: a transaction that keeps vanishing is bumped too.
        tx.hash === event.hash
          ? { ...tx, broadcast: true, broadcastAt: tx.broadcastAt ?? event.at }
          : tx,
      );
      const status = state.status === 'submitting' ? 'submitted' : state.status;
      return { ...state, status, txs };
    }
    case 'tx_rejected': {
      expect('submitting', 'submitted');
      known(event.hash);
      const txs = state.txs.map((tx) =>
        tx.hash === event.hash ? { ...tx, rejected: event.reason } : tx,
      );
      return { ...state, txs, fees: event.fees };
    }
    case 'fee_bumps_exhausted':
      expect('submitted');
      return { ...state, bumpsExhausted: true };
    case 'nonce_abandoned':
      expect('retrying');
      // Only a nonce proven taken by a foreign transaction may be given up (never deploy twice).
      if (state.error?.code !== 'NONCE_CONFLICT')
        fail('the nonce was not taken by another transaction');
      return {
        ...state,
        abandonedTxs: [...state.abandonedTxs, ...state.txs],
        txs: [],
        contractAddress: null,
        bumpsExhausted: false,
      };
    case 'tx_mined':
      expect('submitted');
      if (!state.txs.some((tx) => tx.hash === event.receipt.hash)) {
        fail(`receipt for unknown hash ${event.receipt.hash}`);
      }
      return {
        ...state,
        status: 'confirming',
        receipt: event.receipt,
        contractAddress: event.receipt.contractAddress,
        confirmations: 1,
      };
    case 'receipt_reorged': {
      expect('confirming');
      // Send the transaction that was mined again: the new chain may not hold it.
      const txs = state.txs.map((tx) =>
        tx.hash === event.hash ? { ...tx, broadcast: false } : tx,
      );
      return { ...state, status: 'submitted', txs, receipt: null, confirmations: 0 };
    }
    case 'confirmations_reached':
      expect('confirming');
      return { ...state, status: 'confirmed', confirmations: event.confirmations };
    case 'verification_started':
      expect('confirmed');
      return {
        ...state,
        status: 'verifying',
        verification: { ...state.verification, attempts: 0, startedAt: event.at },
      };
    case 'verification_skipped':
      expect('confirmed', 'verifying', 'complete');
      return {
        ...state,
        verification: {
          ...state.verification,
          status: 'skipped',
          reason: event.reason,
          nextAttemptAt: null,
        },
      };
    case 'verification_local_proof':
      expect('verifying', 'complete');
      return {
        ...state,
        verification: {
          ...state.verification,
          localProof: { result: event.result, ...optional('reason', event.reason) },
        },
      };
    case 'verification_deferred':
      expect('verifying', 'complete');
      verificationPending();
      return {
        ...state,
        verification: {
          ...state.verification,
          attempts: (state.verification.attempts ?? 0) + 1,
          reason: event.message,
          reference: event.reference,
          nextAttemptAt: event.nextAttemptAt,
        },
      };
    case 'verification_succeeded':
      expect('verifying', 'complete');
      verificationPending();
      return {
        ...state,
        // Verified before `complete` shows in the status; after, only beside it.
        status: state.status === 'verifying' ? 'verified' : state.status,
        verification: {
          ...state.verification,
          status: 'verified',
          attempts: (state.verification.attempts ?? 0) + 1,
          nextAttemptAt: null,
          ...optional('explorerUrl', event.explorerUrl),
        },
      };
    case 'verification_failed':
      expect('verifying', 'complete');
      return {
        ...state,
        verification: {
          ...state.verification,
          status: 'failed',
          reason: event.reason,
          nextAttemptAt: null,
        },
      };
    case 'verification_requested':
      expect('complete');
      if (state.verification.status === 'verified') fail('already verified');
      return {
        ...state,
        verification: {
          status: 'pending',
          attempts: state.verification.attempts ?? 0,
          startedAt: event.at,
          nextAttemptAt: event.at,
          reference: null,
        },
      };
    case 'deployment_completed':
      expect('confirmed', 'verifying', 'verified');
      return { ...state, status: 'complete', contractAddress: event.contractAddress };
    case 'retry_scheduled':
      if (event.attempt !== state.retryCount + 1) {
        fail(`retry attempt ${event.attempt} does not follow ${state.retryCount}`);
      }
      return {
        ...state,
        status: 'retrying',
        error: event.error,
        nextAttemptAt: event.nextAttemptAt,
      };
    case 'retry_started':
      expect('retrying');
      if (event.attempt !== state.retryCount + 1) fail(`unexpected attempt ${event.attempt}`);
      return {
        ...state,
        status: resumeStatusAfterRetry(state),
        retryCount: event.attempt,
        nextAttemptAt: null,
        error: null, // the journal keeps it; the projection shows only a current failure
      };
    case 'deployment_failed':
      return { ...state, status: 'failed', error: event.error, nextAttemptAt: null };
    case 'deployment_cancelled':
      if (state.txs.length > 0) fail('a transaction was signed');
      return { ...state, status: 'cancelled' };
    case 'log':
      return state;
  }
}

/** Verification goes on beside `complete` (it never blocks it): those facts may follow it. */
const isVerificationAfterComplete = (state: DeploymentState, event: DeploymentEvent) =>
  state.status === 'complete' &&
  event.type.startsWith('verification_') &&
  event.type !== 'verification_started';

/**
 * A retry re-enters the pipeline where it is safe: once a transaction is signed, only the
 * transaction protocol (watch, rebroadcast, replace) may run, never a fresh signature.
 */
function resumeStatusAfterRetry(state: DeploymentState): Status {
  if (state.txs.length > 0) return 'submitted';
  if (state.deployData) return 'estimating_gas';
  return 'compiling';
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
