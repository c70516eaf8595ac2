import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import type { DeployParams } from '../../src/prepare.ts';
import {
  chainsByName,
  fundedKey,
  reader,
  startChain,
  type TestChain,
  tempDbPath,
} from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';

describe('failures are specific, and nothing is sent', () => {
  let chain: TestChain;
  const apps: Hyperdeploy[] = [];

  const appWith = async (options: { eth?: string; rpc?: string[]; retries?: number } = {}) => {
    const { privateKey, address } = await fundedKey([chain], options.eth ?? '10');
    const config = { ...chain.config, ...(options.rpc ? { rpc: options.rpc } : {}) };
    const app = createHyperdeploy({
      db: tempDbPath(),
      chains: chainsByName({ ...chain, config }),
      privateKey,
      retry: { maxRetries: options.retries ?? 3, delaysMs: [10, 10, 10] },
    });
    apps.push(app);
    return { app, address };
  };
  const nonceOf = (address: `0x${string}`) =>
    reader(chain).getTransactionCount({ address, blockTag: 'pending' });

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await chain.anvil.stop();
  });

  it('fails a reverting constructor with TX_REVERTED and the decoded custom error, without retries', async () => {
    const { app, address } = await appWith();
    const reverting = await sample('Reverting.sol');
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: reverting.bytecode,
      abi: reverting.abi,
      contractName: 'Reverting',
      args: [7],
    });

    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatchObject({
      code: 'TX_REVERTED',
      step: 'estimating_gas',
      retryable: false,
    });
    expect(deployment.error?.message).toBe(
      `Reverting constructor reverted with custom error NotAllowed("${address}", 7) (in simulation; nothing was sent).`,
    );
    expect(deployment.retryCount).toBe(0);
    const types = (await app.events(deployment.id)).map((e) => e.type);
    expect(types).not.toContain('retry_scheduled');
    expect(types).not.toContain('tx_signed');
    expect(await nonceOf(address)).toBe(0);
  });

  it('deploys the same contract when the constructor accepts its argument', async () => {
    const { app } = await appWith();
    const reverting = await sample('Reverting.sol');
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: reverting.bytecode,
      abi: reverting.abi,
      args: [42],
    });
    expect(deployment.status).toBe('complete');
  });

  it('fails INSUFFICIENT_FUNDS with the balance and the amount needed, before signing', async () => {
    const { app, address } = await appWith({ eth: '0' });
    const counter = await sample('Counter.sol');
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
      contractName: 'Counter',
    });

    expect(deployment.status).toBe('failed');
    expect(deployment.error?.code).toBe('INSUFFICIENT_FUNDS');
    expect(deployment.error?.message).toMatch(
      new RegExp(
        `^${address} has 0 tMETIS on chain 59902; this deployment needs about 0\\.\\d+ tMETIS \\(gas [\\d,]+ × [\\d.]+ gwei\\)\\.$`,
      ),
    );
    expect(deployment.error?.hint).toMatch(
      new RegExp(`^Send at least 0\\.\\d+ tMETIS to ${address} on Metis Sepolia`),
    );
    expect(deployment.retryCount).toBe(0);
    expect(await nonceOf(address)).toBe(0);
  });

  it('fails CHAIN_ID_MISMATCH when the RPC serves another chain, without leaking RPC secrets', async () => {
    const other = await startChain('metis-andromeda');
    try {
      const secretRpc = `${other.anvil.rpcUrl}/?apikey=SECRETKEY0123456789abcdef`;
      const { app, address } = await appWith({ rpc: [secretRpc] });
      const counter = await sample('Counter.sol');
      const deployment = await app.deploy({
        chain: 'metis-sepolia',
        bytecode: counter.bytecode,
        abi: counter.abi,
      });
      expect(deployment.status).toBe('failed');
      expect(deployment.error?.code).toBe('CHAIN_ID_MISMATCH');
      expect(deployment.error?.message).toMatch(
        /serves chain 1088, but metis-sepolia is chain 59902/,
      );
      const journal = JSON.stringify(await app.events(deployment.id));
      expect(journal).not.toContain('SECRETKEY0123456789abcdef');
      expect(await reader(other).getTransactionCount({ address })).toBe(0);
    } finally {
      await other.anvil.stop();
    }
  });

  it.each([
    ['odd-length bytecode', { bytecode: '0x600' }, 'INVALID_BYTECODE'],
    ['non-hex bytecode', { bytecode: '0x60zz' }, 'INVALID_BYTECODE'],
    ['empty bytecode', { bytecode: '0x' }, 'INVALID_BYTECODE'],
    ['an ABI that is not an array', { abi: { type: 'constructor' } }, 'INVALID_ABI'],
    ['too few constructor args', { args: ['Only name'] }, 'CONSTRUCTOR_ARGS_INVALID'],
    ['a string for a uint256', { args: ['N', 'S', 'lots'] }, 'CONSTRUCTOR_ARGS_INVALID'],
    ['an unknown chain', { chain: 'metis-mainnet' }, 'UNKNOWN_CHAIN'],
  ] as const)('rejects %s before anything is stored', async (_case, override, code) => {
    const { app, address } = await appWith();
    const token = await sample('Token.sol');
    const params = {
      chain: 'metis-sepolia',
      bytecode: token.bytecode as string,
      abi: token.abi as unknown,
      contractName: 'Token',
      args: ['N', 'S', '1'] as unknown[],
      ...override,
    };
    await expect(app.deploy(params as DeployParams)).rejects.toMatchObject({
      code,
      hint: expect.any(String),
    });
    expect((await app.list({})).items).toHaveLength(0);
    expect(await nonceOf(address)).toBe(0);
  });

  it('names the parameter of a bad constructor argument', async () => {
    const { app } = await appWith();
    const token = await sample('Token.sol');
    await expect(
      app.deploy({
        chain: 'metis-sepolia',
        bytecode: token.bytecode,
        abi: token.abi,
        contractName: 'Token',
        args: ['N', 'S', 'lots'],
      }),
    ).rejects.toThrow(/initialSupply/);
    await expect(
      app.deploy({
        chain: 'metis-sepolia',
        bytecode: token.bytecode,
        abi: token.abi,
        contractName: 'Token',
        args: ['N'],
      }),
    ).rejects.toThrow(
      'Token constructor takes 3 arguments (string name_, string symbol_, uint256 initialSupply); got 1.',
    );
  });
});
