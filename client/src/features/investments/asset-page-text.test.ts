import { describe, expect, it } from 'vitest';
import { percentText, priceText, summaryText, tradeDetail } from './asset-page-text.ts';

describe('asset page text', () => {
  it('words prices with two to four places, and unknown currency codes plainly', () => {
    expect(priceText('1234.5', 'GBP')).toBe('£1,234.50');
    expect(priceText('0.123456', 'USD')).toBe('US$0.1235');
    expect(priceText('12.5', 'XQZ1')).toBe('12.5 XQZ1');
  });

  it('signs percentages from fractions', () => {
    expect(percentText('0.0523')).toBe('+5.23%');
    expect(percentText('-0.03125')).toBe('−3.13%');
    expect(percentText('0')).toBe('0.00%');
  });

  it('sums up a window in one sentence, and words trades by kind', () => {
    const text = summaryText({
      from: '2024-01-02', to: '2024-06-04', days: 4, high: '122', highDate: '2024-06-03', low: '98', lowDate: '2024-01-02',
      firstClose: '100', lastClose: '95.5', change: '-4.5', changeFraction: '-0.045',
    }, 'GBP');
    expect(text).toBe('From 2 Jan 2024 to 4 Jun 2024 (4 prices): high £122.00 on 3 Jun 2024, low £98.00 on 2 Jan 2024; closed at £95.50, down £4.50 (−4.50%) from £100.00.');
    expect(tradeDetail({ kind: 'buy', quantity: '3.5', unitPrice: '10', currency: 'GBP' })).toBe('3.5 units at £10.00');
    expect(tradeDetail({ kind: 'split', quantity: '10', unitPrice: null, currency: 'GBP' })).toBe('10 units added');
    expect(tradeDetail({ kind: 'dividend', quantity: '0', unitPrice: null, currency: 'GBP' })).toBe('');
  });
});
