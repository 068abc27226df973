import { BUDGET_PERIODS, BUDGET_ROLLOVERS } from '../schema/registry.ts';
import type { Budget } from '../schema/registry.ts';
import { FLAG } from '../snapshot/snapshot.ts';
import type { Snapshot, YearPartition } from '../snapshot/snapshot.ts';
import { convertExact, parseRate } from './fx.ts';
import type { ParsedRate } from './fx.ts';
import { HISTORY_MAX_PERIODS, HISTORY_MIN_PERIODS, budgetForecast } from './forecast.ts';
import { BudgetInputError, checkPeriodRule, dayOf, periodOfDays, periodStartDay } from './periods.ts';
import type {
  BudgetCategory, BudgetForecast, BudgetHistory, BudgetHistoryRequest, BudgetInputs, BudgetPage, BudgetPageRequest, BudgetPageRow,
  BudgetPeriodFigures, BudgetState, FxSeries, PeriodRule, ScheduledAmount,
} from './types.ts';

/**
 * The budget engine (issue 20, bullet 2): spent, rollover, available and state of each budget's periods, over
 * the columnar snapshot. Pure as far as a caller can tell: same snapshot and inputs, same answer, neither is
 * mutated (the only state kept between calls is the parse caches and a scratch buffer, both invisible).
 *
 * How one call works, and why it is fast:
 * 1. each budget is turned into its period rule, its covered categories (its own and every descendant) and
 *    the days it needs (from its first period when it rolls over, else from the first period shown; 12
 *    periods more when the forecast learns from history). The parsed FX series, category tree, scheduled
 *    amounts and budget plans are kept per input object (WeakMap), so the inputs the worker holds between
 *    calls are read once; inputs are treated as immutable;
 * 2. ONE pass over the snapshot rows (year partitions outside the days needed are skipped) adds each row of a
 *    covered category, when its day is inside that category's own range, to a daily cell (category slot,
 *    day): base-currency rows straight into a Float64Array, foreign and pending rows into sparse maps —
 *    sums of integers, exact below 2^53;
 * 3. each foreign (category, currency, day) sum is converted once at that day's rate (the latest on or
 *    before it), rounded half-even exactly as convertMinor does (fx.ts, in integer arithmetic); a currency
 *    with no rate for a needed day is left out and reported in `missingRates`;
 * 4. each slot's days become prefix sums, so a period's spent is two reads per covered category; the
 *    rollover is chained from the budget's first period.
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
  /** Rates parsed on first use. */
  readonly parsed: (ParsedRate | undefined)[];
}

interface ScheduledDay {
  readonly day: number;
  readonly categoryId: string | null;
  readonly amount: number;
  readonly currency: string;
}

interface Tree {
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly incomeIds: readonly string[];
}

interface Context {
  readonly base: string;
  readonly monthStartDay: number;
  readonly today: number;
  readonly tree: Tree;
  readonly fx: ReadonlyMap<string, Rates>;
  readonly scheduled: ReadonlyMap<string, readonly ScheduledDay[]>;
  /** Currencies left out for want of a rate, this call. */
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

// Parsed inputs, per input object: the worker keeps the inputs it was pushed and calls the engine many times.
const treeCache = new WeakMap<readonly BudgetCategory[], Tree>();
const fxCache = new WeakMap<readonly FxSeries[], ReadonlyMap<string, Rates>>();
const scheduledCache = new WeakMap<readonly ScheduledAmount[], ReadonlyMap<string, readonly ScheduledDay[]>>();
const planCache = new WeakMap<Budget, { readonly base: string; readonly monthStartDay: number; readonly tree: Tree; readonly plan: Plan }>();

function cached<K extends object, V>(cache: WeakMap<K, V>, key: K, make: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    cache.set(key, value);
  }
  return value;
}

function parseTree(categories: readonly BudgetCategory[]): Tree {
  if (!Array.isArray(categories as unknown)) throw new BudgetInputError('categories must be a list');
  const children = new Map<string, string[]>();
  const incomeIds: string[] = [];
  for (const c of categories) {
    if (c.parentId !== null) {
      const list = children.get(c.parentId);
      if (list) list.push(c.id);
      else children.set(c.parentId, [c.id]);
    }
    if (c.kind === 'income') incomeIds.push(c.id);
  }
  return { children, incomeIds };
}

function parseFx(list: readonly FxSeries[]): ReadonlyMap<string, Rates> {
  if (!Array.isArray(list as unknown)) throw new BudgetInputError('fx must be a list');
  const fx = new Map<string, Rates>();
  for (const series of list) {
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
    fx.set(cur, { days, rates: series.rates, parsed: new Array<ParsedRate | undefined>(series.rates.length) });
  }
  return fx;
}

/** Scheduled amounts by category (uncategorised ones never meet a budget). */
function parseScheduled(list: readonly ScheduledAmount[]): ReadonlyMap<string, readonly ScheduledDay[]> {
  if (!Array.isArray(list as unknown)) throw new BudgetInputError('scheduled must be a list');
  const byCategory = new Map<string, ScheduledDay[]>();
  for (const s of list) {
    if (typeof s.currency !== 'string' || !CURRENCY_RE.test(s.currency)) throw new BudgetInputError(`scheduled amount currency must be an ISO 4217 code, got ${JSON.stringify(s.currency)}`);
    const item = { day: dayOf(s.date, 'a scheduled date'), categoryId: s.categoryId, amount: checkMinor(s.amount, 'a scheduled amount'), currency: s.currency };
    if (s.categoryId === null) continue;
    const items = byCategory.get(s.categoryId);
    if (items) items.push(item);
    else byCategory.set(s.categoryId, [item]);
  }
  return byCategory;
}

function context(inputs: BudgetInputs): Context {
  if (!inputs || typeof inputs !== 'object') throw new BudgetInputError('budget inputs are missing');
  const base = inputs.baseCurrency;
  if (typeof base !== 'string' || !CURRENCY_RE.test(base)) throw new BudgetInputError(`the base currency must be an ISO 4217 code, got ${JSON.stringify(base)}`);
  checkPeriodRule({ kind: 'monthly', weekStart: 0, monthStartDay: inputs.monthStartDay });
  for (const key of ['budgets', 'categories', 'fx', 'scheduled'] as const) {
    if (!Array.isArray(inputs[key] as unknown)) throw new BudgetInputError(`inputs.${key} must be a list`);
  }
  return {
    base,
    monthStartDay: inputs.monthStartDay,
    today: dayOf(inputs.today, 'today'),
    tree: cached(treeCache, inputs.categories, parseTree),
    fx: cached(fxCache, inputs.fx, parseFx),
    scheduled: cached(scheduledCache, inputs.scheduled, parseScheduled),
    missing: new Set(),
  };
}

/** The category and all its descendants (a parentId cycle cannot loop). */
function coveredCategories(tree: Tree, categoryId: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = [categoryId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    for (const child of tree.children.get(id) ?? []) stack.push(child);
  }
  return out;
}

/** The budget's plan, kept per budget object while the base currency, start day and categories stay the same. */
function plan(ctx: Context, b: Budget): Plan {
  const hit = b && typeof b === 'object' ? planCache.get(b) : undefined;
  if (hit !== undefined && hit.base === ctx.base && hit.monthStartDay === ctx.monthStartDay && hit.tree === ctx.tree) return hit.plan;
  const made = makePlan(ctx, b);
  planCache.set(b, { base: ctx.base, monthStartDay: ctx.monthStartDay, tree: ctx.tree, plan: made });
  return made;
}

function makePlan(ctx: Context, b: Budget): Plan {
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
  const covered = coveredCategories(ctx.tree, b.categoryId);
  return { budget: b, rule, covered, amountFrom, firstStart, lastStart };
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

/** The rate of a day (latest on or before it), parsed, or null. */
function rateOn(ctx: Context, currency: string, day: number): ParsedRate | null {
  const r = ctx.fx.get(currency);
  if (!r || r.days.length === 0 || r.days[0]! > day) return null;
  let lo = 0;
  let hi = r.days.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (r.days[mid]! <= day) lo = mid;
    else hi = mid - 1;
  }
  return (r.parsed[lo] ??= parseRate(r.rates[lo]!));
}

/** An amount in base minor units (as convertMinor would give), or null (the currency recorded as missing) without a rate. */
function toBase(ctx: Context, amount: number, currency: string, day: number): number | null {
  if (currency === ctx.base || amount === 0) return amount;
  const rate = rateOn(ctx, currency, day);
  if (rate === null) {
    ctx.missing.add(currency);
    return null;
  }
  return convertExact(amount, currency, ctx.base, rate);
}

// ---- the pass over the snapshot ----------------------------------------------------------------------

/**
 * Daily sums per category slot, as prefix sums: slot s holds days [lo[s], hi[s]] at data[start[s] + 1 …],
 * with data[start[s] + k] the sum of its first k days (base minor units, the rows' own sign). A slot with
 * lo > hi holds nothing.
 */
interface Grid {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly start: Int32Array;
  readonly data: Float64Array;
}

/**
 * The largest grid's buffer, kept between calls: a page over ten years of daily cells is megabytes, and
 * allocating it per call costs more in garbage collection than the pass itself. Calls are synchronous, so
 * one call's grid is never in use when the next begins.
 */
let scratch = new Float64Array(0);

function makeGrid(lo: Int32Array, hi: Int32Array, reuse = false): Grid {
  const start = new Int32Array(lo.length);
  let size = 0;
  for (let s = 0; s < lo.length; s++) {
    start[s] = size;
    size += Math.max(0, hi[s]! - lo[s]! + 1) + 1;
  }
  if (!reuse) return { lo, hi, start, data: new Float64Array(size) };
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, Math.ceil(scratch.length * 1.5)));
  const data = scratch.subarray(0, size);
  data.fill(0);
  return { lo, hi, start, data };
}

/** Daily sums → prefix sums, in place. */
function accumulate(g: Grid): void {
  const { data } = g;
  for (let s = 0; s < g.lo.length; s++) {
    const first = g.start[s]!;
    const last = first + Math.max(0, g.hi[s]! - g.lo[s]! + 1);
    for (let i = first + 1; i <= last; i++) data[i] = data[i]! + data[i - 1]!;
  }
}

/** Sum of slot s over days [a, b] (clipped to the slot's days). */
function gridSum(g: Grid, s: number, a: number, b: number): number {
  const lo = g.lo[s]!;
  const hi = g.hi[s]!;
  const from = a < lo ? lo : a;
  const to = b > hi ? hi : b;
  if (from > to) return 0;
  const at = g.start[s]! - lo;
  return g.data[at + to + 1]! - g.data[at + from]!;
}

interface Cells {
  /** Category id → slot. */
  readonly slots: ReadonlyMap<string, number>;
  readonly total: Grid;
  /** Pending rows only, over each slot's days from its first pending row. */
  readonly pending: Grid;
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

function partitionsIn(s: Snapshot, from: number, to: number): YearPartition[] {
  const out: YearPartition[] = [];
  for (const p of s.years.values()) {
    const first = Date.UTC(p.year, 0, 1) / 86_400_000;
    const last = Date.UTC(p.year + 1, 0, 1) / 86_400_000 - 1;
    if (last >= from && first <= to && p.length > 0) out.push(p);
  }
  return out;
}

/** The one pass: every counted row of a needed category and day into its slot's daily cell. */
function sumCells(s: Snapshot, ctx: Context, needs: Needs): Cells {
  const slots = new Map<string, number>();
  const slotOf = new Int32Array(s.categories.size).fill(-1);
  const slotLo: number[] = [];
  const slotHi: number[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const [id, [lo, hi]] of needs) {
    const index = s.categories.indexOf(id);
    if (index === undefined || index === 0) continue; // no rows in that category
    slotOf[index] = slots.size;
    slots.set(id, slots.size);
    slotLo.push(lo);
    slotHi.push(hi);
    from = Math.min(from, lo);
    to = Math.max(to, hi);
  }
  const nSlots = slots.size;
  const total = makeGrid(Int32Array.from(slotLo), Int32Array.from(slotHi), true);
  const { lo: lows, hi: highs, start: starts, data } = total;
  // Foreign and pending rows are few: sparse, keyed (currency · nSlots + slot) · span + day offset.
  const span = nSlots === 0 ? 0 : to - from + 1;
  const foreign = new Map<number, number>();
  const pendingCells = new Map<number, number>();
  const baseIndex = s.currencies.indexOf(ctx.base) ?? -1;
  if (nSlots > 0) {
    for (const p of partitionsIn(s, from, to)) {
      const { day, amount, currency, category, flags } = p;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const f = flags[i]!;
        if ((f & SKIP) !== 0) continue;
        const slot = slotOf[category[i]!]!;
        if (slot < 0) continue;
        const d = day[i]!;
        const lo = lows[slot]!;
        if (d < lo || d > highs[slot]!) continue;
        const a = amount[i]!;
        const c = currency[i]!;
        if (c === baseIndex) {
          const cell = starts[slot]! + d - lo + 1;
          data[cell] = data[cell]! + a;
        }
        if (c !== baseIndex || (f & FLAG.pending) !== 0) {
          const key = (c * nSlots + slot) * span + (d - from);
          if (c !== baseIndex) foreign.set(key, (foreign.get(key) ?? 0) + a);
          if ((f & FLAG.pending) !== 0) pendingCells.set(key, (pendingCells.get(key) ?? 0) + a);
        }
      }
    }
  }
  const decode = (key: number) => {
    const d = key % span;
    const rest = (key - d) / span;
    const slot = rest % nSlots;
    return { c: (rest - slot) / nSlots, slot, day: from + d };
  };
  /** A sparse cell's sum in base minor units, or null without a rate. */
  const converted = (c: number, sum: number, day: number): number | null => {
    if (c === baseIndex) return sum;
    const code = s.currencies.valueAt(c)!;
    return toBase(ctx, exact(sum, `sum of ${code} rows`), code, day);
  };
  for (const [key, sum] of foreign) {
    const { c, slot, day } = decode(key);
    const value = converted(c, sum, day);
    if (value !== null) {
      const cell = starts[slot]! + day - lows[slot]! + 1;
      data[cell] = data[cell]! + value;
    }
  }
  accumulate(total);
  // Pending: each slot's days from its first pending row (usually the last few days) to its last day.
  const pendingLo = Int32Array.from(highs, (hi) => hi + 1);
  for (const key of pendingCells.keys()) {
    const { slot, day } = decode(key);
    if (day < pendingLo[slot]!) pendingLo[slot] = day;
  }
  const pending = makeGrid(pendingLo, highs);
  for (const [key, sum] of pendingCells) {
    const { c, slot, day } = decode(key);
    const value = converted(c, sum, day);
    if (value !== null) {
      const cell = pending.start[slot]! + day - pendingLo[slot]! + 1;
      pending.data[cell] = pending.data[cell]! + value;
    }
  }
  accumulate(pending);
  return { slots, total, pending };
}

/** The slots of a budget's covered categories that have rows. */
function slotsOf(cells: Cells, covered: readonly string[]): Int32Array {
  const out: number[] = [];
  for (const id of covered) {
    const slot = cells.slots.get(id);
    if (slot !== undefined) out.push(slot);
  }
  return Int32Array.from(out);
}

/** −(sum of the rows) of the slots over days [a, b]: spending positive. */
function spentOver(g: Grid, slots: Int32Array, a: number, b: number, what: string): number {
  let sum = 0;
  for (let i = 0; i < slots.length; i++) sum += gridSum(g, slots[i]!, a, b);
  return exact(-sum, what);
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
function chain(p: Plan, cells: Cells, slots: Int32Array, chainFrom: number, showFrom: number, showTo: number): Chained[] {
  const out: Chained[] = [];
  let carried = 0;
  for (let start = chainFrom; start <= showTo;) {
    const end = periodStartDay(p.rule, start, 1) - 1;
    const amount = amountOn(p, start);
    const spent = spentOver(cells.total, slots, start, end, 'spent');
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
          pending: spentOver(cells.pending, slots, start, end, 'pending'),
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
function scheduledSpending(ctx: Context, covered: readonly string[], lo: number, hi: number): Map<number, number> {
  const byDay = new Map<number, number>();
  for (const id of covered) {
    for (const s of ctx.scheduled.get(id) ?? []) {
      if (s.day < lo || s.day > hi) continue;
      const value = toBase(ctx, s.amount, s.currency, s.day);
      if (value !== null) byDay.set(s.day, (byDay.get(s.day) ?? 0) - value);
    }
  }
  return byDay;
}

function forecastFor(ctx: Context, p: Plan, cells: Cells, slots: Int32Array, current: Chained, ledgerFirst: number | null): BudgetForecast {
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
  const bills = scheduledSpending(ctx, p.covered, lo, endDay);
  let paidBills = 0;
  let knownUpcoming = 0;
  for (const [day, value] of bills) {
    if (day >= startDay && day <= today) paidBills += value;
    else if (day > today && day <= endDay) knownUpcoming += value;
  }
  let history: { periods: number; daily: Float64Array } | null = null;
  if (enough) {
    // Daily spending of [lo, startDay − 1], bills taken out.
    const daily = new Float64Array(startDay - lo);
    const g = cells.total;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      const from = Math.max(lo, g.lo[s]!);
      const to = Math.min(startDay - 1, g.hi[s]!);
      const at = g.start[s]! - g.lo[s]!;
      for (let d = from; d <= to; d++) daily[d - lo] = daily[d - lo]! - (g.data[at + d + 1]! - g.data[at + d]!);
    }
    for (const [day, value] of bills) if (day >= lo && day < startDay) daily[day - lo] = daily[day - lo]! - value;
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
  if (kind !== undefined && !(BUDGET_PERIODS as readonly string[]).includes(kind)) throw new BudgetInputError(`unknown budget period ${JSON.stringify(kind)}`);
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
    need(needs, ctx.tree.incomeIds, month.start, month.end);
  }
  const cells = sumCells(snapshot, ctx, needs);
  const ledgerFirst = jobs.some((j) => j.forecast) ? firstLedgerDay(snapshot) : null;
  const rows: BudgetPageRow[] = jobs.map((j) => {
    const slots = slotsOf(cells, j.plan.covered);
    const current = chain(j.plan, cells, slots, j.chainFrom, j.start, j.start)[0]!;
    return { ...current.figures, forecast: j.forecast ? forecastFor(ctx, j.plan, cells, slots, current, ledgerFirst) : null };
  });
  let monthFigures: BudgetPage['month'] = null;
  if (month !== null) {
    let income = -spentOver(cells.total, slotsOf(cells, ctx.tree.incomeIds), month.start, month.end, 'income');
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
    return { budgetId: j.budgetId, periods: chain(j.plan, cells, slotsOf(cells, j.plan.covered), j.chainFrom, j.showFrom, j.showTo).map((c) => c.figures) };
  });
  // Budgets asked for that do not exist (e.g. deleted meanwhile) come back with no periods.
  for (const id of request.budgetIds ?? []) if (!known.has(id)) budgets.push({ budgetId: id, periods: [] });
  return { budgets, missingRates: [...ctx.missing].sort() };
}
