import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convertMinor, currencyExponent, formatMoney, minor, minorToDecimalString, parseMinor, valueOf } from './money.ts';

describe('money', () => {
  it('knows ISO 4217 exponents', () => {
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('BHD')).toBe(3);
    expect(() => currencyExponent('gbp')).toThrow(/ISO 4217/);
  });

  it('parses decimal text into integer minor units per currency', () => {
    expect(parseMinor('12.34', 'GBP')).toBe(1234);
    expect(parseMinor('-0.05', 'GBP')).toBe(-5);
    expect(parseMinor('1500', 'JPY')).toBe(1500);
    expect(parseMinor('1.234', 'BHD')).toBe(1234);
    expect(parseMinor('7.1', 'BHD')).toBe(7100);
  });

  it('refuses more places than the currency has instead of rounding', () => {
    expect(() => parseMinor('1.5', 'JPY')).toThrow(/decimal places/);
    expect(() => parseMinor('1.234', 'GBP')).toThrow(/decimal places/);
    expect(() => parseMinor('12,34', 'GBP')).toThrow(/Not an amount/);
  });

  it('refuses non-integers as minor units', () => {
    expect(() => minor(0.1 + 0.2)).toThrow(/safe integer/);
  });

  it('round-trips every safe integer through text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), fc.constantFrom('GBP', 'JPY', 'BHD', 'EUR'), (amount, cur) => {
        expect(parseMinor(minorToDecimalString(amount, cur), cur)).toBe(amount);
      }),
    );
  });

  it('formats with Intl and the currency exponent', () => {
    expect(formatMoney(123456, 'GBP')).toBe('£1,234.56');
    expect(formatMoney(-5, 'GBP')).toBe('-£0.05');
    expect(formatMoney(1500, 'JPY')).toBe('JP¥1,500');
    expect(formatMoney(1234, 'BHD')).toMatch(/1\.234/);
  });

  it('converts with a decimal rate, rounding half-even into the target exponent', () => {
    expect(convertMinor(10000, 'GBP', 'USD', '1.2735')).toBe(12735);
    expect(convertMinor(10000, 'GBP', 'JPY', '191.52')).toBe(19152);
    expect(convertMinor(1, 'GBP', 'EUR', '0.5')).toBe(0); // 0.5 → 0 (half-even)
    expect(convertMinor(3, 'GBP', 'EUR', '0.5')).toBe(2); // 1.5 → 2
  });

  it('values a holding from decimal quantity and price', () => {
    expect(valueOf('0.1', '0.2', 'GBP')).toBe(2); // 0.02 GBP exactly, no float drift
    expect(valueOf('12.5', '101.37', 'USD')).toBe(126712); // 1267.125 → half-even 1267.12
  });
});

describe('products of more than 20 significant digits are rounded once, half-even', () => {
  it('values units × price exactly (decimal.js alone rounds the product to 20 digits first)', () => {
    // 1299447.44046 × 81701.334439 = 106166589918.92500000194… → 10616658991892.500000194 pence → …893.
    expect(valueOf('1299447.44046', '81701.334439', 'GBP')).toBe(10_616_658_991_893);
  });

  it('converts at a rate of many digits exactly', () => {
    // 10^14 × 1.00000000000000500000001 = 100000000000000.500000001: just over half → up.
    expect(convertMinor(100_000_000_000_000, 'GBP', 'GBP', '1.00000000000000500000001')).toBe(100_000_000_000_001);
    // The same at exactly half stays on the even side.
    expect(convertMinor(100_000_000_000_000, 'GBP', 'GBP', '1.000000000000005')).toBe(100_000_000_000_000);
  });

  it('agrees with exact BigInt arithmetic for any quantity and price', () => {
    const text = (digits: bigint, scale: number) => {
      const s = digits.toString().padStart(scale + 1, '0');
      return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
    };
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.integer({ min: 0, max: 8 }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 6 }), (q, qs, p, ps) => {
      // Minor units of GBP: q·p ÷ 10^(qs + ps − 2), half-even.
      const n = q * p;
      const shift = qs + ps - 2;
      let expected: bigint;
      if (shift <= 0) expected = n * 10n ** BigInt(-shift);
      else {
        const d = 10n ** BigInt(shift);
        expected = n / d;
        const r = n % d;
        if (2n * r > d || (2n * r === d && expected % 2n === 1n)) expected += 1n;
      }
      fc.pre(expected <= BigInt(Number.MAX_SAFE_INTEGER));
      expect(valueOf(text(q, qs), text(p, ps), 'GBP')).toBe(Number(expected));
    }), { numRuns: 2000 });
  });
});
