import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  benchChain,
  CHAIN_NAME,
  counterArtifact,
  counterParams,
  fmt,
  freshAnvil,
  mdTable,
  newFundedKey,
  ownChild,
  REPO,
  round,
  type ScenarioOptions,
  type ScenarioResult,
  sleep,
  tempDir,
} from './common.ts';

interface Status {
  type: 'status';
  rssMb: number;
  peakRssMb: number;
  vmHwmMb: number | null;
  heapUsedMb: number;
  externalMb: number;
  counts: Array<{ status: string; chainId: number; count: number }>;
}

interface MemoryRun {
  label: string;
  pollIntervalMs: number;
  deployments: number;
  baselineRssMb: number;
  steady: Status;
  /** Heap in use after a full GC, with the deployments active / before them. */
  liveHeapMb: number;
  baselineLiveHeapMb: number;
  peakRssMb: number;
  secondsToActive: number;
  trace: Array<{ atSec: number; rssMb: number; heapUsedMb: number }>;
}

const ACTIVE = new Set(['submitted']);

export async function runServer(
  label: string,
  deployments: number,
  pollIntervalMs: number,
  holdMs: number,
): Promise<MemoryRun> {
  const artifact = await counterArtifact();
  // Mining paused: every deployment signs, broadcasts and then waits for a receipt that never comes.
  const anvil = await freshAnvil({ noMining: true });
  const key = await newFundedKey(anvil.rpcUrl, '100000');
  const chains = {
    [CHAIN_NAME]: benchChain(anvil.rpcUrl, {
      pollIntervalMs,
      bumpAfterMs: 3_600_000, // no fee bumps while we watch
    }),
  };
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO, 'bench/scenarios/memory-server.ts'),
      join(tempDir(), 'serve.db'),
      JSON.stringify(chains),
    ],
    {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_KEY: key.privateKey },
    },
  );
  const kill = ownChild(child);
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  let exited: Error | null = null;
  const failures: Array<(error: Error) => void> = [];
  child.once('exit', (code) => {
    exited = new Error(`serve process exited with ${code}`);
    for (const fail of failures.splice(0)) fail(exited);
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      if (exited) return reject(exited);
      waiters.push(resolve);
      failures.push(reject);
    });
  const ask = async (command: string) => {
    child.stdin.write(`${command}\n`);
    return JSON.parse(await nextLine()) as Status;
  };
  const hello = JSON.parse(await nextLine()) as { url: string; rssMb: number };
  const base = hello.url;
  const body = JSON.stringify(counterParams(artifact));
  const post = async (i: number) => {
    const response = await fetch(`${base}/v1/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body.replace('"chain"', `"buildId":"mem-${i}","chain"`),
    });
    if (response.status !== 202)
      throw new Error(`POST: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  // One first deployment opens the chain gate; then the baseline.
  await post(-1);
  await sleep(500);
  const baseline = await ask('STATUS GC');

  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= deployments) return;
        await post(i);
      }
    }),
  );
  // Until every deployment is broadcast and waiting for its receipt.
  let status = await ask('STATUS');
  const deadline = Date.now() + 240_000;
  const active = (s: Status) =>
    s.counts.filter((c) => ACTIVE.has(c.status)).reduce((sum, c) => sum + c.count, 0);
  while (active(status) < deployments + 1) {
    if (Date.now() > deadline) throw new Error(`only ${active(status)} deployments became active`);
    await sleep(250);
    status = await ask('STATUS');
  }
  const secondsToActive = (performance.now() - start) / 1000;
  // Hold them active, polling, while the sampler watches.
  const trace: Array<{ atSec: number; rssMb: number; heapUsedMb: number }> = [];
  const holdStart = performance.now();
  while (performance.now() - holdStart < holdMs) {
    await sleep(Math.min(2000, holdMs));
    const s = await ask('STATUS');
    trace.push({
      atSec: round((performance.now() - holdStart) / 1000, 1),
      rssMb: round(s.rssMb, 0),
      heapUsedMb: round(s.heapUsedMb, 0),
    });
  }
  if (process.env.BENCH_HEAP_SNAPSHOT) await ask(`SNAPSHOT ${process.env.BENCH_HEAP_SNAPSHOT}`);
  const steady = await ask('STATUS');
  const live = await ask('STATUS GC');
  child.stdin.write('QUIT\n');
  await Promise.race([once(child, 'exit'), sleep(10_000)]);
  await kill();
  await anvil.release();
  return {
    label,
    pollIntervalMs,
    deployments,
    baselineRssMb: baseline.rssMb,
    steady,
    liveHeapMb: live.heapUsedMb,
    baselineLiveHeapMb: baseline.heapUsedMb,
    peakRssMb: Math.max(steady.peakRssMb, steady.vmHwmMb ?? 0),
    secondsToActive,
    trace,
  };
}

export async function runMemory(options: ScenarioOptions): Promise<ScenarioResult> {
  const deployments = options.quick ? 200 : 1000;
  const holdMs = options.quick ? 4000 : 16_000;
  const runs: MemoryRun[] = [];
  // The headline: 1,000 active at the Metis presets' 1 s polling. At the local preset's 50 ms,
  // 1,000 deployments polling would ask for 20,000 receipts a second: shown with fewer.
  for (const [label, pollMs, count] of [
    ['receipt polling every 1 s (Metis presets)', 1000, deployments],
    ['receipt polling every 50 ms (local preset)', 50, Math.round(deployments / 4)],
  ] as const) {
    runs.push(await runServer(label, count, pollMs, holdMs));
    options.log(`  memory: ${label} done`);
  }
  const headline = runs[0] as MemoryRun;
  const markdown = [
    mdTable(
      [
        'serve process',
        'active deployments',
        'RSS before MB',
        'RSS with them MB',
        '**peak RSS MB**',
        'live heap after GC MB (before → with)',
        'live heap KiB per deployment',
        's to all active',
      ],
      runs.map((r) => [
        r.label,
        r.deployments,
        fmt(r.baselineRssMb, 0),
        fmt(r.steady.rssMb, 0),
        `**${fmt(r.peakRssMb, 0)}**`,
        `${fmt(r.baselineLiveHeapMb, 0)} → ${fmt(r.liveHeapMb, 0)}`,
        fmt(((r.liveHeapMb - r.baselineLiveHeapMb) * 1024) / r.deployments, 0),
        fmt(r.secondsToActive, 1),
      ]),
    ),
    '',
    `A child process like \`hyperdeploy serve\` (buildServer + library, info logs to /dev/null), on an anvil with mining paused: every deployment is POSTed (20 at a time), signed, broadcast and left \`submitted\`, polling for its receipt; held ${holdMs / 1000} s. Peak = max of \`process.memoryUsage().rss\` sampled every 50 ms and the kernel's VmHWM. Headline (JSON): ${headline.label}. The gap between RSS and the live heap is garbage the pollers make between collections. RSS/heap used while holding (s: RSS/heap MB): ${runs.map((r) => `${r.pollIntervalMs} ms: ${r.trace.map((t) => `${fmt(t.atSec, 0)}s ${t.rssMb}/${t.heapUsedMb}`).join(', ')}`).join('; ')}.`,
  ].join('\n');
  return {
    title: `5. Memory: serve with ${deployments.toLocaleString('en-US')} active deployments`,
    markdown,
    json: {
      rssMb: round(headline.peakRssMb, 0),
      headline: headline.label,
      runs: runs.map((r) => ({
        label: r.label,
        pollIntervalMs: r.pollIntervalMs,
        deployments: r.deployments,
        baselineRssMb: round(r.baselineRssMb, 0),
        steadyRssMb: round(r.steady.rssMb, 0),
        peakRssMb: round(r.peakRssMb, 0),
        liveHeapMb: round(r.liveHeapMb, 0),
        baselineLiveHeapMb: round(r.baselineLiveHeapMb, 0),
        secondsToActive: round(r.secondsToActive, 1),
        trace: r.trace,
      })),
    },
  };
}
