// One deployment: stepper, links, confirmations, diagnosis, timeline and logs, all live.
import { ApiError, LiveStream, query } from './api.js';
import {
  chainChip,
  explorerLink,
  formatDateTime,
  formatDuration,
  formatTime,
  groupDigits,
  h,
  replace,
  STATUS_TEXT,
  since,
  statusBadge,
  until,
} from './dom.js';
import {
  describeEvent,
  foldJournal,
  isTerminal,
  PIPELINE,
  safeLink,
  stepDurations,
  stepStates,
} from './pipeline.js';

const CANCELLABLE = new Set(['pending', 'compiling', 'compiled', 'estimating_gas', 'retrying']);
const STEP_ICON = { done: '✓', failed: '✕', retrying: '↻', cancelled: '–', skipped: '·' };

export function detailView(root, id, ctx) {
  let deployment = null;
  const events = new Map();
  let lastSeq = 0;
  let destroyed = false;
  let frame = null;
  let stream = null;

  root.replaceChildren(
    h('p', null, h('a', { href: '#/', class: 'back' }, '← All deployments')),
    h('p', { class: 'muted' }, 'Loading…'),
  );

  const addEvents = (entries) => {
    for (const entry of entries) events.set(entry.seq, entry);
    // Contiguous seqs from 1: lastSeq is the end of the contiguous run.
    while (events.has(lastSeq + 1)) lastSeq += 1;
  };

  async function catchUp() {
    try {
      const { items } = await ctx.api(
        `/v1/deployments/${encodeURIComponent(id)}/events${query({ after: lastSeq })}`,
      );
      if (destroyed) return;
      addEvents(items);
      scheduleRender();
    } catch {
      // The stream's replay on the next reconnection fills the gap too.
    }
  }

  async function load() {
    try {
      const [d, journal] = await Promise.all([
        ctx.api(`/v1/deployments/${encodeURIComponent(id)}`),
        ctx.api(`/v1/deployments/${encodeURIComponent(id)}/events`),
      ]);
      if (destroyed) return;
      deployment = d;
      addEvents(journal.items);
      render();
      stream = new LiveStream({
        params: { deploymentId: id },
        after: () => lastSeq,
        onEvent: (message) => {
          if (message.deploymentId !== id || events.has(message.seq)) return;
          const gap = message.seq > lastSeq + 1;
          addEvents([message.event]);
          if (message.seq >= lastSeq) deployment = message.deployment;
          if (gap) catchUp();
          scheduleRender();
        },
        onState: ctx.setConnection,
      }).start();
    } catch (error) {
      if (destroyed) return;
      const notFound = error instanceof ApiError && error.status === 404;
      root.replaceChildren(
        h('p', null, h('a', { href: '#/', class: 'back' }, '← All deployments')),
        h(
          'div',
          { class: 'card notice error', testid: 'detail-error' },
          h('h2', null, notFound ? 'Deployment not found' : 'Could not load the deployment'),
          h('p', null, notFound ? `There is no deployment ${id}.` : error.message),
        ),
      );
    }
  }

  function scheduleRender() {
    if (frame !== null) return;
    frame = requestAnimationFrame(() => {
      frame = null;
      if (!destroyed) render();
    });
  }

  async function cancel(button) {
    if (!confirm('Cancel this deployment? Nothing has been signed yet.')) return;
    button.disabled = true;
    try {
      deployment = await ctx.api(`/v1/deployments/${encodeURIComponent(id)}/cancel`, {
        method: 'POST',
      });
      scheduleRender();
    } catch (error) {
      button.disabled = false;
      alert(`${error.code}: ${error.message}`);
    }
  }

  function render() {
    const d = deployment;
    const journal = [...events.values()].sort((a, b) => a.seq - b.seq);
    const chain = ctx.chainById(d.chainId);
    const explorerUrl = chain?.explorerUrl ?? null;
    const { segments, retries } = foldJournal(journal);
    const terminal = isTerminal(d.status);
    const end = terminal ? Date.parse(d.updatedAt) : Date.now();

    const header = h(
      'section',
      { class: 'card detail-head', testid: 'detail' },
      h(
        'div',
        { class: 'title-row' },
        h('h1', { testid: 'contract-name' }, d.contractName),
        statusBadge(d.status),
        CANCELLABLE.has(d.status) && !d.txHash
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary small-button',
                testid: 'cancel',
                onclick: (e) => cancel(e.currentTarget),
              },
              'Cancel',
            )
          : null,
      ),
      h(
        'div',
        { class: 'meta' },
        chainChip(d.chain, d.chainId, chain?.displayName),
        h(
          'span',
          null,
          'build ',
          h(
            'a',
            { href: `#/${query({ buildId: d.buildId })}`, class: 'mono', testid: 'build' },
            d.buildId,
          ),
        ),
        h('span', { class: 'mono muted', testid: 'deployment-id' }, d.id),
        h('span', { class: 'muted', title: d.createdAt }, `created ${formatDateTime(d.createdAt)}`),
        h(
          'span',
          { testid: 'total-duration' },
          terminal
            ? `took ${formatDuration(end - Date.parse(d.createdAt))}`
            : ['running for ', since(d.createdAt)],
        ),
      ),
    );

    replace(
      root,
      h('p', null, h('a', { href: '#/', class: 'back', testid: 'back' }, '← All deployments')),
      header,
      d.status === 'retrying' ? retryBanner(d) : null,
      d.status === 'failed' && d.error ? diagnosis(d, retries) : null,
      stepper(d, segments, retries),
      details(d, explorerUrl),
      timeline(journal, segments, explorerUrl),
      logs(journal),
    );
  }

  load();

  return {
    destroy() {
      destroyed = true;
      if (frame !== null) cancelAnimationFrame(frame);
      stream?.stop();
    },
  };
}

function retryBanner(d) {
  const error = d.error;
  return h(
    'section',
    { class: 'card notice warning', testid: 'retry-banner' },
    h('h2', null, `Retrying — attempt ${d.retryCount + 1} failed`),
    error
      ? h(
          'p',
          null,
          h('span', { class: 'error-code', testid: 'retry-code' }, error.code),
          ` at step ${STATUS_TEXT(error.step)}: ${error.message}`,
        )
      : null,
    error?.hint ? h('p', { class: 'hint' }, error.hint) : null,
    d.nextAttemptAt
      ? h(
          'p',
          { testid: 'next-attempt' },
          `Retry #${d.retryCount + 1} at ${formatTime(d.nextAttemptAt)} (`,
          until(d.nextAttemptAt),
          ')',
        )
      : null,
  );
}

function diagnosis(d, retries) {
  const error = d.error;
  const attempts = retries.length + 1;
  const field = (label, testid, ...value) =>
    h('div', { class: 'field' }, h('dt', null, label), h('dd', { testid }, ...value));
  return h(
    'section',
    { class: 'card notice error diagnosis', testid: 'diagnosis' },
    h('h2', null, 'Diagnosis'),
    h(
      'dl',
      { class: 'diagnosis-grid' },
      field('Code', 'diagnosis-code', error.code),
      field('Step', 'diagnosis-step', STATUS_TEXT(error.step)),
      field(
        'Attempts',
        'diagnosis-attempts',
        `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`,
        error.retryable ? ' (retryable error, retries exhausted)' : ' (not retryable)',
      ),
      h(
        'div',
        { class: 'field wide' },
        h('dt', null, 'Message'),
        h('dd', { testid: 'diagnosis-message', class: 'message' }, error.message),
      ),
      h(
        'div',
        { class: 'field wide' },
        h('dt', null, 'Hint'),
        h('dd', { testid: 'diagnosis-hint', class: 'hint' }, error.hint),
      ),
    ),
    retries.length > 0
      ? h(
          'div',
          { class: 'earlier' },
          h('h3', null, 'Earlier attempts'),
          h(
            'ol',
            { testid: 'diagnosis-retries' },
            retries.map((r) =>
              h(
                'li',
                null,
                h('span', { class: 'mono small' }, formatTime(r.at)),
                ' ',
                h('span', { class: 'error-code' }, r.error?.code ?? ''),
                ` at ${STATUS_TEXT(r.error?.step ?? '?')}: ${r.error?.message ?? ''}`,
              ),
            ),
          ),
        )
      : null,
  );
}

function stepper(d, segments, retries) {
  const states = stepStates(d, segments);
  const durations = stepDurations(
    segments,
    isTerminal(d.status) ? Date.parse(d.updatedAt) : Date.now(),
  );
  const current = segments.at(-1);
  const retriesByStep = {};
  for (const r of retries) {
    const step = r.error?.step;
    retriesByStep[step] = (retriesByStep[step] ?? 0) + 1;
  }
  const items = PIPELINE.map((step, index) => {
    const state = states[step];
    const live = !isTerminal(d.status) && current?.status === step;
    const took = live
      ? since(current.at)
      : durations[step] !== undefined
        ? formatDuration(durations[step])
        : '';
    return h(
      'li',
      {
        class: `step step-${state}${live ? ' live' : ''}`,
        testid: 'step',
        dataset: { step, state },
        'aria-current':
          state === 'current' || (step === 'complete' && d.status === 'complete') ? 'step' : null,
      },
      h('span', { class: 'dot', 'aria-hidden': 'true' }, STEP_ICON[state] ?? String(index + 1)),
      h('span', { class: 'label' }, STATUS_TEXT(step)),
      h('span', { class: 'took', testid: 'step-duration' }, took),
      retriesByStep[step]
        ? h(
            'span',
            { class: 'retry-badge', testid: 'step-retries', title: 'retries at this step' },
            `↻ ${retriesByStep[step]}`,
          )
        : null,
    );
  });
  const outcome =
    d.status === 'failed' || d.status === 'retrying' || d.status === 'cancelled'
      ? h(
          'p',
          { class: `stepper-note note-${d.status}` },
          statusBadge(d.status, 'stepper-status'),
          stepperNote(d),
        )
      : null;
  return h(
    'section',
    { class: 'card' },
    h(
      'h2',
      null,
      'Pipeline',
      d.retryCount > 0
        ? h(
            'span',
            { class: 'muted small', testid: 'retry-count' },
            ` · ${d.retryCount} ${d.retryCount === 1 ? 'retry' : 'retries'}`,
          )
        : null,
    ),
    h('ol', { class: 'stepper', testid: 'stepper', dataset: { status: d.status } }, items),
    outcome,
  );
}

function stepperNote(d) {
  if (d.status === 'failed')
    return ` at ${STATUS_TEXT(d.error?.step ?? 'unknown step')} — ${d.error?.code ?? ''}`;
  if (d.status === 'retrying')
    return [
      ` at ${STATUS_TEXT(d.error?.step ?? '?')} — next attempt `,
      d.nextAttemptAt ? until(d.nextAttemptAt) : 'soon',
    ];
  return ' before any transaction was signed';
}

function details(d, explorerUrl) {
  const mined = d.blockNumber !== null;
  const required = d.requiredConfirmations;
  const pct = required > 0 ? Math.min(100, Math.round((d.confirmations / required) * 100)) : 0;
  const row = (label, ...value) =>
    h('div', { class: 'field' }, h('dt', null, label), h('dd', null, ...value));
  const replaced = d.txHashes.filter((hash) => hash !== d.txHash);
  return h(
    'section',
    { class: 'card' },
    h('h2', null, 'Transaction'),
    h(
      'dl',
      { class: 'details', testid: 'details' },
      row('Transaction', explorerLink(explorerUrl, 'tx', d.txHash, { testid: 'tx-hash' })),
      row(
        mined ? 'Contract' : 'Contract (predicted)',
        explorerLink(explorerUrl, 'address', d.contractAddress, { testid: 'contract-address' }),
      ),
      row(
        'Confirmations',
        h(
          'span',
          { testid: 'confirmations', class: 'confirmations' },
          `${d.confirmations}/${required}`,
        ),
        h(
          'span',
          { class: 'meter', 'aria-hidden': 'true' },
          h('span', { class: 'meter-fill', vars: { '--pct': `${pct}%` } }),
        ),
      ),
      row('Block', d.blockNumber ? groupDigits(d.blockNumber) : h('span', { class: 'muted' }, '—')),
      row('Gas used', d.gasUsed ? groupDigits(d.gasUsed) : h('span', { class: 'muted' }, '—')),
      row('Nonce', d.nonce ?? h('span', { class: 'muted' }, '—')),
      row('Signer', explorerLink(explorerUrl, 'address', d.signer, { short: true })),
      row(
        'Retries',
        h('span', { testid: 'retries' }, String(d.retryCount)),
        d.nextAttemptAt ? [' · next ', until(d.nextAttemptAt)] : null,
      ),
      row(
        'Verification',
        h('span', { testid: 'verification' }, d.verification?.status ?? '—'),
        d.verification?.reason
          ? h('span', { class: 'muted small' }, ` — ${d.verification.reason}`)
          : null,
        d.verification?.status === 'verified' && d.verification.explorerUrl
          ? [' · ', safeLink(d.verification.explorerUrl)]
          : null,
        d.verification?.status === 'pending' && d.verification.nextAttemptAt
          ? [' · next check ', until(d.verification.nextAttemptAt)]
          : null,
      ),
      row(
        'Local proof',
        h('span', { testid: 'local-proof' }, d.verification?.localProof?.result ?? '—'),
        d.verification?.localProof?.reason
          ? h('span', { class: 'muted small' }, ` — ${d.verification.localProof.reason}`)
          : null,
      ),
      replaced.length > 0
        ? h(
            'div',
            { class: 'field wide' },
            h('dt', null, 'Replaced transactions'),
            h(
              'dd',
              { testid: 'replaced' },
              replaced.map((hash) => h('div', null, explorerLink(explorerUrl, 'tx', hash))),
            ),
          )
        : null,
    ),
  );
}

function timeline(journal, segments, explorerUrl) {
  const start = journal[0] ? Date.parse(journal[0].at) : 0;
  const segmentAt = new Map(segments.map((s, i) => [s.seq, { ...s, next: segments[i + 1] }]));
  const entries = journal.filter((e) => e.type !== 'log');
  const rows = entries.map((event, index) => {
    const [title, detail] = describeEvent(event, explorerUrl);
    const previous = entries[index - 1];
    const segment = segmentAt.get(event.seq);
    let step = null;
    if (segment) {
      const lasted = segment.next
        ? formatDuration(Date.parse(segment.next.at) - Date.parse(segment.at))
        : isTerminal(segment.status)
          ? ''
          : since(segment.at);
      step = [
        statusBadge(segment.status, 'timeline-status'),
        ' ',
        h('span', { class: 'took' }, lasted),
      ];
    }
    return h(
      'tr',
      {
        testid: 'timeline-entry',
        dataset: { type: event.type, seq: String(event.seq) },
        class: `ev ev-${event.type}`,
      },
      h('td', { class: 'mono small', title: event.at }, formatTime(event.at)),
      h(
        'td',
        { class: 'num mono small muted' },
        `+${formatDuration(Date.parse(event.at) - start)}`,
      ),
      h(
        'td',
        { class: 'num mono small muted' },
        previous ? formatDuration(Date.parse(event.at) - Date.parse(previous.at)) : '',
      ),
      h('td', { class: 'event-title' }, title),
      h('td', { class: 'event-detail small' }, detail),
      h('td', { class: 'step-cell' }, step),
    );
  });
  return h(
    'section',
    { class: 'card' },
    h('h2', null, 'Timeline'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'timeline', testid: 'timeline' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Time'),
            h('th', { class: 'num' }, 'Elapsed'),
            h('th', { class: 'num' }, 'Δ'),
            h('th', null, 'Event'),
            h('th', null, 'Details'),
            h('th', null, 'Step → lasted'),
          ),
        ),
        h('tbody', null, rows),
      ),
    ),
  );
}

function logs(journal) {
  const entries = journal.filter((e) => e.type === 'log');
  return h(
    'section',
    { class: 'card', testid: 'logs' },
    h('h2', null, 'Logs ', h('span', { class: 'muted small' }, `(${entries.length})`)),
    entries.length === 0
      ? h('p', { class: 'muted', testid: 'logs-empty' }, 'No log entries for this deployment.')
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'logs' },
            h(
              'tbody',
              null,
              entries.map((entry) =>
                h(
                  'tr',
                  { testid: 'log-entry', class: `log log-${entry.level}` },
                  h('td', { class: 'mono small', title: entry.at }, formatTime(entry.at)),
                  h('td', null, h('span', { class: `level level-${entry.level}` }, entry.level)),
                  h('td', { class: 'mono small' }, entry.event),
                  h('td', null, entry.message),
                  h(
                    'td',
                    { class: 'mono small muted' },
                    Object.entries(entry.data ?? {})
                      .map(([key, value]) => `${key}=${value}`)
                      .join(' '),
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}
