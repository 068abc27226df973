import { describe, expect, it } from 'vitest';
import { latestPriceLine, percentText, priceText, summaryText, tradeDetail } from './asset-page-text.ts';

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

describe('the latest intraday price beside the last close', () => {
  const now = new Date('2026-12-04T17:00:00Z');
  const latest = (price: string, asOf: string) => ({ price, asOf, source: 'yahoo' });

  it('says the price, when in the user\'s time zone and the move since the last close', () => {
    // 16:30 UTC is 16:30 in London in December; the last close was the day before.
    expect(latestPriceLine(latest('131.07', '2026-12-04T16:30:00Z'), { price: '130', date: '2026-12-03' }, 'GBP', 'Europe/London', now)).toEqual({
      price: '£131.07', when: 'at 16:30 today', change: '+0.82% on the close of 3 Dec 2026', source: 'yahoo',
    });
    // The same instant in New York is 11:30 that morning; a fall is signed with a minus.
    expect(latestPriceLine(latest('128.7', '2026-12-04T16:30:00Z'), { price: '130', date: '2026-12-03' }, 'GBP', 'America/New_York', now)).toMatchObject({ when: 'at 11:30 today', change: '−1.00% on the close of 3 Dec 2026' });
  });

  it('names yesterday and older days, and goes without a change when there is no close', () => {
    expect(latestPriceLine(latest('5', '2026-12-03T09:05:00Z'), null, 'USD', 'Europe/London', now)).toEqual({ price: 'US$5.00', when: 'at 09:05 yesterday', change: null, source: 'yahoo' });
    expect(latestPriceLine(latest('5', '2026-11-28T09:05:00Z'), null, 'GBP', 'Europe/London', now)?.when).toBe('at 09:05 on 28 Nov 2026');
  });

  it('is not shown when the last close is as new (the close says it) or the instant is unreadable', () => {
    expect(latestPriceLine(latest('131', '2026-12-04T16:30:00Z'), { price: '130', date: '2026-12-04' }, 'GBP', 'Europe/London', now)).toBeNull();
    // 23:30 UTC on the 3rd is already the 4th in Tokyo: a close of the 4th there is as new.
    expect(latestPriceLine(latest('131', '2026-12-03T23:30:00Z'), { price: '130', date: '2026-12-04' }, 'GBP', 'Asia/Tokyo', now)).toBeNull();
    expect(latestPriceLine(latest('131', 'not an instant'), null, 'GBP', 'Europe/London', now)).toBeNull();
  });
});
