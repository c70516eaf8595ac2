import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { PRESETS } from '../../chains/index.ts';
import type { ChainConfig } from '../../chains/types.ts';
import {
  type AnvilHardfork,
  type AnvilInstance,
  fundAccount,
  startAnvil,
} from '../../devchain/index.ts';
import { createHyperdeploy } from '../../hyperdeploy.ts';
import { compileSolidity } from '../../inputs/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { EXIT } from '../exit.ts';
import { elapsed, table } from '../format.ts';

const CONTRACTS_DIR = fileURLToPath(new URL('../../../contracts/', import.meta.url));

/** Local anvil chains that carry the ids and EVM rules of the three targets. */
const TARGETS: Array<{ preset: keyof typeof PRESETS; hardfork: AnvilHardfork }> = [
  { preset: 'metis-andromeda', hardfork: 'shanghai' },
  { preset: 'metis-sepolia', hardfork: 'shanghai' },
  { preset: 'hyperion-testnet', hardfork: 'cancun' },
];

/** The sample contracts: one without and one with constructor arguments. */
const SAMPLES = [
  { file: 'Counter.sol', args: [] },
  { file: 'Token.sol', args: ['Hyper Token', 'HYP', '1000000000000000000000000'] },
];

export interface DemoFlags {
  once?: boolean;
  db?: string;
  logLevel?: string;
}

/** Starts the local chains, deploys the samples to each, prints the results. */
export async function demoCommand(flags: DemoFlags): Promise<number> {
  const start = Date.now();
  const dbPath = resolve(flags.db ?? process.env.HYPERDEPLOY_DB ?? '.hyperdeploy/demo.db');
  const say = (text: string) => process.stdout.write(`${elapsed(start)}  ${text}\n`);

  say('starting local chains (anvil) for metis-andromeda, metis-sepolia, hyperion-testnet');
  const anvils = await Promise.all(
    TARGETS.map((target) =>
      startAnvil({
        chainId: PRESETS[target.preset].chainId,
        hardfork: target.hardfork,
        blockTimeSec: 0.5,
      }),
    ),
  );
  const privateKey = generatePrivateKey();
  const deployer = privateKeyToAccount(privateKey).address;
  await Promise.all(anvils.map((anvil) => fundAccount(anvil.rpcUrl, deployer, parseEther('100'))));
  say(`funded demo deployer ${deployer} on each chain`);

  const chains = Object.fromEntries(
    TARGETS.map((target, index) => {
      const preset: ChainConfig = structuredClone(PRESETS[target.preset]);
      const anvil = anvils[index] as AnvilInstance;
      return [target.preset, { ...preset, rpc: [anvil.rpcUrl], pollIntervalMs: 100 }];
    }),
  );
  const app = createHyperdeploy({
    db: dbPath,
    chains,
    privateKey,
    logger: createLogger({
      level: flags.logLevel ?? 'silent',
      destination: pino.destination({ fd: 2, sync: true }),
    }),
  });
  app.subscribe((entry, d) => {
    if (entry.type === 'tx_signed')
      say(
        `${d.chain.padEnd(16)} ${d.contractName.padEnd(8)} signed ${entry.tx.hash} nonce ${entry.tx.nonce}`,
      );
    if (entry.type === 'deployment_completed' || entry.type === 'deployment_failed') {
      say(
        `${d.chain.padEnd(16)} ${d.contractName.padEnd(8)} ${d.status}${d.error ? ` ${d.error.code}: ${d.error.message}` : ''}`,
      );
    }
  });

  try {
    const deployments = await Promise.all(
      TARGETS.flatMap((target) =>
        SAMPLES.map(async (sample) => {
          const artifact = await compileSolidity({
            file: resolve(CONTRACTS_DIR, sample.file),
            evmVersion: chains[target.preset]?.evmVersion ?? 'shanghai',
          });
          return app.deploy({
            chain: target.preset,
            bytecode: artifact.bytecode,
            abi: artifact.abi,
            contractName: artifact.contractName,
            args: sample.args,
            buildId: 'demo',
          });
        }),
      ),
    );
    const rows = deployments.map((d) => [
      d.chain,
      String(d.chainId),
      d.contractName,
      d.status,
      d.contractAddress ?? '-',
      d.blockNumber ?? '-',
      `${d.confirmations}/${d.requiredConfirmations}`,
      d.id,
    ]);
    process.stdout.write(
      `\n${table(['chain', 'chainId', 'contract', 'status', 'address', 'block', 'conf', 'id'], rows)}\n\n`,
    );
    process.stdout.write(`store: ${dbPath}\n`);
    process.stdout.write(
      `try:   npx hyperdeploy list --db ${dbPath}\n       npx hyperdeploy logs ${deployments[0]?.id} --db ${dbPath}\n`,
    );
    const ok = deployments.every((d) => d.status === 'complete');
    if (!flags.once) {
      process.stdout.write('\nlocal chains keep running: press Ctrl-C to stop\n');
      await new Promise<void>((done) => process.once('SIGINT', () => done()));
    }
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
    await Promise.all(anvils.map((anvil) => anvil.stop()));
  }
}
