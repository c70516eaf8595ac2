import { describe, expect, it } from 'vitest';
import {
  bumpFees,
  compareFees,
  feesAtPrice,
  isValidReplacement,
  maxPricePerGas,
  minReplacementFees,
} from './fee-bump.ts';
import type { Fees } from './types.ts';

const legacy = (gasPrice: bigint | number): Fees => ({
  type: 'legacy',
  gasPrice: BigInt(gasPrice).toString(),
});
const eip1559 = (maxFeePerGas: bigint | number, maxPriorityFeePerGas: bigint | number): Fees => ({
  type: 'eip1559',
  maxFeePerGas: BigInt(maxFeePerGas).toString(),
  maxPriorityFeePerGas: BigInt(maxPriorityFeePerGas).toString(),
});

describe('bumpFees', () => {
  it.each([
    ['1 wei: ceil(1.125) = 2', legacy(1), legacy(2)],
    ['0 wei: geth wants strictly more', legacy(0), legacy(1)],
    ['8 wei: 9 exactly', legacy(8), legacy(9)],
    ['100 wei: ceil(112.5) = 113', legacy(100), legacy(113)],
    ['1 gwei', legacy(1_000_000_000), legacy(1_125_000_000)],
    ['2^200: exact bigint maths', legacy(2n ** 200n), legacy(9n * 2n ** 197n)],
    ['2^200 + 1: rounded up', legacy(2n ** 200n + 1n), legacy(9n * 2n ** 197n + 2n)],
    ['eip1559: both fields', eip1559(100, 10), eip1559(113, 12)],
    ['eip1559: zero tip still rises', eip1559(100, 0), eip1559(113, 1)],
    ['eip1559: tip equal to fee cap', eip1559(7, 7), eip1559(8, 8)],
  ])('%s', (_label, fees, expected) => {
    expect(bumpFees(fees)).toEqual({ fees: expected, capped: false });
  });

  it.each([
    [10, legacy(100), legacy(110)],
    [5, legacy(100), legacy(110)],
    [20, legacy(100), legacy(120)],
    [12.345, legacy(1_000_000), legacy(1_123_450)],
    [12.3456, legacy(1_000_000), legacy(1_123_460)],
    [12.5, eip1559(1_000_000, 3), eip1559(1_125_000, 4)],
  ])('bumps by %s%% (at least 10, 3 decimals rounded up)', (bumpPercent, fees, expected) => {
    expect(bumpFees(fees, { bumpPercent })?.fees).toEqual(expected);
  });

  it('rejects a percent that is not a finite number', () => {
    expect(() => bumpFees(legacy(100), { bumpPercent: Number.NaN })).toThrow(RangeError);
    expect(() => bumpFees(legacy(100), { bumpPercent: Number.POSITIVE_INFINITY })).toThrow(
      RangeError,
    );
  });

  it('rises to the network fees when they are higher than the bump', () => {
    expect(bumpFees(legacy(100), { atLeast: legacy(200) })).toEqual({
      fees: legacy(200),
      capped: false,
    });
    expect(bumpFees(eip1559(100, 10), { atLeast: eip1559(150, 20) })?.fees).toEqual(
      eip1559(150, 20),
    );
    // Each field separately: the network fee cap is lower, its tip higher.
    expect(bumpFees(eip1559(100, 10), { atLeast: eip1559(50, 30) })?.fees).toEqual(
      eip1559(113, 30),
    );
  });

  it('never offers a tip above the fee cap', () => {
    expect(bumpFees(eip1559(100, 10), { atLeast: eip1559(50, 120) })?.fees).toEqual(
      eip1559(120, 120),
    );
  });

  it('reads network fees of the other type sensibly', () => {
    // A legacy network price is a floor for the fee cap, not for the tip.
    expect(bumpFees(eip1559(100, 10), { atLeast: legacy(300) })?.fees).toEqual(eip1559(300, 12));
    expect(bumpFees(legacy(100), { atLeast: eip1559(300, 2) })?.fees).toEqual(legacy(300));
  });

  it('caps what it offers, as long as the result is still a valid replacement', () => {
    expect(bumpFees(legacy(100), { maxFeePerGasWei: 120n })).toEqual({
      fees: legacy(113),
      capped: false,
    });
    expect(bumpFees(legacy(100), { atLeast: legacy(200), maxFeePerGasWei: 150n })).toEqual({
      fees: legacy(150),
      capped: true,
    });
    expect(bumpFees(legacy(100), { atLeast: legacy(200), maxFeePerGasWei: 113n })).toEqual({
      fees: legacy(113),
      capped: true,
    });
    expect(
      bumpFees(eip1559(100, 10), { atLeast: eip1559(200, 150), maxFeePerGasWei: 140n }),
    ).toEqual({ fees: eip1559(140, 140), capped: true });
  });

  it('returns null when the cap leaves no valid replacement', () => {
    expect(bumpFees(legacy(100), { maxFeePerGasWei: 112n })).toBeNull();
    expect(bumpFees(eip1559(100, 10), { maxFeePerGasWei: 112n })).toBeNull();
    expect(bumpFees(eip1559(100, 100), { maxFeePerGasWei: 112n })).toBeNull();
    expect(bumpFees(legacy(2n ** 200n), { maxFeePerGasWei: 2n ** 200n })).toBeNull();
  });

  it('treats a null cap as no cap', () => {
    expect(bumpFees(legacy(100), { maxFeePerGasWei: null })?.fees).toEqual(legacy(113));
  });

  it('always produces what geth accepts as a replacement (10% and 12.5%)', () => {
    const values = [0n, 1n, 2n, 7n, 9n, 10n, 11n, 99n, 12_345n, 10n ** 9n + 7n, 2n ** 200n - 1n];
    for (const fee of values) {
      for (const tip of [0n, 1n, fee]) {
        if (tip > fee) continue;
        const old = eip1559(fee, tip);
        const bumped = bumpFees(old)?.fees;
        expect(bumped && isValidReplacement(old, bumped, 12.5)).toBe(true);
        expect(bumped && isValidReplacement(old, bumped)).toBe(true);
      }
      const price = legacy(fee);
      const bumped = bumpFees(price)?.fees;
      expect(bumped && isValidReplacement(price, bumped, 12.5)).toBe(true);
    }
  });
});

describe('isValidReplacement (geth txpool rule)', () => {
  it.each([
    [legacy(100), legacy(110), true],
    [legacy(100), legacy(109), false],
    [legacy(1), legacy(1), false],
    [legacy(1), legacy(2), true],
    [legacy(0), legacy(0), false],
    [eip1559(100, 0), eip1559(110, 0), false],
    [eip1559(100, 10), eip1559(110, 11), true],
    [eip1559(100, 10), eip1559(200, 10), false],
    [legacy(100), eip1559(110, 110), true],
  ])('%j -> %j: %s', (previous, next, valid) => {
    expect(isValidReplacement(previous, next)).toBe(valid);
  });
});

describe('helpers', () => {
  it('feesAtPrice: legacy fees at the price the node named', () => {
    expect(feesAtPrice(2000n)).toEqual({ type: 'legacy', gasPrice: '2000' });
    expect(() => feesAtPrice(-1n)).toThrow(RangeError);
  });

  it('maxPricePerGas: gasPrice or maxFeePerGas', () => {
    expect(maxPricePerGas(legacy(7))).toBe(7n);
    expect(maxPricePerGas(eip1559(2n ** 200n, 1))).toBe(2n ** 200n);
  });

  it('minReplacementFees: the smallest accepted bump', () => {
    expect(minReplacementFees(eip1559(100, 10))).toEqual(eip1559(113, 12));
    expect(minReplacementFees(legacy(100), 10)).toEqual(legacy(110));
  });

  it('compareFees: by price per gas, then tip', () => {
    const sorted = [eip1559(5, 2), legacy(3), eip1559(5, 1), legacy(9)].sort(compareFees);
    expect(sorted).toEqual([legacy(3), eip1559(5, 1), eip1559(5, 2), legacy(9)]);
    expect(compareFees(legacy(4), eip1559(4, 4))).toBe(0);
  });
});
