import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../chains/index.ts';
import { loadConfig, resolveChain } from './index.ts';
import { useTempDir } from './test-helpers.ts';

const tmp = useTempDir();

describe('loadConfig defaults', () => {
  it('works without a config file: presets, default db, default retry', () => {
    const config = loadConfig({ cwd: tmp.dir(), env: {}, flags: {} });
    expect(Object.keys(config.chains)).toEqual(Object.keys(PRESETS));
    expect(config.chains['metis-sepolia']).toEqual(PRESETS['metis-sepolia']);
    expect(config.gasBuffer).toBe(1.2);
    expect(config.retry).toEqual({ maxRetries: 3, delaysMs: [5000, 15000, 30000] });
    expect(config.dbPath).toBe(path.join(tmp.dir(), '.hyperdeploy/hyperdeploy.db'));
    expect(config.explorerKeys).toEqual({});
  });

  it('returns copies: changing the result does not change the presets', () => {
    const config = loadConfig({ cwd: tmp.dir(), env: {} });
    config.chains.local?.rpc.push('http://127.0.0.1:9999');
    expect(PRESETS.local.rpc).toEqual(['http://127.0.0.1:8545']);
  });
});

describe('precedence: presets < file < env < flags', () => {
  const file = {
    chains: {
      'hyperion-testnet': {
        rpc: ['https://file.example.org'],
        confirmations: 4,
        explorer: {
          type: 'etherscan',
          api: 'https://file-explorer.example.org/api',
          apiKey: 'file-key',
        },
      },
    },
    db: 'data/file.db',
  };

  it('file overrides presets', () => {
    tmp.write('hyperdeploy.config.json', file);
    const chain = loadConfig({ cwd: tmp.dir(), env: {} }).chains['hyperion-testnet'];
    expect(chain).toMatchObject({
      rpc: ['https://file.example.org'],
      confirmations: 4,
      chainId: 133717,
      txType: 'legacy',
      evmVersion: 'cancun',
    });
    // Only the api was given: the web URL stays the preset's.
    expect(chain?.explorer).toEqual({
      type: 'etherscan',
      url: PRESETS['hyperion-testnet'].explorer?.url,
      api: 'https://file-explorer.example.org/api',
    });
  });

  it('env overrides the file', () => {
    tmp.write('hyperdeploy.config.json', file);
    const config = loadConfig({
      cwd: tmp.dir(),
      env: {
        HYPERDEPLOY_RPC_HYPERION_TESTNET: 'http://127.0.0.1:8545, http://127.0.0.1:8546',
        HYPERDEPLOY_EXPLORER_API_HYPERION_TESTNET: 'https://env-explorer.example.org/api',
        HYPERDEPLOY_EXPLORER_KEY_HYPERION_TESTNET: 'env-key',
        HYPERDEPLOY_DB: 'env.db',
      },
    });
    const chain = config.chains['hyperion-testnet'];
    expect(chain?.rpc).toEqual(['http://127.0.0.1:8545', 'http://127.0.0.1:8546']);
    expect(chain?.explorer?.api).toBe('https://env-explorer.example.org/api');
    expect(chain?.confirmations).toBe(4);
    expect(config.explorerKeys).toEqual({ 'hyperion-testnet': 'env-key' });
    expect(config.dbPath).toBe(path.join(tmp.dir(), 'env.db'));
  });

  it('flags override env, and --rpc touches only --chain', () => {
    tmp.write('hyperdeploy.config.json', file);
    const config = loadConfig({
      cwd: tmp.dir(),
      env: {
        HYPERDEPLOY_RPC_HYPERION_TESTNET: 'http://127.0.0.1:8545',
        HYPERDEPLOY_RPC_METIS_SEPOLIA: 'http://127.0.0.1:7545',
        HYPERDEPLOY_DB: 'env.db',
      },
      flags: {
        chain: '133717',
        rpc: ['http://127.0.0.1:9545'],
        confirmations: 7,
        db: '/tmp/flag.db',
      },
    });
    expect(config.chains['hyperion-testnet']?.rpc).toEqual(['http://127.0.0.1:9545']);
    expect(config.chains['hyperion-testnet']?.confirmations).toBe(7);
    expect(config.chains['metis-sepolia']?.rpc).toEqual(['http://127.0.0.1:7545']);
    expect(config.chains['metis-sepolia']?.confirmations).toBe(2);
    expect(config.dbPath).toBe('/tmp/flag.db');
  });

  it('keeps the explorer key from the file when env has none', () => {
    tmp.write('hyperdeploy.config.json', file);
    expect(loadConfig({ cwd: tmp.dir(), env: {} }).explorerKeys).toEqual({
      'hyperion-testnet': 'file-key',
    });
  });

  it('resolves the file db relative to the file, ignores blank env vars', () => {
    tmp.write('hyperdeploy.config.json', file);
    const config = loadConfig({
      cwd: '/',
      configPath: path.join(tmp.dir(), 'hyperdeploy.config.json'),
      env: { HYPERDEPLOY_DB: '  ', HYPERDEPLOY_RPC_HYPERION_TESTNET: '' },
    });
    expect(config.dbPath).toBe(path.join(tmp.dir(), 'data/file.db'));
    expect(config.chains['hyperion-testnet']?.rpc).toEqual(['https://file.example.org']);
  });

  it('passes database URLs and :memory: through', () => {
    const env = { HYPERDEPLOY_DB: 'postgres://u:p@127.0.0.1:5432/hd' };
    expect(loadConfig({ cwd: tmp.dir(), env }).dbPath).toBe(env.HYPERDEPLOY_DB);
    expect(loadConfig({ cwd: tmp.dir(), env: {}, flags: { db: ':memory:' } }).dbPath).toBe(
      ':memory:',
    );
  });

  it('applies --confirmations to every chain when no --chain is given', () => {
    const config = loadConfig({ cwd: tmp.dir(), env: {}, flags: { confirmations: 5 } });
    expect(Object.values(config.chains).map((chain) => chain.confirmations)).toEqual([5, 5, 5, 5]);
  });
});

describe('custom chains', () => {
  it('builds a chain from the file with defaults for what is missing', () => {
    tmp.write('hyperdeploy.config.json', {
      chains: {
        'my-l2': {
          chainId: 4242,
          rpc: ['https://rpc.my-l2.example'],
          txType: 'eip1559',
          evmVersion: 'cancun',
          currency: 'ETH',
          explorer: { type: 'blockscout-v2', api: 'https://scan.my-l2.example/api' },
        },
      },
      gasBuffer: 1.5,
      retry: { maxRetries: 0 },
    });
    const config = loadConfig({
      cwd: tmp.dir(),
      env: { HYPERDEPLOY_EXPLORER_KEY_MY_L2: 'k' },
    });
    expect(config.chains['my-l2']).toEqual({
      name: 'my-l2',
      chainId: 4242,
      displayName: 'my-l2',
      currency: { symbol: 'ETH', decimals: 18 },
      rpc: ['https://rpc.my-l2.example'],
      explorer: {
        type: 'blockscout-v2',
        url: 'https://scan.my-l2.example',
        api: 'https://scan.my-l2.example/api',
      },
      txType: 'eip1559',
      evmVersion: 'cancun',
      confirmations: 2,
      pollIntervalMs: 1000,
    });
    expect(config.gasBuffer).toBe(1.5);
    expect(config.retry).toEqual({ maxRetries: 0, delaysMs: [5000, 15000, 30000] });
    expect(config.explorerKeys).toEqual({ 'my-l2': 'k' });
  });

  it('takes the RPC of a custom chain from env', () => {
    tmp.write('hyperdeploy.config.json', { chains: { dev: { chainId: 1337 } } });
    const config = loadConfig({
      cwd: tmp.dir(),
      env: { HYPERDEPLOY_RPC_DEV: 'http://127.0.0.1:1' },
    });
    expect(config.chains.dev?.rpc).toEqual(['http://127.0.0.1:1']);
    expect(config.chains.dev?.explorer).toBeUndefined();
  });
});

describe('resolveChain', () => {
  it('finds chains by name, id and numeric string', () => {
    tmp.write('hyperdeploy.config.json', {
      chains: { 'my-anvil': { chainId: 31337, rpc: ['http://127.0.0.1:9999'] } },
    });
    const config = loadConfig({ cwd: tmp.dir(), env: {} });
    expect(resolveChain(config, 'metis-sepolia').chainId).toBe(59902);
    expect(resolveChain(config, 1088).name).toBe('metis-andromeda');
    expect(resolveChain(config, '133717').name).toBe('hyperion-testnet');
    // The user's own chain wins over the preset with the same id.
    expect(resolveChain(config, 31337).name).toBe('my-anvil');
    expect(resolveChain(config, 'local').name).toBe('local');
  });

  it('throws UNKNOWN_CHAIN listing the known chains', () => {
    const config = loadConfig({ cwd: tmp.dir(), env: {} });
    for (const input of ['metis', 1, '59903']) {
      expect(() => resolveChain(config, input)).toThrow(
        expect.objectContaining({
          code: 'UNKNOWN_CHAIN',
          message: expect.stringContaining(
            'metis-andromeda (1088), metis-sepolia (59902), hyperion-testnet (133717), local (31337)',
          ),
        }),
      );
    }
  });

  it('refuses an id configured twice', () => {
    tmp.write('hyperdeploy.config.json', {
      chains: {
        a: { chainId: 7, rpc: ['http://127.0.0.1:1'] },
        b: { chainId: 7, rpc: ['http://127.0.0.1:2'] },
      },
    });
    const config = loadConfig({ cwd: tmp.dir(), env: {} });
    expect(() => resolveChain(config, 7)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('a and b'),
      }),
    );
    expect(resolveChain(config, 'b').chainId).toBe(7);
  });
});
