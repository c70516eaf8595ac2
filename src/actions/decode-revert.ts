import { type Abi, decodeErrorResult } from 'viem';
import type { Hex } from '../core/types.ts';

const PANIC_REASONS: Record<number, string> = {
  1: 'assertion failed',
  17: 'arithmetic overflow or underflow',
  18: 'division or modulo by zero',
  33: 'invalid enum value',
  34: 'invalid storage byte array',
  49: 'pop on empty array',
  50: 'array index out of bounds',
  65: 'out of memory',
  81: 'call to a zero-initialized function',
};

/** Turns revert data into words: reason string, panic code, or custom error with its args. */
export function describeRevert(abi: readonly unknown[], data: Hex | null): string {
  if (!data || data === '0x') return 'reverted without a reason';
  try {
    const decoded = decodeErrorResult({ abi: abi as Abi, data });
    if (decoded.errorName === 'Error') return `reverted: "${String(decoded.args?.[0])}"`;
    if (decoded.errorName === 'Panic') {
      const code = Number(decoded.args?.[0]);
      const why = PANIC_REASONS[code] ?? 'unknown panic';
      return `panicked with code 0x${code.toString(16).padStart(2, '0')} (${why})`;
    }
    const args = (decoded.args ?? []).map(formatArg).join(', ');
    return `reverted with custom error ${decoded.errorName}(${args})`;
  } catch {
    return `reverted with data ${data.slice(0, 74)}${data.length > 74 ? '…' : ''} (not in the ABI)`;
  }
}

const formatArg = (value: unknown): string =>
  typeof value === 'string'
    ? `"${value}"`
    : typeof value === 'bigint'
      ? value.toString()
      : JSON.stringify(value);
