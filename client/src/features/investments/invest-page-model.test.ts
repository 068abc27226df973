import { describe, expect, it } from 'vitest';
import type { Holding } from '@mymidas/shared/invest';
import { allocation, decimalText, holdingRows, latestPriceDate, percent, presetRange, problemText, seriesExtremes, shiftMonths, sortRows } from './invest-page-model.ts';
import type { AccountInfo, AssetInfo } from './invest-page-model.ts';

function holding(over: Partial<Holding> & Pick<Holding, 'accountId' | 'assetId'>): Holding {
  return {
    quantity: '10', averageCost: '100', costBasis: 100_000, marketValue: 120_000, price: '120', priceDate: '2026-06-05', stale: false,
    unrealisedGain: 20_000, realisedGain: 0, income: 0, fees: 0, ...over,
  };
}

const assets = new Map<string, AssetInfo>([
  ['a1', { id: 'a1', symbol: 'VWRL', name: 'All-World', kind: 'etf', currency: 'GBP' }],
  ['a2', { id: 'a2', symbol: 'AAPL', name: 'Apple', kind: 'stock', currency: 'USD' }],
  ['a3', { id: 'a3', symbol: 'BTC', name: 'Bitcoin', kind: 'crypto', currency: 'USD' }],
]);
const accounts = new Map<string, AccountInfo>([
  ['isa', { id: 'isa', name: 'ISA', type: 'stocks_shares_isa' }],
  ['gia', { id: 'gia', name: 'Broker', type: 'investment_gia' }],
]);

describe('investment page model', () => {
  it('works out the range presets from today, no earlier than the first trade', () => {
    expect(shiftMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(shiftMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(shiftMonths('2026-01-15', -3)).toBe('2025-10-15');
    expect(presetRange('1M', '2026-06-15', '2010-01-01')).toEqual({ from: '2026-05-16', to: '2026-06-15' });
    expect(presetRange('YTD', '2026-06-15', '2010-01-01')).toEqual({ from: '2026-01-01', to: '2026-06-15' });
    // A year from the day after the same date a year before: 365 days, which the engine annualises.
    expect(presetRange('1Y', '2026-06-15', '2010-01-01')).toEqual({ from: '2025-06-16', to: '2026-06-15' });
    expect(presetRange('5Y', '2026-06-15', '2024-02-01')).toEqual({ from: '2024-02-01', to: '2026-06-15' });
    expect(presetRange('All', '2026-06-15', '2024-02-01')).toEqual({ from: '2024-02-01', to: '2026-06-15' });
    expect(presetRange('All', '2026-06-15', null)).toBeNull();
    expect(presetRange('1M', '2026-06-15', '2026-07-01')).toBeNull();
  });

  it('writes percentages and decimal text without floats for the digits', () => {
    expect(percent(0.0523)).toBe('+5.23%');
    expect(percent(-0.1)).toBe('−10.00%');
    expect(percent(0)).toBe('0.00%');
    expect(percent(null)).toBe('—');
    expect(decimalText('1234567.891', 2)).toBe('1,234,567.89');
    expect(decimalText('0.12345', 4)).toBe('0.1235');
    expect(decimalText('10.50000', 4)).toBe('10.5');
    expect(decimalText('-0.00001', 4)).toBe('0');
    expect(decimalText('-2.5', 0)).toBe('−3');
    expect(decimalText('99999999999999999999.99999', 2)).toBe('100,000,000,000,000,000,000');
  });

  it('joins holdings with their names, sorts with unknown values last, and groups the allocation', () => {
    const rows = holdingRows([
      holding({ accountId: 'isa', assetId: 'a1' }),
      holding({ accountId: 'gia', assetId: 'a1', marketValue: 50_000, unrealisedGain: -50_000 }),
      holding({ accountId: 'gia', assetId: 'a2', marketValue: 80_000, costBasis: 40_000, unrealisedGain: 40_000 }),
      holding({ accountId: 'gia', assetId: 'a3', marketValue: null, unrealisedGain: null, price: null, priceDate: null }),
      holding({ accountId: 'gone', assetId: 'a9', marketValue: 0, costBasis: 0, unrealisedGain: 0 }),
    ], assets, accounts);
    expect(rows[1]).toMatchObject({ accountName: 'Broker', symbol: 'VWRL', kind: 'etf', unrealisedShare: -0.5 });
    expect(rows[4]).toMatchObject({ accountName: 'Account gone', assetName: 'Unknown asset', unrealisedShare: null });

    expect(sortRows(rows, 'value', 'descending').map((r) => r.key)).toEqual(['isa:a1', 'gia:a2', 'gia:a1', 'gone:a9', 'gia:a3']);
    expect(sortRows(rows, 'value', 'ascending').map((r) => r.key)).toEqual(['gone:a9', 'gia:a1', 'gia:a2', 'isa:a1', 'gia:a3']);
    expect(sortRows(rows, 'unrealisedShare', 'descending').map((r) => r.key).slice(0, 3)).toEqual(['gia:a2', 'isa:a1', 'gia:a1']);

    const byAsset = allocation(rows, 'asset');
    expect(byAsset.total).toBe(250_000);
    expect(byAsset.groups.map((g) => [g.label, g.value, g.holdings])).toEqual([['VWRL · All-World', 170_000, 2], ['AAPL · Apple', 80_000, 1]]);
    expect(byAsset.groups[0]!.share).toBeCloseTo(0.68, 10);
    expect(byAsset.groups.map((g) => g.short)).toEqual(['VWRL', 'AAPL']);
    expect(byAsset.unvalued.map((r) => r.symbol)).toEqual(['BTC']);
    expect(allocation(rows, 'accountType').groups.map((g) => [g.label, g.value])).toEqual([['General investment account', 130_000], ['Stocks & shares ISA', 120_000]]);
    expect(allocation(rows, 'currency').groups.map((g) => [g.key, g.value])).toEqual([['GBP', 170_000], ['USD', 80_000]]);
    expect(allocation(rows, 'kind').groups.map((g) => g.label)).toEqual(['ETFs', 'Shares']);
    expect(allocation([], 'account')).toEqual({ groups: [], total: 0, unvalued: [] });
  });

  it('words data problems, finds the latest price date and the extremes of a series', () => {
    expect(problemText({ transactionId: 't', kind: 'no-price', message: 'no price for BTC on or before 2026-06-05: its value is unknown' }))
      .toEqual({ headline: 'No price', detail: 'No price for BTC on or before 2026-06-05: its value is unknown.' });
    expect(problemText({ transactionId: 't', kind: 'oversold', message: 'Sold 5 units.' }).headline).toBe('More units sold than were held');
    expect(latestPriceDate([holding({ accountId: 'a', assetId: 'b', priceDate: '2026-06-01' }), holding({ accountId: 'a', assetId: 'c', priceDate: '2026-06-04' }), holding({ accountId: 'a', assetId: 'd', priceDate: null })])).toBe('2026-06-04');
    expect(latestPriceDate([])).toBeNull();
    expect(seriesExtremes({ from: '2026-01-30', values: [5, 3, 9, 7] })).toEqual({ first: 5, last: 7, low: { date: '2026-01-31', value: 3 }, high: { date: '2026-02-01', value: 9 } });
    expect(seriesExtremes({ from: '2026-01-30', values: [] })).toBeNull();
  });
});
