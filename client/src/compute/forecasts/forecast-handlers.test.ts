import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '@mymidas/shared/date';
import type { AugursWasm } from '@mymidas/shared/forecast';
import type { RecurringRule } from '@mymidas/shared/schema';
import { applyChanges, buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import { readFileSync } from 'node:fs';
import type { InvestInputs } from '@mymidas/shared/invest';
import type { InvestmentTransaction } from '@mymidas/shared/schema';
import { createComputeContext } from '../compute-area.ts';
import type { InvestShare } from '../compute-area.ts';
import { COMPUTE_AREAS, createComputeHandlers } from '../registry.ts';
import { memoryForecastCache, openForecastCache } from './forecast-cache.ts';
import type { ForecastCache } from './forecast-cache.ts';
import { ForecastCancelledError, ForecastInputsMissingError, createForecastHandlers } from './forecast-handlers.ts';
import type { ForecastHandlerOptions, ForecastProgress } from './forecast-handlers.ts';
import { ForecastRequestError } from './forecast-schemas.ts';
import type { ForecastInputs } from './forecast-schemas.ts';

const uuid = (k: number) => `01939a6e-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;
const GROCERIES = uuid(1);
const TRANSPORT = uuid(2);
const SALARY = uuid(3);
const CURRENT = uuid(10);
const BILLS = uuid(11);
const HLC = '1764000000000:0000:test';
const TODAY = '2026-06-15';
const FIRST = '2023-01-01';

let wasm: AugursWasm;
beforeAll(() => {
  // The bytes the worker fetches from the build's asset URLs (forecast-wasm.ts), read from node_modules here.
  const read = (name: string) => readFileSync(new URL(`../../../../node_modules/@bsull/augurs/${name}_bg.wasm`, import.meta.url));
  wasm = { prophet: read('prophet'), mstl: read('mstl'), ets: read('ets') };
});

/** A seeded generator (mulberry32) so the ledger is the same in every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let nextTx = 1000;
function tx(date: string, amount: number, categoryId: string | null, accountId = CURRENT): SnapshotDoc {
  nextTx += 1;
  return { id: uuid(nextTx), date, amount, currency: 'GBP', accountId, categoryId, status: 'cleared', transferId: null, splits: [] };
}

/** Groceries every day, heavier on Saturdays; transport on weekdays; salary on the 28th. */
function ledger(): SnapshotDoc[] {
  const r = random(42);
  const docs: SnapshotDoc[] = [];
  for (let date = FIRST; date <= TODAY; date = addDays(date, 1)) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    docs.push(tx(date, -Math.round((weekday === 6 ? 6000 : 1500) * (0.7 + 0.6 * r())), GROCERIES));
    if (weekday >= 1 && weekday <= 5) docs.push(tx(date, -Math.round(800 * (0.8 + 0.4 * r())), TRANSPORT));
    if (date.endsWith('-28')) docs.push(tx(date, 250_000, SALARY));
  }
  docs.push(tx('2025-06-20', -50_000, TRANSPORT, BILLS));
  return docs;
}

const insurance: RecurringRule = {
  id: uuid(50), hlc: HLC, name: 'Car insurance', rrule: 'FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=20', startDate: '2025-06-20', endDate: null, accountId: BILLS,
  amount: -50_000, currency: 'GBP', categoryId: TRANSPORT, payee: null, autoPost: false, lastPostedDate: '2025-06-20', skippedDates: [],
};

function pushed(over: Partial<ForecastInputs> = {}): ForecastInputs {
  return {
    today: TODAY, baseCurrency: 'GBP', monthStartDay: 1, fx: [], rules: [insurance],
    accounts: [
      { id: CURRENT, name: 'Everyday', type: 'current', currency: 'GBP', openingBalance: 100_000, openingDate: FIRST, closed: false, creditLimit: null },
      { id: BILLS, name: 'Bills pot', type: 'savings', currency: 'GBP', openingBalance: 60_000, openingDate: FIRST, closed: false, creditLimit: null },
    ],
    categories: [
      { id: GROCERIES, name: 'Groceries', parentId: null, kind: 'expense' },
      { id: TRANSPORT, name: 'Transport', parentId: null, kind: 'expense' },
      { id: SALARY, name: 'Salary', parentId: null, kind: 'income' },
    ],
    ...over,
  };
}

/** Two assets' weekday closes over three years (seeded random walks) and a buy of each. */
function portfolioShare(): InvestShare {
  const r = random(7);
  const rows: [Record<string, string>, Record<string, string>] = [{}, {}];
  let a = 100;
  let b = 50;
  for (let date = '2023-06-01'; date <= TODAY; date = addDays(date, 1)) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const common = r() - 0.5;
    a *= Math.exp(0.0003 + 0.01 * (common + 0.5 * (r() - 0.5)));
    b *= Math.exp(0.0002 + 0.015 * (common * 0.5 + (r() - 0.5)));
    rows[0][date] = a.toFixed(4);
    rows[1][date] = b.toFixed(4);
  }
  const buy = (id: string, assetId: string, quantity: string, unitPrice: string): InvestmentTransaction => ({
    id, hlc: HLC, accountId: 'gia', assetId, kind: 'buy', date: '2024-01-02', quantity, unitPrice, amount: -1_000_000, fee: 0, currency: 'GBP', splitRatio: null, notes: null,
  });
  const series = (assetId: string, closes: Record<string, string>) => ({ assetId, currency: 'GBP', dates: Object.keys(closes).sort(), closes: Object.keys(closes).sort().map((d) => closes[d]!) });
  const inputs: InvestInputs = {
    transactions: [buy('t1', 'abc', '100', '100'), buy('t2', 'xyz', '200', '50')],
    assets: [{ id: 'abc', symbol: 'ABC.L', kind: 'stock', currency: 'GBP' }, { id: 'xyz', symbol: 'XYZ.L', kind: 'etf', currency: 'GBP' }],
    accounts: [{ id: 'gia', type: 'investment_gia', currency: 'GBP' }],
    prices: [series('abc', rows[0]), series('xyz', rows[1])],
    fx: [],
    baseCurrency: 'GBP',
  };
  return { inputs: () => inputs };
}

function handlersOver(snapshot: Snapshot, options: ForecastHandlerOptions = {}, share: InvestShare = portfolioShare()) {
  return createForecastHandlers({ current: () => snapshot }, share, { loadWasm: () => Promise.resolve(wasm), ...options });
}

describe('forecast handlers (compute worker, forecasts area)', () => {
  it('is registered: the worker answers forecastRun beside the other areas', () => {
    expect(COMPUTE_AREAS.map((a) => a.name)).toContain('forecasts');
    const handlers = createComputeHandlers(createComputeContext());
    expect(typeof handlers.forecastRun).toBe('function');
    expect(typeof handlers.forecastCancel).toBe('function');
  });

  it('refuses bad inputs by name and keeps the previous ones; a run before any inputs says what is missing', async () => {
    const handlers = handlersOver(buildSnapshot(ledger()));
    await expect(handlers.forecastRun({ jobId: 'a' })).rejects.toThrow(ForecastInputsMissingError);
    expect(() => handlers.forecastSetInputs({ ...pushed(), today: '15/06/2026' })).toThrow(ForecastRequestError);
    expect(() => handlers.forecastSetInputs({ ...pushed(), monthStartDay: 31 })).toThrow(/monthStartDay/);
    await expect(handlers.forecastRun({ jobId: 'a' })).rejects.toThrow(ForecastInputsMissingError);
    expect(() => handlers.forecastRun({ jobId: '' })).toThrow(ForecastRequestError);
  });

  it('fits every forecast, reporting each category as it goes, and the cash flow flags the day the bill takes the account below zero', async () => {
    const seen: ForecastProgress[] = [];
    const handlers = handlersOver(buildSnapshot(ledger()));
    handlers.forecastSetInputs(pushed());
    const result = await handlers.forecastRun({ jobId: 'first' }, (p) => seen.push(p));
    await Promise.resolve();
    expect(result.fromCache).toBe(false);
    expect(result.spending.categories.map((c) => c.name)).toEqual(['Groceries', 'Transport']);
    for (const c of result.spending.categories) {
      expect(c.days).toHaveLength(90);
      expect(c.summaries.map((s) => s.days)).toEqual([30, 60, 90]);
      expect(c.backtest.origins).toBeGreaterThan(0);
      for (const d of c.days) expect(d.lower95 <= d.lower80 && d.lower80 <= d.upper80 && d.upper80 <= d.upper95).toBe(true);
    }
    // Groceries cost about £23 a day in the ledger: the next 30 days' expectation is of that order.
    const groceries30 = result.spending.categories[0]!.summaries[0]!;
    expect(groceries30.expected).toBeGreaterThan(30 * 1500);
    expect(groceries30.expected).toBeLessThan(30 * 3500);
    // The insurance is a known amount on its day in Transport.
    const transport = result.spending.categories[1]!;
    expect(transport.days.find((d) => d.date === '2026-06-20')!.scheduled).toBe(50_000);

    expect(seen.filter((p) => p.phase === 'spending').map((p) => p.message)).toEqual(['Fitting 1 of 2 categories (Groceries)', 'Fitting 2 of 2 categories (Transport)']);
    expect(seen[seen.length - 1]).toMatchObject({ phase: 'done', done: 5, total: 5 });
    expect(handlers.forecastProgress('first')).toMatchObject({ phase: 'done' });

    expect(result.netWorth.reason).toBeNull();
    expect(result.netWorth.projection?.scenarios.map((s) => s.name)).toEqual(['conservative', 'base', 'optimistic']);
    expect(result.netWorth.projection?.fan).toHaveLength(60);

    const bills = result.cashFlow.find((f) => f.accountId === BILLS)!;
    expect(bills.opening).toBe(10_000); // 60,000 opening − last year's insurance
    expect(bills.risks).toHaveLength(1);
    // The bill takes it to −£400, and the account's share of transport spending (the insurance was paid from it) a little lower.
    expect(bills.risks[0]!.from).toBe('2026-06-20');
    expect(bills.risks[0]!.lowestBalance).toBeLessThanOrEqual(-40_000);
    expect(bills.risks[0]!.lowestBalance).toBe(Math.min(...bills.days.filter((d) => d.atRisk).map((d) => d.balance)));
    expect(bills.days.find((d) => d.date === '2026-06-19')!.atRisk).toBe(false);
    expect(bills.risks[0]!.causes.map((c) => c.name)).toEqual(['Car insurance']);
    const everyday = result.cashFlow.find((f) => f.accountId === CURRENT)!;
    // Day-to-day spending comes off the everyday account (its share of groceries and transport).
    expect(everyday.days[0]!.spending).toBeGreaterThan(0);

    expect(result.portfolio.basis?.assets.ids).toEqual(['abc', 'xyz']);
    const mc = handlers.forecastMonteCarlo({ months: 24, monthlyContribution: 10_000, targetValue: 1, targetMonth: 24 });
    expect(mc.percentiles.p50).toHaveLength(25);
    expect(mc.percentiles.p10[24]! <= mc.percentiles.p50[24]! && mc.percentiles.p50[24]! <= mc.percentiles.p90[24]!).toBe(true);
    expect(mc.probabilityOfTarget).toBe(1);
    expect(mc.dates[0]).toBe(TODAY);
    expect(mc.dates[1]).toBe('2026-07-31');
  }, 120_000);

  it('answers again from the cache while the data is unchanged, and fits again once a transaction or a rule changes it', async () => {
    const snapshot = buildSnapshot(ledger());
    const cache = memoryForecastCache();
    const options = { openCache: () => Promise.resolve(cache) };
    const first = handlersOver(snapshot, options);
    await first.forecastOpenCache('x', null as unknown as CryptoKey);
    first.forecastSetInputs(pushed());
    const fitted = await first.forecastRun({ jobId: 'a' });

    // A new worker (the app opened again) with the same data: the stored result, no fitting.
    let yields = 0;
    const second = handlersOver(snapshot, { ...options, yieldToOthers: () => Promise.resolve(void (yields += 1)) });
    await second.forecastOpenCache('x', null as unknown as CryptoKey);
    second.forecastSetInputs(pushed());
    const again = await second.forecastRun({ jobId: 'b' });
    expect(again.fromCache).toBe(true);
    expect(again.fingerprint).toBe(fitted.fingerprint);
    expect(yields).toBe(0);
    expect(again.spending.categories[0]!.summaries).toEqual(fitted.spending.categories[0]!.summaries);

    // A new transaction: the inputs differ, so the forecasts are fitted again.
    applyChanges(snapshot, [{ op: 'insert', doc: tx(TODAY, -90_000, GROCERIES) }]);
    const changed = await second.forecastRun({ jobId: 'c' });
    expect(changed.fromCache).toBe(false);
    expect(changed.fingerprint).not.toBe(fitted.fingerprint);
    expect(yields).toBeGreaterThan(0);

    // A rule's amount changed: fitted again too; the same inputs once more: from the cache.
    second.forecastSetInputs(pushed({ rules: [{ ...insurance, amount: -55_000 }] }));
    const ruled = await second.forecastRun({ jobId: 'd' });
    expect(ruled.fromCache).toBe(false);
    const lowest = (r: typeof fitted) => r.cashFlow.find((f) => f.accountId === BILLS)!.risks[0]!.lowestBalance;
    // £50 more on the bill (the transport history the posted bill is taken from moves a little too).
    expect(lowest(ruled)).toBeLessThan(lowest(changed) - 4_500);
    expect((await second.forecastRun({ jobId: 'e' })).fromCache).toBe(true);
    // refresh ignores the cache.
    expect((await second.forecastRun({ jobId: 'f', refresh: true })).fromCache).toBe(false);
  }, 180_000);

  it('a cancelled run stops before its next category, says so, stores nothing, and the worker answers a later run', async () => {
    const snapshot = buildSnapshot(ledger());
    const cache: ForecastCache = memoryForecastCache();
    let handlers: ReturnType<typeof handlersOver> | null = null;
    let categoriesStarted = 0;
    handlers = handlersOver(snapshot, {
      openCache: () => Promise.resolve(cache),
      yieldToOthers: async () => {
        categoriesStarted += 1;
        // While the first category is fitted the page presses Cancel (another call, answered between categories).
        if (categoriesStarted === 2) expect(handlers!.forecastCancel('slow')).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    await handlers.forecastOpenCache('x', null as unknown as CryptoKey);
    handlers.forecastSetInputs(pushed());
    const seen: ForecastProgress[] = [];
    await expect(handlers.forecastRun({ jobId: 'slow' }, (p) => seen.push(p))).rejects.toThrow(ForecastCancelledError);
    await Promise.resolve();
    expect(categoriesStarted).toBe(2);
    expect(handlers.forecastProgress('slow')).toMatchObject({ phase: 'cancelled', message: 'Cancelled' });
    expect(seen.map((p) => p.phase)).toContain('cancelled');
    expect(handlers.forecastCancel('slow')).toBe(false);
    // Nothing was stored: the next run fits (not from the cache) and finishes.
    categoriesStarted = -100;
    const next = await handlers.forecastRun({ jobId: 'next' });
    expect(next.fromCache).toBe(false);
    expect(next.spending.categories).toHaveLength(2);
  }, 120_000);

  it('yields between categories, so a call made while fitting is answered before the run ends', async () => {
    const handlers = handlersOver(buildSnapshot(ledger()));
    handlers.forecastSetInputs(pushed());
    let ended = false;
    const running = handlers.forecastRun({ jobId: 'busy' }).then((r) => {
      ended = true;
      return r;
    });
    // Poll as the page would: a progress answer arrives while the run is still fitting categories.
    let during: ForecastProgress | null = null;
    for (let i = 0; i < 2000 && !ended; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const p = handlers.forecastProgress('busy');
      if (p?.phase === 'spending') {
        during = p;
        break;
      }
    }
    expect(ended).toBe(false);
    expect(during?.message).toMatch(/^Fitting [12] of 2 categories/);
    await running;
  }, 120_000);

  it('the sealed cache opens only under the key it was written with; another key is a miss', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const other = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const a = await openForecastCache('forecast-cache-test', key);
    await a.put('f1', { hello: 'world' });
    expect(await a.get('f1')).toEqual({ hello: 'world' });
    expect(await a.get('f2')).toBeNull();
    await a.put('f2', { n: 2 });
    expect(await a.get('f1')).toBeNull(); // one record kept: the latest
    a.close();
    const b = await openForecastCache('forecast-cache-test', other);
    expect(await b.get('f2')).toBeNull();
    b.close();
    const c = await openForecastCache('forecast-cache-test', key);
    expect(await c.get('f2')).toEqual({ n: 2 });
    c.close();
  });

  it('without investments it says why there is no Monte Carlo', async () => {
    const handlers = handlersOver(buildSnapshot(ledger()), {}, { inputs: null });
    handlers.forecastSetInputs(pushed());
    const result = await handlers.forecastRun({ jobId: 'x' });
    expect(result.portfolio.basis).toBeNull();
    expect(result.portfolio.reason).toMatch(/not loaded/);
    expect(() => handlers.forecastMonteCarlo({ months: 12, monthlyContribution: 0 })).toThrow(/not loaded/);
  }, 120_000);
});
