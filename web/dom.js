// Small DOM and formatting helpers. Every text goes through text nodes: no HTML injection.

/** `h('a', { href, class, testid, onclick }, ...children)`. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'testid') element.dataset.testid = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'vars') {
      for (const [name, v] of Object.entries(value)) element.style.setProperty(name, String(v));
    } else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked' || key === 'selected') element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces the children, skipping null/false like `h`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

export const STATUS_TEXT = (status) => String(status).replaceAll('_', ' ');

/** Colour-coded status badge; its text is the status. */
export const statusBadge = (status, testid = 'status') =>
  h(
    'span',
    { class: `badge status status-${status}`, testid, dataset: { status } },
    STATUS_TEXT(status),
  );

const CHAIN_HUES = { 1088: 172, 59902: 28, 133717: 268, 31337: 215 };

/** A chip with a stable colour per chain id. */
export function chainChip(chain, chainId, displayName) {
  const hue = CHAIN_HUES[chainId] ?? (Number(chainId) * 47) % 360;
  return h(
    'span',
    {
      class: 'chip chain',
      testid: 'chain',
      title: `${displayName ?? chain} · chain id ${chainId}`,
      vars: { '--hue': hue },
      dataset: { chainId: String(chainId) },
    },
    chain,
  );
}

export const shortHex = (hex, head = 8, tail = 6) =>
  hex && hex.length > head + tail + 1 ? `${hex.slice(0, head)}…${hex.slice(-tail)}` : (hex ?? '');

const safeExplorer = (url) =>
  typeof url === 'string' && /^https?:\/\//.test(url) ? url.replace(/\/+$/, '') : null;

/** A link to the chain's explorer, or plain text when the chain has none. */
export function explorerLink(explorerUrl, kind, value, { short = false, testid } = {}) {
  if (!value) return h('span', { class: 'muted' }, '—');
  const base = safeExplorer(explorerUrl);
  const text = short ? shortHex(value) : value;
  if (!base) return h('span', { class: 'mono', testid, title: value }, text);
  return h(
    'a',
    {
      class: 'mono',
      href: `${base}/${kind}/${value}`,
      target: '_blank',
      rel: 'noopener noreferrer',
      title: value,
      testid,
    },
    text,
  );
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.floor((value % 60_000) / 1000);
  if (minutes < 60) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time with milliseconds: 14:03:07.215 */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso ?? '';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso ?? '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatTime(iso)}`;
}

export function formatAgo(ms) {
  const seconds = Math.round(ms / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}

/** Wei (decimal string) in gwei, for fees. */
export function gwei(wei) {
  if (wei === undefined || wei === null) return '';
  const value = Number(wei) / 1e9;
  return `${value < 0.01 ? value.toPrecision(2) : value.toFixed(value < 10 ? 3 : 2).replace(/\.?0+$/, '')} gwei`;
}

export const groupDigits = (value) =>
  value === null || value === undefined ? '' : String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Live clocks: elements with `data-since` show the time elapsed since that ISO time,
 * `data-ago` a relative time, `data-until` a countdown. Updated every second.
 */
export function refreshClocks(root = document) {
  const now = Date.now();
  for (const element of root.querySelectorAll('[data-since]')) {
    element.textContent = formatDuration(now - Date.parse(element.dataset.since));
  }
  for (const element of root.querySelectorAll('[data-ago]')) {
    element.textContent = formatAgo(now - Date.parse(element.dataset.ago));
  }
  for (const element of root.querySelectorAll('[data-until]')) {
    const left = Date.parse(element.dataset.until) - now;
    element.textContent = left > 0 ? `in ${formatDuration(left)}` : 'now';
  }
}

let clockTimer = null;
export function startClocks() {
  if (clockTimer) return;
  clockTimer = setInterval(() => refreshClocks(), 1000);
}

export const since = (iso) =>
  h('span', { dataset: { since: iso } }, formatDuration(Date.now() - Date.parse(iso)));
export const ago = (iso) =>
  h(
    'span',
    { dataset: { ago: iso }, title: formatDateTime(iso) },
    formatAgo(Date.now() - Date.parse(iso)),
  );
export const until = (iso) => {
  const left = Date.parse(iso) - Date.now();
  return h('span', { dataset: { until: iso } }, left > 0 ? `in ${formatDuration(left)}` : 'now');
};
