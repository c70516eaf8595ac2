import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresetName } from '../../src/chains/index.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import {
  chainsByName,
  fundedKey,
  reader,
  startChain,
  type TestChain,
  tempDbPath,
} from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';

const TARGETS: PresetName[] = ['metis-andromeda', 'metis-sepolia', 'hyperion-testnet'];
const SUPPLY = 1_000_000n * 10n ** 18n;

describe('deploy to each target identity', () => {
  let chains: TestChain[];
  let app: Hyperdeploy;
  let deployer: `0x${string}`;
  let privateKey: `0x${string}`;
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    chains = await Promise.all(
      TARGETS.map((preset) => startChain(preset, { confirmations: 2, blockTimeSec: 0.2 })),
    );
    ({ privateKey, address: deployer } = await fundedKey(chains));
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    app = createHyperdeploy({
      db: tempDbPath(),
      chains: chainsByName(...chains),
      privateKey,
      logger: createLogger({ level: 'info', destination }),
    });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(chains.map((c) => c.anvil.stop()));
  });

  it.each(TARGETS)('deploys Token with constructor args to %s', async (preset) => {
    const chain = chains.find((c) => c.config.name === preset) as TestChain;
    const token = await sample('Token.sol', chain.config.evmVersion);
    const deployment = await app.deploy({
      chain: preset,
      bytecode: token.bytecode,
      abi: token.abi,
      contractName: 'Token',
      args: ['Hyper Token', 'HYP', SUPPLY.toString()],
      buildId: `build-${preset}`,
    });

    expect(deployment).toMatchObject({
      status: 'complete',
      chainId: chain.config.chainId,
      error: null,
      retryCount: 0,
    });
    expect(deployment.confirmations).toBeGreaterThanOrEqual(2);
    const client = reader(chain);
    const address = deployment.contractAddress as `0x${string}`;
    expect(await client.getCode({ address })).toMatch(/^0x[0-9a-f]{100,}/);
    // The constructor arguments reached the chain.
    const read = (functionName: 'name' | 'symbol' | 'balanceOf', args: unknown[] = []) =>
      client.readContract({ address, abi: token.abi, functionName, args } as never);
    expect(await read('name')).toBe('Hyper Token');
    expect(await read('balanceOf', [deployer])).toBe(SUPPLY);
    // Exactly one transaction from the deployer on this chain.
    expect(await client.getTransactionCount({ address: deployer })).toBe(1);
    const tx = await client.getTransaction({ hash: deployment.txHash as `0x${string}` });
    expect(tx.from.toLowerCase()).toBe(deployer.toLowerCase());
    expect(tx.nonce).toBe(0);
    // Metis presets send legacy transactions.
    expect(tx.type).toBe('legacy');

    const events = await app.events(deployment.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
    const types = events.map((e) => e.type);
    expect(types.indexOf('tx_signed')).toBeLessThan(types.indexOf('tx_broadcast'));
    expect(types).toEqual(
      expect.arrayContaining([
        'gas_estimated',
        'tx_mined',
        'confirmations_reached',
        'deployment_completed',
      ]),
    );
  });

  it('writes a JSON log line with the fixed fields for every journal event, without the key', async () => {
    const [first] = (await app.list({ limit: 1 })).items;
    const events = await app.events(first?.id as string);
    const lines = logLines.filter((line) => line.deploymentId === first?.id);
    expect(lines).toHaveLength(events.length);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining([
          'time',
          'level',
          'event',
          'deploymentId',
          'buildId',
          'chainId',
          'status',
          'attempt',
        ]),
      );
    }
    const all = JSON.stringify(logLines);
    expect(all).not.toContain(privateKey.slice(2));
  });

  it('lists deployments newest first with filters and cursor pages', async () => {
    const all = await app.list({});
    expect(all.items).toHaveLength(3);
    const byBuild = await app.list({ buildId: 'build-metis-sepolia' });
    expect(byBuild.items.map((d) => d.chain)).toEqual(['metis-sepolia']);
    const page1 = await app.list({ limit: 2 });
    const page2 = await app.list({ limit: 2, cursor: page1.nextCursor as string });
    expect([...page1.items, ...page2.items].map((d) => d.id)).toEqual(all.items.map((d) => d.id));
    expect(page2.nextCursor).toBeNull();
  });
});

describe('EIP-1559 chains', () => {
  it('sends a type-2 transaction on the local preset, with fees from the chain', async () => {
    const chain = await startChain('local');
    try {
      const { privateKey } = await fundedKey([chain]);
      const app = createHyperdeploy({ db: tempDbPath(), chains: chainsByName(chain), privateKey });
      const counter = await sample('Counter.sol', 'cancun');
      const deployment = await app.deploy({
        chain: 31337,
        bytecode: counter.bytecode,
        abi: counter.abi,
        contractName: 'Counter',
      });
      expect(deployment.status).toBe('complete');
      const tx = await reader(chain).getTransaction({ hash: deployment.txHash as `0x${string}` });
      expect(tx.type).toBe('eip1559');
      const estimated = (await app.events(deployment.id)).find((e) => e.type === 'gas_estimated');
      expect(estimated).toMatchObject({ fees: { type: 'eip1559' } });
      expect(tx.maxFeePerGas?.toString()).toBe(
        estimated?.type === 'gas_estimated' && estimated.fees.type === 'eip1559'
          ? estimated.fees.maxFeePerGas
          : 'missing',
      );
      await app.close();
    } finally {
      await chain.anvil.stop();
    }
  });
});
