import type { BudgetCategory, BudgetInputs, FxSeries, ScheduledAmount } from '@mymidas/shared/budget';
import { addDays, addMonths, monthOf } from '@mymidas/shared/date';
import { occurrencesBetween, RecurringRuleError } from '@mymidas/shared/ledger/recurring';
import { Decimal } from '@mymidas/shared/money';
import type { Budget, BudgetPeriodKind, Category, Quote, RecurringRule, Settings } from '@mymidas/shared/schema';

/**
 * The budget inputs as plain data (issue 20): what the UI thread gathers from the replica's small
 * collections before handing it to the compute worker. Pure: no RxDB, no Vue; budget-data.ts does the reading.
 */

/** Periods of history the inputs cover by default: the forecast learns from up to 12, the history chart shows 24. */
export const HISTORY_PERIODS = 24;
/** Past periods the overspend forecast learns from at most (the engine's contract: 6 to 12). */
export const FORECAST_PERIODS = 12;

/** Months in one period of each month-based kind. */
const MONTHS: Readonly<Record<Exclude<BudgetPeriodKind, 'weekly'>, number>> = { monthly: 1, quarterly: 3, yearly: 12 };

/**
 * A date on or before the first day of the period `n` periods before the one containing `date`, for
 * any start day or week start: whole calendar months (or weeks) further back than the periods can
 * reach. Used to size reads (FX quotes, recurring occurrences), so erring early only reads a few more rows.
 */
export function periodsBefore(kind: BudgetPeriodKind, date: string, n: number): string {
  if (kind === 'weekly') return addDays(date, -7 * (n + 1));
  return `${addMonths(monthOf(date), -MONTHS[kind] * (n + 1))}-01`;
}

/** A date on or after the last day of the period containing `date` (same reasoning as periodsBefore). */
export function periodEndAfter(kind: BudgetPeriodKind, date: string): string {
  if (kind === 'weekly') return addDays(date, 7);
  return `${addMonths(monthOf(date), MONTHS[kind] + 1)}-01`;
}

export interface InputsWindow {
  /** FX rates are read from this date on (plus the latest rate before it). */
  readonly fxFrom: string;
  /** Recurring occurrences are expanded over [scheduledFrom, scheduledTo]. */
  readonly scheduledFrom: string;
  readonly scheduledTo: string;
}

function earliest(dates: Iterable<string>, fallback: string): string {
  let out = fallback;
  for (const d of dates) if (d < out) out = d;
  return out;
}

/** What a screen asked about: the periods up to the one containing `date`. */
export interface AskedRange {
  readonly date: string;
  readonly periods: number;
}

/**
 * The dates the inputs must cover for these budgets seen from `today`, and for dates screens asked about
 * (`asked`: a period moved to, or a history's periods): rates from the first start of a budget that rolls
 * over (its chain runs from there) or HISTORY_PERIODS periods back, whichever is earlier; recurring
 * occurrences over the forecast's past periods and up to the end of today's period.
 */
export function inputsWindow(budgets: readonly Pick<Budget, 'period' | 'startDate' | 'rollover'>[], today: string, asked: Iterable<AskedRange> = []): InputsWindow {
  const kinds = new Set<BudgetPeriodKind>(budgets.map((b) => b.period));
  if (kinds.size === 0) kinds.add('monthly');
  const reach = (date: string, n: number) => earliest([...kinds].map((k) => periodsBefore(k, date, n)), date);
  const askedFrom = [...asked].map((a) => reach(a.date, Math.max(a.periods, 1)));
  const chained = budgets.filter((b) => b.rollover !== 'none').map((b) => b.startDate);
  const fxFrom = earliest([...chained, reach(today, HISTORY_PERIODS), ...askedFrom], today);
  let scheduledTo = today;
  for (const k of kinds) {
    const end = periodEndAfter(k, today);
    if (end > scheduledTo) scheduledTo = end;
  }
  return { fxFrom, scheduledFrom: reach(today, FORECAST_PERIODS), scheduledTo };
}

/** The FX series that can price `currency` in `base`: quoted directly ("EUR/GBP") or the other way round ("GBP/EUR"). */
export function fxSeriesNames(currency: string, base: string): { readonly direct: string; readonly inverse: string } {
  return { direct: `${currency}/${base}`, inverse: `${base}/${currency}` };
}

/** A positive decimal as text (what the quotes schema allows, zero and negatives left out). */
function isPositiveRate(close: string): boolean {
  return /^\d+(\.\d+)?$/.test(close) && /[1-9]/.test(close);
}

export interface FxSeriesOptions {
  /** Drop rates older than the one in force on this date. */
  readonly from?: string;
  /** Inverted closes by close text, kept by the caller between calls so a merge inverts only new quotes. */
  readonly inverses?: Map<string, string>;
}

/**
 * One currency's rates into the base currency, ascending by date, from quotes of either series: a
 * "EUR/GBP" close is the rate itself, a "GBP/EUR" close is inverted (to 20 significant digits, as the
 * ledger's lookupRate does). On a date quoted both ways the direct quote wins. Other quotes, price
 * quotes and non-positive closes are ignored.
 */
export function fxSeriesFromQuotes(
  currency: string,
  base: string,
  quotes: Iterable<Pick<Quote, 'kind' | 'series' | 'date' | 'close'>>,
  options: FxSeriesOptions = {},
): FxSeries {
  const { direct, inverse } = fxSeriesNames(currency, base);
  const inverses = options.inverses ?? new Map<string, string>();
  const byDate = new Map<string, { close: string; direct: boolean }>();
  for (const q of quotes) {
    if (q.kind !== 'fx' || (q.series !== direct && q.series !== inverse)) continue;
    const isDirect = q.series === direct;
    const seen = byDate.get(q.date);
    if (seen?.direct && !isDirect) continue;
    if (!isPositiveRate(q.close)) continue;
    byDate.set(q.date, { close: q.close, direct: isDirect });
  }
  let dates = [...byDate.keys()].sort();
  const from = options.from;
  const first = from === undefined ? 0 : dates.findLastIndex((d) => d <= from);
  if (first > 0) dates = dates.slice(first);
  // Inverted only for the dates kept: years of history before `from` cost no decimal division.
  const rateOf = ({ close, direct: isDirect }: { close: string; direct: boolean }): string => {
    if (isDirect) return close;
    let rate = inverses.get(close);
    if (rate === undefined) {
      rate = new Decimal(1).div(close).toSignificantDigits(20).toFixed();
      inverses.set(close, rate);
    }
    return rate;
  };
  return { currency, dates, rates: dates.map((d) => rateOf(byDate.get(d)!)) };
}

export interface ScheduledResult {
  readonly scheduled: ScheduledAmount[];
  /** Rules that could not be expanded (bad RRULE text): left out, named for the screen to say so. */
  readonly skippedRules: string[];
}

/** Most occurrences one occurrencesBetween call returns. */
const OCCURRENCES_PER_CALL = 5000;

/** One rule's occurrences in [from, to]: one call, more only when a call comes back full. */
function ruleOccurrences(rule: RecurringRule, from: string, to: string): ScheduledAmount[] {
  const out: ScheduledAmount[] = [];
  for (let start = from; start <= to; ) {
    const found = occurrencesBetween(rule, start, to, { limit: OCCURRENCES_PER_CALL });
    for (const o of found) out.push({ date: o.date, categoryId: rule.categoryId, amount: rule.amount, currency: rule.currency });
    if (found.length < OCCURRENCES_PER_CALL) break;
    start = addDays(found[found.length - 1]!.date, 1);
  }
  return out;
}

/**
 * Recurring rules expanded into their occurrences in [from, to] (both included), in date order. `cache`
 * (kept by the caller) holds each rule's occurrences by rule id, edit stamp and range: expanding is the
 * costly part (rrule walks from the rule's start), so an unchanged rule is not expanded again.
 */
export function scheduledAmounts(
  rules: readonly RecurringRule[],
  from: string,
  to: string,
  cache: Map<string, readonly ScheduledAmount[]> = new Map(),
): ScheduledResult {
  const scheduled: ScheduledAmount[] = [];
  const skippedRules: string[] = [];
  const used = new Set<string>();
  for (const rule of rules) {
    const key = `${rule.id}|${rule.hlc}|${from}|${to}`;
    used.add(key);
    let list = cache.get(key);
    if (list === undefined) {
      try {
        list = ruleOccurrences(rule, from, to);
      } catch (error) {
        if (!(error instanceof RecurringRuleError)) throw error;
        skippedRules.push(rule.id);
        continue;
      }
      cache.set(key, list);
    }
    scheduled.push(...list);
  }
  for (const key of cache.keys()) if (!used.has(key)) cache.delete(key);
  scheduled.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { scheduled, skippedRules };
}

/** The currencies other than the base that need rates: accounts', recurring rules' and the snapshot's own. */
export function foreignCurrencies(base: string, ...lists: Iterable<string>[]): string[] {
  const out = new Set<string>();
  for (const list of lists) for (const c of list) if (c !== base) out.add(c);
  return [...out].sort();
}

export function budgetCategories(categories: Iterable<Pick<Category, 'id' | 'parentId' | 'kind'>>): BudgetCategory[] {
  return [...categories].map((c) => ({ id: c.id, parentId: c.parentId, kind: c.kind }));
}

/** Plain copies of the budgets (RxDB hands out frozen documents with extra fields; the worker gets just the schema's). */
export function plainBudgets(budgets: Iterable<Budget>): Budget[] {
  return [...budgets].map((b) => ({
    id: b.id, hlc: b.hlc, categoryId: b.categoryId, period: b.period, weekStart: b.weekStart, startDate: b.startDate, endDate: b.endDate,
    amounts: b.amounts.map((a) => ({ from: a.from, amount: a.amount })), currency: b.currency, rollover: b.rollover,
    alertThreshold: b.alertThreshold, alerts: b.alerts.map((a) => ({ period: a.period, kind: a.kind, at: a.at })),
  }));
}

export interface InputsParts {
  readonly budgets: readonly Budget[];
  readonly categories: readonly Pick<Category, 'id' | 'parentId' | 'kind'>[];
  readonly settings: Pick<Settings, 'baseCurrency' | 'budgetStartDay'> | null;
  readonly fx: readonly FxSeries[];
  readonly scheduled: readonly ScheduledAmount[];
  readonly today: string;
}

/** The default base currency and start day when the replica holds no settings yet (as the dashboard does). */
export const DEFAULT_BASE_CURRENCY = 'GBP';
export const DEFAULT_MONTH_START_DAY = 1;

export function budgetInputs(parts: InputsParts): BudgetInputs {
  return {
    budgets: plainBudgets(parts.budgets),
    categories: budgetCategories(parts.categories),
    baseCurrency: parts.settings?.baseCurrency ?? DEFAULT_BASE_CURRENCY,
    monthStartDay: parts.settings?.budgetStartDay ?? DEFAULT_MONTH_START_DAY,
    fx: parts.fx,
    scheduled: parts.scheduled,
    today: parts.today,
  };
}
