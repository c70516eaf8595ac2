import { join } from 'node:path';
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { SqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { JournalEntry } from '../../src/core/events.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import type { ContractArtifact } from '../../src/inputs/types.ts';
import { createLogger } from '../../src/logging/logger.ts';
import {
  benchChain,
  CHAIN_ID,
  CHAIN_NAME,
  counterArtifact,
  counterParams,
  fmt,
  freshAnvil,
  mdTable,
  newFundedKey,
  now,
  onCleanup,
  round,
  type ScenarioOptions,
  type ScenarioResult,
  stats,
  stepTable,
  tempDir,
  timeStore,
  traceFetch,
} from './common.ts';

const viemChain = (rpcUrl: string) =>
  defineChain({
    id: CHAIN_ID,
    name: 'bench',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });

/** Raw viem: deployContract + waitForTransactionReceipt (50 ms polling), as a script would. */
export function rawViemDeployer(rpcUrl: string, privateKey: Hex, artifact: ContractArtifact) {
  const chain = viemChain(rpcUrl);
  const account = privateKeyToAccount(privateKey);
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const reader = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 50 });
  return async () => {
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
    const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('deploy failed');
    return receipt.contractAddress;
  };
}

export function openLibrary(dir: string, rpcUrl: string, privateKey: Hex): Hyperdeploy {
  const hd = createHyperdeploy({
    db: join(dir, 'hyperdeploy.db'),
    chains: { [CHAIN_NAME]: benchChain(rpcUrl) },
    privateKey,
    logger: createLogger({ level: 'silent' }),
  });
  onCleanup(() => hd.close());
  return hd;
}

export async function runSingleDeploy(options: ScenarioOptions): Promise<ScenarioResult> {
  const iterations = options.quick ? 10 : 40;
  const warmup = 3;
  const artifact = await counterArtifact();
  const anvil = await freshAnvil();
  const dir = tempDir();
  const hdKey = await newFundedKey(anvil.rpcUrl);
  const viemKey = await newFundedKey(anvil.rpcUrl);
  const hd = openLibrary(dir, anvil.rpcUrl, hdKey.privateKey);
  const raw = rawViemDeployer(anvil.rpcUrl, viemKey.privateKey, artifact);
  const params = counterParams(artifact);
  const library = async () => {
    const deployment = await hd.deploy(params);
    if (deployment.status !== 'complete') throw new Error(`deploy ended ${deployment.status}`);
    return deployment.id;
  };

  for (let i = 0; i < warmup; i++) {
    await library();
    await raw();
  }
  const libMs: number[] = [];
  const rawMs: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < iterations; i++) {
    // Alternate the order so neither side always runs right after the other.
    const order = i % 2 === 0 ? (['lib', 'raw'] as const) : (['raw', 'lib'] as const);
    for (const which of order) {
      const start = now();
      if (which === 'lib') ids.push(await library());
      else await raw();
      (which === 'lib' ? libMs : rawMs).push(now() - start);
    }
  }
  options.log(`  single deploy: ${iterations} × 2 done`);

  // Diagnostics: where the time goes (journal), and RPC calls per deployment (counting proxy).
  const journals: JournalEntry[][] = [];
  for (const id of ids) journals.push(await hd.events(id));
  const steps = stepTable(journals);
  const breakdown = await diagnose(anvil.rpcUrl, hdKey.privateKey, viemKey.privateKey, artifact);
  await anvil.release();

  const lib = stats(libMs);
  const base = stats(rawMs);
  const ratio = lib.median / base.median;
  const ratioP95 = lib.p95 / base.p95;
  const markdown = [
    mdTable(
      ['', 'n', 'median ms', 'p95 ms', 'min ms', 'max ms', 'RPC calls/deploy'],
      [
        [
          'hyperdeploy `deploy()` → complete',
          lib.n,
          fmt(lib.median),
          fmt(lib.p95),
          fmt(lib.min),
          fmt(lib.max),
          fmt(breakdown.lib.calls, 1),
        ],
        [
          'raw viem `deployContract` + receipt',
          base.n,
          fmt(base.median),
          fmt(base.p95),
          fmt(base.min),
          fmt(base.max),
          fmt(breakdown.raw.calls, 1),
        ],
        ['**ratio** (hyperdeploy / viem)', '', `**${fmt(ratio)}**`, fmt(ratioP95), '', '', ''],
      ],
    ),
    '',
    `Pipeline steps (median ms from the previous journal event): ${steps
      .map((s) => `${s.step} ${fmt(s.medianMs, 1)}`)
      .join(' · ')}`,
    '',
    `Where the time goes (${breakdown.probes} more deployments each, RPC timed at \`fetch\`, store calls timed at the Store): hyperdeploy ${fmt(breakdown.lib.totalMs, 1)} ms = RPC ${fmt(breakdown.lib.rpcMs, 1)} ms (${fmt(breakdown.lib.calls, 1)} calls) + store ${fmt(breakdown.lib.storeMs, 1)} ms + other ${fmt(breakdown.lib.totalMs - breakdown.lib.rpcMs - breakdown.lib.storeMs, 1)} ms; viem ${fmt(breakdown.raw.totalMs, 1)} ms = RPC ${fmt(breakdown.raw.rpcMs, 1)} ms (${fmt(breakdown.raw.calls, 1)} calls) + other ${fmt(breakdown.raw.totalMs - breakdown.raw.rpcMs, 1)} ms.`,
    '',
    `RPC calls per deployment (calls × mean ms) — hyperdeploy: ${describeCalls(breakdown.lib.byMethod)}; viem: ${describeCalls(breakdown.raw.byMethod)}`,
  ].join('\n');
  return {
    title: '1. Single deploy latency (automine)',
    markdown,
    json: {
      iterations,
      ratio: round(ratio, 3),
      ratioP95: round(ratioP95, 3),
      hyperdeploy: { medianMs: round(lib.median), p95Ms: round(lib.p95) },
      viem: { medianMs: round(base.median), p95Ms: round(base.p95) },
      stepsMedianMs: Object.fromEntries(steps.map((s) => [s.step, s.medianMs])),
      breakdown,
    },
  };
}

const describeCalls = (calls: Record<string, { calls: number; ms: number }>) =>
  Object.entries(calls)
    .map(([method, e]) => `${method} ${fmt(e.calls, 1)}×${fmt(e.ms / e.calls, 1)}`)
    .join(', ');

interface Breakdown {
  totalMs: number;
  rpcMs: number;
  storeMs: number;
  calls: number;
  byMethod: Record<string, { calls: number; ms: number }>;
}

/**
 * Extra deployments with RPC traced at `fetch` and the store timed: per deployment, how much of
 * the wall time is waiting for the node, for SQLite, and the rest (CPU in the pipeline, sleeps).
 */
async function diagnose(
  rpcUrl: string,
  hdKey: Hex,
  viemKey: Hex,
  artifact: ContractArtifact,
): Promise<{ probes: number; lib: Breakdown; raw: Breakdown }> {
  const probes = 10;
  const timed = timeStore(new SqliteStore(join(tempDir(), 'timed.db')));
  const hd = createHyperdeploy({
    db: timed.store,
    chains: { [CHAIN_NAME]: benchChain(rpcUrl) },
    privateKey: hdKey,
    logger: createLogger({ level: 'silent' }),
  });
  onCleanup(() => hd.close());
  const params = counterParams(artifact);
  const raw = rawViemDeployer(rpcUrl, viemKey, artifact);
  await hd.deploy(params); // chain gate (eth_chainId) and fee-type probe happen once
  await raw();
  const trace = traceFetch();
  const measure = async (run: () => Promise<unknown>, store: boolean): Promise<Breakdown> => {
    trace.reset();
    timed.reset();
    const start = now();
    for (let i = 0; i < probes; i++) await run();
    const totalMs = (now() - start) / probes;
    const byMethod = Object.fromEntries(
      [...trace.byMethod.entries()].map(([m, e]) => [
        m,
        { calls: e.calls / probes, ms: e.ms / probes },
      ]),
    );
    return {
      totalMs,
      rpcMs: trace.ms() / probes,
      storeMs: store ? timed.ms() / probes : 0,
      calls: trace.calls() / probes,
      byMethod,
    };
  };
  try {
    const lib = await measure(() => hd.deploy(params), true);
    const viem = await measure(raw, false);
    return { probes, lib, raw: viem };
  } finally {
    trace.stop();
  }
}
