import { budgetHistory } from '../budget/engine.ts';
import { checkPeriodRule, periodStartDay } from '../budget/periods.ts';
import type { BudgetInputs } from '../budget/types.ts';
import { Decimal } from '../money/money.ts';
import { returnsFor } from '../invest/invest.ts';
import type { InvestInputs, ReturnFigures } from '../invest/invest.ts';
import { dateOfDay, dayNumber } from '../date/date.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { ReportInputError, buckets, exact, prepareInputs, resolveRange, subtree } from './context.ts';
import type { PreparedInputs } from './context.ts';
import { investFor } from './net-worth.ts';
import type {
  BudgetVsActualPeriod, BudgetVsActualRequest, BudgetVsActualResult, InvestmentPerformancePoint, InvestmentPerformanceRequest,
  InvestmentPerformanceResult, ReportInputs,
} from './types.ts';

/**
 * Budget vs actual and investment performance (issue 23, reports 5 and 6): both are the engines' own figures —
 * `budgetHistory` of @mymidas/shared/budget and `returnsFor` of @mymidas/shared/invest — cut to the report's
 * range and filters, so a report never disagrees with the budgets or investments page.
 */

// ---- budget vs actual ----------------------------------------------------------------------------------------

const budgetInputsCache = new WeakMap<ReportInputs, BudgetInputs>();

/** The budget engine's inputs from the reports' (one object per inputs object, so the engine's caches hold). */
function budgetInputs(p: PreparedInputs): BudgetInputs {
  let hit = budgetInputsCache.get(p.inputs);
  if (!hit) {
    const i = p.inputs;
    hit = {
      budgets: i.budgets.filter((b) => b.currency === i.baseCurrency), categories: i.categories, baseCurrency: i.baseCurrency,
      monthStartDay: i.monthStartDay, fx: i.fx, scheduled: [], today: i.today,
    };
    budgetInputsCache.set(p.inputs, hit);
  }
  return hit;
}

export function budgetVsActual(s: Snapshot, inputs: ReportInputs, request: BudgetVsActualRequest): BudgetVsActualResult {
  const p = prepareInputs(inputs);
  const range = resolveRange(s, p, request.filters);
  const bi = budgetInputs(p);
  const wantedIds = request.budgetIds === undefined || request.budgetIds.length === 0 ? null : new Set(request.budgetIds);
  const categoryIds = request.filters.categoryIds ?? [];
  const categories = categoryIds.length === 0 ? null : new Set(categoryIds.flatMap((c) => (c === null ? [] : subtree(p, c))));
  const chosen = bi.budgets.filter((b) => (wantedIds === null || wantedIds.has(b.id)) && (request.kind === undefined || b.period === request.kind)
    && (categories === null || categories.has(b.categoryId)));
  // Periods back from the one containing `to` to the one containing `from`, the most any chosen budget needs.
  let count = 1;
  for (const b of chosen) {
    const rule = { kind: b.period, weekStart: b.weekStart, monthStartDay: p.monthStartDay };
    checkPeriodRule(rule);
    let n = 1;
    for (let start = periodStartDay(rule, range.toDay); start > range.fromDay && n <= 1000; n++) start = periodStartDay(rule, start, -1);
    count = Math.max(count, n);
  }
  if (count > 1000) throw new ReportInputError('the range covers more than 1000 budget periods');
  const history = chosen.length === 0 ? { budgets: [], missingRates: [] } : budgetHistory(s, bi, { budgetIds: chosen.map((b) => b.id), periods: count, date: range.to });
  const byId = new Map(chosen.map((b) => [b.id, b]));
  const budgets = history.budgets.map((h) => {
    const b = byId.get(h.budgetId)!;
    const periods: BudgetVsActualPeriod[] = h.periods
      .filter((f) => f.period.end >= range.from && f.period.start <= range.to)
      .map((f) => {
        const budgeted = exact(f.amount + f.carried, 'budgeted');
        return { start: f.period.start, end: f.period.end, budgeted, spent: f.spent, variance: exact(budgeted - f.spent, 'variance'), over: f.spent > budgeted };
      });
    const budgeted = periods.reduce((a, x) => a + x.budgeted, 0);
    const spent = periods.reduce((a, x) => a + x.spent, 0);
    return {
      budgetId: b.id, categoryId: b.categoryId, kind: b.period, periods, budgeted: exact(budgeted, 'budgeted'), spent: exact(spent, 'spent'),
      variance: exact(budgeted - spent, 'variance'), periodsOver: periods.filter((x) => x.over).length,
    };
  });
  return { range: { preset: range.preset, from: range.from, to: range.to }, baseCurrency: p.base, missingRates: history.missingRates, budgets };
}

// ---- investment performance ----------------------------------------------------------------------------------

export class InvestmentsUnavailableError extends Error {
  override readonly name = 'InvestmentsUnavailableError';
}

/** Latest close on or before `day` (else the earliest), as a Decimal; null for an empty series. */
function closeAt(dates: readonly string[], closes: readonly string[], day: number): Decimal | null {
  if (dates.length === 0) return null;
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dayNumber(dates[mid]!) <= day) lo = mid + 1;
    else hi = mid;
  }
  return new Decimal(closes[Math.max(0, lo - 1)]!);
}

export function investmentPerformance(s: Snapshot, inputs: ReportInputs, request: InvestmentPerformanceRequest, invest: InvestInputs | null): InvestmentPerformanceResult {
  if (invest === null) throw new InvestmentsUnavailableError('the investment store is not open in this worker');
  const p = prepareInputs(inputs);
  if (invest.baseCurrency !== p.base) throw new ReportInputError(`the investment inputs are in ${invest.baseCurrency}, the reports in ${p.base}`);
  const range = resolveRange(s, p, request.filters);
  const b = buckets(p, range.fromDay, range.toDay, request.granularity);
  const ids = request.filters.accountIds ?? [];
  const scoped = investFor(invest, ids.length === 0 ? null : new Set(ids));
  const scope = { kind: 'portfolio' } as const;
  let benchmark: { label: string; dates: readonly string[]; closes: readonly string[] } | null = null;
  if (request.benchmark !== undefined) {
    const bm = request.benchmark;
    if ('assetId' in bm) {
      const series = invest.prices.find((x) => x.assetId === bm.assetId);
      const asset = invest.assets.find((a) => a.id === bm.assetId);
      if (!series || !asset) throw new ReportInputError(`no prices for benchmark asset ${bm.assetId}`);
      benchmark = { label: asset.symbol, dates: series.dates, closes: series.closes };
    } else {
      if (bm.dates.length !== bm.closes.length || bm.dates.length === 0) throw new ReportInputError('benchmark dates and closes must pair up and not be empty');
      for (let i = 1; i < bm.dates.length; i++) if (!(bm.dates[i - 1]! < bm.dates[i]!)) throw new ReportInputError('benchmark dates must ascend');
      for (const c of bm.closes) if (!/^\d+(\.\d+)?$/.test(c) || !/[1-9]/.test(c)) throw new ReportInputError('benchmark closes must be positive decimal text');
      benchmark = bm;
    }
  }
  const benchStart = benchmark ? closeAt(benchmark.dates, benchmark.closes, range.fromDay - 1) : null;
  const points: InvestmentPerformancePoint[] = [];
  let cumulative = 0;
  let linked = 1;
  let anyTwrr = false;
  for (let k = 0; k < b.starts.length; k++) {
    const start = dateOfDay(b.starts[k]!);
    const end = dateOfDay(b.ends[k]!);
    const part: ReturnFigures = returnsFor(scoped, scope, { from: start, to: end });
    const toDate: ReturnFigures = returnsFor(scoped, scope, { from: range.from, to: end });
    cumulative += part.netFlows;
    if (part.twrr !== null) {
      linked *= 1 + part.twrr.cumulative;
      anyTwrr = true;
    }
    const benchEnd = benchmark ? closeAt(benchmark.dates, benchmark.closes, b.ends[k]!) : null;
    points.push({
      start, end, value: part.endValue, contributions: part.netFlows, cumulativeContributions: exact(cumulative, 'contributions'), dividends: part.income,
      twrr: part.twrr?.cumulative ?? null, twrrToDate: anyTwrr ? linked - 1 : null, mwrrToDate: toDate.mwrr?.annualised ?? null,
      benchmarkToDate: benchStart && benchEnd ? benchEnd.div(benchStart).minus(1).toNumber() : null,
    });
  }
  const whole = returnsFor(scoped, scope, { from: range.from, to: range.to });
  const benchEnd = benchmark ? closeAt(benchmark.dates, benchmark.closes, range.toDay) : null;
  return {
    range: { preset: range.preset, from: range.from, to: range.to }, baseCurrency: p.base, missingRates: [],
    scope: ids.length === 0 ? { kind: 'portfolio' } : { kind: 'accounts', accountIds: [...ids].sort() },
    points, startValue: whole.startValue, endValue: whole.endValue, netFlows: whole.netFlows, income: whole.income, twrr: whole.twrr, mwrr: whole.mwrr,
    benchmark: benchmark ? { label: benchmark.label, cumulative: benchStart && benchEnd ? benchEnd.div(benchStart).minus(1).toNumber() : null } : null,
  };
}
