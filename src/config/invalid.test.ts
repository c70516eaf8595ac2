import { describe, expect, it } from 'vitest';
import { HyperdeployError } from '../core/errors.ts';
import { type ConfigFlags, type Env, loadConfig } from './index.ts';
import { useTempDir } from './test-helpers.ts';

const tmp = useTempDir();

function failure(file: unknown, env: Env = {}, flags: ConfigFlags = {}): HyperdeployError {
  if (file !== undefined) tmp.write('hyperdeploy.config.json', file);
  try {
    loadConfig({ cwd: tmp.dir(), env, flags });
  } catch (error) {
    expect(error).toBeInstanceOf(HyperdeployError);
    const e = error as HyperdeployError;
    expect(e.hint.length).toBeGreaterThan(10);
    return e;
  }
  throw new Error('expected loadConfig to throw');
}

const FILE = 'hyperdeploy.config.json';

describe('invalid config file', () => {
  it.each([
    [
      'rpc not a URL',
      { chains: { 'my-l2': { chainId: 1, rpc: ['https://ok.example', 'nope'] } } },
      `${FILE}: chains.my-l2.rpc[1]: not a URL (http, https, ws or wss)`,
      '"rpc": ["https://rpc.example.org"]',
    ],
    [
      'delay not a number',
      { retry: { delaysMs: [5000, '15s'] } },
      `${FILE}: retry.delaysMs[1]: Invalid input: expected number, received string`,
      '[5000, 15000, 30000]',
    ],
    ['gasBuffer too small', { gasBuffer: 0.9 }, `${FILE}: gasBuffer: Too small`, 'between 1 and 5'],
    ['gasBuffer too big', { gasBuffer: 6 }, `${FILE}: gasBuffer: Too big`, 'between 1 and 5'],
    [
      'maxRetries negative',
      { retry: { maxRetries: -1 } },
      `${FILE}: retry.maxRetries: Too small`,
      '"maxRetries": 3',
    ],
    [
      'maxRetries fractional',
      { retry: { maxRetries: 1.5 } },
      `${FILE}: retry.maxRetries: Invalid input: expected int`,
      '"maxRetries": 3',
    ],
    [
      'txType unknown',
      { chains: { 'metis-sepolia': { txType: 'type2' } } },
      `${FILE}: chains.metis-sepolia.txType: Invalid option`,
      '"legacy" or "eip1559"',
    ],
    [
      'evmVersion unknown',
      { chains: { local: { evmVersion: 'osaka' } } },
      `${FILE}: chains.local.evmVersion: Invalid option`,
      'shanghai',
    ],
    [
      'currency decimals',
      { chains: { local: { currency: { symbol: 'ETH', decimals: -1 } } } },
      `${FILE}: chains.local.currency.decimals: Too small`,
      '"decimals": 18',
    ],
    [
      'confirmations zero',
      { chains: { local: { confirmations: 0 } } },
      `${FILE}: chains.local.confirmations: Too small`,
      '"confirmations": 2',
    ],
    [
      'explorer without type',
      { chains: { local: { explorer: { api: 'https://x.example/api' } } } },
      `${FILE}: chains.local.explorer.type: Invalid option`,
      '"etherscan"',
    ],
    [
      'misspelt chain key',
      { chains: { 'hyperion-testnet': { confirmation: 2 } } },
      `${FILE}: chains.hyperion-testnet.confirmation: unknown key`,
      'allowed here: chainId, rpc, confirmations',
    ],
    [
      'misspelt top-level key',
      { gasbuffer: 1.2 },
      `${FILE}: gasbuffer: unknown key`,
      'allowed here: $schema, chains, gasBuffer',
    ],
    [
      'bad chain name',
      { chains: { My_L2: { chainId: 1, rpc: ['http://x.example'] } } },
      `${FILE}: chains.My_L2: invalid chain name`,
      'lower-case letters, digits and "-"',
    ],
    [
      'chains not an object',
      { chains: [] },
      `${FILE}: chains: Invalid input: expected record, received array`,
      'keyed by chain name',
    ],
    ['root not an object', [], `${FILE}: (root): Invalid input: expected object`, 'Configuration'],
  ])('%s', (_name, file, message, hint) => {
    const error = failure(file);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.step).toBe('config');
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.hint).toContain(hint);
  });

  it('lists several problems in one message', () => {
    const error = failure({ gasBuffer: 9, retry: { delaysMs: [] } });
    expect(error.message).toMatch(/gasBuffer: Too big.*; retry\.delaysMs: Too small/);
    expect(error.details?.issues).toHaveLength(2);
  });

  it('reports JSON syntax errors by line and column, without quoting the file', () => {
    const error = failure(
      '{\n  "chains": { "local": { "rpc": ["https://k3y-SECRET.example"] }\n  x\n}',
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(
      /^hyperdeploy\.config\.json: not valid JSON \(.+ at line 3 column 3\)$/,
    );
    expect(error.message).not.toContain('SECRET');
    const quoted = failure('nope SECRET');
    expect(quoted.message).toBe("hyperdeploy.config.json: not valid JSON (Unexpected token 'o')");
  });

  it('never echoes a bad URL, which may carry credentials', () => {
    const error = failure({ chains: { local: { rpc: ['htps://user:SECRET@rpc.example'] } } });
    expect(error.message).toBe(`${FILE}: chains.local.rpc[0]: not a URL (http, https, ws or wss)`);
    expect(JSON.stringify(error.details)).not.toContain('SECRET');
  });

  it('names a chain that is not a preset and has no chainId', () => {
    const error = failure({ chains: { 'my-l2': { rpc: ['https://rpc.example'] } } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'chains.my-l2.chainId: required: "my-l2" is not a preset (presets: metis-andromeda, metis-sepolia, hyperion-testnet, local)',
    );
    expect(error.hint).toContain('"chainId": 4242');
  });

  it('refuses a chainId that contradicts the preset', () => {
    const error = failure({ chains: { 'metis-sepolia': { chainId: 1 } } });
    expect(error.message).toBe("chains.metis-sepolia.chainId: 1 differs from the preset's 59902");
  });

  it('requires an RPC URL for a custom chain', () => {
    const error = failure({ chains: { dev: { chainId: 1337 } } });
    expect(error.message).toMatch(/^chains\.dev\.rpc: required/);
    expect(error.hint).toContain('HYPERDEPLOY_RPC_DEV');
  });

  it('requires an explorer url when nothing provides one', () => {
    const error = failure({
      chains: {
        dev: { chainId: 1337, rpc: ['http://127.0.0.1:1'], explorer: { type: 'etherscan' } },
      },
    });
    expect(error.message).toMatch(/^chains\.dev\.explorer\.url: required/);
  });

  it('fails on a missing explicit --config, not on a missing default file', () => {
    expect(() => loadConfig({ cwd: tmp.dir(), env: {} })).not.toThrow();
    try {
      loadConfig({ cwd: tmp.dir(), configPath: 'missing.json', env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'CONFIG_INVALID',
        message: '--config: file not found: missing.json',
      });
    }
  });
});

describe('invalid env and flags', () => {
  it('names the env variable and the URL index, never the value', () => {
    const error = failure(undefined, {
      HYPERDEPLOY_RPC_LOCAL: 'http://127.0.0.1:8545,SECRET-not-a-url',
    });
    expect(error.message).toBe('HYPERDEPLOY_RPC_LOCAL[1]: not a URL');
    expect(error.hint).toContain('comma-separated');
  });

  it('names a bad explorer API variable', () => {
    const error = failure(undefined, { HYPERDEPLOY_EXPLORER_API_METIS_SEPOLIA: 'ftp://x' });
    expect(error.message).toBe('HYPERDEPLOY_EXPLORER_API_METIS_SEPOLIA: not a URL');
  });

  it('needs --chain with --rpc', () => {
    const error = failure(undefined, {}, { rpc: ['http://127.0.0.1:8545'] });
    expect(error.message).toBe('--rpc: needs --chain');
    expect(error.hint).toContain('--chain hyperion-testnet');
  });

  it('names a bad --rpc URL', () => {
    const error = failure(undefined, {}, { chain: 'local', rpc: ['127.0.0.1:8545'] });
    expect(error.message).toBe('--rpc[0]: not a URL');
  });

  it('names a bad --confirmations', () => {
    const error = failure(undefined, {}, { chain: 'local', confirmations: 0 });
    expect(error.message).toMatch(/^--confirmations: /);
  });

  it('throws UNKNOWN_CHAIN for --rpc with an unknown --chain', () => {
    const error = failure(undefined, {}, { chain: 'nowhere', rpc: ['http://127.0.0.1:1'] });
    expect(error.code).toBe('UNKNOWN_CHAIN');
    expect(error.message).toMatch(
      /^Unknown chain "nowhere"; known chains: metis-andromeda \(1088\)/,
    );
  });
});
