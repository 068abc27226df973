import { budgetHistory } from '../budget/engine.ts';
import { checkPeriodRule, periodStartDay } from '../budget/periods.ts';
import type { BudgetInputs } from '../budget/types.ts';
import { Decimal } from '../money/money.ts';
import { ANNUALISE_MIN_DAYS, dailyReturns } from '../invest/invest.ts';
import type { DailyFigures, InvestInputs } from '../invest/invest.ts';
import { xirrOfDays } from '../invest/xirr.ts';
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
 * `budgetHistory` of @mymidas/shared/budget and `returnsFor` (`dailyReturns`) of @mymidas/shared/invest — cut to the report's
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

/** Daily-linked time-weighted growth, the invest engine's rule (returns.ts): a net inflow counts from the day's start. */
class Linker {
  private growth = 1;
  private linked = false;

  day(before: number, after: number, net: number): void {
    const capital = before + (net > 0 ? net : 0);
    if (capital > 0) {
      this.growth *= 1 + (after - before - net) / capital;
      this.linked = true;
    }
  }

  twrr(): number | null {
    return this.linked ? this.growth - 1 : null;
  }
}

/**
 * The engine's money-weighted return (returns.ts figures) from `from` to each point: its flows (the start value in
 * on `from`, each day's net money in, the end value out), its annualising rule, the same rate to the last bit as
 * `returnsFor` over that range. The flows are collected once, as day numbers and amounts, while the points walk
 * forwards: each point's flows are the ones before it plus its end value in the next slot.
 */
class Mwrr {
  private readonly days: Float64Array;
  private readonly amounts: Float64Array;
  /** Flows taken so far (the start value's first); the slot after them is the current point's end value. */
  private count = 0;
  /** The next day whose flow is not yet taken. */
  private next: number;

  constructor(private readonly daily: DailyFigures, private readonly from: number, to: number) {
    this.days = new Float64Array(to - from + 3);
    this.amounts = new Float64Array(to - from + 3);
    this.next = from;
    const startValue = daily.values[0]!;
    if (startValue !== 0) this.push(from, -startValue);
  }

  private push(day: number, amount: number): void {
    this.days[this.count] = day;
    this.amounts[this.count++] = amount;
  }

  /** The rate to `end`; ends must ascend from call to call. */
  to(end: number): number | null {
    const { daily, from } = this;
    for (; this.next <= end; this.next++) {
      const i = this.next - from + 1;
      const net = daily.moneyIn[i]! - daily.dividends[i]!;
      if (net !== 0) this.push(this.next, -net);
    }
    const endValue = daily.values[end - from + 1]!;
    let n = this.count;
    if (endValue !== 0) {
      this.days[n] = end;
      this.amounts[n++] = endValue;
    }
    const rate = xirrOfDays(this.days, this.amounts, n);
    if (rate === null) return null;
    return end - from + 1 >= ANNUALISE_MIN_DAYS ? rate : Math.pow(1 + rate, (end - from) / 365) - 1;
  }
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
  // One run of the engine: the daily values and flows the points are cut from, and the whole range's returns.
  const { daily, returns: whole } = dailyReturns(scoped, scope, { from: range.from, to: range.to });
  const mwrr = new Mwrr(daily, range.fromDay, range.toDay);
  const points: InvestmentPerformancePoint[] = [];
  let cumulative = 0;
  const toDate = new Linker();
  for (let k = 0; k < b.starts.length; k++) {
    const startDay = b.starts[k]!;
    const endDay = b.ends[k]!;
    const part = new Linker();
    let contributions = 0;
    let dividends = 0;
    for (let d = startDay; d <= endDay; d++) {
      const i = d - range.fromDay + 1;
      const net = daily.moneyIn[i]! - daily.dividends[i]!;
      part.day(daily.values[i - 1]!, daily.values[i]!, net);
      toDate.day(daily.values[i - 1]!, daily.values[i]!, net);
      contributions += daily.moneyIn[i]!;
      dividends += daily.dividends[i]!;
    }
    cumulative += contributions;
    const benchEnd = benchmark ? closeAt(benchmark.dates, benchmark.closes, endDay) : null;
    points.push({
      start: dateOfDay(startDay), end: dateOfDay(endDay), value: daily.values[endDay - range.fromDay + 1]!, contributions: exact(contributions, 'contributions'),
      cumulativeContributions: exact(cumulative, 'contributions'), dividends: exact(dividends, 'dividends'),
      twrr: part.twrr(), twrrToDate: toDate.twrr(), mwrrToDate: mwrr.to(endDay),
      benchmarkToDate: benchStart && benchEnd ? benchEnd.div(benchStart).minus(1).toNumber() : null,
    });
  }
  const benchEnd = benchmark ? closeAt(benchmark.dates, benchmark.closes, range.toDay) : null;
  return {
    range: { preset: range.preset, from: range.from, to: range.to }, baseCurrency: p.base, missingRates: [],
    scope: ids.length === 0 ? { kind: 'portfolio' } : { kind: 'accounts', accountIds: [...ids].sort() },
    points, startValue: whole.startValue, endValue: whole.endValue, netFlows: whole.netFlows, income: whole.income, twrr: whole.twrr, mwrr: whole.mwrr,
    benchmark: benchmark ? { label: benchmark.label, cumulative: benchStart && benchEnd ? benchEnd.div(benchStart).minus(1).toNumber() : null } : null,
  };
}
