import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMinor } from '../money/money.ts';
import { convertExact, parseRate } from './fx.ts';

describe('convertExact', () => {
  it('rounds half to even like convertMinor', () => {
    expect(convertExact(-666, 'EUR', 'GBP', parseRate('0.9'))).toBe(-599);
    expect(convertExact(5, 'EUR', 'GBP', parseRate('0.5'))).toBe(2); // 2.5 → 2
    expect(convertExact(7, 'EUR', 'GBP', parseRate('0.5'))).toBe(4); // 3.5 → 4
    expect(convertExact(-7, 'EUR', 'GBP', parseRate('0.5'))).toBe(-4);
    expect(convertExact(1_000, 'JPY', 'GBP', parseRate('0.0052'))).toBe(520);
    expect(convertExact(1_234, 'GBP', 'BHD', parseRate('0.47'))).toBe(5_800);
    expect(convertExact(0, 'EUR', 'GBP', parseRate('3'))).toBe(0);
    expect(Object.is(convertExact(-1, 'EUR', 'GBP', parseRate('0.1')), 0)).toBe(true);
  });

  it('equals convertMinor for random amounts, rates and currency exponents', () => {
    const currency = fc.constantFrom('GBP', 'EUR', 'JPY', 'BHD', 'USD', 'KWD', 'ISK');
    const rate = fc.tuple(fc.nat({ max: 99_999 }), fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: null }))
      .map(([i, f]) => (f === null ? String(i) : `${i}.${f}`));
    fc.assert(fc.property(fc.integer({ min: -(10 ** 9), max: 10 ** 9 }), currency, currency, rate, (amount, from, to, r) => {
      let expected: number | string;
      try {
        expected = convertMinor(amount, from, to, r);
      } catch {
        expected = 'throws';
      }
      let got: number | string;
      try {
        got = convertExact(amount, from, to, parseRate(r));
      } catch {
        got = 'throws';
      }
      expect(got).toBe(expected === 0 ? 0 : expected);
    }), { numRuns: 3_000 });
  });

  it('refuses text that is not a decimal rate', () => {
    expect(() => parseRate('1e3')).toThrow(RangeError);
    expect(() => parseRate('-1')).toThrow(RangeError);
  });
});
