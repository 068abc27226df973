import { describe, expect, it } from 'vitest';
import { account, fx, inputs, prices, tx } from './__fixtures__/build.ts';
import { holdingsAt } from './holdings.ts';
import { portfolioReport, returnsFor, valueSeries } from './returns.ts';
import { xirr } from './xirr.ts';
import { valueOf } from '../money/money.ts';

/**
 * TWRR expectations are worked by hand as the product of each day's sub-period return (1 + r), where a day's
 * r = (end value − start value − net money in) ÷ (start value + net money in if positive): the day's gain over the
 * capital that earned it (module header of returns.ts). MWRR expectations list the flows by hand and solve them
 * with xirr (tested on its own against closed forms and bisection in xirr.test.ts), or use a closed form.
 */

const PORTFOLIO = { kind: 'portfolio' } as const;

describe('a holding over five days', () => {
  // Closes 10 → 10 → 11 → 10.45 → 12. Buy 10 @ 10 on the 2nd, 10 more @ 10.45 on the 4th, sell 5 @ 12 on the 5th.
  const data = inputs({
    transactions: [
      tx('buy', '2024-01-02', '10', -10_000, { unitPrice: '10' }),
      tx('buy', '2024-01-04', '10', -10_450, { unitPrice: '10.45' }),
      tx('sell', '2024-01-05', '5', 6_000, { unitPrice: '12' }),
    ],
    prices: [prices('abc', 'GBP', { '2024-01-01': '10', '2024-01-02': '10', '2024-01-03': '11', '2024-01-04': '10.45', '2024-01-05': '12' })],
  });
  const range = { from: '2024-01-01', to: '2024-01-05' };

  it('values it at the end of each day', () => {
    // 0; 10 × 10; 10 × 11; 20 × 10.45; 15 × 12.
    expect(valueSeries(data, PORTFOLIO, range)).toEqual({ from: '2024-01-01', values: [0, 10_000, 11_000, 20_900, 18_000] });
  });

  it('links daily returns with a day\'s money in counted from the start of the day, money out from its end', () => {
    const r = returnsFor(data, { kind: 'holding', accountId: 'gia', assetId: 'abc' }, range);
    const days = [
      1, // 1 Jan: nothing held, no capital: no return
      1 + (10_000 - 0 - 10_000) / (0 + 10_000), // 2 Jan: bought at the close: 0 %
      1 + (11_000 - 10_000 - 0) / 10_000, // 3 Jan: +10 %
      1 + (20_900 - 11_000 - 10_450) / (11_000 + 10_450), // 4 Jan: the new money counts from the start of the day
      1 + (18_000 - 20_900 + 6_000) / 20_900, // 5 Jan: 20 units from 10.45 to 12; the sale's £60 leaves at the end
    ];
    const expected = days.reduce((a, b) => a * b) - 1;
    // By hand: 1.1 × 20 900/21 450 × 24 000/20 900 = 26 400/21 450 = 16/13.
    expect(expected).toBeCloseTo(16 / 13 - 1, 12);
    expect(expected).toBeCloseTo(0.230769, 6);
    expect(r.twrr!.cumulative).toBeCloseTo(expected, 12);
    // Under a year: not extrapolated.
    expect(r.twrr!.annualised).toBe(r.twrr!.cumulative);
    expect(r).toMatchObject({ days: 5, startValue: 0, endValue: 18_000, netFlows: 10_000 + 10_450 - 6_000, income: 0 });
  });

  it('solves the money-weighted return from the flows of the range', () => {
    const r = returnsFor(data, PORTFOLIO, range);
    const rate = xirr([
      { date: '2024-01-02', amount: -10_000 }, { date: '2024-01-04', amount: -10_450 }, { date: '2024-01-05', amount: 6_000 },
      { date: '2024-01-05', amount: 18_000 },
    ])!;
    // XIRR spans 1 → 5 January (4 days); under a year the cumulative figure is reported for both.
    expect(r.mwrr!.cumulative).toBeCloseTo((1 + rate) ** (4 / 365) - 1, 12);
    expect(r.mwrr!.annualised).toBe(r.mwrr!.cumulative);
    // Gain 3 550 on about 20 000 for a few days.
    expect(r.mwrr!.cumulative).toBeGreaterThan(0.15);
  });

  it('has no TWRR when nothing was held, and no MWRR without flows', () => {
    const r = returnsFor(data, PORTFOLIO, { from: '2023-12-01', to: '2023-12-31' });
    expect(r.twrr).toBeNull();
    expect(r.mwrr).toBeNull();
    expect(r).toMatchObject({ startValue: 0, endValue: 0, netFlows: 0, days: 31 });
  });
});

describe('annualising', () => {
  // 10 units bought at 100 on 1 January 2020, worth 121 on 1 January 2022, nothing else.
  const data = inputs({
    transactions: [tx('buy', '2020-01-01', '10', -100_000, { unitPrice: '100' })],
    prices: [prices('abc', 'GBP', { '2020-01-01': '100', '2021-01-01': '110', '2022-01-01': '121' })],
  });

  it('annualises a range of a year or more', () => {
    const r = returnsFor(data, PORTFOLIO, { from: '2020-01-02', to: '2022-01-01' });
    expect(r.days).toBe(731);
    expect(r.twrr!.cumulative).toBeCloseTo(0.21, 12);
    expect(r.twrr!.annualised).toBeCloseTo(1.21 ** (365 / 731) - 1, 12);
    // XIRR: 100 000 in on 2 Jan 2020, 121 000 out on 1 Jan 2022, 730 days: (1.21)^(365/730) − 1 = 10 %.
    expect(r.mwrr!.annualised).toBeCloseTo(0.1, 9);
    expect(r.mwrr!.cumulative).toBeCloseTo(0.21, 9);
  });

  it('does not annualise under 365 days', () => {
    const r = returnsFor(data, PORTFOLIO, { from: '2021-01-02', to: '2021-12-31' });
    expect(r.days).toBe(364);
    expect(r.twrr!.cumulative).toBeCloseTo(0, 12); // the close stays at 110 all year
    expect(r.twrr!.annualised).toBe(r.twrr!.cumulative);
    const year = returnsFor(data, PORTFOLIO, { from: '2021-01-02', to: '2022-01-01' });
    expect(year.days).toBe(365);
    expect(year.twrr!.annualised).toBeCloseTo(year.twrr!.cumulative, 12); // (1 + c)^(365/365) − 1
    expect(year.twrr!.cumulative).toBeCloseTo(0.1, 12);
  });
});

describe('scopes, dividends, transfers and FX', () => {
  const data = inputs({
    accounts: [account('gia', 'investment_gia'), account('isa', 'stocks_shares_isa')],
    transactions: [
      tx('buy', '2024-03-01', '100', -10_000, { unitPrice: '1' }), // gia · abc
      tx('dividend', '2024-03-03', '100', 500, { unitPrice: '0.05' }), // £5 out of the gia holding
      tx('transfer_in', '2024-03-02', '10', 0, { unitPrice: '5', accountId: 'isa', assetId: 'xyz' }), // cost £50, worth £80
      tx('buy', '2024-03-02', '2', -20_000, { unitPrice: '100', accountId: 'isa', assetId: 'usd', currency: 'USD' }),
    ],
    prices: [
      prices('abc', 'GBP', { '2024-03-01': '1', '2024-03-02': '1.1', '2024-03-03': '1.1' }),
      prices('xyz', 'GBP', { '2024-03-01': '8', '2024-03-03': '9' }),
      prices('usd', 'USD', { '2024-03-01': '100', '2024-03-03': '105' }),
    ],
    fx: [fx('USD', { '2024-03-01': '0.8', '2024-03-03': '0.75' })],
  });
  const range = { from: '2024-03-01', to: '2024-03-03' };

  it('treats a dividend as money out of the holding (a return, not a loss)', () => {
    const r = returnsFor(data, { kind: 'account', accountId: 'gia' }, range);
    // 1 Mar: bought at the close, 0 %. 2 Mar: 10 000 → 11 000, +10 %. 3 Mar: 11 000 → 11 000 with £5 paid out: +5/11 000.
    expect(r.twrr!.cumulative).toBeCloseTo(1.1 * (1 + 500 / 11_000) - 1, 12);
    expect(r).toMatchObject({ income: 500, netFlows: 10_000, endValue: 11_000 });
  });

  it('counts a transfer in as money in at that day\'s market value, and values USD at each day\'s rate', () => {
    const isa = valueSeries(data, { kind: 'account-type', types: ['stocks_shares_isa'] }, range);
    // 2 Mar: xyz 10 × £8 (the 1 Mar close) = 8 000; usd 2 × $100 = $200 at 0.8 = 16 000.
    // 3 Mar: xyz 10 × £9 = 9 000; usd 2 × $105 = $210 at 0.75 = 15 750.
    expect(isa.values).toEqual([0, 24_000, 24_750]);
    const r = returnsFor(data, { kind: 'account', accountId: 'isa' }, range);
    // money in on 2 Mar: £80 of units transferred (at £8, not their £50 cost) + £160 paid ($200 at 0.8).
    expect(r.netFlows).toBe(8_000 + 16_000);
    expect(r.twrr!.cumulative).toBeCloseTo(24_750 / 24_000 - 1, 12);
  });

  it('adds scopes up to the portfolio', () => {
    const all = valueSeries(data, PORTFOLIO, range).values;
    const gia = valueSeries(data, { kind: 'account', accountId: 'gia' }, range).values;
    const isa = valueSeries(data, { kind: 'account', accountId: 'isa' }, range).values;
    expect(all).toEqual(gia.map((v, i) => v + isa[i]!));
    const none = valueSeries(data, { kind: 'account-type', types: ['sipp'] }, range).values;
    expect(none).toEqual([0, 0, 0]);
  });

  it('computes the same figures in one pass in portfolioReport', () => {
    const report = portfolioReport(data, range);
    expect(report.series).toEqual(valueSeries(data, PORTFOLIO, range));
    expect(report.returns).toEqual(returnsFor(data, PORTFOLIO, range));
    for (const a of report.byAccount) expect(a.returns).toEqual(returnsFor(data, { kind: 'account', accountId: a.accountId }, range));
    for (const t of report.byAccountType) expect(t.returns).toEqual(returnsFor(data, { kind: 'account-type', types: [t.type] }, range));
    for (const h of report.byHolding) expect(h.returns).toEqual(returnsFor(data, { kind: 'holding', accountId: h.accountId, assetId: h.assetId }, range));
    expect(report.byAccountType.map((t) => t.type).sort()).toEqual(['investment_gia', 'stocks_shares_isa']);
    expect(report.holdings).toEqual(holdingsAt(data, range.to));
    const total = report.holdings.holdings.reduce((s, h) => s + h.marketValue!, 0);
    expect(report.series.values.at(-1)).toBe(total);
  });

  it('answers a second call with the same inputs object the same, and a new inputs object afresh', () => {
    const first = portfolioReport(data, range);
    expect(portfolioReport(data, range)).toEqual(first);
    const changed = { ...data, prices: data.prices.map((p) => (p.assetId === 'xyz' ? prices('xyz', 'GBP', { '2024-03-01': '8', '2024-03-03': '10' }) : p)) };
    expect(portfolioReport(changed, range).series.values).toEqual([10_000, 35_000, 36_750]);
    expect(first.series.values).toEqual([10_000, 35_000, 35_750]);
  });

  it('refuses a range that ends before it starts and a malformed scope', () => {
    expect(() => returnsFor(data, PORTFOLIO, { from: '2024-03-03', to: '2024-03-01' })).toThrow(/after/);
    expect(() => returnsFor(data, { kind: 'account' } as never, range)).toThrow(/scope/);
  });
});

describe('exactness beyond doubles', () => {
  it('values units and closes with more digits than a double holds exactly, half-even like valueOf', () => {
    // 18 significant digits of units, a 17-digit close: the BigInt path, not the float fast path.
    const data = inputs({
      transactions: [tx('buy', '2024-01-02', '123456789.123456789', -1, { unitPrice: '0.00000001' })],
      prices: [prices('abc', 'GBP', { '2024-01-02': '1.2345678901234567', '2024-01-03': '0.005' })],
    });
    const values = valueSeries(data, PORTFOLIO, { from: '2024-01-02', to: '2024-01-03' }).values;
    expect(values).toEqual([
      valueOf('123456789.123456789', '1.2345678901234567', 'GBP'),
      valueOf('123456789.123456789', '0.005', 'GBP'),
    ]);
    // By hand (Python decimal, 60 digits): 15 241 578 766.956… pence and 61 728 394.5617… pence.
    expect(values).toEqual([15_241_578_767, 61_728_395]);
  });
});

describe('a holding sold out and bought back', () => {
  it('adds nothing on days with no capital and keeps linking after', () => {
    const data = inputs({
      transactions: [
        tx('buy', '2024-05-01', '1', -1_000, { unitPrice: '10' }),
        tx('sell', '2024-05-02', '1', 1_200, { unitPrice: '12' }),
        tx('buy', '2024-05-04', '1', -1_100, { unitPrice: '11' }),
      ],
      prices: [prices('abc', 'GBP', { '2024-05-01': '10', '2024-05-02': '12', '2024-05-03': '11', '2024-05-04': '11', '2024-05-05': '13.2' })],
    });
    const r = returnsFor(data, PORTFOLIO, { from: '2024-05-01', to: '2024-05-05' });
    // +20 % on the 2nd (sold at the close: gain 1 200 − 1 000 on capital 1 000), nothing held on the 3rd, 0 % on the
    // 4th, +20 % on the 5th.
    expect(r.twrr!.cumulative).toBeCloseTo(1.2 * 1.2 - 1, 12);
  });
});
