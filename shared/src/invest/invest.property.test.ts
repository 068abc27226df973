import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../date/date.ts';
import { convertMinor, Decimal, valueOf } from '../money/money.ts';
import type { InvestmentTransaction } from '../schema/registry.ts';
import { account, ASSETS, fx, prices, tx } from './__fixtures__/build.ts';
import { holdingsAt } from './holdings.ts';
import { returnsFor, valueSeries } from './returns.ts';
import type { InvestInputs } from './types.ts';

/**
 * Properties over random trade histories (two accounts, a GBP and a USD asset; buys, sales and transfers out — some
 * of more than is held — dividends, fees, splits and consolidations, transfers in; base GBP):
 *
 * 1. The accounting identity, to the penny, in the base currency, summed over holdings:
 *      realised + unrealised + income − fees = market value + Σ cash − Σ transfer-in cost + Σ transfer-out cost
 *    where Σ cash is every transaction's `amount` converted at its date's rate (money received positive, paid
 *    negative: cash out of the holdings minus cash in), a transfer in's cost is quantity × unitPrice converted at its
 *    date, and a transfer out's cost is the average cost that left with it. Each holding's units, cost basis,
 *    realised gain, income and fees also equal a naive decimal.js re-implementation of the average-cost rules
 *    (`naiveHoldings`), which supplies the transfer-out costs.
 * 2. Over the whole history the returns' own totals tell the same story: end value − net money in + income equals
 *    the holdings' realised + unrealised + income − fees (without transfers, which the returns value at market).
 * 3. The daily value series equals a naive reference that walks the trades with decimal.js and values each holding
 *    each day as convertMinor(valueOf(units, close), currency, GBP, rate): half-even to minor units per holding per
 *    day, then summed — the rule the engine's integer fast path must reproduce.
 */

const START = '2024-01-01';
const DAYS = 60;
const KIND_ORDER: Record<InvestmentTransaction['kind'], number> = { split: 0, transfer_in: 1, buy: 2, dividend: 3, fee: 4, sell: 5, transfer_out: 6 };
const HOLDINGS = [
  { accountId: 'gia', assetId: 'abc', currency: 'GBP' },
  { accountId: 'gia', assetId: 'usd', currency: 'USD' },
  { accountId: 'isa', assetId: 'abc', currency: 'GBP' },
] as const;

const decimalArb = (maxDigits: number, maxScale: number) =>
  fc.tuple(fc.integer({ min: 1, max: 10 ** maxDigits }), fc.integer({ min: 0, max: maxScale }))
    .map(([digits, scale]) => new Decimal(digits).div(10 ** scale).toFixed());

const eventArb = fc.record({
  day: fc.integer({ min: 0, max: DAYS - 1 }),
  holding: fc.integer({ min: 0, max: HOLDINGS.length - 1 }),
  kind: fc.constantFrom('buy', 'buy', 'buy', 'sell', 'sell', 'dividend', 'fee', 'split', 'transfer_in', 'transfer_out'),
  quantity: decimalArb(6, 4),
  price: decimalArb(6, 3),
  fee: fc.integer({ min: 0, max: 999 }),
  cash: fc.integer({ min: 1, max: 50_000 }),
  ratio: fc.constantFrom('2', '4', '0.5', '0.1', '3', '1.5'),
});

const marketArb = fc.record({
  abc: fc.array(fc.option(decimalArb(5, 3), { nil: null, freq: 3 }), { minLength: DAYS, maxLength: DAYS }),
  usd: fc.array(fc.option(decimalArb(5, 3), { nil: null, freq: 3 }), { minLength: DAYS, maxLength: DAYS }),
  rates: fc.array(fc.option(fc.integer({ min: 600_000, max: 950_000 }).map((n) => new Decimal(n).div(1_000_000).toFixed()), { nil: null, freq: 3 }), { minLength: DAYS, maxLength: DAYS }),
});

type Event = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function build(events: Event[], market: { abc: (string | null)[]; usd: (string | null)[]; rates: (string | null)[] }): InvestInputs {
  const transactions = events.map((e, i) => {
    const h = HOLDINGS[e.holding]!;
    const date = addDays(START, e.day);
    const base = { accountId: h.accountId, assetId: h.assetId, currency: h.currency, id: `t${String(i).padStart(4, '0')}` };
    const value = valueOf(e.quantity, e.price, h.currency);
    switch (e.kind) {
      case 'buy':
        return tx('buy', date, e.quantity, -(value + e.fee), { ...base, unitPrice: e.price, fee: e.fee });
      case 'sell':
        return tx('sell', date, e.quantity, value - e.fee, { ...base, unitPrice: e.price, fee: e.fee });
      case 'dividend':
        return tx('dividend', date, e.quantity, e.cash, { ...base, fee: Math.min(e.fee, e.cash) });
      case 'fee':
        return tx('fee', date, '0', -e.fee, { ...base, fee: e.fee });
      case 'split':
        return tx('split', date, '0', 0, { ...base, splitRatio: e.ratio });
      case 'transfer_out':
        return tx('transfer_out', date, e.quantity, -e.fee, { ...base, fee: e.fee });
      default:
        return tx('transfer_in', date, e.quantity, -e.fee, { ...base, unitPrice: e.price, fee: e.fee });
    }
  });
  const rows = (list: (string | null)[], first: string) => {
    const out: Record<string, string> = {};
    list.forEach((v, d) => {
      if (d === 0 || v !== null) out[addDays(START, d)] = v ?? first;
    });
    return out;
  };
  return {
    transactions, assets: ASSETS, accounts: [account('gia', 'investment_gia'), account('isa', 'stocks_shares_isa')],
    prices: [prices('abc', 'GBP', rows(market.abc, '10')), prices('usd', 'USD', rows(market.usd, '25'))],
    fx: [fx('USD', rows(market.rates, '0.8'))], baseCurrency: 'GBP',
  };
}

/** The latest entry on or before `date` of a date-keyed series (the first one before any). */
function latest(dates: readonly string[], values: readonly string[], date: string): string {
  let v = values[0]!;
  for (let i = 0; i < dates.length && dates[i]! <= date; i += 1) v = values[i]!;
  return v;
}

/** decimal.js with room for every digit of cost × units (the default 20 significant digits would round). */
const Exact = Decimal.clone({ precision: 100 });

interface NaiveHolding {
  quantity: Decimal;
  costBasis: number;
  realisedGain: number;
  income: number;
  fees: number;
  transferOutCost: number;
}

/**
 * A second, naive implementation of the average-cost rules of position.ts, in decimal.js rather than scaled BigInt:
 * units leaving take cost × units ÷ held, half-even (all of it when all leave); a sale or transfer out of more than
 * is held takes what is held.
 */
function naiveHoldings(data: InvestInputs, end: string): Map<string, NaiveHolding> {
  const rates = data.fx[0]!;
  const conv = (amount: number, currency: string, date: string) =>
    currency === 'GBP' ? amount : convertMinor(amount, currency, 'GBP', latest(rates.dates, rates.rates, date));
  const out = new Map<string, NaiveHolding>();
  const sorted = [...data.transactions].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.id < b.id ? -1 : 1)));
  for (const x of sorted) {
    if (x.date > end) break;
    const key = `${x.accountId}/${x.assetId}`;
    const h = out.get(key) ?? { quantity: new Exact(0), costBasis: 0, realisedGain: 0, income: 0, fees: 0, transferOutCost: 0 };
    out.set(key, h);
    const cash = conv(x.amount, x.currency, x.date);
    const fee = conv(x.fee, x.currency, x.date);
    const takeOut = () => {
      const units = Exact.min(x.quantity, h.quantity);
      const cost = units.eq(h.quantity) ? h.costBasis : new Exact(h.costBasis).times(units).div(h.quantity).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();
      h.quantity = h.quantity.minus(units);
      h.costBasis -= cost;
      return cost;
    };
    if (x.kind === 'buy') {
      h.costBasis += -cash - fee;
      h.fees += fee;
      h.quantity = h.quantity.plus(x.quantity);
    } else if (x.kind === 'sell') {
      h.realisedGain += cash + fee - takeOut();
      h.fees += fee;
    } else if (x.kind === 'dividend') {
      h.income += cash + fee;
      h.fees += fee;
    } else {
      h.fees += -cash;
      if (x.kind === 'split') h.quantity = h.quantity.times(x.splitRatio!);
      if (x.kind === 'transfer_in') {
        h.costBasis += conv(valueOf(x.quantity, x.unitPrice!, x.currency), x.currency, x.date);
        h.quantity = h.quantity.plus(x.quantity);
      }
      if (x.kind === 'transfer_out') h.transferOutCost += takeOut();
    }
  }
  return out;
}

function naiveSeries(data: InvestInputs): number[] {
  const units = HOLDINGS.map(() => new Decimal(0));
  const sorted = [...data.transactions].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.id < b.id ? -1 : 1)));
  const out: number[] = [];
  let t = 0;
  const rates = data.fx[0]!;
  for (let d = 0; d < DAYS; d += 1) {
    const date = addDays(START, d);
    for (; t < sorted.length && sorted[t]!.date === date; t += 1) {
      const x = sorted[t]!;
      const i = HOLDINGS.findIndex((h) => h.accountId === x.accountId && h.assetId === x.assetId);
      if (x.kind === 'buy' || x.kind === 'transfer_in') units[i] = units[i]!.plus(x.quantity);
      if (x.kind === 'sell' || x.kind === 'transfer_out') units[i] = Decimal.max(0, units[i]!.minus(x.quantity));
      if (x.kind === 'split') units[i] = units[i]!.times(x.splitRatio!);
    }
    let total = 0;
    HOLDINGS.forEach((h, i) => {
      const series = data.prices.find((p) => p.assetId === h.assetId)!;
      const local = valueOf(units[i]!.toFixed(), latest(series.dates, series.closes, date), h.currency);
      total += h.currency === 'GBP' ? local : convertMinor(local, 'USD', 'GBP', latest(rates.dates, rates.rates, date));
    });
    out.push(total);
  }
  return out;
}

describe('investment engine properties', () => {
  it('realised + unrealised + income − fees = market value + cash − transfer-in cost + transfer-out cost, to the penny', () => {
    fc.assert(fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), marketArb, (events, market) => {
      const data = build(events, market);
      const end = addDays(START, DAYS - 1);
      const result = holdingsAt(data, end);
      const rates = data.fx[0]!;
      const toGbp = (amount: number, currency: string, date: string) =>
        currency === 'GBP' ? amount : convertMinor(amount, currency, 'GBP', latest(rates.dates, rates.rates, date));
      let cash = 0;
      let transferInCost = 0;
      for (const x of data.transactions) {
        cash += toGbp(x.amount, x.currency, x.date);
        if (x.kind === 'transfer_in') transferInCost += toGbp(valueOf(x.quantity, x.unitPrice!, x.currency), x.currency, x.date);
      }
      const naive = naiveHoldings(data, end);
      let left = 0;
      let marketValue = 0;
      let transferOutCost = 0;
      for (const h of result.holdings) {
        expect(h.marketValue).not.toBeNull();
        expect(h.quantity.startsWith('-')).toBe(false);
        const n = naive.get(`${h.accountId}/${h.assetId}`)!;
        expect({ quantity: h.quantity, costBasis: h.costBasis, realisedGain: h.realisedGain, income: h.income, fees: h.fees })
          .toEqual({ quantity: n.quantity.toFixed(), costBasis: n.costBasis, realisedGain: n.realisedGain, income: n.income, fees: n.fees });
        left += h.realisedGain + h.unrealisedGain! + h.income - h.fees;
        marketValue += h.marketValue!;
        transferOutCost += n.transferOutCost;
      }
      expect(result.holdings).toHaveLength(naive.size);
      expect(left).toBe(marketValue + cash - transferInCost + transferOutCost);
      expect(result.problems.every((p) => p.kind === 'oversold' || p.kind === 'transfer-out-exceeds')).toBe(true);
    }), { numRuns: 300 });
  });

  it('over the whole history, end value − net money in + income is the holdings\' total gain (no transfers)', () => {
    const noTransfers = eventArb.filter((e) => e.kind !== 'transfer_in' && e.kind !== 'transfer_out');
    fc.assert(fc.property(fc.array(noTransfers, { minLength: 1, maxLength: 40 }), marketArb, (events, market) => {
      const data = build(events, market);
      const end = addDays(START, DAYS - 1);
      const r = returnsFor(data, { kind: 'portfolio' }, { from: START, to: end });
      const holdings = holdingsAt(data, end).holdings;
      const gain = holdings.reduce((s, h) => s + h.realisedGain + h.unrealisedGain! + h.income - h.fees, 0);
      expect(r.startValue).toBe(0);
      expect(r.endValue - r.startValue - r.netFlows + r.income).toBe(gain);
    }), { numRuns: 150 });
  });

  it('the daily value series equals a naive decimal.js reference, and its last day the holdings\' market value', () => {
    fc.assert(fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), marketArb, (events, market) => {
      const data = build(events, market);
      const end = addDays(START, DAYS - 1);
      const series = valueSeries(data, { kind: 'portfolio' }, { from: START, to: end });
      expect(series.values).toEqual(naiveSeries(data));
      const holdings = holdingsAt(data, end).holdings;
      expect(series.values.at(-1)).toBe(holdings.reduce((s, h) => s + h.marketValue!, 0));
    }), { numRuns: 150 });
  });
});
