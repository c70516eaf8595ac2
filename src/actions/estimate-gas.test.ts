import { describe, expect, it } from 'vitest';
import type { ChainConfig } from '../chains/types.ts';
import { stateIn } from '../core/fixtures.ts';
import type { Fees } from '../core/types.ts';
import type { ChainClient, SimulationResult } from '../ports/chain-client.ts';
import type { ActionContext } from './context.ts';
import { estimateGas } from './estimate-gas.ts';

const chain = (txType: 'legacy' | 'eip1559'): ChainConfig => ({
  name: 'local',
  chainId: 1,
  displayName: 'Local',
  currency: { symbol: 'ETH', decimals: 18 },
  rpc: ['http://127.0.0.1:1'],
  txType,
  evmVersion: 'shanghai',
  confirmations: 1,
  pollIntervalMs: 10,
});

/** A promise settled by the test, to see which reads were asked for before any answer. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Reads {
  simulation: ReturnType<typeof deferred<SimulationResult>>;
  fees: ReturnType<typeof deferred<Fees>>;
  balance: ReturnType<typeof deferred<bigint>>;
  estimate: (gasPrice: bigint | undefined) => Promise<bigint>;
}

function setup(txType: 'legacy' | 'eip1559', estimate: Reads['estimate']) {
  const reads: Reads = {
    simulation: deferred<SimulationResult>(),
    fees: deferred<Fees>(),
    balance: deferred<bigint>(),
    estimate,
  };
  const asked: string[] = [];
  const estimatedAt: Array<bigint | undefined> = [];
  const client = {
    simulateDeploy: () => {
      asked.push('simulate');
      return reads.simulation.promise;
    },
    getFees: () => {
      asked.push('fees');
      return reads.fees.promise;
    },
    getBalance: () => {
      asked.push('balance');
      return reads.balance.promise;
    },
    estimateDeployGas: (params: { gasPrice?: bigint }) => {
      asked.push('estimate');
      estimatedAt.push(params.gasPrice);
      return reads.estimate(params.gasPrice);
    },
  } as unknown as ChainClient;
  const clock = { now: () => new Date('2026-01-01T00:00:00Z'), sleep: async () => {} };
  const ctx = {
    state: stateIn('estimating_gas'),
    chain: chain(txType),
    client,
    clock,
  } as unknown as ActionContext;
  return { ctx, reads, asked, estimatedAt };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('estimateGas', () => {
  it('asks for the simulation, fees, balance and (EIP-1559) the estimate together', async () => {
    const { ctx, reads, asked, estimatedAt } = setup('eip1559', async () => 100n);
    const result = estimateGas(ctx);
    await flush();
    // Nothing has answered yet, and every read is out.
    expect([...asked].sort()).toEqual(['balance', 'estimate', 'fees', 'simulate']);
    reads.simulation.resolve({ ok: true });
    reads.fees.resolve({ type: 'eip1559', maxFeePerGas: '10', maxPriorityFeePerGas: '1' });
    reads.balance.resolve(10_000n);
    const { events } = await result;
    expect(events).toEqual([
      expect.objectContaining({
        type: 'gas_estimated',
        estimatedGas: '100',
        gasLimit: '120',
        fees: { type: 'eip1559', maxFeePerGas: '10', maxPriorityFeePerGas: '1' },
      }),
    ]);
    expect(estimatedAt).toEqual([undefined]);
  });

  it('on a legacy chain, estimates at the gas price it will send with, after the fees', async () => {
    const { ctx, reads, asked, estimatedAt } = setup('legacy', async () => 100n);
    const result = estimateGas(ctx);
    await flush();
    expect([...asked].sort()).toEqual(['balance', 'fees', 'simulate']);
    reads.fees.resolve({ type: 'legacy', gasPrice: '7' });
    reads.simulation.resolve({ ok: true });
    reads.balance.resolve(10_000n);
    await result;
    expect(estimatedAt).toEqual([7n]);
  });

  it('estimates again at the price when an EIP-1559 chain answers legacy fees', async () => {
    const { ctx, reads, estimatedAt } = setup('eip1559', async (price) => (price ? 200n : 100n));
    const result = estimateGas(ctx);
    reads.fees.resolve({ type: 'legacy', gasPrice: '7' });
    reads.simulation.resolve({ ok: true });
    reads.balance.resolve(10_000n);
    const { events } = await result;
    expect(estimatedAt).toEqual([undefined, 7n]);
    expect(events[0]).toMatchObject({ estimatedGas: '200' });
  });

  it('reports a reverting constructor as TX_REVERTED even when the other reads failed', async () => {
    const { ctx, reads } = setup('eip1559', async () => {
      throw new Error('execution reverted');
    });
    const result = estimateGas(ctx);
    reads.balance.reject(new Error('connection reset'));
    reads.fees.reject(new Error('connection reset'));
    reads.simulation.resolve({ ok: false, revertData: null, message: 'reverted' });
    await expect(result).rejects.toMatchObject({ code: 'TX_REVERTED' });
  });

  it('throws the first failed read in the order of the checks', async () => {
    const { ctx, reads } = setup('eip1559', async () => 100n);
    const result = estimateGas(ctx);
    reads.balance.reject(new Error('balance read failed'));
    reads.simulation.resolve({ ok: true });
    reads.fees.reject(new Error('fees read failed'));
    await expect(result).rejects.toThrow('fees read failed');
  });

  it('refuses with INSUFFICIENT_FUNDS when the balance cannot pay gas × price', async () => {
    const { ctx, reads } = setup('legacy', async () => 100n);
    const result = estimateGas(ctx);
    reads.simulation.resolve({ ok: true });
    reads.fees.resolve({ type: 'legacy', gasPrice: '10' });
    reads.balance.resolve(1_199n); // needs 120 × 10
    await expect(result).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      details: { needed: '1200', balance: '1199' },
    });
  });
});
