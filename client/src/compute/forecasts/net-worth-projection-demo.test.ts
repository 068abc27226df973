import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { collectHousehold } from '@mymidas/shared/demo';
import type { HouseholdOptions } from '@mymidas/shared/demo';
import { initForecasting, projectNetWorth } from '@mymidas/shared/forecast';
import type { NetWorthProjection, SeriesPoint } from '@mymidas/shared/forecast';
import type { InvestInputs } from '@mymidas/shared/invest';
import { buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import type { InvestShare } from '../compute-area.ts';
import { createInvestHandlers } from '../invest/invest-handlers.ts';
import type { InvestPersistence } from '../invest/invest-persist.ts';
import { InvestStore } from '../invest/invest-store.ts';
import { netWorthInputs } from './forecast-inputs.ts';
import type { ForecastInputs } from './forecast-schemas.ts';

/*
 * The net worth projection on the demo household's own month-end net worth, built as the worker builds it
 * (netWorthInputs over the snapshot, the investments through the invest area's share). Two households: the
 * smaller one the screen tests load (seed 'e2e-forecasts', 4 years, 6,000 transactions) and the ten-year one
 * (100,000 transactions), each ending a week into a month, so the history's last point is the month to date.
 * On the smaller one the 1-year conservative figure was once −£278,000 from a net worth of £251,600 (on the
 * default seed, −£1.0M from £247,000): one origin of the backtest was fitted on a quiet stretch before a
 * £65,000 step (a flow the ledger cannot see), and its tiny sd turned that step into a calibration factor of
 * about 75, which then multiplied the final model's sd. On the ten-year one the scenarios crossed: the
 * month to date pulled the least-squares contribution trend below the lower quartile.
 */

const TODAY = '2026-12-07';
const PAGE = 2000;

beforeAll(() => {
  const read = (name: string) => readFileSync(new URL(`../../../../node_modules/@bsull/augurs/${name}_bg.wasm`, import.meta.url));
  initForecasting({ prophet: read('prophet'), mstl: read('mstl'), ets: read('ets') });
});

function inMemory(): Promise<InvestPersistence> {
  const store = new InvestStore();
  const done = () => Promise.resolve();
  return Promise.resolve({ load: () => Promise.resolve({ store, emptyReason: 'test' }), save: done, clear: done, close: () => undefined });
}

/** The household's month-end net worth and monthly net income, as the forecasts worker builds them. */
async function demoNetWorth(options: HouseholdOptions): Promise<{ history: readonly SeriesPoint[]; contributions: readonly SeriesPoint[] }> {
  const household = collectHousehold(options);
  const settings = household.settings[0]!;
  const share: InvestShare = { inputs: null };
  const invest = createInvestHandlers({ openPersistence: inMemory, share });
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await invest.investOpen('demo', key);
  for (const [collection, docs] of [['assets', household.assets], ['investment_transactions', household.investment_transactions], ['quotes', household.quotes]] as const) {
    for (let i = 0; i < docs.length; i += PAGE) {
      await invest.investSync(collection, docs.slice(i, i + PAGE), { id: docs[Math.min(i + PAGE, docs.length) - 1]!.id, lwt: i + 1 });
    }
  }
  invest.investSetAccounts({ baseCurrency: settings.baseCurrency, accounts: household.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })) });
  const investInputs: InvestInputs | null = share.inputs?.(settings.baseCurrency) ?? null;
  expect(investInputs).not.toBeNull();
  const inputs: ForecastInputs = {
    today: TODAY, baseCurrency: settings.baseCurrency, monthStartDay: settings.budgetStartDay, fx: [], rules: [],
    accounts: household.accounts.map((a) => ({ id: a.id, name: a.name, type: a.type, currency: a.currency, openingBalance: a.openingBalance, openingDate: a.openingDate, closed: false, creditLimit: null })),
    categories: household.categories.map((c) => ({ id: c.id, name: c.name, parentId: c.parentId, kind: c.kind })),
  };
  const worth = netWorthInputs(buildSnapshot(household.transactions), inputs, investInputs);
  expect(worth.investmentsIncluded).toBe(true);
  return { history: worth.history, contributions: worth.contributions };
}

const width = (p: NetWorthProjection['fan'][number]) => p.upper95 - p.lower95;

for (const [name, options] of [
  ['the screen tests\' household (4 years)', { seed: 'e2e-forecasts', transactions: 6000, years: 4, referenceDate: TODAY }],
  ['the ten-year demo household', { referenceDate: TODAY }],
] as const) {
  describe(`net worth projection on ${name}`, () => {
    let worth: Awaited<ReturnType<typeof demoNetWorth>>;
    beforeAll(async () => {
      worth = await demoNetWorth(options);
    }, 600_000);

    it('orders the scenarios at 1, 3 and 5 years, keeps the 1-year conservative figure near today\'s net worth, and fans out no faster than the stated bound', async () => {
      const now = worth.history.at(-1)!.value;
      expect(now).toBeGreaterThan(0);
      const projection = await projectNetWorth({ currency: 'GBP', history: worth.history, contributions: worth.contributions, months: 60 });
      const [conservative, base, optimistic] = projection.scenarios;
      expect(conservative!.at.map((a) => a.years)).toEqual([1, 3, 5]);
      for (let i = 0; i < 60; i++) {
        expect(conservative!.values[i]!.value).toBeLessThanOrEqual(base!.values[i]!.value);
        expect(base!.values[i]!.value).toBeLessThanOrEqual(optimistic!.values[i]!.value);
      }
      for (let y = 0; y < 3; y++) expect(conservative!.at[y]!.value).toBeLessThan(optimistic!.at[y]!.value);
      // A year on, the 1-in-10 poor case is within a fifth of today's net worth either way (the household saves
      // thousands a month and its net worth never fell by a fifth in any year), and the 95 % fan stays above zero.
      expect(conservative!.at[0]!.value).toBeGreaterThan(0.8 * now);
      expect(conservative!.at[0]!.value).toBeLessThan(1.2 * now);
      expect(projection.fan[11]!.lower95).toBeGreaterThan(0);
      // Widths never shrink with the horizon, and from the first year on grow at most in proportion to it.
      for (let i = 1; i < 60; i++) expect(width(projection.fan[i]!)).toBeGreaterThanOrEqual(width(projection.fan[i - 1]!) - 1);
      for (const h of [24, 36, 60]) expect(width(projection.fan[h - 1]!)).toBeLessThanOrEqual((h / 12) * width(projection.fan[11]!) + 2);
      // The assumptions are stated with their amounts.
      expect(conservative!.assumes).toMatch(/£[\d,]+\.\d\d a month.*low edge of the 80 % band/);
      expect(optimistic!.assumes).toMatch(/£[\d,]+\.\d\d a month.*high edge of the 80 % band/);
    }, 300_000);

    it('a year held out: projected from the history before it, the 95 % fan covers every month of it', async () => {
      const cut = worth.history.length - 12;
      const projection = await projectNetWorth({ currency: 'GBP', history: worth.history.slice(0, cut), contributions: worth.contributions.slice(0, cut), months: 60 });
      const misses = worth.history.slice(cut).flatMap((actual, i) => {
        const p = projection.fan[i]!;
        expect(p.date).toBe(actual.date);
        return actual.value >= p.lower95 && actual.value <= p.upper95 ? [] : [`${actual.date}: ${actual.value} outside ${p.lower95}–${p.upper95}`];
      });
      expect(misses).toEqual([]);
      // Covering it is no feat with a fan a mile wide: the year's 95 % band stays within half of the net worth.
      const held = worth.history.at(-1)!.value;
      expect(width(projection.fan[11]!)).toBeLessThan(held);
    }, 300_000);
  });
}
