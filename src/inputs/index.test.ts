import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HyperdeployError } from '../core/errors.ts';
import { resolveContractInput } from './index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const abi = [
  {
    type: 'constructor',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'code', type: 'uint256' }],
  },
];

async function failure(promise: Promise<unknown>): Promise<HyperdeployError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HyperdeployError);
  return error as HyperdeployError;
}

describe('resolveContractInput', () => {
  it('compiles a .sol file, honouring File.sol:Contract', async () => {
    const b = await resolveContractInput({
      file: 'contracts/Multi.sol:B',
      evmVersion: 'shanghai',
      cwd: root,
    });
    expect(b.contractName).toBe('B');
    expect(b.source?.evmVersion).toBe('shanghai');
  });

  it('takes raw bytecode with an ABI given as JSON text', async () => {
    const artifact = await resolveContractInput({
      bytecode: '6080604052',
      abi: JSON.stringify(abi),
      contractName: 'Raw',
      evmVersion: 'shanghai',
    });
    expect(artifact).toEqual({ contractName: 'Raw', abi, bytecode: '0x6080604052' });
  });

  it('refuses raw bytecode without an ABI, both inputs at once, or neither', async () => {
    const noAbi = await failure(resolveContractInput({ bytecode: '0x60', evmVersion: 'shanghai' }));
    expect(noAbi.code).toBe('INVALID_ABI');
    const both = await failure(
      resolveContractInput({ file: 'A.sol', bytecode: '0x60', evmVersion: 'shanghai' }),
    );
    expect(both.message).toBe('Both a contract file and raw bytecode were given.');
    const neither = await failure(resolveContractInput({ evmVersion: 'shanghai' }));
    expect(neither.code).toBe('INVALID_INPUT');
    expect(neither.message).toBe('No contract given.');
  });

  it('refuses a file that is neither source nor artifact, and conflicting names', async () => {
    const other = await failure(resolveContractInput({ file: 'Token.vy', evmVersion: 'shanghai' }));
    expect(other.message).toBe(
      'Cannot tell what Token.vy is: expected a .sol source or a .json artifact.',
    );
    const conflict = await failure(
      resolveContractInput({
        file: 'contracts/Multi.sol:A',
        contractName: 'B',
        evmVersion: 'shanghai',
        cwd: root,
      }),
    );
    expect(conflict.message).toBe(
      'Two contract names given: contracts/Multi.sol:A and --contract B.',
    );
  });
});
