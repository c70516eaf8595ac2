import { keccak256, stringToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { HyperdeployError } from '../core/errors.ts';
import { linkLibraries, validateAbi, validateBytecode } from './bytecode.ts';

function failure(fn: () => unknown): HyperdeployError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HyperdeployError);
    return error as HyperdeployError;
  }
  throw new Error('expected a HyperdeployError');
}

const hashPlaceholder = (fqn: string) => `__$${keccak256(stringToHex(fqn)).slice(2, 36)}$__`;

describe('validateBytecode', () => {
  it('normalizes to lower-case 0x hex, with or without the prefix', () => {
    expect(validateBytecode('6080ABcd')).toBe('0x6080abcd');
    expect(validateBytecode('0X6080\n')).toBe('0x6080');
  });

  it('refuses empty bytecode, pointing at interfaces', () => {
    for (const input of ['', '0x', '  ']) {
      const error = failure(() => validateBytecode(input));
      expect(error.code).toBe('INVALID_BYTECODE');
      expect(error.message).toBe('Bytecode is empty.');
      expect(error.hint).toMatch(/interface or abstract/);
    }
  });

  it('refuses odd length with the digit count', () => {
    const error = failure(() => validateBytecode('0x60806'));
    expect(error.code).toBe('INVALID_BYTECODE');
    expect(error.message).toBe('Bytecode has an odd number of hex digits (5).');
    expect(error.details).toEqual({ hexDigits: 5 });
  });

  it('names the first non-hex character and its position in the input', () => {
    const error = failure(() => validateBytecode('0x6080g040'));
    expect(error.message).toBe('Bytecode has a non-hex character "g" at position 6.');
    expect(error.details).toEqual({ position: 6 });
    expect(failure(() => validateBytecode('./out/Token.json')).hint).toMatch(/file path/);
    expect(failure(() => validateBytecode('{"abi":[]}')).hint).toMatch(/This is JSON/);
  });

  it('refuses a solc placeholder, naming the library from the link references', () => {
    const placeholder = hashPlaceholder('contracts/Lib.sol:MathLib');
    const error = failure(() =>
      validateBytecode(`0x6080${placeholder}6040${placeholder}`, {
        linkReferences: { 'contracts/Lib.sol': { MathLib: [{ start: 2, length: 20 }] } },
      }),
    );
    expect(error.code).toBe('UNLINKED_LIBRARY');
    expect(error.message).toBe(
      'Bytecode has unlinked library placeholders: contracts/Lib.sol:MathLib.',
    );
    expect(error.hint).toBe(
      'Deploy the library first, then pass --libraries MathLib=0x… (one per library).',
    );
    expect(error.details).toEqual({
      placeholders: [placeholder],
      libraries: ['contracts/Lib.sol:MathLib'],
    });
  });

  it('refuses a placeholder it cannot name, explaining the hash', () => {
    const placeholder = `__$${'ab'.repeat(17)}$__`;
    const error = failure(() => validateBytecode(`6080${placeholder}`));
    expect(error.message).toBe(`Bytecode has unlinked library placeholders: ${placeholder}.`);
    expect(error.hint).toMatch(/path\/Lib\.sol:Lib=0x….*hash of the fully qualified/);
  });

  it('refuses a Truffle-style name placeholder', () => {
    const placeholder = `__SafeMath${'_'.repeat(28)}__`;
    expect(placeholder).toHaveLength(40);
    const error = failure(() => validateBytecode(`0x6080${placeholder}00`));
    expect(error.code).toBe('UNLINKED_LIBRARY');
    expect(error.details?.libraries).toEqual(['SafeMath']);
  });
});

describe('linkLibraries', () => {
  const address = '0x00000000000000000000000000000000DeaDBeef';

  it('links by fully qualified name, or by bare name through link references', () => {
    const code = `6080${hashPlaceholder('src/L.sol:L')}00`;
    const expected = `6080${'00'.repeat(16)}deadbeef00`;
    expect(linkLibraries(code, { 'src/L.sol:L': address })).toBe(expected);
    expect(linkLibraries(code, { L: address }, { 'src/L.sol': { L: [] } })).toBe(expected);
    expect(linkLibraries(`60${`__L${'_'.repeat(35)}__`}`, { L: address })).toBe(
      `60${'00'.repeat(16)}deadbeef`,
    );
  });

  it('refuses an invalid library address', () => {
    const error = failure(() => linkLibraries('6080', { L: '0x1234' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe('Library L has an invalid address: 0x1234');
  });
});

describe('validateAbi', () => {
  const abi = [
    {
      type: 'constructor',
      inputs: [{ name: 'x', type: 'uint256' }],
      stateMutability: 'nonpayable',
    },
    { type: 'function', name: 'f', inputs: [], outputs: [], stateMutability: 'view' },
  ];

  it('accepts a JSON ABI array or its JSON text', () => {
    expect(validateAbi(abi)).toBe(abi);
    expect(validateAbi(JSON.stringify(abi))).toEqual(abi);
    expect(validateAbi([])).toEqual([]);
  });

  it('refuses what is not an array of fragments', () => {
    expect(failure(() => validateAbi('not json')).message).toMatch(/^ABI is not valid JSON/);
    const whole = failure(() => validateAbi({ abi }));
    expect(whole.code).toBe('INVALID_ABI');
    expect(whole.message).toBe('ABI must be a JSON array of fragments; got an object.');
    expect(whole.hint).toMatch(/whole artifact/);
    expect(failure(() => validateAbi(null)).message).toBe(
      'ABI must be a JSON array of fragments; got null.',
    );
  });

  it('names the index of a bad fragment', () => {
    const badType = failure(() => validateAbi([...abi, { type: 'func', name: 'g' }]));
    expect(badType.message).toBe(
      'ABI item 2 has type "func"; expected one of function, constructor, event, error, fallback, receive.',
    );
    expect(badType.details).toEqual({ index: 2 });
    expect(failure(() => validateAbi(['function f()'])).hint).toMatch(/Human-readable/);
    expect(failure(() => validateAbi([{ type: 'event', inputs: [] }])).message).toBe(
      'ABI item 0 (event) has no name.',
    );
    expect(
      failure(() => validateAbi([{ type: 'function', name: 'f', inputs: [{ name: 'x' }] }]))
        .message,
    ).toBe('ABI item 0 (function) has malformed inputs: each needs a string type.');
    expect(failure(() => validateAbi([abi[0], abi[0]])).message).toBe(
      'ABI has more than one constructor.',
    );
  });
});
