import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FxRate } from '../ledger/fx.ts';
import { ACCOUNTS, ASSETS, averageCostTrades, fx, prices, tx } from './__fixtures__/build.ts';
import { holdingsAt } from './holdings.ts';
import { investmentWorth } from './worth.ts';
import type { InvestmentWorthInputs, LastClose } from './worth.ts';
import type { InvestmentTransaction } from '../schema/registry.ts';

/** Every figure below is worked by hand in pence (or cents) from the trades, written next to the assertion. */

const rates = (pairs: Record<string, FxRate> = {}) => new Map(Object.entries(pairs));
const close = (assetId: string, date: string, value: string, currency = 'GBP'): LastClose => ({ assetId, date, close: value, currency });
const worthOf = (parts: Partial<InvestmentWorthInputs> & Pick<InvestmentWorthInputs, 'transactions'>, date: string) =>
  investmentWorth({ assets: ASSETS, accounts: ACCOUNTS, lastCloses: [], rates: rates(), baseCurrency: 'GBP', ...parts }, date);

describe('investmentWorth: what investments add to net worth', () => {
  const gia = averageCostTrades(); // 9 units left; the cash and values are worked below.

  it('adds the cash the trades moved and the holdings at the last close on or before the date', () => {
    const w = worthOf({ transactions: gia, lastCloses: [close('abc', '2024-04-05', '125')] }, '2024-04-08');
    expect(w.unconverted).toEqual([]);
    expect(w.byAccount.get('gia')).toEqual({
      accountId: 'gia',
      cash: -100_500 - 65_500 + 71_500 + 450 - 250, // −94 300
      holdings: 112_500, // 9 units × £125
      unpriced: [],
      oldestPriceDate: '2024-04-05',
    });
  });

  it('leaves out what happened after the date, and a close dated after it', () => {
    const w = worthOf({ transactions: gia, lastCloses: [close('abc', '2024-04-05', '125')] }, '2024-02-29');
    // Two buys; the only close is later than the date, so the 15 units are held but unpriced.
    expect(w.byAccount.get('gia')).toEqual({ accountId: 'gia', cash: -166_000, holdings: 0, unpriced: ['ABC.L'], oldestPriceDate: null });
    expect(worthOf({ transactions: gia }, '2024-01-09').byAccount.size).toBe(0);
  });

  it('converts a foreign holding and its cash at the ledger\'s rate (the inverse of GBP/USD here), half-even', () => {
    const isa = [tx('buy', '2024-01-10', '10', -50_001, { unitPrice: '50', fee: 1, currency: 'USD', accountId: 'isa', assetId: 'usd' })];
    const w = worthOf({ transactions: isa, lastCloses: [close('usd', '2024-04-05', '60.005', 'USD')], rates: rates({ 'GBP/USD': { rate: '1.25', date: '2024-04-05' } }) }, '2024-04-08');
    // 10 × $60.005 = $600.05 = 60 005 cents → × 0.8 = 48 004p; cash −50 001 cents × 0.8 = −40 000.8 → −40 001p.
    expect(w.byAccount.get('isa')).toMatchObject({ cash: -40_001, holdings: 48_004, unpriced: [] });
  });

  it('does not value an account whose investments are in a currency without a rate, and says which', () => {
    const mixed = [...gia, tx('buy', '2024-01-10', '10', -50_000, { currency: 'USD', accountId: 'isa', assetId: 'usd' })];
    const w = worthOf({ transactions: mixed, lastCloses: [close('abc', '2024-04-05', '125'), close('usd', '2024-04-05', '60', 'USD')] }, '2024-04-08');
    expect(w.unconverted).toEqual([{ accountId: 'isa', currencies: ['USD'] }]);
    expect([...w.byAccount.keys()]).toEqual(['gia']);
    expect(w.byAccount.get('gia')!.holdings).toBe(112_500);
  });

  it('names held assets without a price and values the rest; a sold-out asset needs no price', () => {
    const trades = [
      tx('buy', '2024-01-10', '4', -40_000, { assetId: 'abc' }),
      tx('buy', '2024-01-10', '3', -30_000, { assetId: 'xyz' }),
      tx('buy', '2024-01-10', '2', -20_000, { assetId: 'abc', accountId: 'sipp' }),
      tx('sell', '2024-02-10', '2', 22_000, { assetId: 'abc', accountId: 'sipp' }),
    ];
    const w = worthOf({ transactions: trades, lastCloses: [close('abc', '2024-03-01', '101')] }, '2024-04-08');
    expect(w.byAccount.get('gia')).toMatchObject({ holdings: 40_400, unpriced: ['XYZ.L'], cash: -70_000 });
    expect(w.byAccount.get('sipp')).toMatchObject({ holdings: 0, unpriced: [], cash: 2_000 });
  });

  it('follows a split: 4-for-1 on 10 units is 40 units at the new price', () => {
    const trades = [tx('buy', '2024-01-10', '10', -100_000), tx('split', '2024-02-01', '30', 0, { splitRatio: '4' })];
    expect(worthOf({ transactions: trades, lastCloses: [close('abc', '2024-03-01', '26.5')] }, '2024-03-01').byAccount.get('gia')!.holdings).toBe(106_000);
  });

  it('refuses a date that is not a calendar date', () => {
    expect(() => worthOf({ transactions: gia }, '2024-13-01')).toThrow(/valuation date/);
  });
});

describe('investmentWorth agrees with the engine given whole price and rate series', () => {
  const DAYS = 40;
  const dateAt = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
  const event = fc.record({
    day: fc.integer({ min: 0, max: DAYS - 1 }),
    account: fc.constantFrom('gia', 'isa'),
    asset: fc.constantFrom('abc', 'usd'),
    kind: fc.constantFrom('buy', 'buy', 'sell', 'dividend', 'split'),
    units: fc.integer({ min: 1, max: 500 }),
    cash: fc.integer({ min: 1, max: 90_000 }),
  });
  const market = fc.record({
    abc: fc.array(fc.option(fc.integer({ min: 1, max: 99_999 }), { nil: null, freq: 2 }), { minLength: DAYS, maxLength: DAYS }),
    usd: fc.array(fc.option(fc.integer({ min: 1, max: 99_999 }), { nil: null, freq: 2 }), { minLength: DAYS, maxLength: DAYS }),
    rate: fc.array(fc.option(fc.integer({ min: 600_000, max: 950_000 }), { nil: null, freq: 2 }), { minLength: DAYS, maxLength: DAYS }),
  });

  it('for random trades, prices and rates: holdings = the engine\'s market values per account, cash = the trades\' amounts converted', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), market, fc.integer({ min: 0, max: DAYS - 1 }), (events, m, at) => {
        const date = dateAt(at);
        const transactions: InvestmentTransaction[] = events.map((e) => {
          const currency = e.asset === 'usd' ? 'USD' : 'GBP';
          const amount = e.kind === 'buy' ? -e.cash : e.kind === 'split' ? 0 : e.cash;
          return tx(e.kind, dateAt(e.day), String(e.units), amount, { accountId: e.account, assetId: e.asset, currency, splitRatio: e.kind === 'split' ? '2' : null });
        });
        const series = (values: (number | null)[]) => Object.fromEntries(values.flatMap((v, i) => (v === null ? [] : [[dateAt(i), (v / 100).toString()]])));
        const abc = prices('abc', 'GBP', series(m.abc));
        const usd = prices('usd', 'USD', series(m.usd));
        const rateRows = Object.fromEntries(m.rate.flatMap((v, i) => (v === null ? [] : [[dateAt(i), (v / 1_000_000).toString()]])));
        const lastOf = (p: typeof abc): LastClose[] => {
          const i = p.dates.filter((d) => d <= date).length - 1;
          return i < 0 ? [] : [close(p.assetId, p.dates[i]!, p.closes[i]!, p.currency)];
        };
        const rateDates = Object.keys(rateRows).sort().filter((d) => d <= date);
        const ledgerRates = rateDates.length === 0 ? rates() : rates({ 'USD/GBP': { rate: rateRows[rateDates[rateDates.length - 1]!]!, date: rateDates[rateDates.length - 1]! } });
        const w = worthOf({ transactions, lastCloses: [...lastOf(abc), ...lastOf(usd)], rates: ledgerRates }, date);

        const upTo = transactions.filter((t) => t.date <= date);
        for (const account of ['gia', 'isa']) {
          const mine = upTo.filter((t) => t.accountId === account);
          const inUsd = mine.some((t) => t.currency === 'USD');
          if (mine.length === 0) {
            expect(w.byAccount.has(account)).toBe(false);
            continue;
          }
          if (inUsd && rateDates.length === 0) {
            expect(w.unconverted).toContainEqual({ accountId: account, currencies: ['USD'] });
            continue;
          }
          const engine = holdingsAt({ transactions: mine, assets: ASSETS, accounts: ACCOUNTS, prices: [abc, usd], fx: rateDates.length === 0 ? [] : [fx('USD', rateRows)], baseCurrency: 'GBP' }, date);
          const valued = engine.holdings.filter((h) => h.marketValue !== null);
          const got = w.byAccount.get(account)!;
          expect(got.holdings).toBe(valued.reduce((s, h) => s + h.marketValue!, 0));
          expect(got.unpriced).toEqual(engine.holdings.filter((h) => h.marketValue === null).map((h) => (h.assetId === 'usd' ? 'USDCO' : 'ABC.L')).sort());
          const rate = Number(ledgerRates.get('USD/GBP')?.rate ?? 0);
          const gbp = mine.filter((t) => t.currency === 'GBP').reduce((s, t) => s + t.amount, 0);
          const usdCash = mine.filter((t) => t.currency === 'USD').reduce((s, t) => s + t.amount, 0);
          // Half-even of one product: within half a penny of the float product (amounts < 2^31, rates 6 digits).
          expect(Math.abs(got.cash - gbp - usdCash * rate)).toBeLessThanOrEqual(0.5 + 1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });
});
