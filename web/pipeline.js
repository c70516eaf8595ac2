// The deployment pipeline as the dashboard shows it, derived from the journal.
import { explorerLink, formatTime, groupDigits, gwei, h, shortHex } from './dom.js';

/** The happy path, in order (src/core/status.ts). */
export const PIPELINE = [
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
];

export const STATUSES = [...PIPELINE, 'failed', 'retrying', 'cancelled'];

export const isTerminal = (status) =>
  status === 'complete' || status === 'failed' || status === 'cancelled';

/**
 * Replays the journal's status changes the way src/core/reduce.ts does, to know when each
 * step started and ended. Returns `{ segments: [{ status, at, seq }], retries: [...] }`.
 */
export function foldJournal(events) {
  let status = null;
  let signed = 0;
  let checked = false;
  const segments = [];
  const retries = [];
  for (const event of events) {
    const next = nextStatus(status, event, { signed, checked });
    if (event.type === 'tx_signed') signed += 1;
    if (event.type === 'nonce_abandoned') signed = 0;
    if (event.type === 'bytecode_checked') checked = true;
    if (event.type === 'retry_scheduled') {
      retries.push({
        attempt: event.attempt,
        at: event.at,
        nextAttemptAt: event.nextAttemptAt,
        error: event.error,
        startedAt: null,
      });
    }
    if (event.type === 'retry_started') {
      const retry = retries.find((r) => r.attempt === event.attempt);
      if (retry) retry.startedAt = event.at;
    }
    if (next !== status) {
      segments.push({ status: next, at: event.at, seq: event.seq });
      status = next;
    }
  }
  return { segments, retries };
}

function nextStatus(status, event, { signed, checked }) {
  switch (event.type) {
    case 'deployment_created':
      return 'pending';
    case 'compilation_started':
      return 'compiling';
    case 'bytecode_checked':
      return 'compiled';
    case 'gas_estimation_started':
      return 'estimating_gas';
    case 'gas_estimated':
      return 'submitting';
    case 'tx_broadcast':
    case 'tx_rebroadcast':
      return status === 'submitting' ? 'submitted' : status;
    case 'tx_mined':
      return 'confirming';
    case 'receipt_reorged':
      return 'submitted';
    case 'confirmations_reached':
      return 'confirmed';
    case 'verification_started':
      return 'verifying';
    case 'verification_succeeded':
      // Verification may finish beside `complete`: then it does not change the status.
      return status === 'verifying' ? 'verified' : status;
    case 'deployment_completed':
      return 'complete';
    case 'retry_scheduled':
      return 'retrying';
    case 'retry_started':
      return signed > 0 ? 'submitted' : checked ? 'estimating_gas' : 'compiling';
    case 'deployment_failed':
      return 'failed';
    case 'deployment_cancelled':
      return 'cancelled';
    default:
      return status;
  }
}

/** Milliseconds spent in each status (summed over retries), the last one up to `now`. */
export function stepDurations(segments, now = Date.now()) {
  const durations = {};
  segments.forEach((segment, index) => {
    if (isTerminal(segment.status)) return;
    const end = segments[index + 1] ? Date.parse(segments[index + 1].at) : now;
    durations[segment.status] = (durations[segment.status] ?? 0) + (end - Date.parse(segment.at));
  });
  return durations;
}

/**
 * The state of each stepper step: done, skipped, current, failed, retrying, cancelled, todo.
 * For failed/retrying, the step is where the error happened (or the last one reached).
 */
export function stepStates(deployment, segments) {
  const reached = new Set(segments.map((s) => s.status));
  const lastPipeline = [...segments].reverse().find((s) => PIPELINE.includes(s.status))?.status;
  let anchor = deployment.status;
  let mark = 'current';
  if (!PIPELINE.includes(anchor)) {
    const step = deployment.error?.step;
    anchor =
      deployment.status !== 'cancelled' && PIPELINE.includes(step)
        ? step
        : (lastPipeline ?? 'pending');
    mark = deployment.status;
  }
  const anchorIndex = PIPELINE.indexOf(anchor);
  const states = {};
  PIPELINE.forEach((step, index) => {
    if (index < anchorIndex) states[step] = reached.has(step) ? 'done' : 'skipped';
    else if (index === anchorIndex)
      states[step] = step === 'complete' && mark === 'current' ? 'done' : mark;
    else states[step] = 'todo';
  });
  return states;
}

const feesText = (fees) => {
  if (!fees) return '';
  if (fees.type === 'legacy') return `gas price ${gwei(fees.gasPrice)}`;
  return `max fee ${gwei(fees.maxFeePerGas)}, tip ${gwei(fees.maxPriorityFeePerGas)}`;
};

/** A plain external link when the URL is http(s), else its text. */
export const safeLink = (url) =>
  typeof url === 'string' && /^https?:\/\//.test(url)
    ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url)
    : (url ?? '');

const errorText = (error) => (error ? `${error.code}: ${error.message}` : '');

/** A human title and a details line (nodes) for one journal event. */
export function describeEvent(event, explorerUrl) {
  const tx = (hash) => explorerLink(explorerUrl, 'tx', hash, { short: true });
  const address = (value) => explorerLink(explorerUrl, 'address', value, { short: true });
  switch (event.type) {
    case 'deployment_created':
      return [
        'Deployment created',
        `${event.spec?.contractName ?? ''} on ${event.spec?.chainName ?? ''}`,
      ];
    case 'compilation_started':
      return ['Compilation started', ''];
    case 'bytecode_checked':
      return ['Bytecode checked', `${groupDigits(event.bytecodeSize)} bytes`];
    case 'gas_estimation_started':
      return ['Gas estimation started', ''];
    case 'gas_estimated':
      return [
        'Gas estimated',
        `estimate ${groupDigits(event.estimatedGas)}, limit ${groupDigits(event.gasLimit)}, ${feesText(event.fees)}`,
      ];
    case 'tx_signed':
      return [
        'Transaction signed',
        [`nonce ${event.tx?.nonce} · `, tx(event.tx?.hash), ' · ', feesText(event.tx?.fees)],
      ];
    case 'tx_broadcast':
      return ['Transaction broadcast', [tx(event.hash)]];
    case 'tx_rebroadcast':
      return ['Transaction rebroadcast', [tx(event.hash), ` · ${event.reason}`]];
    case 'tx_rejected':
      return ['Transaction rejected', [tx(event.hash), ` · ${event.reason}`]];
    case 'fee_bumps_exhausted':
      return ['Fee bumps exhausted', event.reason];
    case 'nonce_abandoned':
      return [
        'Nonce abandoned',
        `nonce ${event.nonce} taken by another transaction (${(event.hashes ?? []).map((x) => shortHex(x)).join(', ')})`,
      ];
    case 'tx_mined':
      return [
        'Mined',
        [
          `block ${event.receipt?.blockNumber} · gas used ${groupDigits(event.receipt?.gasUsed)} · `,
          address(event.receipt?.contractAddress),
        ],
      ];
    case 'receipt_reorged':
      return [
        'Receipt reorged out',
        `block ${shortHex(event.blockHash)} left the chain; waiting again`,
      ];
    case 'confirmations_reached':
      return ['Confirmations reached', `${event.confirmations} at block ${event.blockNumber}`];
    case 'verification_started':
      return ['Verification started', ''];
    case 'verification_skipped':
      return ['Verification skipped', event.reason];
    case 'verification_local_proof':
      return [
        'Local proof',
        `source recompiled and compared with the code on chain: ${event.result}${event.reason ? ` — ${event.reason}` : ''}`,
      ];
    case 'verification_deferred':
      return [
        'Verification deferred',
        `${event.message ?? ''}${event.nextAttemptAt ? ` · next check at ${formatTime(event.nextAttemptAt)}` : ''}`,
      ];
    case 'verification_requested':
      return ['Verification requested', ''];
    case 'verification_succeeded':
      return [
        event.alreadyVerified ? 'Verified (already on the explorer)' : 'Verified',
        safeLink(event.explorerUrl),
      ];
    case 'verification_failed':
      return ['Verification failed', event.reason];
    case 'deployment_completed':
      return ['Deployment complete', [address(event.contractAddress)]];
    case 'retry_scheduled':
      return [
        `Retry #${event.attempt} scheduled`,
        [
          h('span', { class: 'error-code' }, event.error?.code ?? ''),
          ` at step ${event.error?.step ?? '?'} — ${event.error?.message ?? ''} · next attempt at ${formatTime(event.nextAttemptAt)}`,
        ],
      ];
    case 'retry_started':
      return [`Retry #${event.attempt} started`, ''];
    case 'deployment_failed':
      return [
        'Deployment failed',
        [
          h('span', { class: 'error-code' }, event.error?.code ?? ''),
          ` ${event.error?.message ?? ''}`,
        ],
      ];
    case 'deployment_cancelled':
      return ['Cancelled', event.reason];
    default:
      return [event.type, errorText(event.error)];
  }
}
