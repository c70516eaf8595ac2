import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSolidity } from '../../src/inputs/index.ts';
import { reader } from '../harness/chains.ts';
import {
  appThroughProxy,
  counterParams,
  type FaultyChain,
  startFaultyChain,
} from '../harness/faulty-chain.ts';

describe('RPC faults and node refusals', () => {
  let faulty: FaultyChain;
  beforeAll(async () => {
    faulty = await startFaultyChain();
  });
  afterAll(async () => {
    await faulty?.stop();
  });

  it('rides out 429s, timeouts, resets and 5xx, then completes with one transaction', async () => {
    const { app, address } = await appThroughProxy(faulty);
    faulty.proxy.failNext('eth_chainId', 'http429', 1);
    faulty.proxy.failNext('eth_estimateGas', 'timeout', 1);
    faulty.proxy.failNext('eth_getBalance', 'reset', 2);
    faulty.proxy.failNext('eth_sendRawTransaction', 'http503', 1);
    faulty.proxy.failNext('eth_getTransactionReceipt', 'rpcError', 3);
    const deployment = await app.deploy(await counterParams());

    expect(deployment.status).toBe('complete');
    const stats = faulty.proxy.stats();
    expect(stats.http429).toBeGreaterThanOrEqual(1);
    expect(stats.timeout).toBeGreaterThanOrEqual(1);
    expect(stats.reset).toBeGreaterThanOrEqual(2);
    expect(stats.http503).toBeGreaterThanOrEqual(1);
    expect(await reader(faulty.chain).getTransactionCount({ address })).toBe(1);
    await app.close();
  });

  it('adapts to the gas price band a Metis node names, and the transaction is mined at that price', async () => {
    const { app } = await appThroughProxy(faulty);
    const price = (await reader(faulty.chain).getGasPrice()) * 2n;
    faulty.proxy.rejectSend(
      `gas price too low: 1000 wei, use at least tx.gasPrice = ${price} wei`,
      1,
    );
    const deployment = await app.deploy(await counterParams());

    expect(deployment.status).toBe('complete');
    expect(deployment.txHashes).toHaveLength(2);
    const tx = await reader(faulty.chain).getTransaction({
      hash: deployment.txHash as `0x${string}`,
    });
    expect(tx.gasPrice).toBe(price);
    expect(tx.nonce).toBe(deployment.nonce);
    const types = (await app.events(deployment.id)).map((e) => e.type);
    expect(types).toContain('tx_rejected');
    expect(deployment.retryCount).toBe(0);
    await app.close();
  });

  it('refuses Cancun bytecode for a Metis preset with UNSUPPORTED_OPCODE, sending nothing', async () => {
    const { app, address } = await appThroughProxy(faulty);
    const file = fileURLToPath(new URL('../fixtures/Mcopy.sol', import.meta.url));
    const mcopy = await compileSolidity({ file, evmVersion: 'cancun' });
    const before = faulty.proxy.stats()['requests.eth_sendRawTransaction'] ?? 0;
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: mcopy.bytecode,
      abi: mcopy.abi,
      contractName: 'Mcopy',
      args: ['0x1234'],
    });

    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatchObject({
      code: 'UNSUPPORTED_OPCODE',
      retryable: false,
      step: 'compiling',
    });
    expect(deployment.error?.message).toContain('MCOPY');
    expect(deployment.error?.hint).toContain('shanghai');
    expect(deployment.retryCount).toBe(0);
    expect(faulty.proxy.stats()['requests.eth_sendRawTransaction'] ?? 0).toBe(before);
    expect(await reader(faulty.chain).getTransactionCount({ address })).toBe(0);
    // The same source compiled for shanghai deploys.
    const shanghai = await compileSolidity({ file, evmVersion: 'shanghai' });
    const ok = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: shanghai.bytecode,
      abi: shanghai.abi,
      args: ['0x1234'],
    });
    expect(ok.status).toBe('complete');
    await app.close();
  });

  it('refuses runtime code over 24,576 bytes from the simulation, sending nothing and not retrying', async () => {
    const { app, address } = await appThroughProxy(faulty);
    // Creation code that returns 24,577 zero bytes as the runtime code.
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: '0x6160016000f3',
      abi: [],
      contractName: 'Huge',
    });
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatchObject({ code: 'CODE_SIZE_EXCEEDED', retryable: false });
    expect(deployment.error?.message).toContain('24,576 bytes');
    expect(deployment.retryCount).toBe(0);
    expect(await reader(faulty.chain).getTransactionCount({ address })).toBe(0);
    await app.close();
  });
});
