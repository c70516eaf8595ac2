import { HyperdeployError } from './errors.ts';
import { type CodeRange, findMetadataRanges } from './metadata.ts';
import type { Hex } from './types.ts';

/** solc evmVersion names (same list as the chain presets). */
export type EvmVersion = 'london' | 'paris' | 'shanghai' | 'cancun' | 'prague';

/** Names of the opcodes some target chains lack. */
export const EVM_OPCODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries([
  [0x48, 'BASEFEE'],
  [0x49, 'BLOBHASH'],
  [0x4a, 'BLOBBASEFEE'],
  [0x5c, 'TLOAD'],
  [0x5d, 'TSTORE'],
  [0x5e, 'MCOPY'],
  [0x5f, 'PUSH0'],
]);

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
const CODECOPY = 0x39;
const INVALID = 0xfe;
/** STOP, JUMP, RETURN, REVERT, INVALID, SELFDESTRUCT: unreachable after them until a JUMPDEST. */
const TERMINATORS = new Set([0x00, 0x56, 0xf3, 0xfd, INVALID, 0xff]);
/** Stack inputs and outputs of every opcode defined by the latest EVM (Osaka); -1: undefined. */
const STACK_EFFECTS = stackEffects();
/** Fixed-point rounds of the reachability walk; a real contract settles in a handful. */
const MAX_ROUNDS = 64;

/**
 * Where `unsupported` opcodes occur at reachable code positions of creation bytecode (pass it
 * without constructor arguments). PUSH data and CBOR metadata are skipped, and so are data
 * sections such as long string literals: after a terminating opcode the walk resumes only at a
 * JUMPDEST its contract pushes (and never copies as data), or at an embedded contract (runtime
 * code, `new X`) whose offset the enclosing code pushes; a stretch reaching an undefined opcode
 * is data.
 */
export function findUnsupportedOpcodes(bytecode: Hex, unsupported: readonly number[]): OpcodeHit[] {
  const code = hexToBytes(bytecode);
  const wanted = new Set(unsupported);
  if (wanted.size === 0 || code.length === 0) return [];
  return reachableOffsets(code)
    .filter((offset) => wanted.has(code[offset] ?? -1))
    .map((offset) => {
      const opcode = code[offset] ?? 0;
      return { opcode, name: opcodeName(opcode), offset };
    });
}

/** The opcode's name, or its hex value for opcodes outside EVM_OPCODE_NAMES. */
export function opcodeName(opcode: number): string {
  return EVM_OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16).padStart(2, '0')}`;
}

/** What each contract's reachable code pushes and copies, by the contract's start offset. */
type Known = Map<number, Frame>;

/** A contract embedded in the bytecode: its jump targets are relative to its start. */
interface Frame {
  base: number;
  /** Offset just past it, when the enclosing code pushes its size; else it ends at metadata. */
  end: number | null;
  /** Values its reachable code pushes, and those it uses as CODECOPY offsets (data, not code). */
  pushed: Set<number>;
  copied: Set<number>;
  /** An embedded contract began: its own code is over, only contracts and data follow. */
  codeOver: boolean;
}

interface Metadata {
  ranges: CodeRange[];
  /** For each byte inside metadata, the offset just past it; 0 elsewhere. */
  endAt: Int32Array;
}

/** Repeats the walk with the jump targets found so far until they no longer change. */
function reachableOffsets(code: Uint8Array): number[] {
  const ranges = findMetadataRanges(code);
  const endAt = new Int32Array(code.length);
  for (const range of ranges) endAt.fill(range.end, range.start, range.end);
  const metadata = { ranges, endAt };
  let walk = walkOnce(code, metadata, new Map());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = walkOnce(code, metadata, walk.known);
    if (sameKnown(next.known, walk.known)) return next.offsets;
    walk = next;
  }
  return walk.offsets;
}

/**
 * One sweep from offset 0 with what the previous sweep learned: decodes reachable stretches of
 * code and scans the rest byte by byte.
 */
function walkOnce(
  code: Uint8Array,
  metadata: Metadata,
  previous: Known,
): { offsets: number[]; known: Known } {
  const offsets: number[] = [];
  const root = frame(0, null);
  const frames: Frame[] = [root];
  const all: Frame[] = [root];
  // Just after INVALID or metadata: where solc appends embedded contracts and data.
  let boundary = false;
  for (let pos = 0; pos < code.length; ) {
    const skipTo = metadata.endAt[pos] ?? 0;
    if (skipTo > 0) {
      closeFrames(frames, skipTo);
      [pos, boundary] = [skipTo, true];
      continue;
    }
    const current = frames.at(-1) ?? root;
    const known = previous.get(current.base) ?? current;
    const entered: Frame | undefined = boundary
      ? embeddedContract(code, pos, current.base, known, metadata)
      : undefined;
    const reachable: boolean =
      pos === 0 || entered !== undefined || (!current.codeOver && isJumpTarget(code, pos, known));
    const stretch: Stretch | null = reachable ? decodeStretch(code, pos, metadata.endAt) : null;
    if (!stretch) {
      boundary = code[pos] === INVALID;
      pos += 1;
      continue;
    }
    if (entered) {
      current.codeOver = true;
      frames.push(entered);
      all.push(entered);
    }
    const owner = entered ?? current;
    for (const value of stretch.pushed) owner.pushed.add(value);
    for (const value of stretch.copied) owner.copied.add(value);
    offsets.push(...stretch.offsets);
    [pos, boundary] = [stretch.end, code[stretch.offsets.at(-1) ?? -1] === INVALID];
  }
  return { offsets, known: new Map(all.map((f) => [f.base, f])) };
}

/** A JUMPDEST whose offset in its contract is pushed, and not as the source of a CODECOPY. */
function isJumpTarget(code: Uint8Array, pos: number, known: Frame): boolean {
  const offset = pos - known.base;
  return code[pos] === JUMPDEST && known.pushed.has(offset) && !known.copied.has(offset);
}

const frame = (base: number, end: number | null): Frame => ({
  base,
  end,
  pushed: new Set(),
  copied: new Set(),
  codeOver: false,
});

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
  parentBase: number,
  parent: Frame,
  metadata: Metadata,
): Frame | undefined {
  if (!parent.pushed.has(pos - parentBase)) return undefined;
  const ends = metadata.ranges
    .map((range) => range.end)
    .filter((end) => end > pos && parent.pushed.has(end - pos));
  if (ends.length > 0) return frame(pos, Math.max(...ends));
  return startsLikeSolc(code, pos) ? frame(pos, null) : undefined;
}

/** Prologues of solc contracts, for a contract followed by data rather than its metadata. */
const PROLOGUES: ReadonlyArray<ReadonlyArray<number | null>> = [
  [0x60, 0x80], // PUSH1 0x80: the free memory pointer, legacy and via-IR
  [0x60, null, 0x60, 0x40, 0x52], // legacy: mstore(0x40, v) with PUSH1
  [0x61, null, null, 0x60, 0x40, 0x52], // legacy: mstore(0x40, v) with PUSH2
  [0x73, ...Array<null>(20).fill(null), 0x30, 0x14], // library: PUSH20 <address> ADDRESS EQ
];

function startsLikeSolc(code: Uint8Array, pos: number): boolean {
  return PROLOGUES.some((prologue) =>
    prologue.every((byte, i) => byte === null || code[pos + i] === byte),
  );
}

interface Stretch {
  offsets: number[];
  /** Values pushed that may be offsets in the contract. */
  pushed: number[];
  /** Constants used as the source offset of a CODECOPY: data, not code. */
  copied: number[];
  /** Offset after the last instruction. */
  end: number;
}

/**
 * Instructions from `start` to a terminator, metadata or the end, with a symbolic stack of the
 * constants pushed; null when it reaches an undefined opcode (then it is data, not code).
 */
function decodeStretch(code: Uint8Array, start: number, metadataEnd: Int32Array): Stretch | null {
  const stretch: Stretch = { offsets: [], pushed: [], copied: [], end: start };
  const stack: Array<number | null> = [];
  let pos = start;
  while (pos < code.length && (metadataEnd[pos] ?? 0) === 0) {
    const op = code[pos] ?? 0;
    if ((STACK_EFFECTS[op * 2] ?? -1) < 0) return null;
    stretch.offsets.push(pos);
    const size = op >= 0x60 && op <= 0x7f ? Math.min(op - 0x5f, code.length - pos - 1) : 0;
    if (op >= 0x5f && op <= 0x7f) {
      const value = readUint(code, pos + 1, size);
      stretch.pushed.push(...offsetCandidates(value, code.length));
      stack.push(value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null);
    } else {
      execute(stack, op, stretch.copied);
    }
    pos += 1 + size;
    if (TERMINATORS.has(op)) break;
  }
  stretch.end = pos;
  return stretch;
}

/** Applies an opcode to the known top of the stack; deeper items are unknown (null). */
function execute(stack: Array<number | null>, op: number, copied: number[]): void {
  if (op >= 0x80 && op <= 0x8f) {
    stack.push(stack.at(-(op - 0x7f)) ?? null);
    return;
  }
  if (op >= 0x90 && op <= 0x9f) {
    const deep = stack.length - 1 - (op - 0x8f);
    const top = stack.length - 1;
    if (deep >= 0) [stack[top], stack[deep]] = [stack[deep] ?? null, stack[top] ?? null];
    else if (top >= 0) stack[top] = null;
    return;
  }
  const inputs = (STACK_EFFECTS[op * 2] ?? 0) as number;
  const args = Array.from({ length: inputs }, () => stack.pop() ?? null);
  // CODECOPY(destOffset, offset, size): what it copies from is data.
  if (op === CODECOPY && typeof args[1] === 'number') copied.push(args[1]);
  for (let i = 0; i < (STACK_EFFECTS[op * 2 + 1] ?? 0); i++) stack.push(null);
}

function readUint(code: Uint8Array, start: number, size: number): bigint {
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(code[start + i] ?? 0);
  return value;
}

/** A pushed value that may be an offset; also its 32-bit halves (legacy function pointers). */
function offsetCandidates(value: bigint, codeLength: number): number[] {
  const parts = value >> 64n === 0n ? [value, value & 0xffffffffn, value >> 32n] : [];
  return parts.filter((part) => part < BigInt(codeLength)).map(Number);
}

function sameKnown(a: Known, b: Known): boolean {
  if (a.size !== b.size) return false;
  for (const [base, frame] of a) {
    const other = b.get(base);
    if (!other || !sameSet(frame.pushed, other.pushed) || !sameSet(frame.copied, other.copied)) {
      return false;
    }
  }
  return true;
}

const sameSet = (a: Set<number>, b: Set<number>): boolean =>
  a.size === b.size && [...a].every((value) => b.has(value));

/**
 * [inputs, outputs] per opcode (DUP and SWAP are special-cased), -1 for undefined opcodes.
 * Rows: first opcode, last opcode, inputs, outputs.
 */
function stackEffects(): Int8Array {
  const effects = new Int8Array(512).fill(-1);
  // biome-ignore format: a table reads best in rows
  const rows = [
    [0x00, 0x00, 0, 0], [0x01, 0x07, 2, 1], [0x08, 0x09, 3, 1], [0x0a, 0x0b, 2, 1],
    [0x10, 0x14, 2, 1], [0x15, 0x15, 1, 1], [0x16, 0x18, 2, 1], [0x19, 0x19, 1, 1],
    [0x1a, 0x1d, 2, 1], [0x1e, 0x1e, 1, 1], [0x20, 0x20, 2, 1], [0x30, 0x30, 0, 1],
    [0x31, 0x31, 1, 1], [0x32, 0x34, 0, 1], [0x35, 0x35, 1, 1], [0x36, 0x36, 0, 1],
    [0x37, 0x37, 3, 0], [0x38, 0x38, 0, 1], [0x39, 0x39, 3, 0], [0x3a, 0x3a, 0, 1],
    [0x3b, 0x3b, 1, 1], [0x3c, 0x3c, 4, 0], [0x3d, 0x3d, 0, 1], [0x3e, 0x3e, 3, 0],
    [0x3f, 0x40, 1, 1], [0x41, 0x48, 0, 1], [0x49, 0x49, 1, 1], [0x4a, 0x4a, 0, 1],
    [0x50, 0x50, 1, 0], [0x51, 0x51, 1, 1], [0x52, 0x53, 2, 0], [0x54, 0x54, 1, 1],
    [0x55, 0x55, 2, 0], [0x56, 0x56, 1, 0], [0x57, 0x57, 2, 0], [0x58, 0x5a, 0, 1],
    [0x5b, 0x5b, 0, 0], [0x5c, 0x5c, 1, 1], [0x5d, 0x5d, 2, 0], [0x5e, 0x5e, 3, 0],
    [0x5f, 0x7f, 0, 1], [0x80, 0x9f, 0, 0], [0xa0, 0xa0, 2, 0], [0xa1, 0xa1, 3, 0],
    [0xa2, 0xa2, 4, 0], [0xa3, 0xa3, 5, 0], [0xa4, 0xa4, 6, 0], [0xf0, 0xf0, 3, 1],
    [0xf1, 0xf2, 7, 1], [0xf3, 0xf3, 2, 0], [0xf4, 0xf4, 6, 1], [0xf5, 0xf5, 4, 1],
    [0xfa, 0xfa, 6, 1], [0xfd, 0xfd, 2, 0], [0xfe, 0xfe, 0, 0], [0xff, 0xff, 1, 0],
  ] as const;
  for (const [from, to, inputs, outputs] of rows) {
    for (let op = from; op <= to; op++) effects.set([inputs, outputs], op * 2);
  }
  return effects;
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
