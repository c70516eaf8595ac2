import type { Outcome, ToolMetrics } from './metrics.ts';
import type { SuperviseResult } from './supervise.ts';

export interface ToolReport {
  metrics: ToolMetrics;
  supervise: SuperviseResult;
  /** Counters of the chaos proxy in front of this tool. */
  proxy: Record<string, number>;
  /** Diagnostics printed under the table: hyperdeploy's journal facts, naive's attempt errors. */
  notes?: { label: string; counts: Record<string, number> };
}

export interface BenchReport {
  profile: string;
  deployments: number;
  seed: number;
  killEverySec: number | null;
  confirmations: number;
  /** hyperdeploy's journal: `sqlite` or `postgresql`, and its worker processes. */
  store: string;
  workers: number;
  naiveConcurrency: number;
  naiveAttempts: number;
  machine: { cpus: number; node: string; platform: string };
  wallMs: number;
  head: number;
  tmpDir: string | null;
  hyperdeploy: ToolReport;
  /** Null with --skip-naive. */
  naive: ToolReport | null;
}

const FAULT_KEYS = [
  'timeout',
  'reset',
  'http429',
  'http502',
  'http503',
  'rpcError',
  'delay',
  'drop',
  'reorg',
  'lostResponse',
  'dropMissed',
  'dropCollateral',
];

/** Faults injected by kind (the proxy's flat counters without per-method keys). */
export const faultsOf = (stats: Record<string, number>): Record<string, number> =>
  Object.fromEntries(FAULT_KEYS.filter((k) => stats[k]).map((k) => [k, stats[k] as number]));

const toolJson = (m: ToolMetrics, r: ToolReport) => ({
  succeeded: m.succeeded,
  failed: m.failed,
  duplicates: m.duplicates,
  lost: m.lost,
  nonceGaps: m.nonceGaps,
  p50Ms: m.p50Ms,
  p95Ms: m.p95Ms,
  successRate: m.successRate,
  failedByCode: m.failedByCode,
  lostByStatus: m.lostByStatus,
  duplicatesBy: m.duplicatesBy,
  stuckAboveGap: m.stuckAboveGap,
  creations: m.creations,
  workerStarts: r.supervise.starts,
  workerKills: r.supervise.kills,
  timedOut: r.supervise.timedOut,
  phaseMs: r.supervise.wallMs,
  requests: r.proxy.requests ?? 0,
  faults: faultsOf(r.proxy),
  ...(r.notes ? { [r.notes.label]: r.notes.counts } : {}),
});

export function toJson(r: BenchReport): string {
  return JSON.stringify(
    {
      profile: r.profile,
      deployments: r.deployments,
      hyperdeploy: toolJson(r.hyperdeploy.metrics, r.hyperdeploy),
      naive: r.naive ? toolJson(r.naive.metrics, r.naive) : null,
      seed: r.seed,
      store: r.store,
      workers: r.workers,
      killEvery: r.killEverySec,
      confirmations: r.confirmations,
      naiveConcurrency: r.naiveConcurrency,
      machine: r.machine,
      wallMs: r.wallMs,
    },
    null,
    2,
  );
}

const ms = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(1)} s`);
const codes = (c: Record<string, number>) =>
  Object.entries(c)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
const withCodes = (n: number, c: Record<string, number>) => (n === 0 ? '0' : `${n} (${codes(c)})`);

export function toMarkdown(r: BenchReport): string {
  const tools: Array<[string, ToolReport]> = [['hyperdeploy', r.hyperdeploy]];
  if (r.naive) tools.push(['naive', r.naive]);
  const row = (name: string, f: (t: ToolReport, m: ToolMetrics) => string) =>
    `| ${name} | ${tools.map(([, t]) => f(t, t.metrics)).join(' | ')} |`;
  const lines = [
    `## Chaos benchmark: ${r.deployments} deployments, profile \`${r.profile}\``,
    '',
    `hyperdeploy: ${r.workers} worker${r.workers === 1 ? '' : 's'} on ${r.store} · ` +
      `seed ${r.seed} · kill every ${r.killEverySec ? `${r.killEverySec} s` : '–'} · ` +
      `${r.confirmations} confirmations · ` +
      (r.naive ? `naive: ${r.naiveConcurrency} in parallel, ${r.naiveAttempts} attempts · ` : '') +
      `${r.machine.cpus} CPUs, Node ${r.machine.node} · ` +
      `wall time ${ms(r.wallMs)} · chain head ${r.head}`,
    '',
    `| metric | ${tools.map(([name]) => name).join(' | ')} |`,
    `|---|${tools.map(() => '---|').join('')}`,
    row(
      'succeeded (on chain)',
      (_, m) => `${m.succeeded}/${r.deployments} (${(100 * m.successRate).toFixed(1)}%)`,
    ),
    row('failed (by code)', (_, m) => withCodes(m.failed, m.failedByCode)),
    row('duplicates', (_, m) => {
      const d = m.duplicatesBy;
      return m.duplicates === 0
        ? '0'
        : `${m.duplicates} (extra of succeeded ${d.extraOfSucceeded}, of failed/lost ` +
            `${d.ofUnsucceeded}, unattributed ${d.unattributed})`;
    }),
    row('lost (not terminal)', (_, m) => withCodes(m.lost, m.lostByStatus)),
    row('nonce gaps', (_, m) =>
      m.stuckAboveGap ? `${m.nonceGaps} (${m.stuckAboveGap} txs stuck above)` : `${m.nonceGaps}`,
    ),
    row('p50 time to complete', (_, m) => ms(m.p50Ms)),
    row('p95 time to complete', (_, m) => ms(m.p95Ms)),
    row(
      'creation txs mined (ok / reverted)',
      (_, m) => `${m.creations.success} / ${m.creations.reverted}`,
    ),
    row('txs left in pool', (_, m) => String(m.poolLeft)),
    row('worker starts (SIGKILLs)', (t) => `${t.supervise.starts} (${t.supervise.kills})`),
    row(
      'phase wall time',
      (t) => `${ms(t.supervise.wallMs)}${t.supervise.timedOut ? ' (time limit)' : ''}`,
    ),
    row('RPC requests through proxy', (t) => String(t.proxy.requests ?? 0)),
    row('faults injected', (t) => codes(faultsOf(t.proxy)) || '–'),
  ];
  for (const [name, t] of tools) {
    if (t.notes && Object.keys(t.notes.counts).length > 0)
      lines.push('', `${name} ${t.notes.label}: ${codes(t.notes.counts)}`);
  }
  if (r.tmpDir) lines.push('', `kept: ${r.tmpDir}`);
  return `${lines.join('\n')}\n`;
}

/** Lines for stderr that point at what to investigate: hyperdeploy's failures and duplicates. */
export function diagnostics(
  hdOutcomes: Outcome[],
  hd: ToolMetrics,
  naive: ToolMetrics | null,
): string[] {
  const lines: string[] = [];
  const messages: Record<string, number> = {};
  for (const o of hdOutcomes) {
    if (o.status === 'failed') bump(messages, `${o.errorCode}: ${o.errorMessage}`);
    if (o.status === 'lost') bump(messages, `not terminal, left in ${o.lastStatus}`);
  }
  for (const [m, count] of Object.entries(messages)) lines.push(`hyperdeploy ×${count}: ${m}`);
  if (Object.keys(hd.duplicatedKeys).length > 0)
    lines.push(`hyperdeploy: deployments created twice ${JSON.stringify(hd.duplicatedKeys)}`);
  if (hd.notOnChain.length > 0)
    lines.push(`hyperdeploy: complete but not on chain: ${hd.notOnChain.join(' ')}`);
  if (!naive) return lines;
  const twice = Object.keys(naive.duplicatedKeys).length;
  if (twice > 0) lines.push(`naive: ${twice} deployments created more than once`);
  if (naive.notOnChain.length > 0)
    lines.push(`naive: ${naive.notOnChain.length} reported done but not on chain (reorged away)`);
  return lines;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
