import { describe, expect, it } from 'vitest';
import { convertMinor } from '../money/money.ts';
import { averageCostTrades, fx, inputs, prices, tx } from './__fixtures__/build.ts';
import { holdingsAt } from './holdings.ts';
import { InvestInputError } from './prepare.ts';
import type { Holding } from './types.ts';

/** Every figure below is worked by hand in pence from the trades, written next to the assertion. */

function only(holdings: readonly Holding[]): Holding {
  expect(holdings).toHaveLength(1);
  return holdings[0]!;
}

describe('holdingsAt: average cost in GBP', () => {
  const trades = averageCostTrades();
  const data = inputs({ transactions: trades, prices: [prices('abc', 'GBP', { '2024-03-28': '118', '2024-04-05': '125' })] });

  it('values the holding from the latest close, with its date', () => {
    const h = only(holdingsAt(data, '2024-04-08').holdings);
    expect(h).toMatchObject({
      accountId: 'gia', assetId: 'abc', quantity: '9', averageCost: '110', costBasis: 99_000,
      price: '125', priceDate: '2024-04-05', stale: false,
      marketValue: 112_500, // 9 × £125
      unrealisedGain: 13_500, // 112 500 − 99 000
      realisedGain: 6_000, income: 450, fees: 1_750, // 500 + 500 + 500 + 250
    });
    // realised + unrealised + income − fees = market value + cash (−100 500 − 65 500 + 71 500 + 450 − 250).
    expect(6_000 + 13_500 + 450 - 1_750).toBe(112_500 - 94_300);
  });

  it('marks a price older than staleAfterDays as stale (default 5 days)', () => {
    expect(only(holdingsAt(data, '2024-04-10').holdings).stale).toBe(false); // 5 days old
    expect(only(holdingsAt(data, '2024-04-11').holdings)).toMatchObject({ stale: true, priceDate: '2024-04-05' }); // 6 days
    expect(only(holdingsAt({ ...data, staleAfterDays: 1 }, '2024-04-08').holdings).stale).toBe(true);
  });

  it('counts only what happened on or before the date', () => {
    const h = only(holdingsAt(data, '2024-02-29').holdings);
    expect(h).toMatchObject({ quantity: '15', costBasis: 165_000, averageCost: '110', realisedGain: 0, fees: 1_000, income: 0 });
    expect(holdingsAt(data, '2024-01-09').holdings).toEqual([]);
  });

  it('has no value and reports it when there is no price on or before the date', () => {
    const r = holdingsAt(data, '2024-03-01');
    expect(only(r.holdings)).toMatchObject({ marketValue: null, unrealisedGain: null, price: null, stale: false });
    expect(r.problems.map((p) => p.kind)).toEqual(['no-price']);
  });
});

describe('holdingsAt: splits and consolidations', () => {
  it('a 4-for-1 split between a buy and a sell changes units and cost per unit, not cost', () => {
    const data = inputs({
      transactions: [
        tx('buy', '2024-01-02', '10', -40_000, { unitPrice: '40' }), // 10 @ £40 = 40 000
        tx('split', '2024-06-03', '30', 0, { splitRatio: '4' }), // 40 units, still 40 000 (£10 each)
        tx('sell', '2024-07-01', '20', 24_000, { unitPrice: '12' }), // cost of 20 = 20 000, realised 4 000
      ],
      prices: [prices('abc', 'GBP', { '2024-07-01': '12' })],
    });
    expect(only(holdingsAt(data, '2024-06-03').holdings)).toMatchObject({ quantity: '40', costBasis: 40_000, averageCost: '10' });
    expect(only(holdingsAt(data, '2024-07-01').holdings)).toMatchObject({
      quantity: '20', costBasis: 20_000, averageCost: '10', realisedGain: 4_000, marketValue: 24_000, unrealisedGain: 4_000,
    });
  });

  it('a 1-for-10 consolidation leaves fractional units at ten times the cost per unit', () => {
    const data = inputs({
      transactions: [
        tx('buy', '2024-01-02', '15', -3_000, { unitPrice: '2' }),
        tx('split', '2024-02-01', '-13.5', 0, { splitRatio: '0.1' }),
      ],
      prices: [prices('abc', 'GBP', { '2024-02-01': '21' })],
    });
    expect(only(holdingsAt(data, '2024-02-01').holdings)).toMatchObject({
      quantity: '1.5', costBasis: 3_000, averageCost: '20', marketValue: 3_150, unrealisedGain: 150,
    });
  });

  it('reports a split without a usable ratio and applies its quantity instead', () => {
    const data = inputs({ transactions: [tx('buy', '2024-01-02', '10', -1_000, { unitPrice: '1' }), tx('split', '2024-02-01', '10', 0)] });
    const r = holdingsAt(data, '2024-02-01');
    expect(only(r.holdings)).toMatchObject({ quantity: '20', costBasis: 1_000 });
    expect(r.problems.map((p) => p.kind)).toEqual(['bad-split', 'no-price']);
  });
});

describe('holdingsAt: foreign currency', () => {
  // USD in GBP: 0.8 from 2 January, 0.7531 from 28 June.
  const rates = fx('USD', { '2024-01-02': '0.8', '2024-06-28': '0.7531' });
  const data = inputs({
    transactions: [
      // 10 @ $50 + $1 fee = $501.00 → £400.80 at 0.8; fee £0.80; cost £400.00.
      tx('buy', '2024-01-02', '10', -50_100, { unitPrice: '50', fee: 100, currency: 'USD', assetId: 'usd' }),
      // 3 @ $61.11 = $183.33 gross, no fee, on 1 July at 0.7531 → £138.06703 → 13 807 pence.
      tx('sell', '2024-07-01', '3', 18_333, { unitPrice: '61.11', currency: 'USD', assetId: 'usd' }),
    ],
    prices: [prices('usd', 'USD', { '2024-06-28': '60', '2024-07-01': '61.11' })],
    fx: [rates],
  });

  it('takes cost at the trade date\'s rate and value at the valuation date\'s rate', () => {
    const h = only(holdingsAt(data, '2024-06-30').holdings);
    // 10 × $60 = $600.00 at 0.7531 (28 June, the latest on or before 30 June) = £451.86.
    expect(h).toMatchObject({ quantity: '10', costBasis: 40_000, fees: 80, marketValue: 45_186, unrealisedGain: 5_186, priceDate: '2024-06-28' });
    expect(h.marketValue).toBe(convertMinor(60_000, 'USD', 'GBP', '0.7531'));
  });

  it('realises against the GBP cost: proceeds at the sale date\'s rate', () => {
    const h = only(holdingsAt(data, '2024-07-01').holdings);
    // cost of 3 = 40 000 × 3/10 = 12 000; proceeds 13 807; realised 1 807; 7 left at 28 000.
    expect(h).toMatchObject({ quantity: '7', costBasis: 28_000, realisedGain: 1_807 });
    // 7 × $61.11 = $427.77 → £322.153587 → 32 215.
    expect(h.marketValue).toBe(32_215);
  });

  it('uses the earliest rate and says so when none is on or before a trade', () => {
    const early = inputs({ ...data, transactions: [tx('buy', '2023-12-29', '1', -5_000, { unitPrice: '50', currency: 'USD', assetId: 'usd' })] });
    const r = holdingsAt(early, '2023-12-31');
    expect(only(r.holdings).costBasis).toBe(4_000);
    expect(r.problems.map((p) => p.kind)).toEqual(['no-rate', 'no-price']);
  });
});

describe('holdingsAt: transfers and data problems', () => {
  it('brings units in at their carried cost and sends them out at average cost, with no gain', () => {
    const data = inputs({
      transactions: [
        tx('transfer_in', '2024-01-02', '10', 0, { unitPrice: '20' }), // cost 20 000, no cash
        tx('buy', '2024-02-01', '10', -30_000, { unitPrice: '30' }), // 20 units at 50 000
        tx('transfer_out', '2024-03-01', '4', 0), // 10 000 goes with them
      ],
      prices: [prices('abc', 'GBP', { '2024-03-01': '30' })],
    });
    expect(only(holdingsAt(data, '2024-03-01').holdings)).toMatchObject({
      quantity: '16', costBasis: 40_000, averageCost: '25', realisedGain: 0, marketValue: 48_000, unrealisedGain: 8_000,
    });
  });

  it('never holds a negative quantity: an oversold sale takes what is held and is reported', () => {
    const data = inputs({
      transactions: [
        tx('buy', '2024-01-02', '5', -5_000, { unitPrice: '10' }),
        tx('sell', '2024-02-01', '8', 9_600, { unitPrice: '12' }), // only 5 held: their cost 5 000 leaves
      ],
      prices: [prices('abc', 'GBP', { '2024-02-01': '12' })],
    });
    const r = holdingsAt(data, '2024-02-01');
    expect(only(r.holdings)).toMatchObject({ quantity: '0', costBasis: 0, marketValue: 0, realisedGain: 4_600 });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ kind: 'oversold', transactionId: data.transactions[1]!.id });
    expect(r.problems[0]!.message).toMatch(/8 units sold but only 5 held/);
  });

  it('reports a transfer out of more than is held', () => {
    const data = inputs({ transactions: [tx('buy', '2024-01-02', '1', -100, { unitPrice: '1' }), tx('transfer_out', '2024-01-03', '2', 0)] });
    const r = holdingsAt(data, '2024-01-03');
    expect(only(r.holdings).quantity).toBe('0');
    expect(r.problems.map((p) => p.kind)).toEqual(['transfer-out-exceeds']);
  });

  it('applies a day\'s buys before its sells (no false oversell), and splits before both', () => {
    const data = inputs({
      transactions: [
        tx('sell', '2024-01-02', '8', 800, { unitPrice: '1' }),
        tx('buy', '2024-01-02', '2', -200, { unitPrice: '1' }),
        tx('split', '2024-01-02', '0', 0, { splitRatio: '4' }),
        tx('buy', '2024-01-01', '2', -200, { unitPrice: '1' }),
      ],
    });
    const r = holdingsAt(data, '2024-01-02');
    // 2 → split 8 → buy 10 (cost 400) → sell 8 (cost 320): 2 left at 80.
    expect(only(r.holdings)).toMatchObject({ quantity: '2', costBasis: 80, realisedGain: 480 });
    expect(r.problems.map((p) => p.kind)).toEqual(['no-price']);
  });
});

describe('holdingsAt: malformed input', () => {
  const good = tx('buy', '2024-01-02', '1', -100, { unitPrice: '1' });
  it.each([
    ['a date that does not exist', { ...good, date: '2024-02-30' }, /date/],
    ['an unknown account', { ...good, accountId: 'nope' }, /account "nope"/],
    ['an unknown asset', { ...good, assetId: 'nope' }, /asset "nope"/],
    ['a quantity that is not decimal text', { ...good, quantity: '1e3' }, /quantity/],
    ['a buy with a positive amount', { ...good, amount: 100 }, /buy's amount/],
    ['a sale of no units', { ...good, kind: 'sell' as const, quantity: '0' }, /quantity above zero/],
    ['a negative fee', { ...good, fee: -1 }, /fee/],
    ['a fractional amount', { ...good, amount: -1.5 }, /minor units/],
    ['a transfer in without a unit price', { ...good, kind: 'transfer_in' as const, unitPrice: null }, /unitPrice/],
  ])('throws a clear error for %s', (_name, bad, message) => {
    expect(() => holdingsAt(inputs({ transactions: [bad] }), '2024-03-01')).toThrow(InvestInputError);
    expect(() => holdingsAt(inputs({ transactions: [bad] }), '2024-03-01')).toThrow(message);
  });

  it('refuses a bad valuation date, base currency or price series', () => {
    expect(() => holdingsAt(inputs({ transactions: [good] }), '2024-13-01')).toThrow(/valuation date/);
    expect(() => holdingsAt(inputs({ transactions: [good], baseCurrency: 'pounds' }), '2024-03-01')).toThrow(/baseCurrency/);
    const unsorted = { assetId: 'abc', currency: 'GBP', dates: ['2024-01-02', '2024-01-01'], closes: ['1', '1'] };
    expect(() => holdingsAt(inputs({ transactions: [good], prices: [unsorted] }), '2024-03-01')).toThrow(/ascending/);
  });
});
