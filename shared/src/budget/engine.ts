import { convertMinor } from '../money/money.ts';
import { BUDGET_ROLLOVERS } from '../schema/registry.ts';
import type { Budget } from '../schema/registry.ts';
import { FLAG } from '../snapshot/snapshot.ts';
import type { Snapshot, YearPartition } from '../snapshot/snapshot.ts';
import { HISTORY_MAX_PERIODS, HISTORY_MIN_PERIODS, budgetForecast } from './forecast.ts';
import { BudgetInputError, checkPeriodRule, dayOf, periodOfDays, periodStartDay } from './periods.ts';
import type {
  BudgetForecast, BudgetHistory, BudgetHistoryRequest, BudgetInputs, BudgetPage, BudgetPageRequest, BudgetPageRow, BudgetPeriodFigures,
  BudgetState, PeriodRule,
} from './types.ts';

/**
 * The budget engine (issue 20, bullet 2): spent, rollover, available and state of each budget's periods, over
 * the columnar snapshot. Pure: same snapshot and inputs, same answer; nothing is mutated.
 *
 * How one call works, and why it is fast:
 * 1. each budget is turned once into its period rule, its covered categories (its own and every descendant)
 *    and the day range it needs (from its first period when it rolls over, else from the first period shown;
 *    12 periods more when the forecast learns from history);
 * 2. ONE pass over the snapshot rows of the union of those ranges (year partitions outside it are skipped)
 *    sums each row into a cell (covered category slot, day) when the day is in that category's own range:
 *    base-currency rows straight into a Float64Array, foreign rows into a sparse map per (currency, slot,
 *    day) — sums of integers, exact below 2^53;
 * 3. each foreign cell's sum is converted once at its day's rate (the latest on or before it) with
 *    convertMinor; a currency with no rate for a day is left out and reported in `missingRates`;
 * 4. per budget, its covered slots are added into one daily series with a prefix sum, so any period's spent
 *    is two reads; the rollover is chained from the budget's first period.
 * No object is built per row.
 *
 * Rules: spent = −(sum of rows) of the covered categories, so refunds reduce it; transfers and deleted rows
 * never count; pending rows count and are also summed into `pending`; split lines count by their own
 * category (the snapshot holds one row per line). Income (page.month) is the sum of the rows of
 * income-kind categories in the month period, transfers left out.
 */

const SKIP = FLAG.deleted | FLAG.transfer;
const CURRENCY_RE = /^[A-Z]{3}$/;
const RATE_RE = /^\d+(\.\d+)?$/;
const MAX_HISTORY_PERIODS = 1000;

// ---- inputs ------------------------------------------------------------------------------------------

interface Rates {
  readonly days: Int32Array;
  readonly rates: readonly string[];
}

interface ScheduledDay {
  readonly day: number;
  readonly categoryId: string | null;
  readonly amount: number;
  readonly currency: string;
}

interface Context {
  readonly base: string;
  readonly monthStartDay: number;
  readonly today: number;
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly incomeIds: readonly string[];
  readonly fx: ReadonlyMap<string, Rates>;
  readonly scheduled: readonly ScheduledDay[];
  readonly missing: Set<string>;
}

/** A budget ready for the engine. */
interface Plan {
  readonly budget: Budget;
  readonly rule: PeriodRule;
  readonly covered: readonly string[];
  /** Day numbers of the amounts' `from`, ascending. */
  readonly amountFrom: readonly number[];
  /** Start days of the budget's first and last periods (last: Infinity when open-ended). */
  readonly firstStart: number;
  readonly lastStart: number;
}

function checkMinor(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new BudgetInputError(`${what} must be whole minor units, got ${String(value)}`);
  return value;
}

function context(inputs: BudgetInputs): Context {
  if (!inputs || typeof inputs !== 'object') throw new BudgetInputError('budget inputs are missing');
  const base = inputs.baseCurrency;
  if (typeof base !== 'string' || !CURRENCY_RE.test(base)) throw new BudgetInputError(`the base currency must be an ISO 4217 code, got ${JSON.stringify(base)}`);
  checkPeriodRule({ kind: 'monthly', weekStart: 0, monthStartDay: inputs.monthStartDay });
  const today = dayOf(inputs.today, 'today');
  const children = new Map<string, string[]>();
  const incomeIds: string[] = [];
  for (const c of inputs.categories) {
    if (c.parentId !== null) {
      const list = children.get(c.parentId);
      if (list) list.push(c.id);
      else children.set(c.parentId, [c.id]);
    }
    if (c.kind === 'income') incomeIds.push(c.id);
  }
  const fx = new Map<string, Rates>();
  for (const series of inputs.fx) {
    const cur = series.currency;
    if (typeof cur !== 'string' || !CURRENCY_RE.test(cur)) throw new BudgetInputError(`FX series currency must be an ISO 4217 code, got ${JSON.stringify(cur)}`);
    if (fx.has(cur)) throw new BudgetInputError(`two FX series for ${cur}`);
    if (series.dates.length !== series.rates.length) throw new BudgetInputError(`FX series ${cur}: ${series.dates.length} dates but ${series.rates.length} rates`);
    const days = new Int32Array(series.dates.length);
    series.dates.forEach((date, i) => {
      days[i] = dayOf(date, `FX date of ${cur}`);
      if (i > 0 && days[i]! <= days[i - 1]!) throw new BudgetInputError(`FX series ${cur}: dates must ascend, ${date} follows ${series.dates[i - 1]}`);
      const rate = series.rates[i]!;
      if (typeof rate !== 'string' || !RATE_RE.test(rate) || !/[1-9]/.test(rate)) throw new BudgetInputError(`FX series ${cur}: rate on ${date} must be a positive decimal string, got ${JSON.stringify(rate)}`);
    });
    fx.set(cur, { days, rates: series.rates });
  }
  const scheduled = inputs.scheduled.map((s) => {
    if (typeof s.currency !== 'string' || !CURRENCY_RE.test(s.currency)) throw new BudgetInputError(`scheduled amount currency must be an ISO 4217 code, got ${JSON.stringify(s.currency)}`);
    return { day: dayOf(s.date, 'a scheduled date'), categoryId: s.categoryId, amount: checkMinor(s.amount, 'a scheduled amount'), currency: s.currency };
  });
  return { base, monthStartDay: inputs.monthStartDay, today, children, incomeIds, fx, scheduled, missing: new Set() };
}

/** The category and all its descendants (a parentId cycle cannot loop). */
function coveredCategories(ctx: Context, categoryId: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = [categoryId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    for (const child of ctx.children.get(id) ?? []) stack.push(child);
  }
  return out;
}

function plan(ctx: Context, b: Budget): Plan {
  if (!b || typeof b.id !== 'string') throw new BudgetInputError('a budget needs an id');
  if (typeof b.categoryId !== 'string' || b.categoryId.length === 0) throw new BudgetInputError(`budget ${b.id}: categoryId is required`);
  if (b.currency !== ctx.base) throw new BudgetInputError(`budget ${b.id} is in ${String(b.currency)}, not the base currency ${ctx.base}`);
  if (!(BUDGET_ROLLOVERS as readonly string[]).includes(b.rollover)) throw new BudgetInputError(`budget ${b.id}: unknown rollover ${JSON.stringify(b.rollover)}`);
  if (!Number.isInteger(b.alertThreshold) || b.alertThreshold < 1 || b.alertThreshold > 100) throw new BudgetInputError(`budget ${b.id}: alert threshold must be 1 to 100 percent`);
  const rule: PeriodRule = { kind: b.period, weekStart: b.weekStart, monthStartDay: ctx.monthStartDay };
  try {
    checkPeriodRule(rule);
  } catch (error) {
    throw new BudgetInputError(`budget ${b.id}: ${(error as Error).message}`);
  }
  if (!Array.isArray(b.amounts) || b.amounts.length === 0) throw new BudgetInputError(`budget ${b.id} has no amount`);
  const amountFrom = b.amounts.map((a, i) => {
    checkMinor(a.amount, `budget ${b.id}: amount`);
    const day = dayOf(a.from, `budget ${b.id}: amount date`);
    if (i > 0 && day <= dayOf(b.amounts[i - 1]!.from, 'amount date')) throw new BudgetInputError(`budget ${b.id}: amount changes must be in date order, one per date`);
    return day;
  });
  const firstStart = periodStartDay(rule, dayOf(b.startDate, `budget ${b.id}: startDate`));
  const lastStart = b.endDate === null ? Infinity : periodStartDay(rule, dayOf(b.endDate, `budget ${b.id}: endDate`));
  if (lastStart < firstStart) throw new BudgetInputError(`budget ${b.id} ends before it starts`);
  return { budget: b, rule, covered: coveredCategories(ctx, b.categoryId), amountFrom, firstStart, lastStart };
}

/** The amount in force on a period's first day; before the first change, the first amount. */
function amountOn(p: Plan, start: number): number {
  let amount = p.budget.amounts[0]!.amount;
  for (let i = 1; i < p.amountFrom.length && p.amountFrom[i]! <= start; i++) amount = p.budget.amounts[i]!.amount;
  return amount;
}

function carry(rollover: Budget['rollover'], left: number): number {
  if (rollover === 'none') return 0;
  if (rollover === 'unspent') return left > 0 ? left : 0;
  return left;
}

/** 'over' past amount + carried; 'over-threshold' at threshold% of a positive limit; else on track. */
export function budgetState(spent: number, limit: number, thresholdPercent: number): BudgetState {
  if (spent > limit) return 'over';
  if (limit > 0 && spent * 100 >= limit * thresholdPercent) return 'over-threshold';
  return 'on-track';
}

function exact(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} is beyond exact integer range (${value})`);
  return value === 0 ? 0 : value;
}

// ---- rates -------------------------------------------------------------------------------------------

/** The rate of a day (latest on or before it), or null. */
function rateOn(ctx: Context, currency: string, day: number): string | null {
  const r = ctx.fx.get(currency);
  if (!r || r.days.length === 0 || r.days[0]! > day) return null;
  let lo = 0;
  let hi = r.days.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (r.days[mid]! <= day) lo = mid;
    else hi = mid - 1;
  }
  return r.rates[lo]!;
}

/** An amount in base minor units, or null (and the currency recorded as missing) without a rate. */
function toBase(ctx: Context, amount: number, currency: string, day: number): number | null {
  if (currency === ctx.base || amount === 0) return amount;
  const rate = rateOn(ctx, currency, day);
  if (rate === null) {
    ctx.missing.add(currency);
    return null;
  }
  return convertMinor(amount, currency, ctx.base, rate);
}

// ---- the pass over the snapshot ----------------------------------------------------------------------

/** Daily sums per covered category slot over [from, from + nDays), base minor units, rows' sign. */
interface Cells {
  readonly from: number;
  readonly nDays: number;
  /** Category id → slot. */
  readonly slots: ReadonlyMap<string, number>;
  readonly total: Float64Array;
  readonly pending: Float64Array;
}

function partitionsIn(s: Snapshot, from: number, to: number): YearPartition[] {
  const out: YearPartition[] = [];
  for (const p of s.years.values()) {
    const first = Date.UTC(p.year, 0, 1) / 86_400_000;
    const last = Date.UTC(p.year + 1, 0, 1) / 86_400_000 - 1;
    if (last >= from && first <= to && p.length > 0) out.push(p);
  }
  return out;
}

/** The days each category is needed for: [lo, hi] per category id, widened by each budget that covers it. */
type Needs = Map<string, [number, number]>;

function need(needs: Needs, ids: readonly string[], lo: number, hi: number): void {
  for (const id of ids) {
    const range = needs.get(id);
    if (range === undefined) needs.set(id, [lo, hi]);
    else {
      range[0] = Math.min(range[0], lo);
      range[1] = Math.max(range[1], hi);
    }
  }
}

function sumCells(s: Snapshot, ctx: Context, needs: Needs): Cells {
  const slots = new Map<string, number>();
  const slotOf = new Int32Array(s.categories.size).fill(-1);
  const slotLo: number[] = [];
  const slotHi: number[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const [id, [lo, hi]] of needs) {
    from = Math.min(from, lo);
    to = Math.max(to, hi);
    const index = s.categories.indexOf(id);
    if (index === undefined || index === 0) continue; // no rows in that category
    slotOf[index] = slots.size;
    slots.set(id, slots.size);
    slotLo.push(lo);
    slotHi.push(hi);
  }
  // A row counts only inside its category's own range, so a currency is reported missing only where it was needed.
  const lows = Int32Array.from(slotLo);
  const highs = Int32Array.from(slotHi);
  if (slots.size === 0) return { from: 0, nDays: 0, slots, total: new Float64Array(0), pending: new Float64Array(0) };
  const nDays = to - from + 1;
  const nCells = slots.size * nDays;
  const total = new Float64Array(nCells);
  const pending = new Float64Array(nCells);
  const baseIndex = s.currencies.indexOf(ctx.base) ?? -1;
  // Foreign rows, per (currency, slot, day): key = currency index · nCells + cell.
  const foreign = new Map<number, number>();
  const foreignPending = new Map<number, number>();
  for (const p of partitionsIn(s, from, to)) {
    const { day, amount, currency, category, flags } = p;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const f = flags[i]!;
      if ((f & SKIP) !== 0) continue;
      const slot = slotOf[category[i]!]!;
      if (slot < 0) continue;
      const d = day[i]!;
      if (d < lows[slot]! || d > highs[slot]!) continue;
      const cell = slot * nDays + (d - from);
      const a = amount[i]!;
      const c = currency[i]!;
      if (c === baseIndex) {
        total[cell] = total[cell]! + a;
        if ((f & FLAG.pending) !== 0) pending[cell] = pending[cell]! + a;
      } else {
        const key = c * nCells + cell;
        foreign.set(key, (foreign.get(key) ?? 0) + a);
        if ((f & FLAG.pending) !== 0) foreignPending.set(key, (foreignPending.get(key) ?? 0) + a);
      }
    }
  }
  const convertInto = (sums: Map<number, number>, into: Float64Array) => {
    for (const [key, sum] of sums) {
      const c = Math.floor(key / nCells);
      const cell = key - c * nCells;
      const code = s.currencies.valueAt(c)!;
      const converted = toBase(ctx, exact(sum, `sum of ${code} rows`), code, from + (cell % nDays));
      if (converted !== null) into[cell] = into[cell]! + converted;
    }
  };
  convertInto(foreign, total);
  convertInto(foreignPending, pending);
  return { from, nDays, slots, total, pending };
}

/** A budget's daily spending as prefix sums over [lo, hi]: spent of days [a, b] = spent[b+1−lo] − spent[a−lo]. */
interface Series {
  readonly lo: number;
  readonly spent: Float64Array;
  readonly pending: Float64Array;
}

function series(cells: Cells, covered: readonly string[], lo: number, hi: number): Series {
  const n = hi - lo + 1;
  const spent = new Float64Array(n + 1);
  const pending = new Float64Array(n + 1);
  const offset = lo - cells.from;
  for (const id of covered) {
    const slot = cells.slots.get(id);
    if (slot === undefined) continue;
    if (offset < 0 || offset + n > cells.nDays) throw new Error('budget range outside the summed days');
    const at = slot * cells.nDays + offset;
    for (let i = 0; i < n; i++) {
      spent[i + 1] = spent[i + 1]! - cells.total[at + i]!;
      pending[i + 1] = pending[i + 1]! - cells.pending[at + i]!;
    }
  }
  for (let i = 1; i <= n; i++) {
    spent[i] = spent[i]! + spent[i - 1]!;
    pending[i] = pending[i]! + pending[i - 1]!;
  }
  return { lo, spent, pending };
}

function spentIn(x: Series, a: number, b: number): number {
  return exact(x.spent[b + 1 - x.lo]! - x.spent[a - x.lo]!, 'spent');
}

function pendingIn(x: Series, a: number, b: number): number {
  return exact(x.pending[b + 1 - x.lo]! - x.pending[a - x.lo]!, 'pending');
}

// ---- periods and rollover ----------------------------------------------------------------------------

interface Chained {
  readonly figures: BudgetPeriodFigures;
  readonly startDay: number;
  readonly endDay: number;
}

/**
 * The figures of the budget's periods with start in [showFrom, showTo], the rollover chained from `chainFrom`
 * (the budget's first period when it rolls over).
 */
function chain(p: Plan, x: Series, chainFrom: number, showFrom: number, showTo: number): Chained[] {
  const out: Chained[] = [];
  let carried = 0;
  for (let start = chainFrom; start <= showTo;) {
    const end = periodStartDay(p.rule, start, 1) - 1;
    const amount = amountOn(p, start);
    const spent = spentIn(x, start, end);
    const limit = exact(amount + carried, 'amount + carried');
    if (start >= showFrom) {
      out.push({
        startDay: start,
        endDay: end,
        figures: {
          budgetId: p.budget.id,
          categoryId: p.budget.categoryId,
          period: periodOfDays(start, end),
          amount,
          carried: carried === 0 ? 0 : carried,
          spent,
          pending: pendingIn(x, start, end),
          available: exact(limit - spent, 'available'),
          state: budgetState(spent, limit, p.budget.alertThreshold),
        },
      });
    }
    carried = carry(p.budget.rollover, limit - spent);
    start = end + 1;
  }
  return out;
}

// ---- forecast ----------------------------------------------------------------------------------------

/** The first day of any live row in the ledger, or null for an empty ledger (scans the earliest year only). */
function firstLedgerDay(s: Snapshot): number | null {
  const years = [...s.years.keys()].sort((a, b) => a - b);
  for (const y of years) {
    const p = s.years.get(y)!;
    let min = Infinity;
    for (let i = 0; i < p.length; i++) {
      if ((p.flags[i]! & FLAG.deleted) === 0 && p.day[i]! < min) min = p.day[i]!;
    }
    if (min !== Infinity) return min;
  }
  return null;
}

/** Scheduled spending (positive) of the covered categories per day in [lo, hi], base minor units. */
function scheduledSpending(ctx: Context, covered: ReadonlySet<string>, lo: number, hi: number): Map<number, number> {
  const byDay = new Map<number, number>();
  for (const s of ctx.scheduled) {
    if (s.day < lo || s.day > hi || s.categoryId === null || !covered.has(s.categoryId)) continue;
    const value = toBase(ctx, s.amount, s.currency, s.day);
    if (value !== null) byDay.set(s.day, (byDay.get(s.day) ?? 0) - value);
  }
  return byDay;
}

function forecastFor(ctx: Context, p: Plan, x: Series, current: Chained, ledgerFirst: number | null): BudgetForecast {
  const { startDay, endDay, figures } = current;
  const today = ctx.today;
  const histStarts: number[] = [];
  if (ledgerFirst !== null) {
    for (let k = 1; k <= HISTORY_MAX_PERIODS; k++) {
      const s = periodStartDay(p.rule, startDay, -k);
      if (s < ledgerFirst) break;
      histStarts.push(s);
    }
  }
  const enough = histStarts.length >= HISTORY_MIN_PERIODS;
  const lo = enough ? histStarts[histStarts.length - 1]! : startDay;
  const bills = scheduledSpending(ctx, new Set(p.covered), lo, endDay);
  let paidBills = 0;
  let knownUpcoming = 0;
  for (const [day, value] of bills) {
    if (day >= startDay && day <= today) paidBills += value;
    else if (day > today && day <= endDay) knownUpcoming += value;
  }
  let history: { periods: number; daily: Float64Array } | null = null;
  if (enough) {
    const daily = new Float64Array(startDay - lo);
    for (let d = lo; d < startDay; d++) {
      const i = d - x.lo;
      daily[d - lo] = x.spent[i + 1]! - x.spent[i]! - (bills.get(d) ?? 0);
    }
    history = { periods: histStarts.length, daily };
  }
  return budgetForecast({
    spent: figures.spent,
    limit: figures.amount + figures.carried,
    periodDays: endDay - startDay + 1,
    elapsedDays: today - startDay + 1,
    remainingDays: endDay - today,
    paidBills: exact(paidBills, 'paid bills'),
    knownUpcoming: exact(knownUpcoming, 'known upcoming bills'),
    history,
  });
}

// ---- entry points ------------------------------------------------------------------------------------

/** The budget page: each budget's period containing `request.date`, with the forecast for the current period. */
export function budgetPage(snapshot: Snapshot, inputs: BudgetInputs, request: BudgetPageRequest): BudgetPage {
  const ctx = context(inputs);
  const date = dayOf(request?.date, 'the page date');
  const kind = request.kind;
  const jobs: { plan: Plan; start: number; end: number; chainFrom: number; forecast: boolean; lo: number }[] = [];
  const needs: Needs = new Map();
  const monthly: Plan[] = [];
  for (const b of inputs.budgets) {
    const p = plan(ctx, b);
    if (p.rule.kind === 'monthly') monthly.push(p);
    if (kind !== undefined && p.rule.kind !== kind) continue;
    const start = periodStartDay(p.rule, date);
    if (start < p.firstStart || start > p.lastStart) continue;
    const end = periodStartDay(p.rule, start, 1) - 1;
    const chainFrom = p.budget.rollover === 'none' ? start : p.firstStart;
    const forecast = ctx.today >= start && ctx.today <= end;
    const lo = forecast ? Math.min(chainFrom, periodStartDay(p.rule, start, -HISTORY_MAX_PERIODS)) : chainFrom;
    jobs.push({ plan: p, start, end, chainFrom, forecast, lo });
    need(needs, p.covered, lo, end);
  }
  let month: { start: number; end: number } | null = null;
  if (kind === undefined || kind === 'monthly') {
    const rule: PeriodRule = { kind: 'monthly', weekStart: 0, monthStartDay: ctx.monthStartDay };
    const start = periodStartDay(rule, date);
    month = { start, end: periodStartDay(rule, start, 1) - 1 };
    need(needs, ctx.incomeIds, month.start, month.end);
  }
  const cells = sumCells(snapshot, ctx, needs);
  const ledgerFirst = jobs.some((j) => j.forecast) ? firstLedgerDay(snapshot) : null;
  const rows: BudgetPageRow[] = jobs.map((j) => {
    const x = series(cells, j.plan.covered, j.lo, j.end);
    const current = chain(j.plan, x, j.chainFrom, j.start, j.start)[0]!;
    return { ...current.figures, forecast: j.forecast ? forecastFor(ctx, j.plan, x, current, ledgerFirst) : null };
  });
  let monthFigures: BudgetPage['month'] = null;
  if (month !== null) {
    let income = 0;
    const offset = month.start - cells.from;
    const n = month.end - month.start + 1;
    for (const id of ctx.incomeIds) {
      const slot = cells.slots.get(id);
      if (slot === undefined) continue;
      const at = slot * cells.nDays + offset;
      for (let i = 0; i < n; i++) income += cells.total[at + i]!;
    }
    let budgeted = 0;
    for (const p of monthly) if (month.start >= p.firstStart && month.start <= p.lastStart) budgeted += amountOn(p, month.start);
    income = exact(income, 'income');
    budgeted = exact(budgeted, 'budgeted');
    monthFigures = { period: periodOfDays(month.start, month.end), income, budgeted, toBeBudgeted: exact(income - budgeted, 'to be budgeted') };
  }
  return { date: request.date, rows, month: monthFigures, missingRates: [...ctx.missing].sort() };
}

/** Each budget's last `request.periods` periods up to the one containing `request.date`, oldest first. */
export function budgetHistory(snapshot: Snapshot, inputs: BudgetInputs, request: BudgetHistoryRequest): BudgetHistory {
  const ctx = context(inputs);
  const date = dayOf(request?.date, 'the history date');
  const count = request.periods;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HISTORY_PERIODS) throw new BudgetInputError(`history periods must be 1 to ${MAX_HISTORY_PERIODS}, got ${String(count)}`);
  const wanted = request.budgetIds === undefined ? null : new Set(request.budgetIds);
  const jobs: { budgetId: string; plan: Plan | null; chainFrom: number; showFrom: number; showTo: number; end: number }[] = [];
  const needs: Needs = new Map();
  const known = new Set<string>();
  for (const b of inputs.budgets) {
    if (wanted !== null && !wanted.has(b.id)) continue;
    known.add(b.id);
    const p = plan(ctx, b);
    const current = periodStartDay(p.rule, date);
    const showFrom = Math.max(periodStartDay(p.rule, current, -(count - 1)), p.firstStart);
    const showTo = Math.min(current, p.lastStart);
    if (showFrom > showTo) {
      jobs.push({ budgetId: b.id, plan: null, chainFrom: 0, showFrom, showTo, end: 0 });
      continue;
    }
    const chainFrom = p.budget.rollover === 'none' ? showFrom : p.firstStart;
    const end = periodStartDay(p.rule, showTo, 1) - 1;
    jobs.push({ budgetId: b.id, plan: p, chainFrom, showFrom, showTo, end });
    need(needs, p.covered, chainFrom, end);
  }
  const cells = sumCells(snapshot, ctx, needs);
  const budgets = jobs.map((j) => {
    if (j.plan === null) return { budgetId: j.budgetId, periods: [] };
    const x = series(cells, j.plan.covered, j.chainFrom, j.end);
    return { budgetId: j.budgetId, periods: chain(j.plan, x, j.chainFrom, j.showFrom, j.showTo).map((c) => c.figures) };
  });
  // Budgets asked for that do not exist (e.g. deleted meanwhile) come back with no periods.
  for (const id of request.budgetIds ?? []) if (!known.has(id)) budgets.push({ budgetId: id, periods: [] });
  return { budgets, missingRates: [...ctx.missing].sort() };
}
