import type { Fees } from './types.ts';

/** Percent → parts per 100,000 (3 decimals), the unit all bump maths uses. */
const SCALE = 100_000n;
export const DEFAULT_BUMP_PERCENT = 12.5;
/** geth's and reth's default replacement rule (`txpool.pricebump`). */
export const MIN_BUMP_PERCENT = 10;

export interface BumpFeesOptions {
  /** Raise of every fee field, in percent with up to 3 decimals; default 12.5, at least 10. */
  bumpPercent?: number;
  /** Current network fees: each field of the result is at least this. */
  atLeast?: Fees;
  /** Never offer more than this per gas (gasPrice or maxFeePerGas); null or absent: no cap. */
  maxFeePerGasWei?: bigint | null;
}

export interface BumpedFees {
  fees: Fees;
  /** The cap lowered a field, which is still a valid replacement. */
  capped: boolean;
}

/** Fee fields as bigints; a legacy price is both cap and tip (that is how nodes compare them). */
interface FeeFields {
  maxFee: bigint;
  tip: bigint;
}

/**
 * Fees for a replacement of a transaction signed with `fees`: every field raised by at least
 * `bumpPercent` (rounded up, and always by at least 1 wei, since geth demands strictly more),
 * then to `atLeast`, then down to the cap. Null when the cap leaves no valid replacement.
 */
export function bumpFees(fees: Fees, options: BumpFeesOptions = {}): BumpedFees | null {
  const required = minReplacementFields(fields(fees), options.bumpPercent);
  const floor = floorOf(fees, options.atLeast);
  const tip = max(required.tip, floor.tip);
  const wanted = { maxFee: max(required.maxFee, floor.maxFee, tip), tip };
  const cap = options.maxFeePerGasWei ?? null;
  const offered =
    cap === null ? wanted : { maxFee: min(wanted.maxFee, cap), tip: min(wanted.tip, cap) };
  if (offered.maxFee < required.maxFee || offered.tip < required.tip) return null;
  const capped = offered.maxFee !== wanted.maxFee || offered.tip !== wanted.tip;
  return { fees: toFees(fees.type, offered), capped };
}

/** The smallest fees a node accepts as a replacement of `fees` with the given bump. */
export function minReplacementFees(fees: Fees, bumpPercent?: number): Fees {
  return toFees(fees.type, minReplacementFields(fields(fees), bumpPercent));
}

/**
 * geth's replacement rule: both fee cap and tip strictly above the old ones and at least
 * `old × (100 + bump) / 100` (integer division). reth's rule is the same without "strictly".
 */
export function isValidReplacement(
  previous: Fees,
  next: Fees,
  bumpPercent = MIN_BUMP_PERCENT,
): boolean {
  const old = fields(previous);
  const candidate = fields(next);
  const units = percentUnits(bumpPercent);
  const threshold = (value: bigint) => (value * (SCALE + units)) / SCALE;
  return (
    candidate.maxFee > old.maxFee &&
    candidate.tip > old.tip &&
    candidate.maxFee >= threshold(old.maxFee) &&
    candidate.tip >= threshold(old.tip)
  );
}

/** Legacy fees at the price a node named (the l2geth band's `tx.gasPrice = Y wei`). */
export function feesAtPrice(gasPriceWei: bigint): Fees {
  if (gasPriceWei < 0n) throw new RangeError(`negative gas price ${gasPriceWei}`);
  return { type: 'legacy', gasPrice: gasPriceWei.toString() };
}

/** The most the transaction may pay per gas: its gasPrice or maxFeePerGas. */
export function maxPricePerGas(fees: Fees): bigint {
  return fields(fees).maxFee;
}

/** Orders fees by what they may pay per gas, then by tip: negative, zero or positive. */
export function compareFees(a: Fees, b: Fees): number {
  const left = fields(a);
  const right = fields(b);
  if (left.maxFee !== right.maxFee) return left.maxFee < right.maxFee ? -1 : 1;
  if (left.tip !== right.tip) return left.tip < right.tip ? -1 : 1;
  return 0;
}

/** The network's fees as a floor; a legacy price says nothing about an EIP-1559 tip. */
function floorOf(fees: Fees, atLeast: Fees | undefined): FeeFields {
  if (!atLeast) return { maxFee: 0n, tip: 0n };
  const floor = fields(atLeast);
  return atLeast.type === 'legacy' && fees.type === 'eip1559' ? { ...floor, tip: 0n } : floor;
}

function minReplacementFields(old: FeeFields, bumpPercent = DEFAULT_BUMP_PERCENT): FeeFields {
  const units = percentUnits(Math.max(bumpPercent, MIN_BUMP_PERCENT));
  return { maxFee: raise(old.maxFee, units), tip: raise(old.tip, units) };
}

/** ceil(value × (1 + units/SCALE)), and at least value + 1. */
function raise(value: bigint, units: bigint): bigint {
  const bumped = (value * (SCALE + units) + SCALE - 1n) / SCALE;
  return bumped > value ? bumped : value + 1n;
}

/** A percent as parts per 100,000, rounded up so that the bump is never below the one asked. */
function percentUnits(percent: number): bigint {
  if (!Number.isFinite(percent) || percent < 0) throw new RangeError(`invalid bump ${percent}%`);
  // toFixed avoids float noise (12.5 * 1000 is exact, 0.1 * 3 is not) before rounding up.
  return BigInt(Math.ceil(Number((percent * 1000).toFixed(6))));
}

function fields(fees: Fees): FeeFields {
  if (fees.type === 'legacy') {
    const price = BigInt(fees.gasPrice);
    return { maxFee: price, tip: price };
  }
  return { maxFee: BigInt(fees.maxFeePerGas), tip: BigInt(fees.maxPriorityFeePerGas) };
}

function toFees(type: Fees['type'], value: FeeFields): Fees {
  if (type === 'legacy') return { type, gasPrice: value.maxFee.toString() };
  return {
    type,
    maxFeePerGas: value.maxFee.toString(),
    maxPriorityFeePerGas: value.tip.toString(),
  };
}

/** Math.max and Math.min do not take bigints. */
function max(first: bigint, ...rest: bigint[]): bigint {
  let result = first;
  for (const value of rest) if (value > result) result = value;
  return result;
}

function min(a: bigint, b: bigint): bigint {
  return b < a ? b : a;
}
