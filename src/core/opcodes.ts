import { HyperdeployError } from './errors.ts';
import type { Hex } from './types.ts';

/** solc evmVersion names (same list as the chain presets). */
export type EvmVersion = 'london' | 'paris' | 'shanghai' | 'cancun' | 'prague';

/** Names of the opcodes some target chains lack. */
export const EVM_OPCODE_NAMES: Readonly<Record<number, string>> = {
  72: 'BASEFEE',
  73: 'BLOBHASH',
  74: 'BLOBBASEFEE',
  92: 'TLOAD',
  93: 'TSTORE',
  94: 'MCOPY',
  95: 'PUSH0',
};

const CANCUN_OPCODES = [0x49, 0x4a, 0x5c, 0x5d, 0x5e];
const BASEFEE = 0x48;
const PUSH0 = 0x5f;

export interface UnsupportedOpcodesOptions {
  /**
   * Whether the chain has BASEFEE (London). Default: no for `shanghai`, which is what the Metis
   * presets mean by it (Berlin + PUSH0, no London), yes for `london` and `paris`. A chain whose
   * blocks carry `baseFeePerGas` has it.
   */
  baseFee?: boolean;
}

/** Opcodes a chain of this EVM version lacks, among those solc may emit. */
export function unsupportedOpcodesFor(
  evmVersion: EvmVersion,
  options: UnsupportedOpcodesOptions = {},
): number[] {
  if (evmVersion === 'cancun' || evmVersion === 'prague') return [];
  const baseFee = options.baseFee ?? evmVersion !== 'shanghai';
  return [
    ...(baseFee ? [] : [BASEFEE]),
    ...CANCUN_OPCODES,
    ...(evmVersion === 'shanghai' ? [] : [PUSH0]),
  ];
}

export interface OpcodeHit {
  opcode: number;
  name: string;
  /** Byte offset in the bytecode. */
  offset: number;
}

const JUMPDEST = 0x5b;
const INVALID = 0xfe;
/** STOP, JUMP, RETURN, REVERT, INVALID, SELFDESTRUCT: what follows is unreachable until a JUMPDEST. */
const TERMINATORS = new Set([0x00, 0x56, 0xf3, 0xfd, INVALID, 0xff]);
/** Opcodes defined by the latest EVM (Osaka); code that reaches any other byte is data. */
const DEFINED = definedOpcodes();
/** Fixed-point rounds of the reachability walk; a real contract settles in a handful. */
const MAX_ROUNDS = 64;
const NO_TARGETS: ReadonlySet<number> = new Set();

/**
 * Where `unsupported` opcodes occur at reachable code positions of creation bytecode (pass it
 * without constructor arguments). PUSH data and CBOR metadata are skipped, and so are data
 * sections such as long string literals: after a terminating opcode the walk resumes only at a
 * JUMPDEST its contract pushes, or at an embedded contract (runtime code, `new X`) whose offset
 * and size the enclosing code pushes; and a stretch that reaches an undefined opcode is data.
 */
export function findUnsupportedOpcodes(bytecode: Hex, unsupported: readonly number[]): OpcodeHit[] {
  const code = hexToBytes(bytecode);
  const wanted = new Set(unsupported);
  if (wanted.size === 0 || code.length === 0) return [];
  return reachableWalk(code)
    .opcodes.filter((offset) => wanted.has(code[offset] ?? -1))
    .map((offset) => {
      const opcode = code[offset] ?? 0;
      return { opcode, name: opcodeName(opcode), offset };
    });
}

/** The opcode's name, or its hex value for opcodes outside EVM_OPCODE_NAMES. */
export function opcodeName(opcode: number): string {
  return EVM_OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16).padStart(2, '0')}`;
}

/** Values pushed by each contract's reachable code, by the contract's start offset. */
type Pushed = Map<number, Set<number>>;

interface Walk {
  /** Offsets of the instructions the walk reached. */
  opcodes: number[];
  pushed: Pushed;
}

/** A contract embedded in the bytecode: jump targets are relative to its start. */
interface Frame {
  base: number;
  /** Offset just past it, when its pushed size says so. */
  end: number | null;
}

interface Metadata {
  ranges: Range[];
  /** For each byte inside metadata, the offset just past it; 0 elsewhere. */
  endAt: Int32Array;
}

/** Repeats the walk with the jump targets found so far until they no longer change. */
function reachableWalk(code: Uint8Array): Walk {
  const ranges = findMetadataRanges(code);
  const endAt = new Int32Array(code.length);
  for (const range of ranges) endAt.fill(range.end, range.start, range.end);
  const metadata = { ranges, endAt };
  let walk = walkOnce(code, metadata, new Map());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = walkOnce(code, metadata, walk.pushed);
    if (samePushed(next.pushed, walk.pushed)) return next;
    walk = next;
  }
  return walk;
}

/** One sweep from offset 0: decodes reachable stretches of code, scans the rest byte by byte. */
function walkOnce(code: Uint8Array, metadata: Metadata, targets: Pushed): Walk {
  const opcodes: number[] = [];
  const pushed: Pushed = new Map();
  const frames: Frame[] = [{ base: 0, end: null }];
  // Just after INVALID or metadata: where solc appends embedded contracts and data.
  let boundary = false;
  for (let pos = 0; pos < code.length; ) {
    const skipTo = metadata.endAt[pos] ?? 0;
    if (skipTo > 0) {
      closeFrames(frames, skipTo);
      [pos, boundary] = [skipTo, true];
      continue;
    }
    const frame = frames.at(-1) ?? { base: 0, end: null };
    const known = targets.get(frame.base) ?? NO_TARGETS;
    const entered: Frame | undefined = boundary
      ? embeddedContract(code, pos, frame, known, metadata)
      : undefined;
    const reachable: boolean =
      pos === 0 || entered !== undefined || (code[pos] === JUMPDEST && known.has(pos - frame.base));
    const stretch: Stretch | null = reachable ? decodeStretch(code, pos, metadata.endAt) : null;
    if (!stretch) {
      boundary = code[pos] === INVALID;
      pos += 1;
      continue;
    }
    if (entered) frames.push(entered);
    const owner = entered ?? frame;
    const values = pushed.get(owner.base) ?? new Set();
    for (const value of stretch.pushed) values.add(value);
    pushed.set(owner.base, values);
    opcodes.push(...stretch.offsets);
    [pos, boundary] = [stretch.end, code[stretch.offsets.at(-1) ?? -1] === INVALID];
  }
  return { opcodes, pushed };
}

/** Leaves the contracts that end at `pos`; one without a known end ends at its metadata. */
function closeFrames(frames: Frame[], pos: number): void {
  const before = frames.length;
  while (frames.length > 1 && (frames.at(-1)?.end ?? Infinity) <= pos) frames.pop();
  if (frames.length === before && frames.length > 1 && frames.at(-1)?.end === null) frames.pop();
}

/**
 * An embedded contract at `pos`: the enclosing code pushes its offset (for CODECOPY) and either
 * its size (offset + size = the end of a metadata blob) or it starts like solc output does.
 */
function embeddedContract(
  code: Uint8Array,
  pos: number,
  parent: Frame,
  known: ReadonlySet<number>,
  metadata: Metadata,
): Frame | undefined {
  if (!known.has(pos - parent.base)) return undefined;
  const ends = metadata.ranges.map((range) => range.end).filter((end) => known.has(end - pos));
  if (ends.length > 0) return { base: pos, end: Math.max(...ends) };
  return startsLikeSolc(code, pos) ? { base: pos, end: null } : undefined;
}

/** `PUSH1 0x80` (free memory pointer), or a library's `PUSH20 <address> ADDRESS EQ`. */
function startsLikeSolc(code: Uint8Array, pos: number): boolean {
  if (code[pos] === 0x60 && code[pos + 1] === 0x80) return true;
  return code[pos] === 0x73 && code[pos + 21] === 0x30 && code[pos + 22] === 0x14;
}

interface Stretch {
  offsets: number[];
  pushed: number[];
  /** Offset after the last instruction. */
  end: number;
}

/** Instructions from `start` to a terminator, metadata or the end; null if it reaches an undefined opcode. */
function decodeStretch(code: Uint8Array, start: number, metadataEnd: Int32Array): Stretch | null {
  const offsets: number[] = [];
  const pushed: number[] = [];
  let pos = start;
  while (pos < code.length && (metadataEnd[pos] ?? 0) === 0) {
    const op = code[pos] ?? 0;
    if (!DEFINED[op]) return null;
    offsets.push(pos);
    const size = op >= 0x60 && op <= 0x7f ? op - 0x5f : 0;
    pushed.push(...pushedValues(code, pos + 1, Math.min(size, code.length - pos - 1)));
    pos += 1 + size;
    if (TERMINATORS.has(op)) break;
  }
  return { offsets, pushed, end: pos };
}

/** A pushed value that may be an offset; for PUSH5..8 also its 32-bit halves. */
function pushedValues(code: Uint8Array, start: number, size: number): number[] {
  if (size === 0 || size > 8) return [];
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(code[start + i] ?? 0);
  // Legacy solc stores internal function pointers as (creation tag << 32) | runtime tag.
  const parts = [value, value & 0xffffffffn, value >> 32n];
  return parts.filter((part) => part < BigInt(code.length)).map(Number);
}

function samePushed(a: Pushed, b: Pushed): boolean {
  if (a.size !== b.size) return false;
  for (const [base, values] of a) {
    const other = b.get(base);
    if (!other || other.size !== values.size || [...values].some((v) => !other.has(v)))
      return false;
  }
  return true;
}

function definedOpcodes(): Uint8Array {
  const defined = new Uint8Array(256);
  const ranges = [
    [0x00, 0x0b],
    [0x10, 0x1e],
    [0x20, 0x20],
    [0x30, 0x4a],
    [0x50, 0xa4],
    [0xf0, 0xf5],
    [0xfa, 0xfa],
    [0xfd, 0xff],
  ] as const;
  for (const [from, to] of ranges) defined.fill(1, from, to + 1);
  return defined;
}

function hexToBytes(bytecode: Hex): Uint8Array {
  if (!/^0x(?:[\da-f]{2})*$/i.test(bytecode)) {
    throw new HyperdeployError(
      'INVALID_BYTECODE',
      'The bytecode is not 0x-prefixed even-length hex.',
    );
  }
  const bytes = new Uint8Array((bytecode.length - 2) / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(bytecode.slice(2 + i * 2, 4 + i * 2), 16);
  }
  return bytes;
}

interface Range {
  start: number;
  end: number;
}

/** Keys compilers write into the metadata CBOR; at least one must be present to strip it. */
const COMPILER_KEYS = new Set(['ipfs', 'bzzr0', 'bzzr1', 'solc', 'vyper']);
const MAX_ITEMS = 16;
const MAX_DEPTH = 3;

/**
 * Byte ranges of compiler metadata: a CBOR map (or Vyper's array) naming a compiler key, directly
 * followed by its own length in 2 big-endian bytes. Anything less is treated as code.
 */
export function findMetadataRanges(code: Uint8Array): Range[] {
  const ranges: Range[] = [];
  for (let start = 0; start + 3 <= code.length; start++) {
    const major = (code[start] ?? 0) >> 5;
    if (major !== 4 && major !== 5) continue;
    const item = parseCbor(code, start, 0);
    if (!item?.compiler || item.end + 2 > code.length) continue;
    const length = ((code[item.end] ?? 0) << 8) | (code[item.end + 1] ?? 0);
    if (length !== item.end - start) continue;
    ranges.push({ start, end: item.end + 2 });
    start = item.end + 1;
  }
  return ranges;
}

interface CborItem {
  end: number;
  /** The item is or contains a map with a compiler key. */
  compiler: boolean;
  text?: string;
}

/** A minimal, bounded CBOR reader for metadata: ints, byte/text strings, arrays, maps, booleans. */
function parseCbor(code: Uint8Array, pos: number, depth: number): CborItem | null {
  const head = code[pos];
  if (head === undefined || depth > MAX_DEPTH) return null;
  if (head === 0xf4 || head === 0xf5 || head === 0xf6) return { end: pos + 1, compiler: false };
  // Indefinite-length array or map, closed by a 0xff break.
  if (head === 0x9f || head === 0xbf)
    return parseCollection(code, pos + 1, -1, head === 0xbf, depth);
  const major = head >> 5;
  const arg = readArgument(code, pos);
  if (!arg) return null;
  if (major === 0) return { end: arg.next, compiler: false };
  if (major === 2 || major === 3) {
    const end = arg.next + arg.value;
    if (end > code.length) return null;
    const short = major === 3 && arg.value <= 32;
    const text = short ? String.fromCharCode(...code.subarray(arg.next, end)) : undefined;
    return { end, compiler: false, ...(text === undefined ? {} : { text }) };
  }
  if ((major !== 4 && major !== 5) || arg.value < 1 || arg.value > MAX_ITEMS) return null;
  return parseCollection(code, arg.next, arg.value, major === 5, depth);
}

function parseCollection(
  code: Uint8Array,
  start: number,
  count: number,
  isMap: boolean,
  depth: number,
): CborItem | null {
  let pos = start;
  let compiler = false;
  for (let i = 0; count < 0 ? i < MAX_ITEMS : i < count; i++) {
    if (count < 0 && code[pos] === 0xff) return { end: pos + 1, compiler };
    if (isMap) {
      const key = parseCbor(code, pos, depth + 1);
      if (key?.text === undefined) return null;
      compiler ||= COMPILER_KEYS.has(key.text);
      pos = key.end;
    }
    const value = parseCbor(code, pos, depth + 1);
    if (!value) return null;
    compiler ||= value.compiler;
    pos = value.end;
  }
  if (count < 0) return code[pos] === 0xff ? { end: pos + 1, compiler } : null;
  return { end: pos, compiler };
}

/** The argument of a CBOR head: immediate, or in the 1, 2 or 4 bytes that follow. */
function readArgument(code: Uint8Array, pos: number): { value: number; next: number } | null {
  const info = (code[pos] ?? 0) & 0x1f;
  if (info < 24) return { value: info, next: pos + 1 };
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
  if (size === 0 || pos + 1 + size > code.length) return null;
  let value = 0;
  for (let i = 1; i <= size; i++) value = value * 256 + (code[pos + i] ?? 0);
  return { value, next: pos + 1 + size };
}
