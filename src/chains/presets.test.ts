import { describe, expect, it } from 'vitest';
import { findPreset, PRESET_NAMES, PRESETS, toViemChain } from './index.ts';

describe('presets', () => {
  it.each([
    ['metis-andromeda', 1088, 'legacy', 'shanghai', 'METIS'],
    ['metis-sepolia', 59902, 'legacy', 'shanghai', 'tMETIS'],
    ['hyperion-testnet', 133717, 'legacy', 'cancun', 'tMETIS'],
    ['local', 31337, 'eip1559', 'cancun', 'ETH'],
  ] as const)('%s: id %i, %s, %s', (name, chainId, txType, evmVersion, symbol) => {
    const chain = PRESETS[name];
    expect(chain).toMatchObject({ name, chainId, txType, evmVersion });
    expect(chain.currency).toEqual({ symbol, decimals: 18 });
    expect(chain.rpc.length).toBeGreaterThan(0);
    expect(chain.confirmations).toBeGreaterThanOrEqual(1);
  });

  it('points the Metis explorers at Blockscout /api, never at /api-docs', () => {
    for (const name of ['metis-andromeda', 'metis-sepolia', 'hyperion-testnet'] as const) {
      const { explorer } = PRESETS[name];
      expect(explorer?.type).toBe('etherscan');
      expect(explorer?.api).toBe(`${explorer?.url}/api`);
    }
    expect(PRESETS.local.explorer).toBeUndefined();
  });

  it('waits longer on mainnet and polls fast locally', () => {
    expect(PRESETS['metis-andromeda'].confirmations).toBeGreaterThanOrEqual(3);
    expect(PRESETS['metis-sepolia'].pollIntervalMs).toBe(1000);
    expect(PRESETS.local).toMatchObject({
      rpc: ['http://127.0.0.1:8545'],
      confirmations: 1,
      pollIntervalMs: 50,
    });
  });

  it('uses the official Andromeda RPC first (viem lists a read-only one first)', () => {
    expect(PRESETS['metis-andromeda'].rpc[0]).toBe('https://andromeda.metis.io/?owner=1088');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(PRESETS.local)).toBe(true);
    expect(Object.isFrozen(PRESETS.local.rpc)).toBe(true);
  });

  it('lists every preset', () => {
    expect(PRESET_NAMES).toEqual(['metis-andromeda', 'metis-sepolia', 'hyperion-testnet', 'local']);
  });
});

describe('findPreset', () => {
  it('finds by name, by id and by numeric string', () => {
    expect(findPreset('metis-sepolia')?.chainId).toBe(59902);
    expect(findPreset(' Hyperion-Testnet ')?.chainId).toBe(133717);
    expect(findPreset(1088)?.name).toBe('metis-andromeda');
    expect(findPreset('133717')?.name).toBe('hyperion-testnet');
  });

  it('returns undefined for anything else', () => {
    expect(findPreset('metis')).toBeUndefined();
    expect(findPreset(1)).toBeUndefined();
    expect(findPreset('1088abc')).toBeUndefined();
    expect(findPreset('toString')).toBeUndefined();
  });
});

describe('toViemChain', () => {
  it('uses only our RPC URLs and explorer', () => {
    const chain = toViemChain(PRESETS['metis-sepolia']);
    expect(chain.id).toBe(59902);
    expect(chain.rpcUrls.default.http).toEqual(PRESETS['metis-sepolia'].rpc);
    expect(chain.blockExplorers?.default.apiUrl).toBe(
      'https://sepolia-explorer.metisdevops.link/api',
    );
    expect(chain.nativeCurrency).toEqual({ name: 'tMETIS', symbol: 'tMETIS', decimals: 18 });
  });

  it('keeps the gas price as quoted on legacy chains, viem defaults elsewhere', () => {
    expect(toViemChain(PRESETS['metis-andromeda']).fees?.baseFeeMultiplier).toBe(1);
    expect(toViemChain(PRESETS.local).fees).toBeUndefined();
    expect(toViemChain(PRESETS.local).blockExplorers).toBeUndefined();
  });

  it('rejects a chain without RPC URLs', () => {
    expect(() => toViemChain({ ...PRESETS.local, name: 'x', rpc: [] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: 'chains.x.rpc: no RPC URL' }),
    );
  });
});
