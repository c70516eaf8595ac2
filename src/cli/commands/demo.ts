import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { PRESETS } from '../../chains/index.ts';
import type { ChainConfig } from '../../chains/types.ts';
import type { Deployment } from '../../core/view.ts';
import {
  type AnvilHardfork,
  type AnvilInstance,
  fundAccount,
  startAnvil,
} from '../../devchain/index.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../hyperdeploy.ts';
import { type ContractArtifact, compileSolidity } from '../../inputs/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { buildServer } from '../../server/app.ts';
import { EXIT } from '../exit.ts';
import { elapsed, table } from '../format.ts';

const CONTRACTS_DIR = fileURLToPath(new URL('../../../contracts/', import.meta.url));

/** Local anvil chains that carry the ids and EVM rules of the three targets. */
const TARGETS: Array<{ preset: keyof typeof PRESETS; hardfork: AnvilHardfork }> = [
  { preset: 'metis-andromeda', hardfork: 'shanghai' },
  { preset: 'metis-sepolia', hardfork: 'shanghai' },
  { preset: 'hyperion-testnet', hardfork: 'cancun' },
];

/** The samples: one without and one with constructor arguments on every chain, and one that fails on purpose. */
const SAMPLES = [
  {
    file: 'Counter.sol',
    args: [] as unknown[],
    chains: TARGETS.map((t) => t.preset),
    expect: 'complete',
  },
  {
    file: 'Token.sol',
    args: ['Hyper Token', 'HYP', '1000000000000000000000000'],
    chains: TARGETS.map((t) => t.preset),
    expect: 'complete',
  },
  { file: 'Reverting.sol', args: [7], chains: ['metis-sepolia'], expect: 'failed' },
];

export interface DemoFlags {
  once?: boolean;
  db?: string;
  port: number;
  logLevel?: string;
}

/** Starts the local chains and the dashboard, deploys the samples to each chain, prints the results. */
export async function demoCommand(flags: DemoFlags): Promise<number> {
  const start = Date.now();
  const dbPath = resolve(flags.db ?? process.env.HYPERDEPLOY_DB ?? '.hyperdeploy/demo.db');
  const say = (text: string) => process.stdout.write(`${elapsed(start)}  ${text}\n`);

  say('starting local chains (anvil) for metis-andromeda, metis-sepolia, hyperion-testnet');
  const anvils = await Promise.all(
    TARGETS.map((t) =>
      startAnvil({ chainId: PRESETS[t.preset].chainId, hardfork: t.hardfork, blockTimeSec: 0.5 }),
    ),
  );
  const privateKey = generatePrivateKey();
  const deployer = privateKeyToAccount(privateKey).address;
  await Promise.all(anvils.map((anvil) => fundAccount(anvil.rpcUrl, deployer, parseEther('100'))));
  say(`funded demo deployer ${deployer} on each chain`);

  const chains: Record<string, ChainConfig> = Object.fromEntries(
    TARGETS.map((t, index) => [
      t.preset,
      {
        ...structuredClone(PRESETS[t.preset]),
        rpc: [(anvils[index] as AnvilInstance).rpcUrl],
        pollIntervalMs: 100,
      },
    ]),
  );
  const logger = createLogger({
    level: flags.logLevel ?? 'silent',
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const hd = createHyperdeploy({ db: dbPath, chains, privateKey, logger });
  const server = await buildServer({ hd, chains, logger, samples: true });
  const url = await server
    .listen({ host: '127.0.0.1', port: flags.port })
    .catch(() => server.listen({ host: '127.0.0.1', port: 0 }));
  say(`dashboard: ${url}`);
  hd.subscribe((entry, d) => {
    if (entry.type === 'tx_signed')
      say(
        `${d.chain.padEnd(16)} ${d.contractName.padEnd(9)} signed ${entry.tx.hash} nonce ${entry.tx.nonce}`,
      );
    if (entry.type === 'deployment_completed' || entry.type === 'deployment_failed') {
      say(
        `${d.chain.padEnd(16)} ${d.contractName.padEnd(9)} ${d.status}${d.error ? ` ${d.error.code}: ${d.error.message}` : ''}`,
      );
    }
  });

  try {
    const runs = await deploySamples(hd, chains);
    const rows = runs.map(({ deployment: d, expected }) => [
      d.chain,
      String(d.chainId),
      d.contractName,
      d.status + (expected === 'failed' ? ' (on purpose)' : ''),
      d.contractAddress ?? d.error?.code ?? '-',
      d.blockNumber ?? '-',
      d.id,
    ]);
    process.stdout.write(
      `\n${table(['chain', 'chainId', 'contract', 'status', 'address / error', 'block', 'id'], rows)}\n\n`,
    );
    process.stdout.write(`store:     ${dbPath}\ndashboard: ${url}\n`);
    process.stdout.write(
      `try:       npx hyperdeploy logs ${runs[0]?.deployment.id} --db ${dbPath}\n`,
    );
    const ok = runs.every(({ deployment, expected }) => deployment.status === expected);
    if (!flags.once) {
      process.stdout.write('\nthe chains and the dashboard keep running: press Ctrl-C to stop\n');
      await new Promise<void>((done) => process.once('SIGINT', () => done()));
    }
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    await server.close();
    await hd.close();
    await Promise.all(anvils.map((anvil) => anvil.stop()));
  }
}

async function deploySamples(hd: Hyperdeploy, chains: Record<string, ChainConfig>) {
  const compiled = new Map<string, Promise<ContractArtifact>>();
  const compile = (file: string, evmVersion: string) => {
    const key = `${file}@${evmVersion}`;
    if (!compiled.has(key))
      compiled.set(key, compileSolidity({ file: CONTRACTS_DIR + file, evmVersion }));
    return compiled.get(key) as Promise<ContractArtifact>;
  };
  return Promise.all(
    SAMPLES.flatMap((sample) =>
      sample.chains.map(async (chain): Promise<{ deployment: Deployment; expected: string }> => {
        const artifact = await compile(sample.file, chains[chain]?.evmVersion ?? 'shanghai');
        const deployment = await hd.deploy({
          chain,
          bytecode: artifact.bytecode,
          abi: artifact.abi,
          contractName: artifact.contractName,
          args: sample.args,
          buildId: 'demo',
        });
        return { deployment, expected: sample.expect };
      }),
    ),
  );
}
