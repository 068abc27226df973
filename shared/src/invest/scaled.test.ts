import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueOf } from '../money/money.ts';
import { add, apportion, divRoundHalfEven, mul, parseScaled, perUnitText, sub, toText, valueMinor, valueMinorFast } from './scaled.ts';

const decimalText = (maxInt: number, maxScale: number) =>
  fc.tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: maxScale }), fc.integer({ min: 0, max: 99_999_999 })).map(
    ([whole, scale, frac]) => (scale === 0 ? String(whole) : `${whole}.${String(frac).padStart(8, '0').slice(0, scale)}`),
  );

describe('exact scaled decimals', () => {
  it('parses, adds, subtracts, multiplies and prints without floats', () => {
    expect(toText(parseScaled('0.10'))).toBe('0.1');
    expect(toText(add(parseScaled('0.1'), parseScaled('0.2')))).toBe('0.3');
    expect(toText(sub(parseScaled('1'), parseScaled('1.00000001')))).toBe('-0.00000001');
    expect(toText(mul(parseScaled('15'), parseScaled('0.1')))).toBe('1.5');
    expect(() => parseScaled('1e5')).toThrow(/decimal/);
  });

  it('rounds half to even', () => {
    expect(divRoundHalfEven(5n, 2n)).toBe(2n);
    expect(divRoundHalfEven(7n, 2n)).toBe(4n);
    expect(divRoundHalfEven(-5n, 2n)).toBe(-2n);
    expect(divRoundHalfEven(-7n, 2n)).toBe(-4n);
    expect(divRoundHalfEven(26n, 10n)).toBe(3n);
  });

  it('values units × price like valueOf of money.ts, on the fast path and off it', () => {
    fc.assert(fc.property(decimalText(2_000_000, 8), decimalText(100_000, 6), fc.constantFrom('GBP', 'JPY', 'BHD'), (q, p, currency) => {
      const expected = valueOf(q, p, currency);
      const qs = parseScaled(q);
      const ps = parseScaled(p);
      const exponent = currency === 'GBP' ? 2 : currency === 'JPY' ? 0 : 3;
      expect(valueMinor(qs, ps, exponent)).toBe(expected);
      expect(valueMinorFast(Number(qs.digits), qs.scale, Number(ps.digits), ps.scale, exponent)).toBe(expected);
    }), { numRuns: 2000 });
  });

  it('apportions cost half-even and gives per-unit figures to fixed places', () => {
    expect(apportion(1000, parseScaled('1'), parseScaled('3'))).toBe(333);
    expect(apportion(1001, parseScaled('1'), parseScaled('2'))).toBe(500); // 500.5 → 500 (even)
    expect(apportion(1003, parseScaled('1'), parseScaled('2'))).toBe(502); // 501.5 → 502 (even)
    expect(perUnitText(100_000, 2, parseScaled('3'), 10)).toBe('333.3333333333');
    expect(perUnitText(0, 2, parseScaled('0'), 10)).toBe('0');
  });
});
