/**
 * `npm run bench [-- --json] [-- --only <scenario>] [-- --quick]`: hyperdeploy against raw viem
 * and against the chain's own limit, each scenario on fresh anvil chains, baselines measured in
 * the same run. See bench/README.md (chaos benchmark) for the other benchmark.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  cleanupAll,
  fmt,
  machine,
  mdTable,
  round,
  type ScenarioOptions,
  type ScenarioResult,
} from './scenarios/common.ts';
import { runMemory } from './scenarios/memory.ts';
import { runOneSigner } from './scenarios/one-signer.ts';
import { runSingleDeploy } from './scenarios/single-deploy.ts';
import { runStore } from './scenarios/store-scale.ts';
import { runWsLatency } from './scenarios/ws-latency.ts';

const SCENARIOS: Record<string, (options: ScenarioOptions) => Promise<ScenarioResult>> = {
  singleDeploy: runSingleDeploy,
  oneSigner: runOneSigner,
  wsLatency: runWsLatency,
  store: runStore,
  memory: runMemory,
};

const ALIASES: Record<string, string> = {
  '1': 'singleDeploy',
  single: 'singleDeploy',
  '2': 'oneSigner',
  throughput: 'oneSigner',
  '3': 'wsLatency',
  ws: 'wsLatency',
  '4': 'store',
  '5': 'memory',
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      `usage: npm run bench -- [--json] [--quick] [--only ${Object.keys(SCENARIOS).join('|')}]\n`,
    );
    return 0;
  }
  const wanted = (values.only ?? Object.keys(SCENARIOS)).flatMap((name) =>
    name.split(',').map((n) => ALIASES[n] ?? n),
  );
  const unknown = wanted.filter((name) => !SCENARIOS[name]);
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario ${unknown.join(', ')}: pick from ${Object.keys(SCENARIOS).join(', ')}\n`,
    );
    return 2;
  }
  // Progress goes to stderr, so that `--json` leaves stdout to the JSON document alone.
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const options: ScenarioOptions = { quick: values.quick, log };
  const host = machine();
  const started = performance.now();
  const results: Record<string, ScenarioResult> = {};
  for (const name of wanted) {
    const run = SCENARIOS[name] as (o: ScenarioOptions) => Promise<ScenarioResult>;
    const t0 = performance.now();
    log(`▶ ${name}${values.quick ? ' (quick)' : ''}`);
    try {
      results[name] = await run(options);
    } finally {
      await cleanupAll();
    }
    log(`  ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const totalSec = (performance.now() - started) / 1000;

  if (values.json) {
    const document = {
      machine: { ...host, loadAvg1mAtEnd: round(loadavg()[0] ?? 0, 2) },
      quick: values.quick,
      totalSec: Number(totalSec.toFixed(1)),
      scenarios: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.json])),
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [
    `# hyperdeploy benchmarks${values.quick ? ' (quick)' : ''}`,
    '',
    mdTable(
      ['machine', 'value'],
      [
        ['CPUs', `${host.cpuCount} × ${host.cpuModel}`],
        ['memory', `${host.totalMemMb} MB`],
        ['Node', host.node],
        ['platform', host.platform],
        ['load average (1 min) at start / end', `${host.loadAvg1m} / ${fmt(loadavg()[0] ?? 0)}`],
        ['total time', `${totalSec.toFixed(1)} s`],
      ],
    ),
  ];
  for (const result of Object.values(results))
    out.push('', `## ${result.title}`, '', result.markdown);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

// Ctrl-C: stop every anvil, child process and temp dir, then exit. A second signal (after the one
// tsx relays) exits at once; the 'exit' hooks still kill children and remove temp dirs.
let stoppingSince = 0;
const stop = (signal: NodeJS.Signals) => {
  if (stoppingSince > 0) {
    if (Date.now() - stoppingSince > 1000) process.exit(130);
    return;
  }
  stoppingSince = Date.now();
  process.stderr.write(`${signal}: cleaning up\n`);
  const timeout = setTimeout(() => process.exit(130), 10_000);
  void cleanupAll().finally(() => {
    clearTimeout(timeout);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
};
// Persistent listeners: src/devchain then leaves the anvils to this graceful shutdown.
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

main().then(
  async (code) => {
    await cleanupAll();
    process.exit(code);
  },
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    await cleanupAll();
    process.exit(1);
  },
);
