import type { ChainConfig } from '../../src/chains/types.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import { chainsByName, fundedKey, startChain, type TestChain, tempDbPath } from './chains.ts';
import { sample } from './contracts.ts';
import { type ChaosProxy, startChaosProxy } from './proxy/index.ts';

export interface FaultyChain {
  chain: TestChain;
  proxy: ChaosProxy;
  stop(): Promise<void>;
}

/** A real anvil (metis-sepolia identity) behind the fault-injecting proxy. */
export async function startFaultyChain(
  options: { blockTimeSec?: number; confirmations?: number } = {},
): Promise<FaultyChain> {
  const chain = await startChain('metis-sepolia', {
    ...(options.blockTimeSec ? { blockTimeSec: options.blockTimeSec } : {}),
    confirmations: options.confirmations ?? 1,
  });
  const proxy = await startChaosProxy({ target: chain.anvil.rpcUrl, profile: 'none', seed: 1 });
  return {
    chain,
    proxy,
    async stop() {
      await proxy.stop();
      await chain.anvil.stop();
    },
  };
}

/** A library instance whose RPC goes through the proxy, with test-speed timings. */
export async function appThroughProxy(
  faulty: FaultyChain,
  overrides: Partial<ChainConfig> = {},
): Promise<{ app: Hyperdeploy; address: `0x${string}`; privateKey: `0x${string}` }> {
  const { privateKey, address } = await fundedKey([faulty.chain]);
  const config: ChainConfig = {
    ...faulty.chain.config,
    rpc: [faulty.proxy.url],
    rpcTimeoutMs: 1_000,
    bumpAfterMs: 60_000,
    ...overrides,
  };
  const app = createHyperdeploy({
    db: tempDbPath(),
    chains: chainsByName({ ...faulty.chain, config }),
    privateKey,
    retry: { maxRetries: 3, delaysMs: [50, 100, 200] },
  });
  return { app, address, privateKey };
}

export async function counterParams() {
  const counter = await sample('Counter.sol');
  return {
    chain: 'metis-sepolia',
    bytecode: counter.bytecode,
    abi: counter.abi,
    contractName: 'Counter',
  };
}
