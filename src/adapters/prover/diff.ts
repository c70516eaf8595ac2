import { hexToBytes } from 'viem';
import { findMetadataRanges } from '../../core/metadata.ts';

/** A byte range `[start, start + length)` to leave out of a comparison. */
export interface ByteRange {
  start: number;
  length: number;
}

/** solc's `immutableReferences` / `linkReferences` shapes, as far as offsets go. */
type Offsets = Record<string, ByteRange[]>;
type LinkOffsets = Record<string, Record<string, ByteRange[]>>;

export const immutableRanges = (references: Offsets | undefined): ByteRange[] =>
  Object.values(references ?? {}).flat();

export const linkRanges = (references: LinkOffsets | undefined): ByteRange[] =>
  Object.values(references ?? {}).flatMap((byLibrary) => Object.values(byLibrary).flat());

export interface Difference {
  /** What differs, e.g. `runtime code differs at byte 1234 (recompiled 0x60, on chain 0x61)`. */
  reason: string;
}

const toBytes = (hex: string): Uint8Array =>
  hexToBytes((hex.startsWith('0x') ? hex : `0x${hex}`) as `0x${string}`);

const hexByte = (byte: number | undefined): string =>
  byte === undefined ? 'none' : `0x${byte.toString(16).padStart(2, '0')}`;

/**
 * Where recompiled code and the code on chain differ, ignoring compiler metadata (the CBOR
 * tails of both) and the given ranges (immutables, library addresses). `creation`: the code on
 * chain is the transaction input, the recompiled code followed by the constructor arguments, so
 * only the recompiled length is compared. Returns undefined when nothing differs.
 */
export function describeDifference(
  kind: 'runtime' | 'creation',
  recompiledHex: string,
  onchainHex: string,
  ignore: ByteRange[] = [],
): Difference | undefined {
  const recompiled = toBytes(recompiledHex);
  const onchain = toBytes(onchainHex);
  const lengthDiffers =
    kind === 'runtime' ? recompiled.length !== onchain.length : onchain.length < recompiled.length;
  const skipped = new Uint8Array(Math.max(recompiled.length, onchain.length));
  const skip = (start: number, end: number): void => {
    skipped.fill(1, start, end);
  };
  for (const { start, length } of ignore) skip(start, start + length);
  // Metadata only counts where it sits at the same place in both: a moved tail is a difference.
  const onchainMetadata = new Set(findMetadataRanges(onchain).map((r) => `${r.start}:${r.end}`));
  for (const range of findMetadataRanges(recompiled)) {
    if (onchainMetadata.has(`${range.start}:${range.end}`)) skip(range.start, range.end);
  }
  const compared = Math.min(recompiled.length, onchain.length);
  let first: string | undefined;
  for (let i = 0; i < compared && first === undefined; i++) {
    if (skipped[i] || recompiled[i] === onchain[i]) continue;
    first = `byte ${i} (recompiled ${hexByte(recompiled[i])}, on chain ${hexByte(onchain[i])})`;
  }
  if (lengthDiffers) {
    const at = first === undefined ? '' : `; first difference at ${first}`;
    return { reason: `${kind} ${lengthText(kind, recompiled.length, onchain.length)}${at}` };
  }
  return first === undefined ? undefined : { reason: `${kind} code differs at ${first}` };
}

function lengthText(kind: 'runtime' | 'creation', recompiled: number, onchain: number): string {
  return kind === 'runtime'
    ? `code has a different length: ${recompiled} bytes recompiled vs ${onchain} bytes on chain`
    : `code is shorter on chain than recompiled: ${onchain} vs ${recompiled} bytes`;
}
