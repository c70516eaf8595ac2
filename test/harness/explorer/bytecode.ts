/**
 * Bytecode comparison as explorers do it, on hex strings without 0x. Pure.
 *
 * - The CBOR metadata tail (its length is the last 2 bytes) holds the source hash: it is
 *   ignored, and a match that differs only there is `partial` (Blockscout and Sourcify accept it).
 * - Immutables (`immutableReferences`) are written by the constructor into the runtime code:
 *   their ranges are ignored on both sides.
 * - Unlinked library placeholders (`__$…$__`) are ignored on both sides.
 * Known simplification: metadata of contracts created inside the constructor (`new X()`) sits in
 * the middle of the code and is compared as is, so such a contract with a changed comment is a
 * mismatch, where a real explorer says partial match.
 */

export interface CodeRange {
  start: number;
  length: number;
}

export type CodeMatch = 'exact' | 'partial' | 'mismatch';

export const strip0x = (hex: string): string => hex.replace(/^0x/i, '').toLowerCase();

/** Bytes of the CBOR metadata tail including its 2-byte length; 0 when there is none. */
export function metadataLength(code: string): number {
  const bytes = code.length / 2;
  if (bytes < 2 || !Number.isInteger(bytes)) return 0;
  const cborBytes = Number.parseInt(code.slice(-4), 16);
  if (!Number.isFinite(cborBytes) || cborBytes === 0 || cborBytes + 2 > bytes) return 0;
  // The tail is a CBOR map: major type 5 (0xa0–0xbf).
  const first = Number.parseInt(
    code.slice((bytes - 2 - cborBytes) * 2, (bytes - 1 - cborBytes) * 2),
    16,
  );
  return first >= 0xa0 && first <= 0xbf ? cborBytes + 2 : 0;
}

/** Replaces the byte ranges with zeros. */
export function maskRanges(code: string, ranges: CodeRange[]): string {
  let out = code;
  for (const { start, length } of ranges) {
    if (start * 2 >= out.length) continue;
    const end = Math.min(out.length, (start + length) * 2);
    out = out.slice(0, start * 2) + '0'.repeat(end - start * 2) + out.slice(end);
  }
  return out;
}

/** solc's `linkReferences` / `immutableReferences`, flattened into ranges. */
export function flattenRanges(references: unknown): CodeRange[] {
  const ranges: CodeRange[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === 'object') {
      const { start, length } = value as Partial<CodeRange>;
      if (typeof start === 'number' && typeof length === 'number') ranges.push({ start, length });
      else for (const inner of Object.values(value)) visit(inner);
    }
  };
  visit(references);
  return ranges;
}

/** Compares compiled code with deployed code; `ignore` ranges are masked on both sides. */
export function compareCode(
  compiled: string,
  deployed: string,
  ignore: CodeRange[] = [],
): CodeMatch {
  if (compiled.length !== deployed.length) return 'mismatch';
  const a = maskRanges(compiled, ignore);
  const b = maskRanges(deployed, ignore);
  if (a === b) return 'exact';
  const tail = metadataLength(a) * 2;
  if (tail === 0 || metadataLength(b) * 2 !== tail) return 'mismatch';
  return a.slice(0, -tail) === b.slice(0, -tail) ? 'partial' : 'mismatch';
}

/**
 * Splits a creation transaction's input into the compiled creation code and the constructor
 * arguments that follow it; `match` compares the code part like `compareCode`.
 */
export function splitCreationInput(
  compiledCreation: string,
  input: string,
  ignore: CodeRange[] = [],
): { match: CodeMatch; args: string } {
  if (input.length < compiledCreation.length) return { match: 'mismatch', args: '' };
  const code = input.slice(0, compiledCreation.length);
  return {
    match: compareCode(compiledCreation, code, ignore),
    args: input.slice(compiledCreation.length),
  };
}
