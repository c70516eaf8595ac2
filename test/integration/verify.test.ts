import { fileURLToPath } from 'node:url';
import { getContractAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainConfig } from '../../src/chains/types.ts';
import type { Deployment } from '../../src/core/view.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import { type ContractArtifact, compileSolidity } from '../../src/inputs/index.ts';
import { fundedKey, startChain, type TestChain, tempDbPath } from '../harness/chains.ts';
import { type ExplorerStandIn, startExplorerStandIn } from '../harness/explorer/standin.ts';

const CONTRACTS = fileURLToPath(new URL('../../contracts/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('verification', () => {
  let chain: TestChain;
  let explorer: ExplorerStandIn;
  let token: ContractArtifact;
  const apps: Hyperdeploy[] = [];

  const appWith = async (
    options: {
      type?: 'etherscan' | 'blockscout-v2';
      budgetMs?: number;
      db?: string;
      privateKey?: `0x${string}`;
    } = {},
  ) => {
    const key = options.privateKey ? { privateKey: options.privateKey } : await fundedKey([chain]);
    const config: ChainConfig = {
      ...chain.config,
      explorer: {
        type: options.type ?? 'etherscan',
        api: options.type === 'blockscout-v2' ? explorer.baseUrl : explorer.apiUrl,
        url: explorer.baseUrl,
      },
    };
    const app = createHyperdeploy({
      db: options.db ?? tempDbPath(),
      chains: { 'metis-sepolia': config },
      privateKey: key.privateKey,
      verification: { budgetMs: options.budgetMs ?? 60_000, delaysMs: [100, 200] },
    });
    apps.push(app);
    return { app, privateKey: key.privateKey };
  };
  const deployToken = (
    app: Hyperdeploy,
    artifact = token,
    args: unknown[] = ['Verified', 'VRF', '1000'],
  ) =>
    app.deploy({
      chain: 'metis-sepolia',
      bytecode: artifact.bytecode,
      abi: artifact.abi,
      contractName: 'Token',
      args,
      source: artifact.source as never,
    });
  const settled = async (app: Hyperdeploy, id: string): Promise<Deployment> => {
    for (let i = 0; i < 400; i++) {
      const d = await app.get(id);
      if (d && d.verification.status !== 'pending') return d;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`verification of ${id} never settled`);
  };
  const requestsFor = (address: string) =>
    explorer
      .requests()
      .filter((r) => JSON.stringify(r).toLowerCase().includes(address.slice(2).toLowerCase()));

  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { blockTimeSec: 0.2 });
    explorer = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      notIndexedAttempts: 2,
      pendingPolls: 1,
    });
    token = await compileSolidity({ file: `${CONTRACTS}Token.sol`, evmVersion: 'shanghai' });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await explorer?.stop();
    await chain?.anvil.stop();
  });

  it.each(['etherscan', 'blockscout-v2'] as const)(
    'verifies a compiled .sol deployment on the %s API; complete comes first',
    async (type) => {
      const { app } = await appWith({ type });
      const deployment = await deployToken(app);
      expect(deployment.status).toBe('complete');
      expect(deployment.verification).toMatchObject({
        status: 'pending',
        localProof: { result: 'exact_match' },
      });

      const done = await settled(app, deployment.id);
      expect(done.verification).toMatchObject({
        status: 'verified',
        explorerUrl: `${explorer.baseUrl}/address/${deployment.contractAddress}`,
      });
      expect(done.verification.attempts).toBeGreaterThanOrEqual(2);
      expect(done.status).toBe('complete');
      expect(explorer.verified().has((deployment.contractAddress as string).toLowerCase())).toBe(
        true,
      );
      const types = (await app.events(deployment.id)).map((e) => e.type);
      expect(types.indexOf('deployment_completed')).toBeLessThan(
        types.indexOf('verification_succeeded'),
      );
    },
  );

  it('verifies constructor arguments of several types (uint, address, string, array)', async () => {
    const { app } = await appWith();
    const zoo = await compileSolidity({ file: `${FIXTURES}ArgsZoo.sol`, evmVersion: 'shanghai' });
    const args = [
      '123456789012345678901234567890',
      '0x000000000000000000000000000000000000dEaD',
      'a label with ünïcode',
      [1, 2, '3'],
    ];
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: zoo.bytecode,
      abi: zoo.abi,
      contractName: 'ArgsZoo',
      args,
      source: zoo.source as never,
    });
    const done = await settled(app, deployment.id);
    expect(done.verification.status).toBe('verified');
  });

  it('refuses a wrong source with a local mismatch, sending nothing to the explorer', async () => {
    const { app } = await appWith();
    const input = structuredClone(token.source?.standardJsonInput) as {
      sources: Record<string, { content: string }>;
    };
    for (const file of Object.values(input.sources))
      file.content = file.content.replace('decimals = 18;', 'decimals = 6;');
    const deployment = await deployToken(app, {
      ...token,
      source: {
        ...(token.source as NonNullable<ContractArtifact['source']>),
        standardJsonInput: input,
      },
    });
    expect(deployment.status).toBe('complete');
    expect(deployment.verification).toMatchObject({
      status: 'failed',
      localProof: { result: 'mismatch' },
    });
    expect(deployment.verification.reason).toMatch(/does not compile to the code on chain/);
    expect(requestsFor(deployment.contractAddress as string)).toHaveLength(0);
  });

  it('ends complete with verification failed and a clear reason when the explorer stays down past the budget', async () => {
    const down = await startExplorerStandIn({ rpcUrl: chain.anvil.rpcUrl });
    await down.stop();
    const { privateKey } = await fundedKey([chain]);
    const config: ChainConfig = {
      ...chain.config,
      explorer: { type: 'etherscan', api: down.apiUrl, url: down.baseUrl },
    };
    const app = createHyperdeploy({
      db: tempDbPath(),
      chains: { 'metis-sepolia': config },
      privateKey,
      verification: { budgetMs: 700, delaysMs: [100] },
    });
    apps.push(app);
    const deployment = await deployToken(app);
    expect(deployment.status).toBe('complete');
    const done = await settled(app, deployment.id);
    expect(done.status).toBe('complete');
    expect(done.verification.status).toBe('failed');
    expect(done.verification.reason).toMatch(/did not verify within 1 s; last answer: /);
  });

  it('verifies again by hand (`hyperdeploy verify <id>`) after running out of budget', async () => {
    const { app } = await appWith({ budgetMs: 2_500 });
    explorer.setRateLimit({ perSecond: 0 });
    const deployment = await deployToken(app);
    const failed = await settled(app, deployment.id);
    expect(failed.verification.status).toBe('failed');
    expect(failed.verification.reason).toMatch(/did not verify within/);
    explorer.setRateLimit(undefined);
    const verified = await app.verify(deployment.id);
    expect(verified.verification, verified.verification.reason).toMatchObject({
      status: 'verified',
      explorerUrl: expect.stringContaining(deployment.contractAddress as string),
    });
    expect((await app.events(deployment.id)).map((e) => e.type)).toContain(
      'verification_requested',
    );
  });

  it('counts "already verified" as success', async () => {
    const { privateKey, address } = await fundedKey([chain]);
    explorer.markVerified(getContractAddress({ from: address, nonce: 0n }), 'Token');
    const { app } = await appWith({ privateKey });
    const deployment = await deployToken(app);
    const done = await settled(app, deployment.id);
    expect(done.verification.status).toBe('verified');
    const succeeded = (await app.events(deployment.id)).find(
      (e) => e.type === 'verification_succeeded',
    );
    expect(succeeded).toMatchObject({ alreadyVerified: true });
  });

  it('resumes verification after a restart and finishes it', async () => {
    const db = tempDbPath();
    explorer.setIndexingDelay(1_500);
    const first = await appWith({ db });
    const deployment = await deployToken(first.app);
    expect(deployment.verification.status).toBe('pending');
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    explorer.setIndexingDelay(0);

    const { app } = await appWith({ db, privateKey: first.privateKey });
    await app.resume();
    const done = await settled(app, deployment.id);
    expect(done.verification.status).toBe('verified');
    const types = (await app.events(deployment.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'verification_deferred').length).toBeGreaterThanOrEqual(1);
  });
});
