import type { Hex } from 'viem';
import { encodeDeployData, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { JournalEntry } from '../../src/core/events.ts';
import { isTerminal } from '../../src/core/status.ts';
import type { Deployment } from '../../src/core/view.ts';
import { rpcCall } from '../../src/devchain/index.ts';
import {
  CHAIN_ID,
  counterArtifact,
  counterParams,
  cpuMs,
  fmt,
  freshAnvil,
  mdTable,
  newFundedKey,
  nextBlock,
  now,
  round,
  type ScenarioOptions,
  type ScenarioResult,
  sleep,
  stats,
  stepTable,
  tempDir,
  traceFetch,
} from './common.ts';
import { openLibrary, rawViemDeployer } from './single-deploy.ts';

const BLOCK_TIME_SEC = 1;

interface Run {
  deployments: number;
  seconds: number;
  perSecond: number;
  blocks: number;
}

/**
 * (a) The physical limit: N transactions signed beforehand (nonces 0..N-1), broadcast as fast as
 * anvil takes them, timed from the start of broadcasting until the last one is mined.
 */
export async function presignedLimit(n: number): Promise<Run> {
  const artifact = await counterArtifact();
  const anvil = await freshAnvil({ blockTimeSec: BLOCK_TIME_SEC });
  const key = await newFundedKey(anvil.rpcUrl);
  const account = privateKeyToAccount(key.privateKey);
  const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode });
  // The same gas limit hyperdeploy sends: the estimate × its default 1.2 buffer.
  const estimate = BigInt(
    await rpcCall<string>(anvil.rpcUrl, 'eth_estimateGas', [{ from: key.address, data }]),
  );
  const gas = (estimate * 1200n + 999n) / 1000n;
  const gasPrice = BigInt(await rpcCall<string>(anvil.rpcUrl, 'eth_gasPrice'));
  const raws: Hex[] = [];
  for (let nonce = 0; nonce < n; nonce++) {
    raws.push(
      await account.signTransaction({
        chainId: CHAIN_ID,
        type: 'eip1559',
        nonce,
        gas,
        maxFeePerGas: gasPrice * 3n,
        maxPriorityFeePerGas: gasPrice,
        data,
      }),
    );
  }
  await nextBlock(anvil.rpcUrl); // start right after a block, like the others
  const start = now();
  // In nonce order, pipelined on a few connections: as fast as anvil accepts them.
  const lanes = 8;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        await rpcCall(anvil.rpcUrl, 'eth_sendRawTransaction', [raws[i]]);
      }
    }),
  );
  for (;;) {
    const mined = Number(
      await rpcCall<string>(anvil.rpcUrl, 'eth_getTransactionCount', [key.address, 'latest']),
    );
    if (mined >= n) break;
    await sleep(10);
  }
  const seconds = (now() - start) / 1000;
  // The receipt may show up a moment after the nonce count (anvil indexes it after the block).
  const blockOf = async (raw: Hex): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const receipt = await rpcCall<{ blockNumber: string } | null>(
        anvil.rpcUrl,
        'eth_getTransactionReceipt',
        [keccak256(raw)],
      );
      if (receipt) return Number(receipt.blockNumber);
      if (attempt > 200) throw new Error('no receipt for a mined pre-signed transaction');
      await sleep(10);
    }
  };
  const blocks = (await blockOf(raws[n - 1] as Hex)) - (await blockOf(raws[0] as Hex)) + 1;
  await anvil.release();
  return { deployments: n, seconds, perSecond: n / seconds, blocks };
}

/** (b) A deploy-and-wait-for-receipt loop with raw viem. */
export async function sequentialLoop(n: number): Promise<Run> {
  const artifact = await counterArtifact();
  const anvil = await freshAnvil({ blockTimeSec: BLOCK_TIME_SEC });
  const key = await newFundedKey(anvil.rpcUrl);
  const deploy = rawViemDeployer(anvil.rpcUrl, key.privateKey, artifact);
  const firstBlock = await nextBlock(anvil.rpcUrl);
  const start = now();
  for (let i = 0; i < n; i++) await deploy();
  const seconds = (now() - start) / 1000;
  const lastBlock = Number(await rpcCall<string>(anvil.rpcUrl, 'eth_blockNumber'));
  await anvil.release();
  return { deployments: n, seconds, perSecond: n / seconds, blocks: lastBlock - firstBlock };
}

/** hyperdeploy: N `submit()` calls at once, timed until every deployment is complete. */
export async function hyperdeployBurst(n: number): Promise<
  Run & {
    latency: ReturnType<typeof stats>;
    steps: Array<{ step: string; medianMs: number }>;
    phases: Record<string, number>;
    cpu: { nodeSec: number; anvilSec: number };
    rpc: { calls: number; byMethod: Record<string, number>; meanMs: number };
    signing: { windowMs: number; gapMedianMs: number };
  }
> {
  const artifact = await counterArtifact();
  const anvil = await freshAnvil({ blockTimeSec: BLOCK_TIME_SEC });
  const key = await newFundedKey(anvil.rpcUrl);
  const hd = openLibrary(tempDir(), anvil.rpcUrl, key.privateKey);
  const params = counterParams(artifact);
  // Warm the library (chain gate, fee-type probe, solc-free paths) with one deployment.
  await hd.deploy(params);
  const done = new Map<string, Deployment>();
  let resolveAll: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const ids = new Set<string>();
  const finishedAt = new Map<string, number>();
  const unsubscribe = hd.subscribe((_entry, deployment) => {
    if (!ids.has(deployment.id) || !isTerminal(deployment.status)) return;
    if (done.has(deployment.id)) return;
    done.set(deployment.id, deployment);
    finishedAt.set(deployment.id, now());
    if (done.size === n) resolveAll();
  });
  await nextBlock(anvil.rpcUrl);
  // Diagnostics: RPC calls (counted at fetch) and CPU time of this process and of anvil.
  const trace = traceFetch();
  const cpu0 = { node: process.cpuUsage(), anvil: cpuMs(anvil.process.pid) };
  const start = now();
  const submittedAt = new Map<string, number>();
  await Promise.all(
    Array.from({ length: n }, async () => {
      const { deployment } = await hd.submit(params);
      ids.add(deployment.id);
      submittedAt.set(deployment.id, now());
      // A deployment may have finished before its id was recorded (not at 1 s blocks, but be safe).
      const current = await hd.get(deployment.id);
      if (current && isTerminal(current.status) && !done.has(current.id)) {
        done.set(current.id, current);
        finishedAt.set(current.id, now());
        if (done.size === n) resolveAll();
      }
    }),
  );
  const submitted = now();
  await allDone;
  const seconds = (now() - start) / 1000;
  const nodeCpu = process.cpuUsage(cpu0.node);
  const cpu = {
    nodeSec: (nodeCpu.user + nodeCpu.system) / 1e6,
    anvilSec: (cpuMs(anvil.process.pid) - cpu0.anvil) / 1000,
  };
  trace.stop();
  const rpc = {
    calls: trace.calls(),
    byMethod: Object.fromEntries([...trace.byMethod.entries()].map(([m, e]) => [m, e.calls])),
    meanMs: trace.ms() / trace.calls(),
  };
  unsubscribe();
  const failed = [...done.values()].filter((d) => d.status !== 'complete');
  if (failed.length > 0)
    throw new Error(`${failed.length} deployments did not complete: ${failed[0]?.error?.code}`);
  const journals: JournalEntry[][] = [];
  for (const id of ids) journals.push(await hd.events(id));
  // When the last of the N reached each step, from the start (the pipeline's critical path).
  const phases: Record<string, number> = { all_submitted: submitted - start };
  const startWall = Date.now() - (now() - start);
  for (const journal of journals) {
    for (const entry of journal) {
      const t = Date.parse(entry.at) - startWall;
      if (t > (phases[`last_${entry.type}`] ?? Number.NEGATIVE_INFINITY))
        phases[`last_${entry.type}`] = t;
    }
  }
  // The nonce lock signs one deployment at a time: how fast did tx_signed events follow each other?
  const signedAt = journals
    .flatMap((j) => j.filter((e) => e.type === 'tx_signed').map((e) => Date.parse(e.at)))
    .sort((a, b) => a - b);
  const signing = {
    windowMs: (signedAt.at(-1) ?? 0) - (signedAt[0] ?? 0),
    gapMedianMs: stats(signedAt.slice(1).map((t, k) => t - (signedAt[k] as number))).median,
  };
  const minedBlocks = new Set(
    journals.flatMap((j) =>
      j.flatMap((e) => (e.type === 'tx_mined' ? [e.receipt.blockNumber] : [])),
    ),
  );
  const latency = stats(
    [...ids].map((id) => (finishedAt.get(id) ?? 0) - (submittedAt.get(id) ?? 0)),
  );
  await anvil.release();
  return {
    deployments: n,
    seconds,
    perSecond: n / seconds,
    blocks: minedBlocks.size,
    latency,
    steps: stepTable(journals),
    phases,
    cpu,
    rpc,
    signing,
  };
}

export async function runOneSigner(options: ScenarioOptions): Promise<ScenarioResult> {
  const n = options.quick ? 50 : 200;
  const sequentialN = options.quick ? 5 : 20;
  const hd = await hyperdeployBurst(n);
  options.log(`  hyperdeploy: ${n} in ${hd.seconds.toFixed(2)} s`);
  const limit = await presignedLimit(n);
  options.log(`  pre-signed limit: ${n} in ${limit.seconds.toFixed(2)} s`);
  const sequential = await sequentialLoop(sequentialN);
  options.log(`  sequential: ${sequentialN} in ${sequential.seconds.toFixed(2)} s`);

  const shareOfLimit = hd.perSecond / limit.perSecond;
  const vsSequential = hd.perSecond / sequential.perSecond;
  const row = (name: string, run: Run, extra: string) => [
    name,
    run.deployments,
    fmt(run.seconds, 2),
    fmt(run.perSecond, 1),
    run.blocks,
    extra,
  ];
  const phaseText = Object.entries(hd.phases)
    .sort((a, b) => a[1] - b[1])
    .map(([k, v]) => `${k} ${fmt(v, 0)}`)
    .join(' · ');
  const markdown = [
    mdTable(
      ['', 'deployments', 'seconds', 'deployments/s', 'blocks used', 'vs hyperdeploy'],
      [
        row(`hyperdeploy: ${n} × \`submit()\` at once`, hd, '1'),
        row(
          '(a) limit: pre-signed raw txs, broadcast at once',
          limit,
          `hyperdeploy = **${fmt(shareOfLimit * 100, 1)}%** of it`,
        ),
        row(
          '(b) sequential viem deploy + wait loop',
          sequential,
          `hyperdeploy = **${fmt(vsSequential, 1)}×** it`,
        ),
      ],
    ),
    '',
    `Anvil \`--block-time ${BLOCK_TIME_SEC}\`; every run starts right after a block. hyperdeploy per-deployment time (submit → complete): median ${fmt(hd.latency.median, 0)} ms, p95 ${fmt(hd.latency.p95, 0)} ms.`,
    '',
    `hyperdeploy critical path (ms from start until the last of the ${n} reached each step): ${phaseText}`,
    '',
    `hyperdeploy load during its run: this process used ${fmt(hd.cpu.nodeSec, 2)} s of CPU in ${fmt(hd.seconds, 2)} s (${fmt((hd.cpu.nodeSec / hd.seconds) * 100, 0)}% of one core; ${fmt((hd.cpu.nodeSec * 1000) / n, 1)} ms CPU per deployment), anvil ${fmt(hd.cpu.anvilSec, 2)} s; ${hd.rpc.calls} RPC calls (${fmt(hd.rpc.calls / n, 1)} per deployment: ${Object.entries(
      hd.rpc.byMethod,
    )
      .sort((a, b) => b[1] - a[1])
      .map(([m, c]) => `${m} ${c}`)
      .join(
        ', ',
      )}), mean RPC latency ${fmt(hd.rpc.meanMs, 1)} ms. Signing (one at a time under the nonce lock): the ${n} \`tx_signed\` events span ${fmt(hd.signing.windowMs, 0)} ms, median gap ${fmt(hd.signing.gapMedianMs, 1)} ms.`,
    '',
    `hyperdeploy steps (median ms from the previous journal event): ${hd.steps
      .map((s) => `${s.step} ${fmt(s.medianMs, 0)}`)
      .join(' · ')}`,
  ].join('\n');
  return {
    title: `2. One signer, ${n} deployments (1 s blocks)`,
    markdown,
    json: {
      deployments: n,
      shareOfLimit: round(shareOfLimit, 3),
      vsSequential: round(vsSequential, 1),
      hyperdeploy: {
        seconds: round(hd.seconds, 3),
        perSecond: round(hd.perSecond, 1),
        blocks: hd.blocks,
        latencyMedianMs: round(hd.latency.median),
        latencyP95Ms: round(hd.latency.p95),
        cpu: { nodeSec: round(hd.cpu.nodeSec, 2), anvilSec: round(hd.cpu.anvilSec, 2) },
        rpcCalls: hd.rpc.calls,
        rpcMeanMs: round(hd.rpc.meanMs, 1),
        signing: hd.signing,
        phasesMs: Object.fromEntries(Object.entries(hd.phases).map(([k, v]) => [k, round(v, 0)])),
      },
      limit: {
        seconds: round(limit.seconds, 3),
        perSecond: round(limit.perSecond, 1),
        blocks: limit.blocks,
      },
      sequential: {
        deployments: sequentialN,
        seconds: round(sequential.seconds, 3),
        perSecond: round(sequential.perSecond, 2),
        blocks: sequential.blocks,
      },
    },
  };
}
