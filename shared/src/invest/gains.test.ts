import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMinor } from '../money/money.ts';
import type { InvestmentTransaction } from '../schema/registry.ts';
import { capitalGains, ukTaxYear } from './gains.ts';
import type { CapitalGainsResult, Disposal, InvestAccount } from './types.ts';

/**
 * Hand-worked cases, one per rule. Amounts are pence unless said otherwise; every expected figure is worked out
 * in the comment beside it. Conventions as in the demo household: a buy's amount is −(price × quantity + fee),
 * a sell's is price × quantity − fee, and proceeds are gross (amount + fee).
 */

let seq = 0;
interface Extra {
  readonly account?: string;
  readonly asset?: string;
  readonly fee?: number;
  readonly currency?: string;
  readonly unitPrice?: string | null;
  readonly splitRatio?: string | null;
}
function tx(kind: InvestmentTransaction['kind'], date: string, quantity: string, amount: number, extra: Extra = {}): InvestmentTransaction {
  seq += 1;
  return {
    id: `t${String(seq).padStart(4, '0')}`, hlc: `1700000000000:0000:test`, accountId: extra.account ?? 'gia', assetId: extra.asset ?? 'A', kind, date,
    quantity, unitPrice: extra.unitPrice ?? null, amount, fee: extra.fee ?? 0, currency: extra.currency ?? 'GBP', splitRatio: extra.splitRatio ?? null, notes: null,
  };
}
/** A buy costing `paid` in all (fee included). */
const buy = (date: string, quantity: string, paid: number, extra: Extra = {}) => tx('buy', date, quantity, -paid, extra);
/** A sell for `gross` before the fee. */
const sell = (date: string, quantity: string, gross: number, extra: Extra = {}) => tx('sell', date, quantity, gross - (extra.fee ?? 0), extra);
const split = (date: string, ratio: string, extra: Extra = {}) => tx('split', date, '0', 0, { ...extra, splitRatio: ratio });

function only(result: CapitalGainsResult) {
  expect(result.problems).toEqual([]);
  return result.disposals;
}

describe('capitalGains: same day', () => {
  it('matches the same day acquisition first, the rest from the pool', () => {
    const r = capitalGains([
      buy('2020-01-10', '1000', 400_000), // pool: 1000 units, £4,000
      buy('2021-06-01', '200', 110_000),
      sell('2021-06-01', '300', 180_000),
    ]);
    // 200 same day at £1,100; 100 from the pool at 400,000 × 100/1000 = 40,000. Allowable 150,000; gain 30,000.
    expect(only(r)).toEqual([{
      assetId: 'A', accountId: 'gia', date: '2021-06-01', quantity: '300', proceeds: 180_000, allowableCost: 150_000, gain: 30_000,
      matches: [{ rule: 'same-day', quantity: '200', cost: 110_000 }, { rule: 'section-104', quantity: '100', cost: 40_000 }],
      term: 'mixed',
    }]);
  });

  it("treats a day's buys as one acquisition and its sells as one disposal, even across accounts", () => {
    const r = capitalGains([
      buy('2022-03-01', '100', 50_000),
      sell('2022-03-01', '50', 40_000, { account: 'gia2' }),
      buy('2022-03-01', '100', 60_000, { account: 'gia2' }),
      sell('2022-03-01', '100', 80_000),
    ]);
    // One acquisition of 200 for 110,000, one disposal of 150 for 120,000: 150/200 of 110,000 = 82,500; gain 37,500.
    const [d] = only(r);
    expect(d).toMatchObject({ quantity: '150', proceeds: 120_000, allowableCost: 82_500, gain: 37_500, accountId: 'gia2', term: 'short' });
    expect(d!.matches).toEqual([{ rule: 'same-day', quantity: '150', cost: 82_500 }]);
  });
});

describe('capitalGains: bed and breakfast (30 days)', () => {
  it('matches a re-buy on day 30 after the sale, not one on day 31', () => {
    const r = capitalGains([
      buy('2022-01-03', '1000', 300_000), // pool: 1000 for 300,000
      sell('2022-05-10', '500', 200_000),
      buy('2022-06-09', '200', 70_000), // 10 May + 30 days = 9 June: bed and breakfast
      buy('2022-06-10', '100', 40_000), // day 31: into the pool
      sell('2022-08-01', '400', 150_000),
    ]);
    const [first, second] = only(r);
    // 200 matched to the 9 June buy at 70,000; 300 from the pool at 300,000 × 300/1000 = 90,000.
    // Allowable 160,000; gain 200,000 − 160,000 = 40,000. Pool left: 700 for 210,000.
    expect(first).toMatchObject({ date: '2022-05-10', allowableCost: 160_000, gain: 40_000 });
    expect(first!.matches).toEqual([
      { rule: 'bed-and-breakfast', quantity: '200', cost: 70_000 },
      { rule: 'section-104', quantity: '300', cost: 90_000 },
    ]);
    // Pool + the day-31 buy: 800 for 250,000; 400 of them: 125,000; gain 150,000 − 125,000 = 25,000.
    expect(second).toMatchObject({ date: '2022-08-01', allowableCost: 125_000, gain: 25_000, matches: [{ rule: 'section-104', quantity: '400', cost: 125_000 }] });
  });

  it("works the HMRC forum case: a smaller re-buy within 30 days, the rest from the pool, and the re-buy kept out of the pool", () => {
    const r = capitalGains([
      buy('2023-09-01', '40', 8_000), // pool: 40 for £80
      sell('2023-09-12', '40', 12_000),
      buy('2023-10-01', '25', 10_000), // 19 days after 12 Sept: matched to it, never enters the pool
      sell('2023-10-15', '25', 15_000),
    ]);
    const [first, second] = only(r);
    // 12 Sept: 25 from 1 Oct (10,000) + 15 from the pool (8,000 × 15/40 = 3,000) = 13,000; loss 1,000.
    expect(first!.matches).toEqual([
      { rule: 'bed-and-breakfast', quantity: '25', cost: 10_000 },
      { rule: 'section-104', quantity: '15', cost: 3_000 },
    ]);
    expect(first!.gain).toBe(-1_000);
    // 15 Oct: no re-buy after it; the pool's 25 for 5,000; gain 10,000. Tax year 2023-24: gains 10,000, losses 1,000.
    expect(second).toMatchObject({ allowableCost: 5_000, gain: 10_000, matches: [{ rule: 'section-104', quantity: '25', cost: 5_000 }] });
    expect(r.taxYears).toEqual([{ taxYear: '2023-24', proceeds: 27_000, allowableCost: 18_000, gains: 10_000, losses: 1_000, net: 9_000 }]);
  });

  it('gives the re-buys to the earlier disposal first, earliest acquisition first, and leaves a same-day buy to its own day', () => {
    const r = capitalGains([
      buy('2021-01-04', '100', 10_000), // pool: 100 for 10,000 (100p each)
      sell('2021-02-01', '50', 9_000),
      sell('2021-02-05', '50', 9_000),
      buy('2021-02-10', '30', 4_500), // 150p each
      buy('2021-02-12', '40', 8_000), // 200p each
      sell('2021-02-12', '10', 2_000),
    ]);
    const [a, b, c] = only(r);
    // 12 Feb: its own day first — 10 of the 40 bought that day, 10/40 × 8,000 = 2,000; gain 0.
    expect(c!.matches).toEqual([{ rule: 'same-day', quantity: '10', cost: 2_000 }]);
    // 1 Feb: 30 from 10 Feb (4,500), then 20 of the 30 left of 12 Feb (20/30 × 6,000 = 4,000). Allowable 8,500.
    expect(a!.matches).toEqual([
      { rule: 'bed-and-breakfast', quantity: '30', cost: 4_500 },
      { rule: 'bed-and-breakfast', quantity: '20', cost: 4_000 },
    ]);
    expect(a!.gain).toBe(500);
    // 5 Feb: the last 10 of 12 Feb (2,000), then 40 from the pool (40/100 × 10,000 = 4,000). Allowable 6,000; gain 3,000.
    expect(b!.matches).toEqual([
      { rule: 'bed-and-breakfast', quantity: '10', cost: 2_000 },
      { rule: 'section-104', quantity: '40', cost: 4_000 },
    ]);
    expect(b!.gain).toBe(3_000);
  });
});

describe('capitalGains: the Section 104 pool', () => {
  it('pools several buys and takes cost × sold / pooled on each partial sale', () => {
    const r = capitalGains([
      buy('2015-04-01', '1000', 150_000),
      buy('2016-09-01', '500', 105_000), // pool 1500 for 255,000
      sell('2018-05-01', '700', 210_000), // 255,000 × 700/1500 = 119,000; gain 91,000; pool 800 for 136,000
      buy('2019-02-01', '400', 64_000), // pool 1200 for 200,000
      sell('2020-03-02', '300', 45_000), // 200,000 × 300/1200 = 50,000; loss 5,000; pool 900 for 150,000
      sell('2021-01-05', '900', 180_000), // the whole pool: 150,000; gain 30,000
    ]);
    expect(only(r).map((d) => [d.allowableCost, d.gain])).toEqual([[119_000, 91_000], [50_000, -5_000], [150_000, 30_000]]);
    expect(r.taxYears).toEqual([
      { taxYear: '2018-19', proceeds: 210_000, allowableCost: 119_000, gains: 91_000, losses: 0, net: 91_000 },
      { taxYear: '2019-20', proceeds: 45_000, allowableCost: 50_000, gains: 0, losses: 5_000, net: -5_000 },
      { taxYear: '2020-21', proceeds: 180_000, allowableCost: 150_000, gains: 30_000, losses: 0, net: 30_000 },
    ]);
  });

  it('rounds each share of the pool half-even and never loses a penny', () => {
    const r = capitalGains([
      buy('2020-01-06', '3', 100),
      sell('2020-06-01', '1', 50), // 100 × 1/3 = 33.33 → 33; pool 2 for 67
      sell('2020-08-03', '1', 50), // 67 × 1/2 = 33.5 → 34 (half to even); pool 1 for 33
      sell('2020-10-01', '1', 50), // the rest: 33
    ]);
    expect(only(r).map((d) => d.allowableCost)).toEqual([33, 34, 33]);
  });

  it('keeps fractional units exact (decimal text, no floats)', () => {
    const r = capitalGains([
      buy('2021-01-04', '0.1', 1_000, { asset: 'BTC', account: 'wallet' }),
      buy('2021-02-01', '0.2', 3_000, { asset: 'BTC', account: 'wallet' }), // 0.3 for 4,000 (0.1 + 0.2 is exactly 0.3 here)
      sell('2021-05-04', '0.3', 6_000, { asset: 'BTC', account: 'wallet' }), // the whole pool: 4,000; gain 2,000
    ]);
    expect(only(r)).toMatchObject([{ quantity: '0.3', allowableCost: 4_000, gain: 2_000, matches: [{ rule: 'section-104', quantity: '0.3', cost: 4_000 }] }]);
  });
});

describe('capitalGains: splits and consolidations', () => {
  it('changes the pooled units, not their cost, on a split between buy and sell', () => {
    const r = capitalGains([
      buy('2020-01-02', '100', 100_000),
      split('2020-06-01', '4'), // 4-for-1: 400 units, still 100,000
      sell('2020-09-01', '200', 60_000), // 100,000 × 200/400 = 50,000; gain 10,000
      sell('2020-12-01', '200', 40_000), // the rest: 50,000; loss 10,000
    ]);
    expect(only(r).map((d) => [d.quantity, d.allowableCost, d.gain])).toEqual([['200', 50_000, 10_000], ['200', 50_000, -10_000]]);
  });

  it('handles a 1-for-10 consolidation into fractional units', () => {
    const r = capitalGains([
      buy('2020-01-02', '25', 5_000),
      split('2020-03-02', '0.1'), // 2.5 units for 5,000
      sell('2020-04-01', '1.5', 4_000), // 5,000 × 1.5/2.5 = 3,000; gain 1,000
    ]);
    expect(only(r)).toMatchObject([{ quantity: '1.5', allowableCost: 3_000, gain: 1_000 }]);
  });

  it('re-scales a pending bed-and-breakfast match across a split, and counts the split once across accounts', () => {
    const r = capitalGains([
      buy('2020-05-01', '300', 30_000), // pool: 300 old = 600 new units, 30,000
      sell('2021-03-01', '100', 20_000), // 100 old units = 200 new
      split('2021-03-10', '2'),
      split('2021-03-10', '2', { account: 'gia2' }), // the same split recorded in another account: counted once
      buy('2021-03-20', '150', 24_000), // 150 new units = 75 old, within 30 days
      sell('2021-06-01', '550', 55_000),
    ]);
    const [first, second] = only(r);
    // 75 old units from the 20 March buy (24,000), 25 old = 50 new from the pool: 30,000 × 50/600 = 2,500.
    // Allowable 26,500; loss 6,500. Pool left: 550 new for 27,500.
    expect(first!.matches).toEqual([
      { rule: 'bed-and-breakfast', quantity: '75', cost: 24_000 },
      { rule: 'section-104', quantity: '25', cost: 2_500 },
    ]);
    expect(first!.gain).toBe(-6_500);
    // All 550 left: 27,500; gain 27,500.
    expect(second).toMatchObject({ quantity: '550', allowableCost: 27_500, gain: 27_500 });
  });

  it('reports a split without a positive ratio and leaves it out', () => {
    const r = capitalGains([buy('2020-01-02', '10', 1_000), split('2020-02-03', '0'), sell('2020-03-02', '10', 2_000)]);
    expect(r.problems.map((p) => p.kind)).toEqual(['bad-split']);
    expect(r.disposals).toMatchObject([{ allowableCost: 1_000, gain: 1_000 }]);
  });
});

describe('capitalGains: fees, losses and tax years', () => {
  it('allows fees on both sides', () => {
    const r = capitalGains([
      buy('2021-05-04', '2000', 501_250, { fee: 1_250 }), // 2000 × 250p = 500,000 + 1,250 fee
      sell('2022-05-04', '2000', 600_000, { fee: 1_250 }), // gross 2000 × 300p; cash received 598,750
    ]);
    // Proceeds 600,000 (gross); allowable 501,250 + the sale's 1,250 fee = 502,500; gain 97,500.
    expect(only(r)).toMatchObject([{ proceeds: 600_000, allowableCost: 502_500, gain: 97_500 }]);
  });

  it('reports a loss as a positive number in its tax year', () => {
    const r = capitalGains([buy('2023-01-09', '100', 50_000), sell('2023-09-01', '100', 30_000, { fee: 995 })]);
    // Allowable 50,000 + 995 = 50,995; gain 30,000 − 50,995 = −20,995.
    expect(only(r)[0]!.gain).toBe(-20_995);
    expect(r.taxYears).toEqual([{ taxYear: '2023-24', proceeds: 30_000, allowableCost: 50_995, gains: 0, losses: 20_995, net: -20_995 }]);
  });

  it('puts a disposal on 5 April in the year ending then, and one on 6 April in the next', () => {
    const r = capitalGains([
      buy('2023-01-09', '20', 2_000), // 100p each
      sell('2024-04-05', '10', 1_500), // gain 500, tax year 2023-24
      sell('2024-04-06', '10', 800), // loss 200, tax year 2024-25
    ]);
    expect(r.taxYears.map((y) => [y.taxYear, y.net])).toEqual([['2023-24', 500], ['2024-25', -200]]);
    expect(ukTaxYear('2000-01-01')).toBe('1999-00');
    expect(ukTaxYear('2099-04-06')).toBe('2099-00');
  });

  it('sums gains and losses of several disposals in one year', () => {
    const r = capitalGains([
      buy('2022-04-06', '30', 3_000),
      sell('2022-07-01', '10', 1_600), // +600
      sell('2022-09-01', '10', 700), // −300
      sell('2023-04-05', '10', 1_200), // +200
    ]);
    expect(r.taxYears).toEqual([{ taxYear: '2022-23', proceeds: 3_500, allowableCost: 3_000, gains: 800, losses: 300, net: 500 }]);
  });
});

describe('capitalGains: foreign currency', () => {
  const fx = [{ currency: 'USD', dates: ['2023-01-02', '2023-06-01', '2023-07-03'], rates: ['0.8', '0.75', '0.785'] }];

  it("converts cost and proceeds at the trade date's rate (latest on or before), like convertMinor", () => {
    const usd = { currency: 'USD', asset: 'AAPL' };
    const r = capitalGains([
      buy('2023-03-15', '10', 100_100, { ...usd, fee: 100 }), // $1,001.00 at 0.8 (2 Jan's rate) = 80,080p
      sell('2023-07-05', '10', 120_000, { ...usd, fee: 100 }), // at 0.785 (3 July's rate): gross $1,200 = 94,200p; fee $1 = 78.5 → 78p (half-even)
    ], { fx });
    // Allowable 80,080 + 78 = 80,158; gain 94,200 − 80,158 = 14,042.
    expect(only(r)).toMatchObject([{ proceeds: 94_200, allowableCost: 80_158, gain: 14_042 }]);
    expect(convertMinor(100_100, 'USD', 'GBP', '0.8')).toBe(80_080);
    expect(convertMinor(120_000, 'USD', 'GBP', '0.785')).toBe(94_200);
    expect(convertMinor(100, 'USD', 'GBP', '0.785')).toBe(78);
  });

  it('names and leaves out a disposal without a rate, and one matched to a cost without a rate', () => {
    const usd = { currency: 'USD', asset: 'AAPL' };
    const early = buy('2022-12-01', '10', 10_000, usd); // before the first rate: its cost is unknown
    const fromPool = sell('2023-02-01', '5', 8_000, usd); // from a pool whose cost is unknown
    const chf = sell('2023-04-03', '5', 6_000, { asset: 'MSFT', currency: 'CHF' }); // no CHF rates at all
    const august = sell('2023-08-01', '5', 9_000, usd);
    const r = capitalGains([
      early, fromPool,
      buy('2023-03-01', '5', 5_000, { ...usd, asset: 'MSFT' }),
      chf,
      buy('2023-05-01', '1', 1_000, { asset: 'VOD' }),
      sell('2023-05-02', '1', 2_000, { asset: 'VOD' }), // unaffected: cost 1,000, gain 1,000
      august, // the pool still holds the unknown cost: left out too
      buy('2023-09-01', '2', 1_000, usd), // the pool was emptied: a fresh start at 0.785, $10 → 785p
      sell('2023-10-02', '2', 2_000, usd), // $20 → 1,570p; gain 785
    ], { fx });
    expect(r.disposals.map((d) => [d.assetId, d.gain])).toEqual([['VOD', 1_000], ['AAPL', 785]]);
    // Asset by asset: the trades' own problems, then the disposals left out.
    expect(r.problems.map((p) => [p.kind, p.transactionId])).toEqual([
      ['no-rate', early.id], // the trade without a rate
      ['no-rate', fromPool.id], // the 1 Feb disposal, left out
      ['no-rate', august.id], // the 1 August disposal, left out
      ['no-rate', chf.id], // the sale's own rate
      ['no-rate', chf.id], // the 3 April disposal, left out
    ]);
    expect(r.problems[1]!.message).toMatch(/2023-02-01.*left out.*cost/);
    expect(r.problems[2]!.message).toMatch(/2023-08-01.*left out/);
    expect(r.problems[4]!.message).toMatch(/2023-04-03.*left out.*proceeds/);
  });
});

describe('capitalGains: accounts and transfers', () => {
  const accounts: InvestAccount[] = [
    { id: 'gia', type: 'investment_gia', currency: 'GBP' },
    { id: 'isa', type: 'stocks_shares_isa', currency: 'GBP' },
    { id: 'sipp', type: 'sipp', currency: 'GBP' },
  ];

  it('leaves tax-free accounts out entirely and lists them', () => {
    const r = capitalGains([
      buy('2021-01-04', '100', 10_000),
      buy('2021-06-01', '100', 50_000, { account: 'isa' }), // would be a same-day match if the ISA counted
      sell('2021-06-01', '100', 20_000),
      sell('2021-06-02', '100', 60_000, { account: 'isa' }),
    ], { accounts });
    // Only the GIA: 100 from the pool at 10,000; gain 10,000.
    expect(only(r)).toMatchObject([{ accountId: 'gia', allowableCost: 10_000, gain: 10_000, matches: [{ rule: 'section-104' }] }]);
    expect(r.excludedAccounts).toEqual(['isa']);
    // Without the account list every account counts: the ISA buy is then a same-day match.
    const unlisted = capitalGains([buy('2021-06-01', '100', 50_000, { account: 'isa' }), sell('2021-06-01', '100', 20_000)]);
    expect(unlisted.disposals[0]!.matches).toEqual([{ rule: 'same-day', quantity: '100', cost: 50_000 }]);
    expect(unlisted.excludedAccounts).toEqual([]);
  });

  it('keeps the pool whole on a same-day transfer between taxable accounts', () => {
    const r = capitalGains([
      buy('2021-01-04', '100', 10_000),
      tx('transfer_out', '2021-03-01', '100', 0),
      tx('transfer_in', '2021-03-01', '100', 0, { account: 'gia2', unitPrice: '5' }), // paired: its price is ignored
      sell('2021-05-04', '100', 15_000, { account: 'gia2' }), // the original cost 10,000; gain 5,000
    ], { accounts });
    expect(only(r)).toMatchObject([{ allowableCost: 10_000, gain: 5_000 }]);
  });

  it('takes units out at average cost on a transfer out, and brings them in at quantity × unit price', () => {
    const r = capitalGains([
      buy('2021-01-04', '100', 10_000), // 100 for 10,000
      tx('transfer_out', '2021-02-01', '40', 0), // to the ISA: 40 × 100p leave; no disposal; pool 60 for 6,000
      tx('transfer_in', '2021-02-01', '40', 0, { account: 'isa', unitPrice: '1' }), // tax-free: left out
      tx('transfer_in', '2021-03-01', '20', 0, { unitPrice: '2.505' }), // from another provider: 20 × £2.505 = 5,010p
      sell('2021-05-04', '80', 16_000), // pool 80 for 11,010: all of it; gain 4,990
    ], { accounts });
    expect(only(r)).toMatchObject([{ allowableCost: 11_010, gain: 4_990 }]);
  });

  it('names a transfer in without a unit price, and leaves out the disposal of its units', () => {
    const blind = tx('transfer_in', '2021-03-01', '20', 0);
    const sale = sell('2021-05-04', '20', 4_000);
    const r = capitalGains([blind, sale]);
    expect(r.disposals).toEqual([]);
    expect(r.problems.map((p) => [p.kind, p.transactionId])).toEqual([['no-price', blind.id], ['no-price', sale.id]]);
    expect(r.problems[1]!.message).toMatch(/2021-05-04.*left out.*unit price/);
  });

  it('reports a transfer out of more than is held', () => {
    const r = capitalGains([buy('2021-01-04', '10', 1_000), tx('transfer_out', '2021-02-01', '15', 0)]);
    expect(r.problems.map((p) => p.kind)).toEqual(['transfer-out-exceeds']);
  });
});

describe('capitalGains: selling more than is held', () => {
  it('reports the oversale and leaves that disposal out, never going negative', () => {
    const r = capitalGains([
      buy('2021-01-04', '10', 1_000),
      sell('2021-02-01', '15', 3_000),
      buy('2021-04-01', '5', 800), // 59 days later: no bed and breakfast; the pool was emptied, so 5 for 800
      sell('2021-05-04', '5', 1_000), // 800; gain 200
    ]);
    expect(r.problems).toMatchObject([{ kind: 'oversold', transactionId: r.problems[0]!.transactionId }]);
    expect(r.problems[0]!.message).toContain('only 10');
    expect(r.disposals).toMatchObject([{ date: '2021-05-04', allowableCost: 800, gain: 200 }]);
  });
});

describe('capitalGains: short and long term', () => {
  it('is long from the first anniversary of the acquisition (29 February → 1 March)', () => {
    const r = capitalGains([
      buy('2020-02-29', '4', 400),
      sell('2021-02-28', '1', 200), // one day short of the anniversary: short, gain 100
      sell('2021-03-01', '1', 300), // long, gain 200
      buy('2021-04-01', '4', 400),
    ]);
    // The 1 April 2021 buy is 31 days after 1 March and 32 after 28 Feb: no bed and breakfast.
    expect(only(r).map((d) => d.term)).toEqual(['short', 'long']);
    expect(r.shortTerm).toEqual({ gains: 100, losses: 0 });
    expect(r.longTerm).toEqual({ gains: 200, losses: 0 });
  });

  it('splits a pool match first in, first out and apportions the gain by matched cost', () => {
    const r = capitalGains([
      buy('2020-01-10', '100', 10_000),
      buy('2020-09-01', '100', 30_000), // pool 200 for 40,000
      sell('2021-03-01', '150', 60_000),
    ]);
    // Cost 40,000 × 150/200 = 30,000. First in, first out: 100 from Jan 2020 (held over a year: long), 50 from
    // Sep 2020 (short). Long cost 30,000 × 100/150 = 20,000, short 10,000. Gain 30,000: short 30,000 × 10,000/30,000
    // = 10,000, long 20,000.
    expect(only(r)).toMatchObject([{ term: 'mixed', gain: 30_000 }]);
    expect(r.shortTerm).toEqual({ gains: 10_000, losses: 0 });
    expect(r.longTerm).toEqual({ gains: 20_000, losses: 0 });
  });

  it('mixes a bed-and-breakfast match (short) with a pool match (long)', () => {
    const r = capitalGains([
      buy('2020-01-10', '1000', 100_000),
      sell('2021-05-04', '600', 90_000),
      buy('2021-05-20', '200', 32_000),
    ]);
    // B&B 200 at 32,000 (short); pool 400 at 100,000 × 400/1000 = 40,000 (long). Allowable 72,000; gain 18,000.
    // Short part 18,000 × 32,000/72,000 = 8,000; long 10,000.
    expect(only(r)).toMatchObject([{
      term: 'mixed', allowableCost: 72_000, gain: 18_000,
      matches: [{ rule: 'bed-and-breakfast', quantity: '200', cost: 32_000 }, { rule: 'section-104', quantity: '400', cost: 40_000 }],
    }]);
    expect(r.shortTerm).toEqual({ gains: 8_000, losses: 0 });
    expect(r.longTerm).toEqual({ gains: 10_000, losses: 0 });
  });

  it('counts a long-term loss as a long-term loss', () => {
    const r = capitalGains([buy('2019-01-10', '10', 5_000), sell('2021-01-11', '10', 3_000)]);
    expect(r.longTerm).toEqual({ gains: 0, losses: 2_000 });
    expect(r.shortTerm).toEqual({ gains: 0, losses: 0 });
  });
});

describe('capitalGains: several assets and bad input', () => {
  it('keeps one pool per asset and lists disposals in date order', () => {
    const r = capitalGains([
      buy('2021-01-04', '10', 1_000, { asset: 'B' }),
      buy('2021-01-04', '10', 5_000, { asset: 'A' }),
      sell('2021-03-01', '10', 2_000, { asset: 'B' }),
      sell('2021-02-01', '10', 6_000, { asset: 'A' }),
    ]);
    expect(only(r).map((d) => [d.date, d.assetId, d.gain])).toEqual([['2021-02-01', 'A', 1_000], ['2021-03-01', 'B', 1_000]]);
  });

  it('ignores dividends and standalone fees, and returns nothing for no trades', () => {
    const r = capitalGains([tx('dividend', '2021-01-04', '0', 500), tx('fee', '2021-01-05', '0', -100)]);
    expect(r).toEqual({ disposals: [], taxYears: [], excludedAccounts: [], shortTerm: { gains: 0, losses: 0 }, longTerm: { gains: 0, losses: 0 }, problems: [] });
  });

  it('refuses a trade without a positive quantity, or with an impossible date', () => {
    expect(() => capitalGains([sell('2021-01-04', '0', 100)])).toThrow(/positive quantity/);
    expect(() => capitalGains([buy('2021-02-30', '1', 100)])).toThrow(RangeError);
  });
});

describe('capitalGains: properties of random histories', () => {
  /** One asset, trades over ~4 months (so same-day and 30-day matches happen), sells never above the holding. */
  const history = fc.array(
    fc.record({
      day: fc.integer({ min: 0, max: 120 }),
      op: fc.constantFrom('buy', 'buy', 'sell', 'sell', 'split'),
      units: fc.integer({ min: 1, max: 5_000_000 }), // thousandths
      pence: fc.integer({ min: 0, max: 2_000_000 }),
      fee: fc.integer({ min: 0, max: 2_000 }),
      part: fc.integer({ min: 1, max: 4 }),
      ratio: fc.constantFrom('2', '3', '0.5', '0.1'),
      account: fc.constantFrom('gia', 'gia2'),
    }),
    { maxLength: 40 },
  );
  const dateOf = (day: number) => new Date(Date.UTC(2021, 0, 4 + day)).toISOString().slice(0, 10);

  it('allocates every penny of cost exactly once, and the gains add up', () => {
    fc.assert(fc.property(history, (steps) => {
      // A split happens before that day's trading.
      const sorted = [...steps].sort((a, b) => a.day - b.day || Number(b.op === 'split') - Number(a.op === 'split'));
      let held = new Decimal(0);
      let costs = 0;
      let fees = 0;
      let proceeds = 0;
      const txs: InvestmentTransaction[] = [];
      const buyDays = new Set<string>();
      for (const s of sorted) {
        const date = dateOf(s.day);
        if (s.op === 'buy') {
          const q = new Decimal(s.units).div(1000);
          txs.push(buy(date, q.toFixed(), s.pence + s.fee, { fee: s.fee, account: s.account }));
          held = held.plus(q);
          costs += s.pence + s.fee;
          buyDays.add(date);
        } else if (s.op === 'sell') {
          const q = held.times(s.part).div(4).toDecimalPlaces(3, Decimal.ROUND_DOWN);
          if (q.lte(0)) continue;
          txs.push(sell(date, q.toFixed(), s.pence, { fee: Math.min(s.fee, s.pence), account: s.account }));
          held = held.minus(q);
          proceeds += s.pence;
          fees += Math.min(s.fee, s.pence);
        } else if (!txs.some((t) => t.kind === 'split' && t.date === date)) {
          txs.push(split(date, s.ratio));
          held = held.times(s.ratio);
        }
      }
      if (held.gt(0)) {
        txs.push(sell('2022-01-04', held.toFixed(), 1_000));
        proceeds += 1_000;
      }
      const r = capitalGains(txs);
      expect(r.problems).toEqual([]);
      const sum = (f: (d: Disposal) => number) => r.disposals.reduce((n, d) => n + f(d), 0);
      // Every acquisition's cost ends up in exactly one match (the pool is emptied by the last sale).
      expect(sum((d) => d.matches.reduce((n, m) => n + m.cost, 0))).toBe(costs);
      expect(sum((d) => d.proceeds)).toBe(proceeds);
      expect(sum((d) => d.gain)).toBe(proceeds - fees - costs);
      const rank = { 'same-day': 0, 'bed-and-breakfast': 1, 'section-104': 2 } as const;
      for (const d of r.disposals) {
        expect(d.allowableCost).toBe(d.proceeds - d.gain);
        // The matches add up to the units sold, in the rules' order, each rule only when it can apply.
        expect(d.matches.reduce((n, m) => n.plus(m.quantity), new Decimal(0)).eq(d.quantity)).toBe(true);
        const ranks = d.matches.map((m) => rank[m.rule]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        if (d.matches.some((m) => m.rule === 'same-day')) expect(buyDays.has(d.date)).toBe(true);
        if (d.matches.some((m) => m.rule === 'bed-and-breakfast')) {
          const t = Date.parse(d.date);
          expect([...buyDays].some((b) => Date.parse(b) > t && Date.parse(b) - t <= 30 * 86_400_000)).toBe(true);
        }
      }
      const years = r.taxYears.reduce((a, y) => ({ net: a.net + y.net, gains: a.gains + y.gains, losses: a.losses + y.losses }), { net: 0, gains: 0, losses: 0 });
      expect(years.net).toBe(sum((d) => d.gain));
      expect(years.gains - years.losses).toBe(years.net);
      expect(r.shortTerm.gains - r.shortTerm.losses + r.longTerm.gains - r.longTerm.losses).toBe(years.net);
      // The order of the input does not matter (but for which account's sale names a disposal spanning two).
      const withoutAccount = (list: readonly Disposal[]) => list.map(({ accountId, ...rest }) => (void accountId, rest));
      expect(withoutAccount(capitalGains([...txs].reverse()).disposals)).toEqual(withoutAccount(r.disposals));
    }), { numRuns: 300 });
  });
});
