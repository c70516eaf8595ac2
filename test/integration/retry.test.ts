import { createServer } from 'node:net';
import { parseEther } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/chains/index.ts';
import { type AnvilInstance, fundAccount, startAnvil } from '../../src/devchain/index.ts';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import { fundedKey, tempDbPath } from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('retries', () => {
  const anvils: AnvilInstance[] = [];
  afterAll(async () => {
    await Promise.all(anvils.map((anvil) => anvil.stop()));
  });

  const setup = async (retry: { maxRetries: number; delaysMs: number[] }) => {
    const port = await freePort();
    const chain = {
      ...structuredClone(PRESETS['metis-sepolia']),
      rpc: [`http://127.0.0.1:${port}`],
      pollIntervalMs: 20,
      confirmations: 1,
    };
    const { privateKey, address } = await fundedKey([], '0');
    const app = createHyperdeploy({
      db: tempDbPath(),
      chains: { 'metis-sepolia': chain },
      privateKey,
      retry: { ...retry, jitterRatio: 0 },
    });
    const counter = await sample('Counter.sol');
    return {
      app,
      port,
      address,
      params: {
        chain: 'metis-sepolia',
        bytecode: counter.bytecode,
        abi: counter.abi,
        contractName: 'Counter',
      },
    };
  };

  it('retries an unreachable RPC with the scheduled delays, then completes when it comes back', async () => {
    // Generous retries: on a loaded machine anvil may take a while to come up.
    const { app, port, address, params } = await setup({
      maxRetries: 6,
      delaysMs: [200, 500, 1000],
    });
    let scheduled = 0;
    app.subscribe((entry) => {
      if (entry.type !== 'retry_scheduled' || ++scheduled !== 1) return;
      // The node comes up during the first wait.
      void startAnvil({ chainId: 59902, hardfork: 'shanghai', port }).then(async (anvil) => {
        anvils.push(anvil);
        await fundAccount(anvil.rpcUrl, address, parseEther('1'));
      });
    });
    const deployment = await app.deploy(params);
    expect(deployment.status).toBe('complete');
    expect(deployment.retryCount).toBeGreaterThanOrEqual(1);
    expect(deployment.error).toBeNull();
    const events = await app.events(deployment.id);
    const first = events.find((e) => e.type === 'retry_scheduled');
    if (first?.type !== 'retry_scheduled') throw new Error('no retry_scheduled');
    expect(first.error).toMatchObject({ code: 'RPC_UNAVAILABLE', retryable: true, attempt: 0 });
    expect(Date.parse(first.nextAttemptAt) - Date.parse(first.at)).toBe(200);
    expect(events.filter((e) => e.type === 'tx_signed')).toHaveLength(1);
    await app.close();
  });

  it('fails after the configured number of retries, keeping the last error', async () => {
    const { app, params } = await setup({ maxRetries: 2, delaysMs: [10] });
    const deployment = await app.deploy(params);
    expect(deployment.status).toBe('failed');
    expect(deployment.retryCount).toBe(2);
    expect(deployment.error).toMatchObject({ code: 'RPC_UNAVAILABLE', attempt: 2 });
    const types = (await app.events(deployment.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'retry_scheduled')).toHaveLength(2);
    expect(types.filter((t) => t === 'retry_started')).toHaveLength(2);
    expect(types.at(-1)).toBe('deployment_failed');
    await app.close();
  });
});

describe('cancel', () => {
  it('cancels a journaled deployment before signing, and refuses once it is finished', async () => {
    const { privateKey } = await fundedKey([], '0');
    const chain = { ...structuredClone(PRESETS['metis-sepolia']), rpc: ['http://127.0.0.1:1'] };
    const app = createHyperdeploy({
      db: tempDbPath(),
      chains: { 'metis-sepolia': chain },
      privateKey,
    });
    const counter = await sample('Counter.sol');
    const created = await app.create({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
    });
    expect(created.status).toBe('pending');
    const cancelled = await app.cancel(created.id);
    expect(cancelled.status).toBe('cancelled');
    // A run of a cancelled deployment does nothing.
    expect((await app.run(created.id)).status).toBe('cancelled');
    await expect(app.cancel(created.id)).rejects.toMatchObject({ code: 'CANCEL_NOT_ALLOWED' });
    await expect(app.cancel('dep_missing')).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' });
    expect((await app.events(created.id)).map((e) => e.type)).toEqual([
      'deployment_created',
      'deployment_cancelled',
    ]);
    await app.close();
  });
});
