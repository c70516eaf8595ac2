import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import {
  chainsByName,
  fundedKey,
  reader,
  startChain,
  type TestChain,
  tempDbPath,
} from '../harness/chains.ts';
import { counterDeployArgs, runCli } from '../harness/cli.ts';
import { sample } from '../harness/contracts.ts';

describe('many deployments from one signer', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { blockTimeSec: 0.5 });
  });
  afterAll(async () => {
    await chain?.anvil.stop();
  });

  it('gives 20 concurrent library deployments distinct, gap-free nonces, all sent before the first confirms', async () => {
    const { privateKey, address } = await fundedKey([chain]);
    const app = createHyperdeploy({ db: tempDbPath(), chains: chainsByName(chain), privateKey });
    const counter = await sample('Counter.sol');
    const deployments = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.deploy({
          chain: 'metis-sepolia',
          bytecode: counter.bytecode,
          abi: counter.abi,
          buildId: `b${i}`,
        }),
      ),
    );

    expect(deployments.every((d) => d.status === 'complete')).toBe(true);
    expect(deployments.map((d) => d.nonce).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    const client = reader(chain);
    expect(await client.getTransactionCount({ address })).toBe(20);
    const codes = await Promise.all(
      deployments.map((d) => client.getCode({ address: d.contractAddress as `0x${string}` })),
    );
    expect(codes.every((code) => code?.startsWith('0x60'))).toBe(true);
    // Pipelined: mined in a few blocks, not one block per deployment.
    const blocks = new Set(deployments.map((d) => d.blockNumber));
    expect(blocks.size).toBeLessThan(10);
    await app.close();
  });

  it('gives concurrent `hyperdeploy deploy` processes on one store distinct, gap-free nonces', async () => {
    const { privateKey, address } = await fundedKey([chain]);
    const db = tempDbPath();
    const args = counterDeployArgs(chain.anvil.rpcUrl, db, '--json');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runCli(args, { HYPERDEPLOY_PRIVATE_KEY: privateKey })),
    );

    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const nonces = results.map((r) => JSON.parse(r.stdout).nonce).sort();
    expect(nonces).toEqual([0, 1, 2, 3]);
    expect(await reader(chain).getTransactionCount({ address })).toBe(4);
  });
});
