import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundedKey, reader, startChain, type TestChain, tempDbPath } from '../harness/chains.ts';
import { runCli } from '../harness/cli.ts';
import { sample } from '../harness/contracts.ts';

describe('hyperdeploy CLI', () => {
  let chain: TestChain;
  let key: { privateKey: `0x${string}`; address: `0x${string}` };
  let db: string;
  const base = () => ['--chain', 'hyperion-testnet', '--rpc', chain.anvil.rpcUrl, '--db', db];
  const env = () => ({ HYPERDEPLOY_PRIVATE_KEY: key.privateKey });

  beforeAll(async () => {
    chain = await startChain('hyperion-testnet');
    key = await fundedKey([chain]);
    db = tempDbPath();
  });
  afterAll(async () => {
    await chain?.anvil.stop();
  });

  it('deploys a .sol file with --args and prints progress, then the deployment with --json', async () => {
    const result = await runCli(
      [
        'deploy',
        'contracts/Token.sol',
        ...base(),
        '--args',
        '["CLI Token","CLI","1000"]',
        '--build-id',
        'cli-1',
        '--confirmations',
        '1',
        '--json',
      ],
      env(),
    );
    expect(result.code).toBe(0);
    const deployment = JSON.parse(result.stdout);
    expect(deployment).toMatchObject({
      status: 'complete',
      buildId: 'cli-1',
      chainId: 133717,
      contractName: 'Token',
      error: null,
      retryCount: 0,
    });
    expect(deployment).toHaveProperty('createdAt');
    expect(deployment).toHaveProperty('updatedAt');
    expect(result.stderr).toMatch(/signed +tx 0x[0-9a-f]{64} \(nonce 0\) → 0x[0-9a-fA-F]{40}/);
    expect(result.stderr).toMatch(/complete +Token at 0x/);
    expect(await reader(chain).getCode({ address: deployment.contractAddress })).toMatch(/^0x60/);

    const status = await runCli(['status', deployment.id, '--db', db, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: deployment.id, status: 'complete' });
    const list = await runCli(['list', '--db', db, '--build-id', 'cli-1']);
    expect(list.stdout).toContain(deployment.id);
    const logs = await runCli(['logs', deployment.id, '--db', db]);
    expect(logs.stdout).toMatch(/^ +1 .* deployment_created/m);
    expect(logs.stdout).toMatch(/tx_signed .* nonce 0/);
  });

  it('deploys a Foundry artifact and a Hardhat artifact', async () => {
    const counter = await sample('Counter.sol', 'cancun');
    const dir = dirname(tempDbPath());
    const foundry = join(dir, 'Counter.json');
    writeFileSync(
      foundry,
      JSON.stringify({ abi: counter.abi, bytecode: { object: counter.bytecode } }),
    );
    const hardhat = join(dir, 'Counter.hardhat.json');
    writeFileSync(
      hardhat,
      JSON.stringify({
        _format: 'hh-sol-artifact-1',
        contractName: 'Counter',
        abi: counter.abi,
        bytecode: counter.bytecode,
      }),
    );
    for (const file of [foundry, hardhat]) {
      const result = await runCli(
        ['deploy', file, ...base(), '--confirmations', '1', '--json'],
        env(),
      );
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        status: 'complete',
        contractName: 'Counter',
      });
    }
  });

  it('deploys --bytecode with --abi', async () => {
    const counter = await sample('Counter.sol', 'cancun');
    const abiFile = join(dirname(tempDbPath()), 'abi.json');
    writeFileSync(abiFile, JSON.stringify(counter.abi));
    const result = await runCli(
      [
        'deploy',
        ...base(),
        '--bytecode',
        counter.bytecode,
        '--abi',
        abiFile,
        '--confirmations',
        '1',
        '--json',
      ],
      env(),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).status).toBe('complete');
  });

  it('exits 1 with the error and hint when a deployment fails', async () => {
    const result = await runCli(
      ['deploy', 'contracts/Reverting.sol', ...base(), '--args', '[1]', '--json'],
      env(),
    );
    expect(result.code).toBe(1);
    const deployment = JSON.parse(result.stdout);
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatchObject({ code: 'TX_REVERTED', step: 'estimating_gas' });
    expect(deployment.error.message).toContain('NotAllowed(');
  });

  it.each([
    [
      'bad --args JSON',
      ['deploy', 'contracts/Counter.sol', '--args', '[1,'],
      'CONSTRUCTOR_ARGS_INVALID',
    ],
    [
      'wrong arg count',
      ['deploy', 'contracts/Token.sol', '--args', '[1]'],
      'CONSTRUCTOR_ARGS_INVALID',
    ],
    [
      'odd-length bytecode',
      ['deploy', '--bytecode', '0x60806', '--abi', 'test/fixtures/empty-abi.json'],
      'INVALID_BYTECODE',
    ],
    [
      'an ABI file without an ABI',
      ['deploy', '--bytecode', '0x6080', '--abi', 'package.json'],
      'INVALID_ABI',
    ],
    ['a missing file', ['deploy', 'contracts/Nope.sol'], 'INVALID_INPUT'],
  ])('exits 2 on %s, storing nothing', async (_name, args, code) => {
    const freshDb = tempDbPath();
    const result = await runCli(
      [...args, '--chain', 'hyperion-testnet', '--rpc', chain.anvil.rpcUrl, '--db', freshDb],
      env(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error ${code}:`);
    expect(result.stderr).toContain('hint:');
    const list = await runCli(['list', '--db', freshDb, '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('exits 2 on an unknown chain, a missing key, an unknown id and a bad flag', async () => {
    const unknown = await runCli(
      ['deploy', 'contracts/Counter.sol', '--chain', 'metis-moon', '--db', db],
      env(),
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error UNKNOWN_CHAIN');
    const noKey = await runCli(['deploy', 'contracts/Counter.sol', ...base()]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('error SIGNER_MISSING');
    const missing = await runCli(['status', 'dep_nope', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error DEPLOYMENT_NOT_FOUND');
    const badFlag = await runCli(['deploy', '--confirmations', 'many', '--chain', 'local']);
    expect(badFlag.code).toBe(2);
  });

  it('never prints the private key', async () => {
    const result = await runCli(
      [
        'deploy',
        'contracts/Counter.sol',
        ...base(),
        '--confirmations',
        '1',
        '--log-level',
        'debug',
      ],
      env(),
    );
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(key.privateKey.slice(2));
  });
});
