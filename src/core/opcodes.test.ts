import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSolidity } from '../inputs/index.ts';
import { HyperdeployError } from './errors.ts';
import { findMetadataRanges } from './metadata.ts';
import { findUnsupportedOpcodes, type OpcodeHit, unsupportedOpcodesFor } from './opcodes.ts';
import type { Hex } from './types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const METIS = unsupportedOpcodesFor('shanghai');
const names = (hits: OpcodeHit[]) => [...new Set(hits.map((hit) => hit.name))].sort();

/** Hex of a CBOR text string (shorter than 24 bytes). */
const text = (value: string) =>
  (0x60 + value.length).toString(16) + Buffer.from(value).toString('hex');
/** A CBOR blob followed by its length in 2 big-endian bytes, as compilers append it. */
const withLength = (cbor: string) => cbor + (cbor.length / 2).toString(16).padStart(4, '0');
/** solc's metadata: {"ipfs": <34 bytes>, "solc": 0.8.30}, here with 0x5e bytes in the hash. */
const SOLC_METADATA = withLength(`a2${text('ipfs')}5822${'5e'.repeat(34)}${text('solc')}4300081e`);
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));

describe('unsupportedOpcodesFor', () => {
  it.each([
    ['prague', {}, []],
    ['cancun', {}, []],
    ['shanghai', {}, ['BASEFEE', 'BLOBBASEFEE', 'BLOBHASH', 'MCOPY', 'TLOAD', 'TSTORE']],
    ['shanghai', { baseFee: true }, ['BLOBBASEFEE', 'BLOBHASH', 'MCOPY', 'TLOAD', 'TSTORE']],
    ['paris', {}, ['BLOBBASEFEE', 'BLOBHASH', 'MCOPY', 'PUSH0', 'TLOAD', 'TSTORE']],
    [
      'london',
      { baseFee: false },
      ['BASEFEE', 'BLOBBASEFEE', 'BLOBHASH', 'MCOPY', 'PUSH0', 'TLOAD', 'TSTORE'],
    ],
  ] as const)('%s %j', (evmVersion, options, expected) => {
    const opcodes = unsupportedOpcodesFor(evmVersion, options);
    const hits = findUnsupportedOpcodes(
      `0x${opcodes.map((op) => `${op.toString(16)}`).join('')}`,
      opcodes,
    );
    expect(names(hits)).toEqual(expected);
  });
});

describe('findUnsupportedOpcodes on hand-built bytecode', () => {
  it('reports an opcode at a code position', () => {
    expect(findUnsupportedOpcodes('0x5e00', METIS)).toEqual([
      { opcode: 0x5e, name: 'MCOPY', offset: 0 },
    ]);
  });

  it('skips PUSH data and the metadata tail, even when they hold 0x5e', () => {
    expect(findUnsupportedOpcodes(`0x605e00${SOLC_METADATA}`, METIS)).toEqual([]);
    expect(findUnsupportedOpcodes(`0x7f${'5e'.repeat(32)}00`, METIS)).toEqual([]);
  });

  it('resumes after a terminator only at a pushed JUMPDEST', () => {
    // PUSH1 5, JUMP, INVALID, [data 5e], JUMPDEST, MCOPY, STOP
    expect(findUnsupportedOpcodes('0x600556fe5e5b5e00', METIS)).toEqual([
      { opcode: 0x5e, name: 'MCOPY', offset: 6 },
    ]);
    // STOP, then a JUMPDEST nothing jumps to.
    expect(findUnsupportedOpcodes('0x005b5e00', METIS)).toEqual([]);
  });

  it('never jumps into what CODECOPY reads: that is data', () => {
    // PUSH1 3, PUSH1 8, PUSH0, CODECOPY, STOP, INVALID, [data: 5b 5e 00]
    expect(findUnsupportedOpcodes('0x600360085f3900fe5b5e00', METIS)).toEqual([]);
    // The same offset used by JUMP instead: code.
    expect(findUnsupportedOpcodes('0x6008560000fefe005b5e00', METIS)).toEqual([
      { opcode: 0x5e, name: 'MCOPY', offset: 9 },
    ]);
  });

  it('treats a stretch that reaches an undefined opcode as data', () => {
    // PUSH1 3, JUMP, JUMPDEST, 0x2c (undefined: ASCII ","), 0x5e
    expect(findUnsupportedOpcodes('0x6003565b2c5e00', METIS)).toEqual([]);
  });

  it('walks an embedded contract whose offset and size the code pushes', () => {
    // PUSH1 size, PUSH1 offset, PUSH0, CODECOPY, PUSH1 size, PUSH0, RETURN, INVALID, then the
    // runtime (CALLVALUE, MCOPY, STOP) with its metadata.
    const runtime = `345e00${SOLC_METADATA}`;
    const size = (runtime.length / 2).toString(16).padStart(2, '0');
    const code: Hex = `0x60${size}600b5f3960${size}5ff3fe${runtime}`;
    expect(code.length / 2 - 1).toBe(11 + runtime.length / 2);
    expect(findUnsupportedOpcodes(code, METIS)).toEqual([
      { opcode: 0x5e, name: 'MCOPY', offset: 12 },
    ]);
  });

  it('finds nothing in empty bytecode and refuses what is not hex', () => {
    expect(findUnsupportedOpcodes('0x', METIS)).toEqual([]);
    expect(findUnsupportedOpcodes('0x5e', [])).toEqual([]);
    expect(() => findUnsupportedOpcodes('0x5' as Hex, METIS)).toThrow(HyperdeployError);
    expect(() => findUnsupportedOpcodes('0xzz' as Hex, METIS)).toThrow(/even-length hex/);
  });
});

describe('findMetadataRanges', () => {
  it('finds solc, old bzzr0 and Vyper metadata followed by their length', () => {
    expect(findMetadataRanges(bytes(`00${SOLC_METADATA}`))).toEqual([{ start: 1, end: 54 }]);
    const bzzr0 = withLength(`a1${text('bzzr0')}5820${'11'.repeat(32)}`);
    expect(findMetadataRanges(bytes(`00${bzzr0}`))).toEqual([{ start: 1, end: 44 }]);
    const vyper = withLength(`8419021e8000a1${text('vyper')}8300030a`);
    expect(findMetadataRanges(bytes(`00${vyper}`))).toEqual([{ start: 1, end: 20 }]);
  });

  it('strips nothing without a compiler key or with a wrong length', () => {
    expect(findMetadataRanges(bytes(`00${withLength(`a1${text('foo')}01`)}`))).toEqual([]);
    expect(findMetadataRanges(bytes(`00${SOLC_METADATA.slice(0, -4)}0034`))).toEqual([]);
  });
});

describe('findUnsupportedOpcodes on solc output', () => {
  let dir: string;
  const compile = async (file: string, evmVersion: string, cwd?: string): Promise<Hex> =>
    (await compileSolidity({ file, evmVersion, cwd: cwd ?? dir })).bytecode;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hyperdeploy-opcodes-'));
    const header = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
    const sources: Record<string, string> = {
      'Concat.sol': `contract Concat {
  function join(bytes memory a) external pure returns (bytes memory) { return bytes.concat(a, a); }
  function pack(bytes memory a, bytes memory b) external pure returns (bytes memory) {
    return abi.encodePacked(a, b);
  }
}`,
      'Transient.sol': 'contract Transient { function t() external { assembly { tstore(0, 1) } } }',
      'BaseFee.sol':
        'contract BaseFee { function fee() external view returns (uint256) { return block.basefee; } }',
      'LongString.sol': `contract LongString {
  string public constant TEXT = "${'Hello ]^_\\\\ HIJ [world] <svg>^_^</svg> '.repeat(6)}";
  function text() external pure returns (string memory) { return string.concat(TEXT, "!"); }
}`,
      'Factory.sol': `contract Child {
  string public note = "${'[data] ]^_ HIJ '.repeat(12)}";
  constructor(uint256 seed) { note = string.concat(note, seed == 0 ? "" : "!"); }
  function join(bytes memory a) external pure returns (bytes memory) { return bytes.concat(a, a); }
}
contract Factory {
  string constant LIST = "${'[1, 2] ]^_ HIJ '.repeat(12)}";
  function make() external returns (address) { return address(new Child(1)); }
  function list() external pure returns (string memory) { return string.concat(LIST, "!"); }
}`,
    };
    for (const [file, source] of Object.entries(sources)) {
      writeFileSync(join(dir, file), header + source);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds MCOPY from bytes.concat / abi.encodePacked compiled for cancun', async () => {
    const bytecode = await compile('Concat.sol', 'cancun');
    expect(names(findUnsupportedOpcodes(bytecode, METIS))).toEqual(['MCOPY']);
    expect(findUnsupportedOpcodes(bytecode, unsupportedOpcodesFor('cancun'))).toEqual([]);
  });

  it('finds no MCOPY in the same contract compiled for shanghai (but PUSH0 for paris)', async () => {
    const bytecode = await compile('Concat.sol', 'shanghai');
    expect(findUnsupportedOpcodes(bytecode, METIS)).toEqual([]);
    expect(names(findUnsupportedOpcodes(bytecode, unsupportedOpcodesFor('paris')))).toEqual([
      'PUSH0',
    ]);
  });

  it('finds TSTORE from assembly compiled for cancun', async () => {
    const bytecode = await compile('Transient.sol', 'cancun');
    expect(names(findUnsupportedOpcodes(bytecode, METIS))).toEqual(['TSTORE']);
  });

  it('finds BASEFEE from block.basefee for Metis, not where the chain has it', async () => {
    const bytecode = await compile('BaseFee.sol', 'shanghai');
    expect(names(findUnsupportedOpcodes(bytecode, METIS))).toEqual(['BASEFEE']);
    expect(
      findUnsupportedOpcodes(bytecode, unsupportedOpcodesFor('shanghai', { baseFee: true })),
    ).toEqual([]);
  });

  it.each(['Counter', 'Token'])(
    'finds nothing in the sample %s compiled for shanghai',
    async (name) => {
      const bytecode = await compile(`contracts/${name}.sol`, 'shanghai', root);
      expect(findUnsupportedOpcodes(bytecode, METIS)).toEqual([]);
    },
  );

  it('skips a long string literal stored as data, whose bytes are 0x5d..0x5f and 0x48..0x4a', async () => {
    const bytecode = await compile('LongString.sol', 'shanghai');
    expect(bytecode).toContain(Buffer.from(']^_\\ HIJ').toString('hex'));
    expect(findUnsupportedOpcodes(bytecode, METIS)).toEqual([]);
  });

  it('walks a contract embedded for `new`, not the data around it', async () => {
    const factory = await compile('Factory.sol:Factory', 'cancun');
    const child = await compile('Factory.sol:Child', 'cancun');
    const start = factory.indexOf(child.slice(2)) / 2 - 1;
    expect(start).toBeGreaterThan(0);
    const hits = findUnsupportedOpcodes(factory, METIS);
    const inChild = hits.filter(
      (hit) => hit.offset >= start && hit.offset < start + (child.length - 2) / 2,
    );
    expect(names(inChild)).toEqual(['MCOPY']);
    expect(names(hits)).toEqual(['MCOPY']);
    const shanghai = await compile('Factory.sol:Factory', 'shanghai');
    expect(findUnsupportedOpcodes(shanghai, METIS)).toEqual([]);
  });
});
