import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, createPublicClient, type Hex, http, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { PRESETS, type PresetName } from '../../src/chains/index.ts';
import type { ChainConfig } from '../../src/chains/types.ts';
import {
  type AnvilHardfork,
  type AnvilInstance,
  fundAccount,
  startAnvil,
} from '../../src/devchain/index.ts';

export interface TestChain {
  anvil: AnvilInstance;
  config: ChainConfig;
}

/** Hardforks that mimic each target, as in the demo. */
export const HARDFORK: Record<PresetName, AnvilHardfork> = {
  'metis-andromeda': 'shanghai',
  'metis-sepolia': 'shanghai',
  'hyperion-testnet': 'cancun',
  local: 'prague',
};

/** A real anvil with the preset's chain id and EVM rules; the preset's RPC points at it. */
export async function startChain(
  preset: PresetName,
  options: { noMining?: boolean; blockTimeSec?: number; confirmations?: number } = {},
): Promise<TestChain> {
  const base = PRESETS[preset];
  const anvil = await startAnvil({
    chainId: base.chainId,
    hardfork: HARDFORK[preset],
    ...(options.noMining ? { noMining: true } : {}),
    ...(options.blockTimeSec ? { blockTimeSec: options.blockTimeSec } : {}),
  });
  const config: ChainConfig = {
    ...structuredClone(base),
    rpc: [anvil.rpcUrl],
    pollIntervalMs: 20,
    confirmations: options.confirmations ?? 1,
  };
  return { anvil, config };
}

/** A fresh key, funded with `eth` on each chain (0 leaves it empty). */
export async function fundedKey(
  chains: TestChain[],
  eth = '10',
): Promise<{ privateKey: Hex; address: Address }> {
  const privateKey = generatePrivateKey();
  const { address } = privateKeyToAccount(privateKey);
  if (eth !== '0')
    await Promise.all(chains.map((c) => fundAccount(c.anvil.rpcUrl, address, parseEther(eth))));
  return { privateKey, address };
}

export const tempDbPath = (): string =>
  join(mkdtempSync(join(tmpdir(), 'hyperdeploy-test-')), 'test.db');

export const chainsByName = (...chains: TestChain[]): Record<string, ChainConfig> =>
  Object.fromEntries(chains.map((c) => [c.config.name, c.config]));

/** A plain viem reader of the chain, to check what really happened on it. */
export const reader = (chain: TestChain) =>
  createPublicClient({ transport: http(chain.anvil.rpcUrl) });
