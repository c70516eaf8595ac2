import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Abi, decodeAbiParameters, type Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { HyperdeployError } from '../core/errors.ts';
import { compileSolidity } from './compile.ts';
import { encodeConstructorArgs, parseArgsJson } from './constructor-args.ts';
import type { ContractArtifact } from './types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ALICE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

function failure(fn: () => unknown): HyperdeployError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HyperdeployError);
    return error as HyperdeployError;
  }
  throw new Error('expected a HyperdeployError');
}

// Every kind of parameter the coercion handles.
const rich = [
  {
    type: 'constructor',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'owner', type: 'address' },
      { name: 'delta', type: 'int8' },
      { name: 'paused', type: 'bool' },
      { name: 'salt', type: 'bytes32' },
      { name: 'data', type: 'bytes' },
      { name: 'amounts', type: 'uint256[2]' },
      {
        name: 'splits',
        type: 'tuple[]',
        components: [
          { name: 'to', type: 'address' },
          { name: 'share', type: 'uint96' },
        ],
      },
    ],
  },
] as const satisfies Abi;

const args = (overrides: Record<number, unknown> = {}): unknown[] =>
  Object.assign(
    [ALICE, -5, 'true', `0x${'11'.repeat(32)}`, '0xbeef', ['1e21', 7], [{ to: ALICE, share: 3 }]],
    overrides,
  );

const encode = (values: unknown[]) =>
  encodeConstructorArgs({ abi: rich, bytecode: '0x6080', args: values, contractName: 'Rich' });

describe('encodeConstructorArgs', () => {
  let token: ContractArtifact;
  let counter: ContractArtifact;

  beforeAll(async () => {
    token = await compileSolidity({
      file: 'contracts/Token.sol',
      evmVersion: 'shanghai',
      cwd: root,
    });
    counter = await compileSolidity({
      file: 'contracts/Counter.sol',
      evmVersion: 'shanghai',
      cwd: root,
    });
  });

  it('appends the encoded Token arguments to the bytecode', () => {
    const data = encodeConstructorArgs({
      ...token,
      args: ['My Token', 'MTK', '1000000000000000000000'],
    });
    expect(data.startsWith(token.bytecode)).toBe(true);
    const encoded = `0x${data.slice(token.bytecode.length)}` as Hex;
    const ctor = token.abi.find((item) => item.type === 'constructor');
    expect(decodeAbiParameters(ctor && 'inputs' in ctor ? ctor.inputs : [], encoded)).toEqual([
      'My Token',
      'MTK',
      10n ** 21n,
    ]);
  });

  it('returns the bytecode alone for a contract without constructor', () => {
    expect(encodeConstructorArgs({ ...counter, args: [] })).toBe(counter.bytecode);
  });

  it('checks the argument count against the constructor', () => {
    const few = failure(() => encodeConstructorArgs({ ...token, args: ['My Token', 'MTK'] }));
    expect(few.code).toBe('CONSTRUCTOR_ARGS_INVALID');
    expect(few.message).toBe(
      'Token constructor takes 3 arguments (string name_, string symbol_, uint256 initialSupply); got 2.',
    );
    expect(few.hint).toBe(
      'Pass --args as a JSON array, one value per parameter in order: [string name_, string symbol_, uint256 initialSupply].',
    );
    const extra = failure(() => encodeConstructorArgs({ ...counter, args: [1] }));
    expect(extra.message).toBe('Counter constructor takes no arguments; got 1.');
    expect(extra.hint).toMatch(/takes no arguments/);
  });

  it('round-trips every parameter kind, with JSON values coerced', () => {
    const data = encode(args());
    const decoded = decodeAbiParameters(rich[0].inputs, `0x${data.slice(6)}`);
    expect(decoded).toEqual([
      ALICE,
      -5,
      true,
      `0x${'11'.repeat(32)}`,
      '0xbeef',
      [10n ** 21n, 7n],
      [{ to: ALICE, share: 3n }],
    ]);
    // Tuples may also be given positionally.
    expect(encode(args({ 6: [[ALICE, '3']] }))).toBe(data);
  });

  it.each([
    [1, 128, 'Constructor argument 2 delta (int8): 128 is out of range for int8 (-128 to 127).'],
    [1, 1.5, 'Constructor argument 2 delta (int8): 1.5 is not an integer.'],
    [1, 'ten', 'Constructor argument 2 delta (int8): expected an integer, got "ten".'],
    [
      0,
      '0x1234',
      'Constructor argument 1 owner (address): expected an address (0x + 40 hex digits), got "0x1234".',
    ],
    [
      0,
      ALICE.replace('C8', 'c8'),
      `Constructor argument 1 owner (address): ${ALICE.replace('C8', 'c8')} has a wrong checksum (mixed case): check it for a typo, or pass it all lower-case.`,
    ],
    [2, 1, 'Constructor argument 3 paused (bool): expected true or false, got 1.'],
    [
      3,
      '0x11',
      'Constructor argument 4 salt (bytes32): expected 32 bytes (0x + 64 hex digits), got 1.',
    ],
    [4, 'beef', 'Constructor argument 5 data (bytes): expected 0x-prefixed hex bytes, got "beef".'],
    [5, [1], 'Constructor argument 6 amounts (uint256[2]): expected 2 elements, got 1.'],
    [
      5,
      [1, -1],
      'Constructor argument 6 amounts[1] (uint256[2]): -1 is out of range for uint256 (0 to 2^256-1).',
    ],
    [
      6,
      [{ to: ALICE }],
      'Constructor argument 7 splits[0] ((address to, uint96 share)[]): missing field "share".',
    ],
    [
      6,
      [{ to: 'nobody', share: 1 }],
      'Constructor argument 7 splits[0].to ((address to, uint96 share)[]): expected an address (0x + 40 hex digits), got "nobody".',
    ],
  ])('refuses argument %i = %j naming the parameter', (index, value, message) => {
    const error = failure(() => encode(args({ [index]: value })));
    expect(error.code).toBe('CONSTRUCTOR_ARGS_INVALID');
    expect(error.message).toBe(message);
    expect(error.details).toMatchObject({ index, type: rich[0].inputs[index]?.type });
  });

  it('refuses an unsafe JSON number instead of encoding a rounded value', () => {
    const error = failure(() => encodeConstructorArgs({ ...token, args: ['T', 'T', 2 ** 60] }));
    expect(error.message).toBe(
      'Constructor argument 3 initialSupply (uint256): 1152921504606847000 is too large for a JSON number (precision is lost): pass it as a string.',
    );
  });
});

describe('parseArgsJson', () => {
  it('parses a JSON array and keeps every digit of large integers', () => {
    expect(
      parseArgsJson('["My Token", "MTK", 1000000000000000000000, 12, 1e21, "9007199254740993"]'),
    ).toEqual(['My Token', 'MTK', '1000000000000000000000', 12, '1e21', '9007199254740993']);
    expect(parseArgsJson('[]')).toEqual([]);
    expect(parseArgsJson('["a \\" 12345678901234567890", 1.5]')).toEqual([
      'a " 12345678901234567890',
      1.5,
    ]);
  });

  it('refuses what is not a JSON array, with an example', () => {
    const notJson = failure(() => parseArgsJson("['My Token']"));
    expect(notJson.code).toBe('CONSTRUCTOR_ARGS_INVALID');
    expect(notJson.message).toMatch(/^--args is not valid JSON: /);
    expect(notJson.hint).toBe(
      `Pass a JSON array in single quotes, strings in double quotes: --args '["My Token", "MTK", 1000]'.`,
    );
    const notArray = failure(() => parseArgsJson('42'));
    expect(notArray.message).toBe('--args must be a JSON array; got a number.');
    expect(notArray.hint).toBe(`Wrap the values in [ ], one per parameter: --args '[42]'.`);
  });
});
