import { type AbiParameter, isAddress } from 'viem';

/** A value that does not fit its ABI type; `path` names the spot, e.g. `recipients[2]`. */
export class ArgumentValueError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/**
 * Turns a JSON value into what viem encodes for an ABI parameter: integers (numbers, decimal,
 * hex or 1e18-style strings) become range-checked bigints, and every other type is checked,
 * recursing into arrays and tuples.
 */
export function coerceArgument(param: AbiParameter, value: unknown, path: string): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (array?.[1] !== undefined) {
    return coerceArray({ ...param, type: array[1] }, array[2], value, path);
  }
  if (param.type === 'tuple') return coerceTuple(param, value, path);
  const int = /^(u?)int(\d*)$/.exec(param.type);
  if (int) return coerceInteger(value, int[1] === 'u', Number(int[2] || 256), param.type, path);
  const fixedBytes = /^bytes(\d+)$/.exec(param.type);
  if (fixedBytes) return coerceBytes(value, Number(fixedBytes[1]), path);
  switch (param.type) {
    case 'address':
      return coerceAddress(value, path);
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new ArgumentValueError(path, `expected true or false, got ${show(value)}`);
    case 'string':
      if (typeof value === 'string') return value;
      throw new ArgumentValueError(path, `expected a string, got ${show(value)}`);
    case 'bytes':
      return coerceBytes(value, undefined, path);
    default:
      return value; // e.g. `function`: left to viem, whose error is mapped by the caller
  }
}

function coerceArray(
  inner: AbiParameter,
  length: string | undefined,
  value: unknown,
  path: string,
) {
  if (!Array.isArray(value)) {
    throw new ArgumentValueError(path, `expected an array, got ${show(value)}`);
  }
  if (length && value.length !== Number(length)) {
    throw new ArgumentValueError(path, `expected ${length} elements, got ${value.length}`);
  }
  return value.map((item, index) => coerceArgument(inner, item, `${path}[${index}]`));
}

function coerceTuple(param: AbiParameter, value: unknown, path: string): unknown {
  const components = 'components' in param ? param.components : [];
  if (Array.isArray(value)) {
    if (value.length !== components.length) {
      throw new ArgumentValueError(
        path,
        `expected ${components.length} fields, got ${value.length}`,
      );
    }
    return components.map((c, i) => coerceArgument(c, value[i], `${path}.${c.name || i}`));
  }
  const named = components.every((c) => c.name);
  if (value === null || typeof value !== 'object' || !named) {
    const shape = named ? 'an object or an array' : 'an array';
    throw new ArgumentValueError(path, `expected ${shape} for the tuple, got ${show(value)}`);
  }
  const record = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const c of components) {
    const name = c.name as string;
    if (!(name in record)) throw new ArgumentValueError(path, `missing field "${name}"`);
    result[name] = coerceArgument(c, record[name], `${path}.${name}`);
  }
  return result;
}

function coerceInteger(
  value: unknown,
  unsigned: boolean,
  bits: number,
  type: string,
  path: string,
) {
  const parsed = toBigInt(value);
  if (typeof parsed === 'string') throw new ArgumentValueError(path, parsed);
  const min = unsigned ? 0n : -(2n ** BigInt(bits - 1));
  const max = unsigned ? 2n ** BigInt(bits) - 1n : 2n ** BigInt(bits - 1) - 1n;
  if (parsed < min || parsed > max) {
    const range =
      bits <= 64
        ? `${min} to ${max}`
        : unsigned
          ? `0 to 2^${bits}-1`
          : `-2^${bits - 1} to 2^${bits - 1}-1`;
    throw new ArgumentValueError(path, `${parsed} is out of range for ${type} (${range})`);
  }
  return parsed;
}

/** An exact bigint, or the reason the value is not an integer. */
function toBigInt(value: unknown): bigint | string {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `${value} is not an integer`;
    if (!Number.isSafeInteger(value)) {
      return `${value} is too large for a JSON number (precision is lost): pass it as a string`;
    }
    return BigInt(value);
  }
  if (typeof value !== 'string') return `expected an integer, got ${show(value)}`;
  const text = value.trim();
  if (/^-?\d+$/.test(text)) return BigInt(text);
  const hex = /^(-?)(0x[0-9a-fA-F]+)$/.exec(text);
  if (hex?.[2]) return hex[1] ? -BigInt(hex[2]) : BigInt(hex[2]);
  // 1e18 and 1.5e18 are common ways to write token amounts; accept them when exact.
  const sci = /^(-?)(\d+)(?:\.(\d+))?[eE]\+?(\d+)$/.exec(text);
  if (sci?.[2] && sci[4]) {
    const fraction = sci[3] ?? '';
    const shift = Number(sci[4]) - fraction.length;
    const digits = BigInt(sci[2] + fraction);
    if (shift < 0 && digits % 10n ** BigInt(-shift) !== 0n) return `${text} is not an integer`;
    const result = shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift);
    return sci[1] ? -result : result;
  }
  if (/^-?\d*\.\d+$/.test(text)) return `${text} is not an integer`;
  return `expected an integer, got ${show(value)}`;
}

function coerceAddress(value: unknown, path: string): string {
  if (typeof value === 'string' && isAddress(value)) return value;
  if (typeof value === 'string' && isAddress(value, { strict: false })) {
    throw new ArgumentValueError(
      path,
      `${value} has a wrong checksum (mixed case): check it for a typo, or pass it all lower-case`,
    );
  }
  throw new ArgumentValueError(
    path,
    `expected an address (0x + 40 hex digits), got ${show(value)}`,
  );
}

function coerceBytes(value: unknown, size: number | undefined, path: string): string {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    const expected = size ? `${size} bytes` : 'bytes';
    throw new ArgumentValueError(path, `expected 0x-prefixed hex ${expected}, got ${show(value)}`);
  }
  const length = (value.length - 2) / 2;
  if (size !== undefined && length !== size) {
    throw new ArgumentValueError(
      path,
      `expected ${size} bytes (0x + ${size * 2} hex digits), got ${length}`,
    );
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return value.toString();
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
