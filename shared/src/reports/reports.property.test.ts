import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naiveChain } from '../budget/__fixtures__/naive-budget.ts';
import type { BudgetInputs } from '../budget/types.ts';
import { dateOfDay, dayNumber } from '../date/date.ts';
import { holdingsAt, returnsFor } from '../invest/invest.ts';
import { convertMinor, valueOf } from '../money/money.ts';
import type { Budget } from '../schema/registry.ts';
import { buildSnapshot } from '../snapshot/snapshot.ts';
import { FIRST, LAST, CATEGORIES, filtersArb, fxArb, investArb, ledgerArb, reportInputs } from './__fixtures__/ledger.ts';
import {
  naiveBreakdown, naiveBuckets, naiveCashFlow, naiveIncomeExpense, naiveNetWorth, naiveTransactions, naiveTrends,
} from './__fixtures__/naive-reports.ts';
import { budgetVsActual, investmentPerformance } from './budget-performance.ts';
import { cashFlow, categoryBreakdown, categoryTransactions, incomeExpense, spendingTrends } from './flows.ts';
import { netWorthReport } from './net-worth.ts';

/**
 * Issue 23 acceptance: each report against a naive computation straight from the documents
 * (__fixtures__/naive-reports.ts), on random ledgers — several currencies (one without a rate for its early
 * rows, one with a 20-digit inverted rate, rows in another currency than their account's), transfers, split
 * transactions, refunds, deleted documents, tags, accounts opened inside the range — under random filters.
 */

const RUNS = { numRuns: 60 };

describe('reports against the naive computation from the documents', { timeout: 180_000 }, () => {
  it('income vs expense, by month, quarter and year', () => {
    fc.assert(fc.property(ledgerArb, fxArb, filtersArb, fc.constantFrom('month', 'quarter', 'year') as fc.Arbitrary<'month' | 'quarter' | 'year'>,
      fc.integer({ min: 1, max: 28 }), (docs, fx, filters, granularity, monthStartDay) => {
        const inputs = reportInputs(docs, fx, { monthStartDay });
        const got = incomeExpense(buildSnapshot(docs), inputs, { filters, granularity });
        const want = naiveIncomeExpense(docs, inputs, filters, granularity);
        expect(got.periods).toEqual(want.periods);
        expect(got.total).toEqual(want.total);
        expect(got.missingRates).toEqual(want.missingRates);
      }), RUNS);
  });

  it('category breakdown, group → category', () => {
    fc.assert(fc.property(ledgerArb, fxArb, filtersArb, fc.constantFrom('income', 'expense') as fc.Arbitrary<'income' | 'expense'>, (docs, fx, filters, kind) => {
      const inputs = reportInputs(docs, fx);
      const got = categoryBreakdown(buildSnapshot(docs), inputs, { filters, kind });
      const want = naiveBreakdown(docs, inputs, filters, kind);
      expect(got.groups).toEqual(want.groups);
      expect(got.total).toBe(want.total);
      expect(got.missingRates).toEqual(want.missingRates);
    }), RUNS);
  });

  it('drill-down: the transactions of a group or a category, every page', () => {
    const selectArb = fc.oneof(
      fc.constantFrom(...CATEGORIES.map((c) => c.id), null).map((groupId) => ({ groupId })),
      fc.constantFrom(...CATEGORIES.map((c) => c.id), null, 'stray').map((categoryId) => ({ categoryId })),
    );
    fc.assert(fc.property(ledgerArb, fxArb, filtersArb, fc.constantFrom('income', 'expense') as fc.Arbitrary<'income' | 'expense'>, selectArb,
      fc.integer({ min: 1, max: 7 }), (docs, fx, filters, kind, select, pageSize) => {
        const inputs = reportInputs(docs, fx);
        const s = buildSnapshot(docs);
        const want = naiveTransactions(docs, inputs, filters, kind, select);
        const pages = Math.ceil(want.length / pageSize) + 1;
        for (let page = 0; page < pages; page++) {
          const got = categoryTransactions(s, inputs, { filters, kind, ...select, page, pageSize });
          expect(got.total).toBe(want.length);
          expect(got.rows).toEqual(want.slice(page * pageSize, (page + 1) * pageSize));
        }
      }), { numRuns: 150 });
  });

  it('cash flow: opening, steps by group or category, closing', () => {
    fc.assert(fc.property(ledgerArb, fxArb, filtersArb, fc.constantFrom('group', 'category') as fc.Arbitrary<'group' | 'category'>, (docs, fx, filters, by) => {
      const inputs = reportInputs(docs, fx);
      const got = cashFlow(buildSnapshot(docs), inputs, { filters, by });
      const want = naiveCashFlow(docs, inputs, filters, by);
      expect(got.opening).toBe(want.opening);
      expect(got.closing).toBe(want.closing);
      expect(got.steps.map(({ kind, categoryId, amount }) => ({ kind, categoryId, amount }))).toEqual(want.steps);
      expect(got.missingRates).toEqual(want.missingRates);
      // The waterfall adds up.
      expect(got.steps.reduce((a, x) => a + x.amount, got.opening)).toBe(got.closing);
      got.steps.forEach((x, i) => expect(x.before).toBe(i === 0 ? got.opening : got.steps[i - 1]!.after));
    }), RUNS);
  });

  it('net worth over time with investments at each date’s price and FX', () => {
    const shortFilters = filtersArb.map((f) => {
      // Daily points over up to 120 days keep the naive walk quick.
      const to = Math.min(dayNumber(f.to), dayNumber(f.from) + 120);
      return { ...f, to: dateOfDay(to) };
    });
    fc.assert(fc.property(ledgerArb, fxArb, shortFilters, fc.constantFrom('day', 'week', 'month') as fc.Arbitrary<'day' | 'week' | 'month'>, fc.option(investArb, { nil: null }),
      (docs, fx, filters, granularity, invest) => {
        const inputs = reportInputs(docs, fx);
        const got = netWorthReport(buildSnapshot(docs), inputs, { filters, granularity }, invest);
        const want = naiveNetWorth(docs, inputs, filters, granularity, invest);
        expect(got.points).toEqual(want.points);
        expect(got.missingRates).toEqual(want.missingRates);
        expect(got.investmentsIncluded).toBe(invest !== null);
      }), { numRuns: 40 });
  });

  it('spending trends: by month, rolling average, year on year', () => {
    fc.assert(fc.property(ledgerArb, fxArb, filtersArb, fc.constantFrom(...CATEGORIES.map((c) => c.id), null), fc.integer({ min: 1, max: 14 }),
      fc.integer({ min: 1, max: 28 }), (docs, fx, filters, categoryId, window, monthStartDay) => {
        const inputs = reportInputs(docs, fx, { monthStartDay });
        const got = spendingTrends(buildSnapshot(docs), inputs, { filters, categoryId, window });
        const want = naiveTrends(docs, inputs, filters, categoryId, window);
        expect(got.months).toEqual(want.months);
        expect(got.missingRates).toEqual(want.missingRates);
      }), { numRuns: 40 });
  });

  it('budget vs actual: the budget engine’s periods in the range, variance and periods over', () => {
    const budgetArb = fc.record({
      categoryId: fc.constantFrom('food', 'groceries', 'eating-out', 'bills'),
      period: fc.constantFrom('weekly', 'monthly', 'quarterly', 'yearly') as fc.Arbitrary<Budget['period']>,
      weekStart: fc.integer({ min: 0, max: 6 }),
      start: fc.integer({ min: FIRST, max: LAST - 30 }),
      amount: fc.integer({ min: 0, max: 150_000 }),
      rollover: fc.constantFrom('none', 'unspent', 'unspent-and-overspend') as fc.Arbitrary<Budget['rollover']>,
    });
    fc.assert(fc.property(ledgerArb, fxArb, filtersArb, fc.array(budgetArb, { minLength: 1, maxLength: 3 }), (docs, fx, filters, specs) => {
      const budgets: Budget[] = specs.map((b, i) => ({
        id: `b${i}`, hlc: '1700000000000:0000:test', categoryId: b.categoryId, period: b.period, weekStart: b.weekStart, startDate: dateOfDay(b.start), endDate: null,
        amounts: [{ from: dateOfDay(b.start), amount: b.amount }], currency: 'GBP', rollover: b.rollover, alertThreshold: 80, alerts: [],
      }));
      const inputs = reportInputs(docs, fx, { budgets });
      const f = { ...filters, accountIds: undefined, tags: undefined };
      const got = budgetVsActual(buildSnapshot(docs), inputs, { filters: f });
      const budgetInputs: BudgetInputs = { budgets, categories: CATEGORIES, baseCurrency: 'GBP', monthStartDay: 1, fx, scheduled: [], today: inputs.today };
      const wanted = f.categoryIds === undefined ? budgets : budgets.filter((b) => f.categoryIds!.some((c) => c !== null && (c === b.categoryId
        || (c === 'food' && ['groceries', 'eating-out', 'coffee'].includes(b.categoryId)) || (c === 'eating-out' && b.categoryId === 'coffee'))));
      expect(got.budgets.map((b) => b.budgetId).sort()).toEqual(wanted.map((b) => b.id).sort());
      for (const b of wanted) {
        const chain = naiveChain(docs, budgetInputs, b, f.to).filter((x) => x.period.end >= f.from && x.period.start <= f.to);
        const row = got.budgets.find((x) => x.budgetId === b.id)!;
        expect(row.periods).toEqual(chain.map((x) => ({
          start: x.period.start, end: x.period.end, budgeted: x.amount + x.carried, spent: x.spent, variance: x.amount + x.carried - x.spent, over: x.spent > x.amount + x.carried,
        })));
        expect(row.periodsOver).toBe(chain.filter((x) => x.spent > x.amount + x.carried).length);
        expect(row.variance).toBe(chain.reduce((a, x) => a + x.amount + x.carried - x.spent, 0));
      }
    }), { numRuns: 40 });
  });

  it('investment performance: values from the holdings, contributions from the trades and transfers, TWRR and MWRR as the engine’s own to each date', () => {
    fc.assert(fc.property(investArb, fc.integer({ min: FIRST, max: LAST }), fc.integer({ min: FIRST, max: LAST }),
      fc.constantFrom('week', 'month', 'quarter') as fc.Arbitrary<'week' | 'month' | 'quarter'>, (invest, a, b, granularity) => {
        const from = dateOfDay(Math.min(a, b));
        const to = dateOfDay(Math.max(a, b));
        const inputs = reportInputs([], []);
        const got = investmentPerformance(buildSnapshot([]), inputs, { filters: { preset: 'custom', from, to }, granularity }, invest);
        const buckets = naiveBuckets(inputs, granularity, from, to);
        expect(got.points.map((p) => [p.start, p.end])).toEqual(buckets.map((x) => [x.start, x.end]));
        let cumulative = 0;
        got.points.forEach((p) => {
          // Value: the holdings at market value on the bucket's last day.
          expect(p.value).toBe(holdingsAt(invest, p.end).holdings.reduce((s, h) => s + (h.marketValue ?? 0), 0));
          // Contributions: buys in the bucket (dividends are income); USD trades at the trade date's rate.
          const inBucket = invest.transactions.filter((t) => t.date >= p.start && t.date <= p.end);
          const rate = (date: string) => (date < '2025-01-01' ? '0.79' : '0.81');
          const bought = inBucket.filter((t) => t.kind === 'buy').reduce((s, t) => s + (t.currency === 'GBP' ? -t.amount : convertMinor(-t.amount, 'USD', 'GBP', rate(t.date))), 0);
          // Units transferred in count as money in at that day's market value (the latest close, then the day's rate).
          const transferred = inBucket.filter((t) => t.kind === 'transfer_in').reduce((s, t) => {
            const series = invest.prices.find((x) => x.assetId === t.assetId)!;
            const close = series.closes[series.dates.findLastIndex((d) => d <= t.date)]!;
            const local = valueOf(t.quantity, close, series.currency);
            return s + (series.currency === 'GBP' ? local : convertMinor(local, 'USD', 'GBP', rate(t.date)));
          }, 0);
          expect(p.contributions).toBe(bought + transferred);
          cumulative += bought + transferred;
          expect(p.cumulativeContributions).toBe(cumulative);
          // Linking the buckets' time-weighted returns gives the engine's daily-linked return over the same days.
          const whole = returnsFor(invest, { kind: 'portfolio' }, { from, to: p.end });
          if (whole.twrr === null) expect(p.twrrToDate).toBeNull();
          else expect(p.twrrToDate).toBeCloseTo(whole.twrr.cumulative, 9);
          expect(p.mwrrToDate).toBe(whole.mwrr?.annualised ?? null);
        });
        expect(got.endValue).toBe(got.points[got.points.length - 1]!.value);
      }), { numRuns: 30 });
  });
});
