import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JournalEntry } from '../../src/core/events.ts';
import { reduce } from '../../src/core/reduce.ts';
import type { DeploymentState } from '../../src/core/state.ts';
import { isTerminal } from '../../src/core/status.ts';
import { toDeployment } from '../../src/core/view.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildServer } from '../../src/server/app.ts';
import {
  benchChain,
  CHAIN_NAME,
  counterArtifact,
  counterParams,
  cpuMs,
  fmt,
  freshAnvil,
  mdTable,
  newFundedKey,
  onCleanup,
  ownChild,
  REPO,
  round,
  type ScenarioOptions,
  type ScenarioResult,
  type Stats,
  sleep,
  stats,
  tempDir,
} from './common.ts';

interface Variant {
  label: string;
  blockTimeSec?: number;
}

interface VariantResult {
  label: string;
  deployments: number;
  subscribers: number;
  messages: number;
  latency: Stats;
  publish: Stats;
  seconds: number;
  cpu: { serverMs: number; clientsMs: number };
}

export async function runVariant(
  variant: Variant,
  deployments: number,
  subscribers: number,
): Promise<VariantResult> {
  const artifact = await counterArtifact();
  const anvil = await freshAnvil(
    variant.blockTimeSec ? { blockTimeSec: variant.blockTimeSec } : {},
  );
  const key = await newFundedKey(anvil.rpcUrl);
  const chains = { [CHAIN_NAME]: benchChain(anvil.rpcUrl) };
  const logger = createLogger({ level: 'silent' });
  const hd = createHyperdeploy({
    db: join(tempDir(), 'hyperdeploy.db'),
    chains,
    privateKey: key.privateKey,
    logger,
  });
  const closeHd = onCleanup(() => hd.close());
  const app = await buildServer({ hd, chains, logger });
  const closeApp = onCleanup(() => app.close());
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const body = counterParams(artifact);
  const post = async (buildId: string) => {
    const response = await fetch(`${address}/v1/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, buildId }),
    });
    if (response.status !== 202)
      throw new Error(`POST: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  };
  // In-server view: how late each event is when the engine publishes it. Subscribed before the
  // stream's sockets, so it runs before their fan-out.
  let published: number[] = [];
  const wallNow = () => performance.timeOrigin + performance.now();
  const unsubscribe = hd.subscribe((entry) => published.push(wallNow() - Date.parse(entry.at)));
  await post('warm-up'); // opens the chain gate before the subscribers come
  await waitAllFinished(hd, 1);

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'bench/scenarios/ws-clients.ts'),
      `${address.replace('http', 'ws')}/v1/stream`,
      String(subscribers),
    ],
    { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const killChild = ownChild(child);
  const lines = createInterface({ input: child.stdout });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`ws clients exited with ${code}`)));
    });
  const ready = await nextLine();
  if (ready !== 'READY') throw new Error(`ws clients said ${ready}`);

  published = [];
  const cpu0 = { server: process.cpuUsage(), clients: cpuMs(child.pid) };
  const start = performance.now();
  await Promise.all(Array.from({ length: deployments }, (_, i) => post(`ws-${i}`)));
  await waitAllFinished(hd, deployments + 1);
  const seconds = (performance.now() - start) / 1000;
  await sleep(300); // let the last messages arrive
  unsubscribe();
  const serverCpu = process.cpuUsage(cpu0.server);
  const cpu = {
    serverMs: (serverCpu.user + serverCpu.system) / 1000,
    clientsMs: cpuMs(child.pid) - cpu0.clients,
  };
  const resultLine = nextLine();
  child.stdin.write('DONE\n');
  const result = JSON.parse(await resultLine) as { messages: number; latencies: number[] };
  fanOut ??= await measureFanOut(hd, (await hd.list({ limit: 1 })).items[0]?.id ?? '');
  await killChild();
  await closeApp();
  await closeHd();
  await anvil.release();
  return {
    label: variant.label,
    deployments,
    subscribers,
    messages: result.messages,
    latency: stats(result.latencies),
    publish: stats(published),
    seconds,
    cpu,
  };
}

interface FanOut {
  messageBytes: number;
  stringifyUs: number;
  toDeploymentUs: number;
}
let fanOut: FanOut | undefined;

/**
 * What the stream does per subscriber and event (src/server/routes/stream.ts): `toDeployment`
 * in the hd.subscribe wrapper, and `JSON.stringify` of the whole message — once per socket.
 */
async function measureFanOut(hd: Hyperdeploy, id: string): Promise<FanOut> {
  const entries = await hd.events(id);
  const pairs: Array<[JournalEntry, DeploymentState]> = [];
  let state: DeploymentState | null = null;
  for (const entry of entries) {
    state = { ...reduce(state, entry), seq: entry.seq };
    pairs.push([entry, state]);
  }
  const rounds = 200;
  let bytes = 0;
  let t = performance.now();
  for (let r = 0; r < rounds; r++) for (const [, st] of pairs) toDeployment(st);
  const toDeploymentUs = ((performance.now() - t) * 1000) / (rounds * pairs.length);
  const messages = pairs.map(([entry, st]) => ({
    type: 'event',
    deploymentId: st.id,
    seq: entry.seq,
    event: entry,
    deployment: toDeployment(st),
  }));
  t = performance.now();
  for (let r = 0; r < rounds; r++) for (const m of messages) bytes += JSON.stringify(m).length;
  const stringifyUs = ((performance.now() - t) * 1000) / (rounds * messages.length);
  return { messageBytes: bytes / (rounds * messages.length), stringifyUs, toDeploymentUs };
}

async function waitAllFinished(
  hd: { list: (f: { limit: number }) => Promise<{ items: Array<{ status: string }> }> },
  expected: number,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { items } = await hd.list({ limit: 500 });
    if (items.length >= expected && items.every((d) => isTerminal(d.status as never))) return;
    if (Date.now() > deadline) throw new Error('deployments did not finish in 120 s');
    await sleep(50);
  }
}

export async function runWsLatency(options: ScenarioOptions): Promise<ScenarioResult> {
  const deployments = options.quick ? 10 : 20;
  const subscribers = options.quick ? 50 : 100;
  const variants: Variant[] = [
    { label: 'automine (all events in a burst)' },
    { label: '1 s blocks', blockTimeSec: 1 },
  ];
  const results: VariantResult[] = [];
  for (const variant of variants) {
    results.push(await runVariant(variant, deployments, subscribers));
    options.log(`  ws latency: ${variant.label} done`);
  }
  // The headline is the worse of the two.
  const worst = results.reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a));
  const markdown = [
    mdTable(
      [
        'chain',
        'deployments',
        'subscribers',
        'messages received',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'publish p50 / p99 ms',
        'CPU s server / clients',
      ],
      results.map((r) => [
        r.label,
        r.deployments,
        r.subscribers,
        r.messages,
        fmt(r.latency.median, 1),
        fmt(r.latency.p95, 1),
        fmt(r.latency.p99, 1),
        fmt(r.latency.max, 1),
        `${fmt(r.publish.median, 1)} / ${fmt(r.publish.p99, 1)}`,
        `${fmt(r.cpu.serverMs / 1000, 2)} / ${fmt(r.cpu.clientsMs / 1000, 2)}`,
      ]),
    ),
    '',
    `Latency = time the subscriber received the message − the event's \`at\` (same clock; \`at\` has 1 ms resolution, so values are up to 1 ms high). Subscribers run in a separate process; deployments are POSTed to the same server. "publish" is the same measure taken inside the server when the engine hands the event to its subscribers (before the WebSocket fan-out), so receipt − publish is the fan-out and transport. Headline (JSON): ${worst.label}.`,
    '',
    fanOut
      ? `Fan-out cost measured here: once per event the server runs \`toDeployment\` (${fmt(fanOut.toDeploymentUs, 1)} µs) and \`JSON.stringify\` of the whole message (${fmt(fanOut.stringifyUs, 1)} µs, ${fmt(fanOut.messageBytes, 0)} bytes on average), shared by every socket; per subscriber only \`socket.send\` remains. Server CPU per delivered message above: ${results.map((r) => `${fmt((r.cpu.serverMs * 1000) / r.messages, 0)} µs`).join(' / ')}.`
      : '',
  ].join('\n');
  return {
    title: `3. Live status latency (${subscribers} WebSocket subscribers)`,
    markdown,
    json: {
      p50Ms: round(worst.latency.median, 1),
      p99Ms: round(worst.latency.p99, 1),
      headline: worst.label,
      fanOut,
      variants: results.map((r) => ({
        label: r.label,
        deployments: r.deployments,
        subscribers: r.subscribers,
        messages: r.messages,
        p50Ms: round(r.latency.median, 1),
        p95Ms: round(r.latency.p95, 1),
        p99Ms: round(r.latency.p99, 1),
        maxMs: round(r.latency.max, 1),
        publishP50Ms: round(r.publish.median, 1),
        publishP99Ms: round(r.publish.p99, 1),
        serverCpuMs: round(r.cpu.serverMs, 0),
        clientsCpuMs: round(r.cpu.clientsMs, 0),
        seconds: round(r.seconds, 2),
      })),
    },
  };
}
