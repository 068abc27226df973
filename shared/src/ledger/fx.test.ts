import { describe, expect, it } from 'vitest';
import type { Quote } from '../schema/registry.ts';
import { latestFxRates, lookupRate } from './fx.ts';

function fx(series: string, date: string, close: string, kind: Quote['kind'] = 'fx'): Quote {
  return { id: `${series}:${date}`, hlc: '1764000000000:0000:server', kind, series, date, open: null, high: null, low: null, close, volume: null, currency: 'GBP', source: 'test' };
}

describe('FX rates', () => {
  const quotes = [
    fx('GBP/USD', '2026-03-01', '1.25'),
    fx('GBP/USD', '2026-03-03', '1.27'),
    fx('GBP/USD', '2026-03-02', '1.26'),
    fx('EUR/GBP', '2026-03-02', '0.85'),
    fx('VUSA', '2026-03-03', '80.1', 'price'),
    fx('GBP/JPY', '2026-03-03', '0'),
  ];

  it('keeps the latest rate per series, optionally as of a date, ignoring prices and non-positive rates', () => {
    const latest = latestFxRates(quotes);
    expect(latest.get('GBP/USD')).toEqual({ rate: '1.27', date: '2026-03-03' });
    expect(latest.has('VUSA')).toBe(false);
    expect(latest.has('GBP/JPY')).toBe(false);
    expect(latestFxRates(quotes, '2026-03-02').get('GBP/USD')).toEqual({ rate: '1.26', date: '2026-03-02' });
    expect(latestFxRates(quotes, '2026-02-28').size).toBe(0);
    expect(() => latestFxRates(quotes, '2026-02-30')).toThrow();
  });

  it('looks up direct, inverse and same-currency rates, and null when unknown', () => {
    const rates = latestFxRates(quotes);
    expect(lookupRate(rates, 'GBP', 'USD')?.rate).toBe('1.27');
    expect(lookupRate(rates, 'USD', 'GBP')?.rate).toBe('0.7874015748031496063') // 1 / 1.27 to 20 significant digits (trailing 0 dropped);
    expect(lookupRate(rates, 'GBP', 'EUR')?.rate).toBe('1.1764705882352941176');
    expect(lookupRate(rates, 'GBP', 'GBP')?.rate).toBe('1');
    expect(lookupRate(rates, 'USD', 'EUR')).toBeNull();
    expect(() => lookupRate(rates, 'GBP', 'usd')).toThrow();
  });
});
