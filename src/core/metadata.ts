/**
 * The CBOR metadata solc (and vyper) append to contract code, found so code walks and code
 * comparisons can leave it out. Pure and bounded: a malformed blob is simply not metadata.
 */

export interface CodeRange {
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
export function findMetadataRanges(code: Uint8Array): CodeRange[] {
  const ranges: CodeRange[] = [];
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
  if ((major !== 4 && major !== 5) || arg.value > MAX_ITEMS) return null;
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
