import { type Abi, type Hex, isAddress, keccak256, stringToHex } from 'viem';
import { HyperdeployError } from '../core/errors.ts';
import type { LibraryAddresses, LinkReferences } from './types.ts';

/** solc >= 0.5: `__$` + 34 hex chars of keccak256(fully qualified name) + `$__`. */
const HASH_PLACEHOLDER = /^__\$[0-9a-fA-F]{34}\$__$/;
/** solc < 0.5 and Truffle: `__` + the library name padded with `_` to 36 chars + `__`. */
const NAME_PLACEHOLDER = /^__[^$_][^$]{35}__$/;
const PLACEHOLDER_LENGTH = 40;

export interface ValidateBytecodeOptions {
  /** Link references from the compiler output, used to name the library behind a placeholder. */
  linkReferences?: LinkReferences;
}

/**
 * Checks creation bytecode and returns it 0x-prefixed. Refuses empty, odd-length and non-hex input
 * with the position of the problem, and unlinked library placeholders naming the library.
 */
export function validateBytecode(input: string, options: ValidateBytecodeOptions = {}): Hex {
  if (typeof input !== 'string') {
    throw invalid(`Bytecode must be a hex string; got ${typeof input}.`);
  }
  const trimmed = input.trim();
  const prefixLength = /^0x/i.test(trimmed) ? 2 : 0;
  const body = trimmed.slice(prefixLength);
  if (body.length === 0) {
    throw invalid('Bytecode is empty.', {
      hint: 'An interface or abstract contract has no bytecode: pick the concrete contract.',
    });
  }
  const placeholders = findPlaceholders(body);
  if (placeholders.length > 0) throw unlinked(placeholders, options.linkReferences ?? {});
  const bad = body.search(/[^0-9a-fA-F]/);
  if (bad !== -1) {
    const position = bad + prefixLength;
    throw invalid(
      `Bytecode has a non-hex character ${JSON.stringify(body[bad])} at position ${position}.`,
      { hint: hintForMalformed(trimmed), details: { position } },
    );
  }
  if (body.length % 2 !== 0) {
    throw invalid(`Bytecode has an odd number of hex digits (${body.length}).`, {
      hint: 'A digit was lost when copying: copy the whole `bytecode` value again.',
      details: { hexDigits: body.length },
    });
  }
  return `0x${body.toLowerCase()}`;
}

/**
 * Replaces library placeholders with addresses. A key is a fully qualified name
 * (`path/Lib.sol:Lib`) or a bare name, which is matched through the link references.
 */
export function linkLibraries(
  bytecode: string,
  libraries: LibraryAddresses,
  linkReferences: LinkReferences = {},
): string {
  let linked = bytecode;
  for (const [key, address] of Object.entries(libraries)) {
    if (!isAddress(address, { strict: false })) {
      throw new HyperdeployError(
        'INVALID_INPUT',
        `Library ${key} has an invalid address: ${address}`,
        {
          hint: 'Pass --libraries Name=0x… with the 20-byte address of the deployed library.',
          step: 'input',
          details: { library: key, address },
        },
      );
    }
    const target = address.slice(2).toLowerCase();
    for (const placeholder of placeholdersFor(key, linkReferences)) {
      linked = linked.split(placeholder).join(target);
    }
  }
  return linked;
}

/** Checks that a value is a JSON ABI array (a JSON string is parsed first). */
export function validateAbi(value: unknown): Abi {
  let abi = value;
  if (typeof abi === 'string') {
    try {
      abi = JSON.parse(abi);
    } catch (error) {
      throw abiError(`ABI is not valid JSON: ${(error as Error).message}`, {});
    }
  }
  if (!Array.isArray(abi)) {
    const hint =
      abi !== null && typeof abi === 'object' && 'abi' in abi
        ? 'This looks like a whole artifact: pass its `abi` field, or the artifact file itself.'
        : undefined;
    throw abiError(`ABI must be a JSON array of fragments; got ${describe(abi)}.`, { hint });
  }
  for (const [index, item] of abi.entries()) checkAbiItem(item, index);
  if (abi.filter((item) => item.type === 'constructor').length > 1) {
    throw abiError('ABI has more than one constructor.', {});
  }
  return abi as Abi;
}

const ABI_ITEM_TYPES = ['function', 'constructor', 'event', 'error', 'fallback', 'receive'];

function checkAbiItem(item: unknown, index: number): void {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    const hint =
      typeof item === 'string'
        ? 'Human-readable ABI strings are not accepted here: pass the JSON ABI from the compiler.'
        : undefined;
    throw abiError(`ABI item ${index} must be an object; got ${describe(item)}.`, {
      hint,
      details: { index },
    });
  }
  const { type, name, inputs } = item as Record<string, unknown>;
  if (typeof type !== 'string' || !ABI_ITEM_TYPES.includes(type)) {
    throw abiError(
      `ABI item ${index} has type ${JSON.stringify(type)}; ` +
        `expected one of ${ABI_ITEM_TYPES.join(', ')}.`,
      { details: { index } },
    );
  }
  if ((type === 'function' || type === 'event' || type === 'error') && typeof name !== 'string') {
    throw abiError(`ABI item ${index} (${type}) has no name.`, { details: { index } });
  }
  const badInput =
    inputs !== undefined &&
    (!Array.isArray(inputs) ||
      inputs.some((p) => p === null || typeof p !== 'object' || typeof p.type !== 'string'));
  if (badInput) {
    throw abiError(`ABI item ${index} (${type}) has malformed inputs: each needs a string type.`, {
      details: { index },
    });
  }
}

function findPlaceholders(body: string): string[] {
  const found: string[] = [];
  let index = body.indexOf('_');
  while (index !== -1) {
    const window = body.slice(index, index + PLACEHOLDER_LENGTH);
    if (HASH_PLACEHOLDER.test(window) || NAME_PLACEHOLDER.test(window)) {
      if (!found.includes(window)) found.push(window);
      index = body.indexOf('_', index + PLACEHOLDER_LENGTH);
    } else {
      index = body.indexOf('_', index + 1);
    }
  }
  return found;
}

const hashPlaceholder = (fqn: string): string =>
  `__$${keccak256(stringToHex(fqn)).slice(2, 36)}$__`;

const namePlaceholder = (name: string): string => `__${name.slice(0, 36).padEnd(36, '_')}__`;

function linkedFqns(linkReferences: LinkReferences): string[] {
  return Object.entries(linkReferences).flatMap(([file, libs]) =>
    Object.keys(libs).map((lib) => `${file}:${lib}`),
  );
}

function placeholdersFor(key: string, linkReferences: LinkReferences): string[] {
  const fqns = key.includes(':')
    ? [key]
    : linkedFqns(linkReferences).filter((fqn) => fqn.endsWith(`:${key}`));
  return [
    ...fqns.flatMap((fqn) => [hashPlaceholder(fqn), namePlaceholder(fqn)]),
    namePlaceholder(key),
  ];
}

function unlinked(placeholders: string[], linkReferences: LinkReferences): HyperdeployError {
  const byHash = new Map(linkedFqns(linkReferences).map((fqn) => [hashPlaceholder(fqn), fqn]));
  const libraries = placeholders.map(
    (p) => byHash.get(p) ?? (HASH_PLACEHOLDER.test(p) ? p : p.slice(2, -2).replace(/_+$/, '')),
  );
  const named = libraries.every((lib) => !lib.startsWith('__$'));
  const example = named ? `${libraries[0]?.split(':').pop()}=0x…` : 'path/Lib.sol:Lib=0x…';
  return new HyperdeployError(
    'UNLINKED_LIBRARY',
    `Bytecode has unlinked library placeholders: ${libraries.join(', ')}.`,
    {
      hint: `Deploy the library first, then pass --libraries ${example} (one per library).${
        named ? '' : ' A `__$…$__` placeholder is a hash of the fully qualified library name.'
      }`,
      step: 'input',
      details: { placeholders, libraries },
    },
  );
}

function hintForMalformed(input: string): string | undefined {
  if (input.startsWith('{') || input.startsWith('[')) {
    return 'This is JSON, not bytecode: pass the artifact file, or its `bytecode` value.';
  }
  if (/[/\\]|\.(json|bin|sol)$/i.test(input)) {
    return 'This looks like a file path: pass it as the contract file, not as bytecode.';
  }
  return undefined;
}

function invalid(
  message: string,
  extra: { hint?: string | undefined; details?: Record<string, unknown> } = {},
): HyperdeployError {
  return new HyperdeployError('INVALID_BYTECODE', message, {
    ...definedHint(extra.hint),
    step: 'input',
    details: extra.details,
  });
}

function abiError(
  message: string,
  extra: { hint?: string | undefined; details?: Record<string, unknown> },
): HyperdeployError {
  return new HyperdeployError('INVALID_ABI', message, {
    ...definedHint(extra.hint),
    step: 'input',
    details: extra.details,
  });
}

// The catalogue's default hint applies when no specific one is known.
const definedHint = (hint: string | undefined): { hint?: string } => (hint ? { hint } : {});

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
