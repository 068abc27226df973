import { describe, expect, it } from 'vitest';
import { portfolioReport } from '@mymidas/shared/invest';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import type { InvestmentTransaction, Quote } from '@mymidas/shared/schema';
import { createComputeContext } from '../compute-area.ts';
import { COMPUTE_AREAS, createComputeHandlers } from '../registry.ts';
import { createInvestHandlers, InvestNotReadyError } from './invest-handlers.ts';
import type { InvestPersistence } from './invest-persist.ts';
import { InvestRequestError } from './invest-schemas.ts';
import { InvestStore } from './invest-store.ts';

const uuid = (k: number) => `01939a6e-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;
const HLC = '1764000000000:0000:test';
const GIA = uuid(1);
const ISA = uuid(2);
const VWRL = uuid(10);
const AAPL = uuid(11);

/** A store kept in memory: the handlers' persistence without IndexedDB. */
const memory = (): Promise<InvestPersistence> =>
  Promise.resolve({ load: () => Promise.resolve({ store: new InvestStore(), emptyReason: 'memory' }), save: () => Promise.resolve(), clear: () => Promise.resolve(), close: () => undefined });

const key = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

function quote(kind: Quote['kind'], series: string, date: string, close: string, currency: string): Quote {
  return { id: `${kind}:${series}:${date}`, hlc: HLC, kind, series, date, open: null, high: null, low: null, close, volume: null, currency, source: 'test' };
}

let n = 100;
function trade(over: Partial<InvestmentTransaction> & Pick<InvestmentTransaction, 'kind' | 'date' | 'quantity' | 'amount'>): InvestmentTransaction {
  n += 1;
  return { id: uuid(n), hlc: HLC, accountId: GIA, assetId: VWRL, unitPrice: null, fee: 0, currency: 'GBP', splitRatio: null, notes: null, ...over };
}

/** The household's trades, in date order (ids ascending within a day, as the store hands them to the engine). */
const TRADES: readonly InvestmentTransaction[] = [
  trade({ kind: 'buy', date: '2024-01-02', quantity: '10', unitPrice: '100', amount: -100_000 }),
  trade({ kind: 'buy', date: '2024-01-02', quantity: '4', unitPrice: '100', amount: -40_000, accountId: ISA }),
  trade({ kind: 'buy', date: '2024-01-02', quantity: '2', unitPrice: '150', amount: -30_000, currency: 'USD', assetId: AAPL }),
  trade({ kind: 'sell', date: '2024-06-03', quantity: '5', unitPrice: '120', amount: 60_000 }),
];

async function household() {
  const handlers = createInvestHandlers({ openPersistence: memory });
  await handlers.investOpen('test', await key());
  await handlers.investSync('assets', [
    { id: VWRL, hlc: HLC, symbol: 'VWRL', name: 'All-World', kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: null },
    { id: AAPL, hlc: HLC, symbol: 'AAPL', name: 'Apple', kind: 'stock', currency: 'USD', provider: 'manual', providerId: null, isin: null },
  ], { id: 'a', lwt: 1 });
  // Stored as the replica holds them: one document per series and year.
  await handlers.investSync('quotes', docsFromDailyQuotes([
    quote('price', 'VWRL', '2024-01-02', '100', 'GBP'),
    { ...quote('price', 'VWRL', '2024-03-01', '110', 'GBP'), open: '108.5', high: '111.25', low: '107', volume: '120000' },
    // A quote with a high and low but no open or volume (a fund's single daily price with a range).
    { ...quote('price', 'VWRL', '2024-06-03', '120', 'GBP'), high: '121', low: '118' },
    quote('price', 'AAPL', '2024-01-02', '150', 'USD'), quote('price', 'AAPL', '2024-06-03', '200', 'USD'),
    // Quoted as dollars per pound: the worker inverts them into pounds per dollar.
    quote('fx', 'GBP/USD', '2024-01-02', '1.25', 'USD'), quote('fx', 'GBP/USD', '2024-06-03', '1.6', 'USD'),
  ]), { id: 'q', lwt: 1 });
  // Handed over out of order: the store sorts them.
  await handlers.investSync('investment_transactions', [TRADES[3], TRADES[0], TRADES[2], TRADES[1]], { id: 't', lwt: 1 });
  handlers.investSetAccounts({ baseCurrency: 'GBP', accounts: [{ id: GIA, type: 'investment_gia', currency: 'GBP' }, { id: ISA, type: 'stocks_shares_isa', currency: 'GBP' }] });
  return handlers;
}

describe('invest handlers (compute worker, invest area)', () => {
  it('is registered in the compute worker under names no other area uses', () => {
    expect(COMPUTE_AREAS.map((a) => a.name)).toContain('invest');
    const all = createComputeHandlers(createComputeContext());
    expect(typeof all.investPortfolio).toBe('function');
  });

  it('values holdings from the stored closes, a dollar asset at the day\'s inverted GBP/USD rate', async () => {
    const handlers = await household();
    const { holdings } = handlers.investHoldings({ date: '2024-06-03' });
    const gia = holdings.find((h) => h.accountId === GIA && h.assetId === VWRL)!;
    expect(gia).toMatchObject({ quantity: '5', marketValue: 60_000, price: '120', priceDate: '2024-06-03' });
    // 2 × $200 = $400 at 1/1.6 = £0.625 per dollar: £250.00. Bought for $300 at 1/1.25: £240.00.
    const apple = holdings.find((h) => h.assetId === AAPL)!;
    expect(apple).toMatchObject({ marketValue: 25_000, costBasis: 24_000 });
    // A price on or before the date: 2024-05-01 uses the close of 2024-03-01.
    const earlier = handlers.investHoldings({ date: '2024-05-01' }).holdings.find((h) => h.accountId === ISA)!;
    expect(earlier).toMatchObject({ price: '110', priceDate: '2024-03-01', marketValue: 44_000 });
  });

  it('answers the portfolio as the engine does over the same inputs, and capital gains with the ISA left out', async () => {
    const handlers = await household();
    const report = handlers.investPortfolio({ from: '2024-01-02', to: '2024-06-03' });
    expect(report.series.values).toHaveLength(154);
    expect(report.holdings.date).toBe('2024-06-03');
    const gains = handlers.investCapitalGains();
    // Sold 5 of 10 bought for £1,000: proceeds £600, cost £500.
    expect(gains.disposals).toHaveLength(1);
    expect(gains.disposals[0]).toMatchObject({ accountId: GIA, proceeds: 60_000, allowableCost: 50_000, gain: 10_000 });
    expect(gains.excludedAccounts).toEqual([ISA]);
    // The same household built by hand, straight into the engine: the handler's inputs change nothing.
    const direct = portfolioReport({
      transactions: TRADES,
      assets: [{ id: VWRL, symbol: 'VWRL', kind: 'etf', currency: 'GBP' }, { id: AAPL, symbol: 'AAPL', kind: 'stock', currency: 'USD' }],
      accounts: [{ id: GIA, type: 'investment_gia', currency: 'GBP' }, { id: ISA, type: 'stocks_shares_isa', currency: 'GBP' }],
      prices: [
        { assetId: VWRL, currency: 'GBP', dates: ['2024-01-02', '2024-03-01', '2024-06-03'], closes: ['100', '110', '120'] },
        { assetId: AAPL, currency: 'USD', dates: ['2024-01-02', '2024-06-03'], closes: ['150', '200'] },
      ],
      fx: [{ currency: 'USD', dates: ['2024-01-02', '2024-06-03'], rates: ['0.8', '0.625'] }],
      baseCurrency: 'GBP',
    }, { from: '2024-01-02', to: '2024-06-03' });
    expect(report).toEqual(direct);
  });

  it('returns an asset\'s open, high, low, close and volume for a date range, null where the quote has none', async () => {
    const handlers = await household();
    expect(handlers.investPriceSeries({ assetId: VWRL, from: '2024-01-03', to: '2024-06-03' })).toEqual({
      assetId: VWRL, symbol: 'VWRL', name: 'All-World', currency: 'GBP', dates: ['2024-03-01', '2024-06-03'],
      opens: ['108.5', null], highs: ['111.25', '121'], lows: ['107', '118'], closes: ['110', '120'], volumes: ['120000', null],
    });
    // Open ends: the whole series; an asset without quotes: empty columns, not an error.
    expect(handlers.investPriceSeries({ assetId: VWRL }).dates).toEqual(['2024-01-02', '2024-03-01', '2024-06-03']);
    await handlers.investSync('assets', [{ id: uuid(12), hlc: HLC, symbol: 'NEW', name: 'New fund', kind: 'fund', currency: 'GBP', provider: 'manual', providerId: null, isin: null }], { id: 'b', lwt: 2 });
    expect(handlers.investPriceSeries({ assetId: uuid(12) })).toMatchObject({ name: 'New fund', dates: [], opens: [], closes: [], volumes: [] });
    expect(() => handlers.investPriceSeries({ assetId: uuid(99) })).toThrow(/no asset/);
  });

  it('lists one asset\'s investment transactions across accounts by date, and refuses an unknown asset', async () => {
    const handlers = await household();
    const vwrl = handlers.investAssetTransactions({ assetId: VWRL });
    expect(vwrl.map((t) => t.id)).toEqual([TRADES[0]!.id, TRADES[1]!.id, TRADES[3]!.id]);
    expect(handlers.investAssetTransactions({ assetId: AAPL }).map((t) => t.id)).toEqual([TRADES[2]!.id]);
    expect(() => handlers.investAssetTransactions({ assetId: uuid(99) })).toThrow(/no asset/);
    expect(() => handlers.investAssetTransactions({ assetId: 'x', extra: 1 } as never)).toThrow(InvestRequestError);
  });

  it('refuses bad requests with a clear error, and answers nothing before the accounts are set', async () => {
    const handlers = createInvestHandlers({ openPersistence: memory });
    expect(() => handlers.investHoldings({ date: '2024-01-01' })).toThrow(InvestNotReadyError);
    await handlers.investOpen('test', await key());
    expect(() => handlers.investPortfolio({ from: '2024-01-01', to: '2024-02-01' })).toThrow(/investSetAccounts/);
    const ready = await household();
    expect(() => ready.investPortfolio({ from: '2024-03-01', to: '2024-02-01' })).toThrow(InvestRequestError);
    expect(() => ready.investHoldings({ date: '2024-13-01' })).toThrow(InvestRequestError);
    expect(() => ready.investReturns({ scope: { kind: 'account', accountId: 'nope' }, range: { from: '2024-01-01', to: '2024-02-01' } })).toThrow(/accountId/);
    expect(() => ready.investSetAccounts({ baseCurrency: 'pounds', accounts: [] })).toThrow(InvestRequestError);
    // The refused push left the accounts in place.
    expect(ready.investHoldings({ date: '2024-06-03' }).holdings.length).toBeGreaterThan(0);
  });
});
