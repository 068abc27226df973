import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dateOfDay, dayNumber, daysBetween } from '../date/date.ts';
import type { Budget } from '../schema/registry.ts';
import { buildSnapshot } from '../snapshot/snapshot.ts';
import { budgetHistory, budgetPage } from './engine.ts';
import { CATEGORIES, budget, inputs } from './__fixtures__/budget-fixtures.ts';
import type { LedgerDoc } from './__fixtures__/naive-budget.ts';
import { naiveChain, naiveCovered, naiveDailySpending, naivePeriod, naiveSpent } from './__fixtures__/naive-budget.ts';
import type { NaiveFigures } from './__fixtures__/naive-budget.ts';
import type { BudgetForecast, BudgetInputs, FxSeries } from './types.ts';

const FIRST = dayNumber('2024-01-01');
const LAST = dayNumber('2026-12-31');
const dateArb = fc.integer({ min: FIRST, max: LAST }).map(dateOfDay);
const categoryArb = fc.option(fc.constantFrom(...CATEGORIES.map((c) => c.id)), { nil: null, freq: 6 });
const amountArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -80_000, max: 0 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 30_000 }) });

const docArb = fc.record({
  date: dateArb,
  amount: amountArb,
  currency: fc.constantFrom('GBP', 'GBP', 'GBP', 'EUR', 'USD', 'JPY'),
  categoryId: categoryArb,
  status: fc.constantFrom('pending', 'uncleared', 'cleared', 'reconciled') as fc.Arbitrary<LedgerDoc['status']>,
  transfer: fc.boolean(),
  deleted: fc.boolean(),
  split: fc.option(fc.tuple(fc.integer({ min: -50_000, max: 10_000 }), categoryArb), { nil: null }),
}, { requiredKeys: ['date', 'amount', 'currency', 'categoryId', 'status', 'transfer', 'deleted', 'split'] });

function toDocs(values: readonly (typeof docArb extends fc.Arbitrary<infer T> ? T : never)[]): LedgerDoc[] {
  return values.map((v, i) => ({
    id: `t${i}`,
    date: v.date,
    amount: v.amount,
    currency: v.currency,
    accountId: `acc-${v.currency}`,
    categoryId: v.categoryId,
    status: v.status,
    transferId: v.transfer && i % 3 === 0 ? `t-other-${i}` : null,
    splits: v.split ? [{ categoryId: v.split[1], amount: v.split[0] }, { categoryId: v.categoryId, amount: v.amount - v.split[0] }] : [],
    _deleted: v.deleted && i % 4 === 0,
  }));
}

/** EUR quotes on some dates from mid-2024 (rows before the first quote have no rate); JPY sparse; USD none. */
const fxArb: fc.Arbitrary<FxSeries[]> = fc.tuple(
  fc.uniqueArray(fc.integer({ min: dayNumber('2024-06-01'), max: LAST }), { minLength: 1, maxLength: 40 }),
  fc.array(fc.integer({ min: 7_000, max: 9_999 }), { minLength: 40, maxLength: 40 }),
  fc.uniqueArray(fc.integer({ min: FIRST, max: LAST }), { minLength: 0, maxLength: 5 }),
).map(([eurDays, rates, jpyDays]) => {
  const eur = [...eurDays].sort((a, b) => a - b);
  const jpy = [...jpyDays].sort((a, b) => a - b);
  return [
    { currency: 'EUR', dates: eur.map(dateOfDay), rates: eur.map((_, i) => `0.${rates[i]}`) },
    { currency: 'JPY', dates: jpy.map(dateOfDay), rates: jpy.map((_, i) => `0.00${rates[i]}`) },
  ];
});

const budgetArb = fc.record({
  categoryId: fc.constantFrom(...CATEGORIES.map((c) => c.id)),
  period: fc.constantFrom('weekly', 'monthly', 'quarterly', 'yearly') as fc.Arbitrary<Budget['period']>,
  weekStart: fc.integer({ min: 0, max: 6 }),
  start: fc.integer({ min: FIRST, max: LAST }),
  length: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
  amounts: fc.uniqueArray(fc.tuple(fc.integer({ min: FIRST - 100, max: LAST }), fc.integer({ min: 0, max: 200_000 })), { minLength: 1, maxLength: 3, selector: (a) => a[0] }),
  rollover: fc.constantFrom('none', 'unspent', 'unspent-and-overspend') as fc.Arbitrary<Budget['rollover']>,
});

/** The forecast of a row against the daily spending of its past periods, summed naively (no scheduled bills here). */
function expectForecast(forecast: BudgetForecast | null, docs: readonly LedgerDoc[], input: BudgetInputs, b: Budget, current: NaiveFigures, today: string): void {
  const live = docs.filter((d) => d._deleted !== true).map((d) => d.date).sort();
  const starts: string[] = [];
  let p = current.period;
  for (let k = 0; k < 12 && live.length > 0; k++) {
    p = naivePeriod(b, input.monthStartDay, addDays(p.start, -1));
    if (p.start < live[0]!) break;
    starts.push(p.start);
  }
  const elapsed = daysBetween(current.period.start, today) + 1;
  const length = daysBetween(current.period.start, current.period.end) + 1;
  expect(forecast).not.toBeNull();
  expect(forecast!.projectedSpent).toBe(Math.round((current.spent / elapsed) * length) + 0);
  if (starts.length < 6) {
    expect(forecast).toMatchObject({ probabilityOver: null, basedOnPeriods: 0, dailyMean: null, dailyStdDev: null });
    return;
  }
  const from = starts[starts.length - 1]!;
  const to = addDays(current.period.start, -1);
  const byDate = naiveDailySpending(docs, input, naiveCovered(input, b.categoryId), from, to);
  const n = daysBetween(from, to) + 1;
  let sum = 0;
  for (const v of byDate.values()) sum += v;
  const mean = sum / n;
  let squares = (n - byDate.size) * mean * mean;
  for (const v of byDate.values()) squares += (v - mean) ** 2;
  expect(forecast!.basedOnPeriods).toBe(starts.length);
  expect(forecast!.dailyMean).toBeCloseTo(mean, 6);
  expect(forecast!.dailyStdDev).toBeCloseTo(Math.sqrt(squares / n), 6);
  expect(forecast!.probabilityOver).toBeGreaterThanOrEqual(0);
  expect(forecast!.probabilityOver).toBeLessThanOrEqual(1);
}

describe('budget engine property', () => {
  it('every period’s spent, pending, amount, carried and available equal a naive sum over the transactions', () => {
    fc.assert(
      fc.property(
        fc.array(docArb, { maxLength: 120 }),
        fc.array(budgetArb, { minLength: 1, maxLength: 5 }),
        fxArb,
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: FIRST, max: LAST }),
        fc.integer({ min: 1, max: 8 }),
        (docValues, budgetValues, fx, monthStartDay, dateDay, periods) => {
          const docs = toDocs(docValues);
          const budgets = budgetValues.map((v, i) => budget({
            id: `b${i}`, categoryId: v.categoryId, period: v.period, weekStart: v.weekStart, rollover: v.rollover,
            startDate: dateOfDay(v.start), endDate: v.length === null ? null : dateOfDay(v.start + v.length),
            amounts: [...v.amounts].sort((a, b) => a[0] - b[0]).map(([from, amount]) => ({ from: dateOfDay(from), amount })),
          }));
          const date = dateOfDay(dateDay);
          // Today is the page's date, so every page row carries a forecast.
          const input = inputs({ budgets, fx, monthStartDay, today: dateOfDay(dateDay) });
          const snapshot = buildSnapshot(docs);
          const history = budgetHistory(snapshot, input, { date, periods });
          const page = budgetPage(snapshot, input, { date });
          const pageRows = page.rows;
          // Income of the month period: the rows of income categories, as a naive sum.
          const month = naivePeriod(budget({ id: 'm', categoryId: 'salary', period: 'monthly' }), monthStartDay, date);
          const income = -naiveSpent(docs, input, new Set(CATEGORIES.filter((c) => c.kind === 'income').map((c) => c.id)), month).spent;
          const budgeted = budgets.filter((b) => b.period === 'monthly').reduce((sum, b) => sum + (naiveChain(docs, input, b, date).find((f) => f.period.start === month.start)?.amount ?? 0), 0);
          expect(page.month).toEqual({ period: month, income: income + 0, budgeted, toBeBudgeted: income - budgeted + 0 });
          const needed = new Set<string>();
          budgets.forEach((b, i) => {
            const naive = naiveChain(docs, input, b, date);
            const current = naivePeriod(b, monthStartDay, date);
            let oldest = current;
            for (let k = 1; k < periods; k++) oldest = naivePeriod(b, monthStartDay, addDays(oldest.start, -1));
            const shown = naive.filter((f) => f.period.start >= oldest.start && f.period.start <= current.start);
            const got = history.budgets[i]!.periods.map((p) => ({ period: p.period, amount: p.amount, carried: p.carried, spent: p.spent, pending: p.pending, available: p.available }));
            expect(got).toEqual(shown.map(({ missing: _, ...f }) => f));
            // The rates a shown period needed (and, with a rollover, every period chained before it).
            const read = b.rollover === 'none' ? shown : naive.filter((f) => shown.length > 0 && f.period.start <= current.start);
            for (const f of read) for (const c of f.missing) needed.add(c);
            const row = pageRows.find((r) => r.budgetId === b.id);
            const inForce = naive.find((f) => f.period.start === current.start);
            if (inForce) {
              const { missing: _, ...figures } = inForce;
              expect(row).toMatchObject(figures);
              expectForecast(row!.forecast, docs, input, b, inForce, date);
            } else {
              expect(row).toBeUndefined();
            }
          });
          for (const c of needed) expect(history.missingRates).toContain(c);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
