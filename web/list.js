// The deployments list: filters, live rows, and the sample deploy form.
import { ApiError, LiveStream, query } from './api.js';
import { ago, chainChip, h, replace, STATUS_TEXT, shortHex, statusBadge } from './dom.js';
import { isTerminal, STATUSES } from './pipeline.js';

const PAGE_SIZE = 50;

export function listView(root, params, ctx) {
  const filters = {
    status: STATUSES.includes(params.get('status')) ? params.get('status') : '',
    chainId: params.get('chainId') ?? '',
    buildId: params.get('buildId') ?? '',
  };
  let items = [];
  let nextCursor = null;
  let destroyed = false;
  let loadToken = 0;
  const rows = new Map();

  const statusSelect = h(
    'select',
    {
      testid: 'filter-status',
      'aria-label': 'Status',
      onchange: () => setFilter('status', statusSelect.value),
    },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s }, STATUS_TEXT(s))),
  );
  statusSelect.value = filters.status;
  const chainSelect = h(
    'select',
    {
      testid: 'filter-chain',
      'aria-label': 'Chain',
      onchange: () => setFilter('chainId', chainSelect.value),
    },
    h('option', { value: '' }, 'All chains'),
    ctx.chains.map((c) =>
      h('option', { value: String(c.chainId) }, `${c.displayName ?? c.name} (${c.chainId})`),
    ),
  );
  chainSelect.value = filters.chainId;
  let buildTimer = null;
  const buildInput = h('input', {
    type: 'search',
    placeholder: 'Build id',
    testid: 'filter-build',
    'aria-label': 'Build id',
    value: filters.buildId,
    oninput: () => {
      clearTimeout(buildTimer);
      buildTimer = setTimeout(() => setFilter('buildId', buildInput.value.trim()), 250);
    },
  });
  const clear = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      testid: 'filter-clear',
      onclick: () => {
        filters.status = '';
        filters.chainId = '';
        filters.buildId = '';
        statusSelect.value = '';
        chainSelect.value = '';
        buildInput.value = '';
        applyFilters();
      },
    },
    'Clear',
  );
  const count = h('span', { class: 'muted count', testid: 'count' });
  const tbody = h('tbody', { testid: 'deployment-rows' });
  const empty = h('div', { class: 'empty', testid: 'empty', hidden: true });
  const errorBox = h('div', { class: 'form-error', testid: 'list-error', hidden: true });
  const more = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      testid: 'load-more',
      hidden: true,
      onclick: () => load({ append: true }),
    },
    'Load more',
  );

  const table = h(
    'table',
    { class: 'deployments', testid: 'deployments' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Status'),
        h('th', null, 'Contract'),
        h('th', null, 'Chain'),
        h('th', null, 'Build'),
        h('th', null, 'Address / transaction'),
        h('th', { class: 'num' }, 'Conf.'),
        h('th', { class: 'num' }, 'Retries'),
        h('th', { class: 'num' }, 'Updated'),
      ),
    ),
    tbody,
  );

  const form = deployForm(ctx);
  root.replaceChildren(
    h(
      'div',
      { class: 'list-layout' },
      h(
        'section',
        { class: 'card list-card' },
        h(
          'div',
          { class: 'list-head' },
          h('h1', null, 'Deployments ', count),
          h(
            'div',
            { class: 'filters', testid: 'filters' },
            statusSelect,
            chainSelect,
            buildInput,
            clear,
          ),
        ),
        errorBox,
        h('div', { class: 'table-wrap' }, table),
        empty,
        h('div', { class: 'more' }, more),
      ),
      form.element,
    ),
  );

  function setFilter(key, value) {
    if (filters[key] === value) return;
    filters[key] = value;
    applyFilters();
  }

  function applyFilters() {
    history.replaceState(null, '', `#/${query(filters)}`);
    load();
  }

  const matches = (d) =>
    (!filters.status || d.status === filters.status) &&
    (!filters.chainId || String(d.chainId) === filters.chainId) &&
    (!filters.buildId || d.buildId === filters.buildId);

  const newestFirst = (a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

  /** Keeps the newer of two views of one deployment (stream events may race a fetch). */
  const newer = (current, candidate) => {
    if (!current) return candidate;
    if (candidate.updatedAt > current.updatedAt) return candidate;
    if (candidate.updatedAt === current.updatedAt && isTerminal(candidate.status)) return candidate;
    return current;
  };

  async function load({ append = false, quiet = false } = {}) {
    const mine = ++loadToken;
    try {
      const page = await ctx.api(
        `/v1/deployments${query({ ...filters, limit: PAGE_SIZE, cursor: append ? nextCursor : undefined })}`,
      );
      if (destroyed || mine !== loadToken) return;
      errorBox.hidden = true;
      if (append)
        items = [...items, ...page.items.filter((d) => !items.some((i) => i.id === d.id))];
      else if (quiet) {
        const byId = new Map(items.map((d) => [d.id, d]));
        for (const d of page.items) byId.set(d.id, newer(byId.get(d.id), d));
        items = [...byId.values()].filter(matches);
      } else items = page.items;
      if (!quiet || nextCursor === null) nextCursor = page.nextCursor;
      render();
    } catch (error) {
      if (destroyed || mine !== loadToken) return;
      errorBox.hidden = false;
      errorBox.textContent = `Could not load deployments: ${error.message}`;
    }
  }

  function upsert(deployment) {
    const index = items.findIndex((d) => d.id === deployment.id);
    if (index >= 0) {
      const kept = newer(items[index], deployment);
      if (matches(kept)) items[index] = kept;
      else items.splice(index, 1);
    } else if (matches(deployment)) {
      items.push(deployment);
    } else return;
    render();
  }

  function render() {
    items.sort(newestFirst);
    const seen = new Set();
    const ordered = items.map((d) => {
      seen.add(d.id);
      const key = `${d.updatedAt}|${d.status}|${d.confirmations}|${d.retryCount}`;
      let row = rows.get(d.id);
      if (!row || row.key !== key) {
        row = { key, element: rowFor(d) };
        rows.set(d.id, row);
      }
      return row.element;
    });
    for (const id of rows.keys()) if (!seen.has(id)) rows.delete(id);
    tbody.replaceChildren(...ordered);
    const filtered = filters.status || filters.chainId || filters.buildId;
    empty.hidden = items.length > 0;
    empty.textContent = filtered
      ? 'No deployment matches these filters.'
      : 'No deployments yet. Deploy a sample contract with the form, or POST /v1/deployments.';
    count.textContent = `${items.length}${nextCursor ? '+' : ''}`;
    more.hidden = !nextCursor;
  }

  function rowFor(d) {
    const chain = ctx.chainById(d.chainId);
    const href = `#/deployments/${encodeURIComponent(d.id)}`;
    return h(
      'tr',
      {
        class: `row row-${d.status}`,
        testid: 'deployment-row',
        dataset: { id: d.id, status: d.status },
        onclick: (event) => {
          if (event.target.closest('a, button')) return;
          location.hash = href;
        },
      },
      h(
        'td',
        null,
        statusBadge(d.status),
        d.error && (d.status === 'failed' || d.status === 'retrying')
          ? h('div', { class: 'error-code small', testid: 'row-error' }, d.error.code)
          : null,
      ),
      h(
        'td',
        null,
        h('a', { href, class: 'contract', testid: 'row-link' }, d.contractName),
        h('div', { class: 'mono small muted' }, d.id),
      ),
      h('td', null, chainChip(d.chain, d.chainId, chain?.displayName)),
      h(
        'td',
        null,
        h(
          'button',
          {
            type: 'button',
            class: 'link-button mono small',
            title: 'Show only this build',
            onclick: () => {
              buildInput.value = d.buildId;
              setFilter('buildId', d.buildId);
            },
          },
          d.buildId,
        ),
      ),
      h(
        'td',
        { class: 'mono small' },
        d.contractAddress
          ? h('div', { title: d.contractAddress }, shortHex(d.contractAddress))
          : null,
        d.txHash ? h('div', { class: 'muted', title: d.txHash }, `tx ${shortHex(d.txHash)}`) : null,
        !d.contractAddress && !d.txHash ? h('span', { class: 'muted' }, '—') : null,
      ),
      h(
        'td',
        { class: 'num', testid: 'row-confirmations' },
        d.txHash ? `${d.confirmations}/${d.requiredConfirmations}` : '—',
      ),
      h(
        'td',
        { class: 'num' },
        d.retryCount > 0 ? h('span', { class: 'retries' }, `↻ ${d.retryCount}`) : '0',
      ),
      h('td', { class: 'num small' }, ago(d.updatedAt)),
    );
  }

  const stream = new LiveStream({
    onEvent: (message) => upsert(message.deployment),
    // Without `after` the server has nothing to replay: re-read the list once subscribed, so an
    // event between the first fetch and the subscription (or during a disconnect) is not lost.
    onLive: () => load({ quiet: true }),
    onState: ctx.setConnection,
  });

  load().then(() => {
    if (!destroyed) stream.start();
  });

  return {
    destroy() {
      destroyed = true;
      clearTimeout(buildTimer);
      stream.stop();
      form.destroy();
    },
  };
}

/** Deploy one of the server's sample contracts (the demo serves `/v1/samples`). */
function deployForm(ctx) {
  let destroyed = false;
  let samples = [];
  let samplesChain = null;
  let chosen = '';
  let requestId = 0;
  const chainSelect = h(
    'select',
    {
      name: 'chain',
      testid: 'deploy-chain',
      onchange: () => {
        if (chainSelect.value !== samplesChain) loadSamples();
      },
    },
    ctx.chains.map((c) =>
      h('option', { value: c.name }, `${c.displayName ?? c.name} (${c.chainId})`),
    ),
  );
  const sampleSelect = h('select', {
    name: 'sample',
    testid: 'deploy-sample',
    disabled: true,
    onchange: () => {
      chosen = sampleSelect.value;
      showNote();
    },
  });
  const note = h('p', { class: 'muted small', testid: 'deploy-note' });
  const buildInput = h('input', {
    name: 'buildId',
    testid: 'deploy-build',
    value: `dashboard-${new Date().toISOString().slice(0, 10)}`,
    required: true,
    maxlength: 200,
  });
  const submit = h('button', { type: 'submit', testid: 'deploy-submit', disabled: true }, 'Deploy');
  const error = h('div', { class: 'form-error', testid: 'deploy-error', hidden: true });
  const form = h(
    'form',
    { class: 'deploy-form', testid: 'deploy-form', onsubmit: (event) => onSubmit(event) },
    h('label', null, 'Chain', chainSelect),
    h('label', null, 'Sample contract', sampleSelect),
    note,
    h('label', null, 'Build id', buildInput),
    error,
    submit,
  );
  const element = h(
    'aside',
    { class: 'card deploy-card' },
    h('h2', null, 'Deploy a sample'),
    h('p', { class: 'muted small' }, 'Compiled by the server for the chain’s EVM version.'),
    form,
  );

  function showError(err) {
    error.hidden = !err;
    error.replaceChildren();
    if (!err) return;
    replace(
      error,
      h('strong', null, err.code ?? 'ERROR'),
      ` ${err.message}`,
      err.hint ? h('div', { class: 'hint' }, err.hint) : null,
    );
  }

  function showNote() {
    const sample = samples.find((s) => s.name === sampleSelect.value);
    note.textContent = sample?.note ? `Note: ${sample.note}` : '';
  }

  async function loadSamples() {
    const mine = ++requestId;
    samplesChain = chainSelect.value;
    sampleSelect.disabled = true;
    submit.disabled = true;
    sampleSelect.replaceChildren(h('option', { value: '' }, 'Loading…'));
    showError(null);
    try {
      const result = await ctx.api(`/v1/samples${query({ chain: chainSelect.value })}`);
      if (destroyed || mine !== requestId) return;
      samples = result.items;
      sampleSelect.replaceChildren(...samples.map((s) => h('option', { value: s.name }, s.name)));
      // Keep the sample chosen before the chain changed, when this chain has it too.
      if (samples.some((s) => s.name === chosen)) sampleSelect.value = chosen;
      sampleSelect.disabled = false;
      submit.disabled = samples.length === 0;
      showNote();
    } catch (err) {
      if (destroyed || mine !== requestId) return;
      samplesChain = null;
      if (err instanceof ApiError && err.status === 404) {
        element.hidden = true; // not the demo: no samples to offer
        return;
      }
      sampleSelect.replaceChildren(h('option', { value: '' }, 'unavailable'));
      showError(err);
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    const sample = samples.find((s) => s.name === sampleSelect.value);
    if (!sample) return;
    submit.disabled = true;
    submit.textContent = 'Deploying…';
    showError(null);
    try {
      const deployment = await ctx.api('/v1/deployments', {
        method: 'POST',
        body: {
          buildId: buildInput.value.trim(),
          chain: chainSelect.value,
          bytecode: sample.bytecode,
          abi: sample.abi,
          constructorArgs: sample.constructorArgs,
          contractName: sample.name,
        },
      });
      if (!destroyed) location.hash = `#/deployments/${encodeURIComponent(deployment.id)}`;
    } catch (err) {
      if (destroyed) return;
      showError(err);
      submit.disabled = false;
      submit.textContent = 'Deploy';
    }
  }

  if (ctx.chains.length === 0) element.hidden = true;
  else loadSamples();

  return {
    element,
    destroy() {
      destroyed = true;
    },
  };
}
