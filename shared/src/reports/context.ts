import { convertExact, parseRate } from '../budget/fx.ts';
import type { ParsedRate } from '../budget/fx.ts';
import { checkPeriodRule, periodStartDay } from '../budget/periods.ts';
import type { PeriodRule } from '../budget/types.ts';
import { CalendarDateError, dateOfDay, dayNumber, isCalendarDate } from '../date/date.ts';
import { currencyExponent } from '../money/money.ts';
import { ACCOUNT_TYPES, LIABILITY_TYPES } from '../schema/registry.ts';
import { FLAG, rowIndex } from '../snapshot/snapshot.ts';
import type { Snapshot, YearPartition } from '../snapshot/snapshot.ts';
import { REPORT_PRESETS } from './types.ts';
import type { ReportFilters, ReportGranularity, ReportInputs, ResolvedRange } from './types.ts';

/**
 * What every report shares: the inputs checked and indexed once per inputs object, the filters resolved to
 * per-dictionary-index lookup tables over the snapshot (so the row loops read typed arrays only), the time
 * buckets, and conversion into the base currency.
 *
 * Conversion rule (all reports but budget vs actual, which is the budget engine's own): each row (a transaction,
 * or one split line) is converted on its own at the rate of its date — the latest rate on or before it — half-even
 * to the base currency's minor units, exactly as convertMinor of @mymidas/shared/money does; the converted rows are
 * then summed. Balances are converted at the rate of the date they are taken on. Exact integer arithmetic: a
 * Number fast path when every intermediate stays below 2^53, else BigInt (budget/fx.ts convertExact).
 */

export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
}

const CURRENCY_RE = /^[A-Z]{3}$/;
const RATE_RE = /^\d+(\.\d+)?$/;

export function dayOfDate(date: unknown, what: string): number {
  if (typeof date !== 'string' || !isCalendarDate(date)) throw new ReportInputError(`${what} must be a calendar date (YYYY-MM-DD), got ${JSON.stringify(date)}`);
  return dayNumber(date);
}

export function checkMinor(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ReportInputError(`${what} must be whole minor units, got ${String(value)}`);
  return value;
}

/** A safe integer or RangeError (sums are exact below 2^53). Never −0. */
export function exact(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} is beyond exact integer range (${value})`);
  return value === 0 ? 0 : value;
}

// ---- rates ---------------------------------------------------------------------------------------------------

/** One foreign currency's rates into the base currency. */
export interface RateTable {
  readonly currency: string;
  readonly days: Int32Array;
  readonly rates: readonly string[];
  readonly parsed: (ParsedRate | undefined)[];
  /** Number(digits) when exact (≤ 2^53), else NaN; filled with `parsed`. */
  readonly digits: Float64Array;
  /** currencyExponent(base) − currencyExponent(currency). */
  readonly expShift: number;
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Index of the latest rate on or before `day`, −1 when none. */
export function rateIndexAt(t: RateTable, day: number): number {
  const days = t.days;
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function parsedAt(t: RateTable, index: number): ParsedRate {
  let p = t.parsed[index];
  if (p === undefined) {
    p = parseRate(t.rates[index]!);
    t.parsed[index] = p;
    const n = Number(p.digits);
    t.digits[index] = Number.isSafeInteger(n) && BigInt(n) === p.digits ? n : Number.NaN;
  }
  return p;
}

/**
 * amount (minor units of t.currency) × the rate at `index` → base minor units, half-even; the same result as
 * convertExact (tested against it), without BigInt when the product stays exact in a double.
 */
export function convertAt(t: RateTable, index: number, amount: number, base: string): number {
  const p = parsedAt(t, index);
  const digits = t.digits[index]!;
  const shift = t.expShift - p.scale;
  if (digits === digits) {
    const n = amount * digits;
    if (Number.isSafeInteger(n)) {
      if (shift >= 0) {
        if (shift < 16) {
          const r = n * POW10[shift]!;
          if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
        }
      } else if (-shift < 16) {
        const den = POW10[-shift]!;
        let q = Math.trunc(n / den);
        let rem = n - q * den;
        // The float quotient can be one off: bring the remainder into (−den, den) with the sign of n.
        if (n >= 0) {
          while (rem < 0) { q -= 1; rem += den; }
          while (rem >= den) { q += 1; rem -= den; }
        } else {
          while (rem > 0) { q += 1; rem -= den; }
          while (rem <= -den) { q -= 1; rem += den; }
        }
        const twice = Math.abs(rem) * 2;
        if (twice > den || (twice === den && q % 2 !== 0)) q += n < 0 ? -1 : 1;
        return q === 0 ? 0 : q;
      }
    }
  }
  return convertExact(amount, t.currency, base, p);
}

// ---- inputs --------------------------------------------------------------------------------------------------

export interface PreparedInputs {
  readonly inputs: ReportInputs;
  readonly base: string;
  readonly monthStartDay: number;
  readonly weekStart: number;
  readonly today: number;
  readonly accountIndex: ReadonlyMap<string, number>;
  readonly categoryById: ReadonlyMap<string, { readonly parentId: string | null; readonly kind: 'income' | 'expense' | 'transfer' }>;
  /** Children by parent id. */
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly fx: ReadonlyMap<string, RateTable>;
  readonly tagIndex: ReadonlyMap<string, readonly string[]>;
}

const preparedCache = new WeakMap<ReportInputs, PreparedInputs>();

/** Checks and indexes the inputs (once per inputs object; treat it as immutable). ReportInputError when bad. */
export function prepareInputs(inputs: ReportInputs): PreparedInputs {
  const hit = preparedCache.get(inputs);
  if (hit) return hit;
  if (!inputs || typeof inputs !== 'object') throw new ReportInputError('report inputs are missing');
  const base = inputs.baseCurrency;
  if (typeof base !== 'string' || !CURRENCY_RE.test(base)) throw new ReportInputError(`the base currency must be an ISO 4217 code, got ${JSON.stringify(base)}`);
  if (!Number.isInteger(inputs.monthStartDay) || inputs.monthStartDay < 1 || inputs.monthStartDay > 28) throw new ReportInputError(`monthStartDay must be 1 to 28, got ${String(inputs.monthStartDay)}`);
  if (!Number.isInteger(inputs.weekStart) || inputs.weekStart < 0 || inputs.weekStart > 6) throw new ReportInputError(`weekStart must be 0 to 6, got ${String(inputs.weekStart)}`);
  const today = dayOfDate(inputs.today, 'today');
  for (const key of ['accounts', 'categories', 'fx', 'budgets', 'tagged'] as const) {
    if (!Array.isArray(inputs[key] as unknown)) throw new ReportInputError(`inputs.${key} must be a list`);
  }
  const accountIndex = new Map<string, number>();
  inputs.accounts.forEach((a, i) => {
    if (accountIndex.has(a.id)) throw new ReportInputError(`account ${a.id} is listed twice`);
    if (!(ACCOUNT_TYPES as readonly string[]).includes(a.type)) throw new ReportInputError(`account ${a.id}: unknown type ${JSON.stringify(a.type)}`);
    if (typeof a.currency !== 'string' || !CURRENCY_RE.test(a.currency)) throw new ReportInputError(`account ${a.id}: currency must be an ISO 4217 code`);
    checkMinor(a.openingBalance, `account ${a.id} opening balance`);
    dayOfDate(a.openingDate, `account ${a.id} opening date`);
    accountIndex.set(a.id, i);
  });
  const categoryById = new Map<string, { parentId: string | null; kind: 'income' | 'expense' | 'transfer' }>();
  const children = new Map<string, string[]>();
  for (const c of inputs.categories) {
    if (c.kind !== 'income' && c.kind !== 'expense' && c.kind !== 'transfer') throw new ReportInputError(`category ${c.id}: unknown kind ${JSON.stringify(c.kind)}`);
    categoryById.set(c.id, { parentId: c.parentId, kind: c.kind });
    if (c.parentId !== null) {
      const list = children.get(c.parentId);
      if (list) list.push(c.id);
      else children.set(c.parentId, [c.id]);
    }
  }
  const fx = new Map<string, RateTable>();
  for (const series of inputs.fx) {
    const cur = series.currency;
    if (typeof cur !== 'string' || !CURRENCY_RE.test(cur)) throw new ReportInputError(`FX series currency must be an ISO 4217 code, got ${JSON.stringify(cur)}`);
    if (cur === base) throw new ReportInputError('the base currency needs no FX series');
    if (fx.has(cur)) throw new ReportInputError(`two FX series for ${cur}`);
    if (series.dates.length !== series.rates.length) throw new ReportInputError(`FX series ${cur}: dates and rates must pair up`);
    const days = new Int32Array(series.dates.length);
    series.dates.forEach((date, i) => {
      days[i] = dayOfDate(date, `FX date of ${cur}`);
      if (i > 0 && days[i]! <= days[i - 1]!) throw new ReportInputError(`FX series ${cur}: dates must ascend`);
      const rate = series.rates[i];
      if (typeof rate !== 'string' || !RATE_RE.test(rate) || !/[1-9]/.test(rate)) throw new ReportInputError(`FX series ${cur}: rate on ${date} must be a positive decimal string`);
    });
    fx.set(cur, {
      currency: cur, days, rates: series.rates, parsed: new Array<ParsedRate | undefined>(days.length),
      digits: new Float64Array(days.length), expShift: currencyExponent(base) - currencyExponent(cur),
    });
  }
  const tagIndex = new Map<string, string[]>();
  for (const t of inputs.tagged) {
    if (typeof t.id !== 'string' || !Array.isArray(t.tags)) throw new ReportInputError('tagged entries are { id, tags }');
    for (const tag of t.tags) {
      const list = tagIndex.get(tag);
      if (list) list.push(t.id);
      else tagIndex.set(tag, [t.id]);
    }
  }
  const prepared: PreparedInputs = {
    inputs, base, monthStartDay: inputs.monthStartDay, weekStart: inputs.weekStart, today, accountIndex, categoryById, children, fx, tagIndex,
  };
  preparedCache.set(inputs, prepared);
  return prepared;
}

/** The category and every descendant (a parentId cycle cannot loop). */
export function subtree(p: PreparedInputs, categoryId: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = [categoryId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    for (const child of p.children.get(id) ?? []) stack.push(child);
  }
  return out;
}

/** The top-level ancestor of a category (itself when it has no known parent; a cycle stops where it repeats). */
export function rootOf(p: PreparedInputs, categoryId: string): string {
  let id = categoryId;
  const seen = new Set<string>([id]);
  for (;;) {
    const parent = p.categoryById.get(id)?.parentId ?? null;
    if (parent === null || seen.has(parent) || !p.categoryById.has(parent)) return id;
    seen.add(parent);
    id = parent;
  }
}

export function isLiability(type: string): boolean {
  return LIABILITY_TYPES.has(type as never);
}

// ---- ranges and buckets --------------------------------------------------------------------------------------

function rule(p: PreparedInputs, kind: PeriodRule['kind']): PeriodRule {
  const r = { kind, weekStart: p.weekStart, monthStartDay: p.monthStartDay };
  checkPeriodRule(r);
  return r;
}

/** The first and last day with anything in the ledger (rows or account openings), or null when empty. */
export function ledgerSpan(s: Snapshot, p: PreparedInputs): { first: number; last: number } | null {
  let first = Infinity;
  let last = -Infinity;
  for (const part of s.years.values()) {
    const { day, flags } = part;
    for (let i = 0; i < part.length; i++) {
      if ((flags[i]! & FLAG.deleted) !== 0) continue;
      const d = day[i]!;
      if (d < first) first = d;
      if (d > last) last = d;
    }
  }
  for (const a of p.inputs.accounts) {
    const d = dayNumber(a.openingDate);
    if (d < first) first = d;
    if (d > last) last = d;
  }
  return first === Infinity ? null : { first, last };
}

/** The days a filter set means, today (ReportInputError for a custom range without dates or backwards). */
export function resolveRange(s: Snapshot, p: PreparedInputs, filters: Pick<ReportFilters, 'preset' | 'from' | 'to'>): ResolvedRange & { fromDay: number; toDay: number } {
  const preset = filters.preset;
  if (!(REPORT_PRESETS as readonly string[]).includes(preset)) throw new ReportInputError(`unknown date preset ${JSON.stringify(preset)}`);
  const t = p.today;
  const span = (kind: PeriodRule['kind'], back: number, count: number): [number, number] => {
    const r = rule(p, kind);
    return [periodStartDay(r, t, -back), periodStartDay(r, t, -back + count) - 1];
  };
  let from: number;
  let to: number;
  switch (preset) {
    case 'this-month': [from, to] = span('monthly', 0, 1); break;
    case 'last-month': [from, to] = span('monthly', 1, 1); break;
    case 'last-3-months': [from, to] = span('monthly', 2, 3); break;
    case 'last-6-months': [from, to] = span('monthly', 5, 6); break;
    case 'last-12-months': [from, to] = span('monthly', 11, 12); break;
    case 'this-quarter': [from, to] = span('quarterly', 0, 1); break;
    case 'last-quarter': [from, to] = span('quarterly', 1, 1); break;
    case 'this-year': [from, to] = span('yearly', 0, 1); break;
    case 'last-year': [from, to] = span('yearly', 1, 1); break;
    case 'year-to-date': from = span('yearly', 0, 1)[0]; to = t; break;
    case 'all-time': {
      const ledger = ledgerSpan(s, p);
      from = ledger ? Math.min(ledger.first, t) : t;
      to = ledger ? Math.max(ledger.last, t) : t;
      break;
    }
    case 'custom': {
      if (filters.from === undefined || filters.to === undefined) throw new ReportInputError('a custom range needs from and to');
      from = dayOfDate(filters.from, 'from');
      to = dayOfDate(filters.to, 'to');
      if (from > to) throw new ReportInputError(`from (${filters.from}) is after to (${filters.to})`);
      break;
    }
  }
  return { preset, from: dateOfDay(from), to: dateOfDay(to), fromDay: from, toDay: to };
}

export interface Buckets {
  /** First and last day of each bucket, clipped to the range. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Bucket of day `from + k`. */
  readonly ofDay: Int32Array;
  readonly from: number;
  readonly to: number;
}

export const MAX_RANGE_DAYS = 400 * 366;

/** The range cut into buckets of a granularity (weeks from weekStart, budget months/quarters/years). */
export function buckets(p: PreparedInputs, from: number, to: number, granularity: ReportGranularity): Buckets {
  if (to - from + 1 > MAX_RANGE_DAYS) throw new ReportInputError('the range is longer than 400 years');
  const starts: number[] = [];
  const ends: number[] = [];
  const ofDay = new Int32Array(to - from + 1);
  if (granularity === 'day') {
    for (let d = from; d <= to; d++) {
      ofDay[d - from] = d - from;
      starts.push(d);
      ends.push(d);
    }
  } else {
    const kind = granularity === 'week' ? 'weekly' : granularity === 'month' ? 'monthly' : granularity === 'quarter' ? 'quarterly' : 'yearly';
    const r = rule(p, kind);
    let start = from;
    while (start <= to) {
      let next: number;
      try {
        next = periodStartDay(r, start, 1);
      } catch (error) {
        if (error instanceof CalendarDateError) next = to + 1;
        else throw error;
      }
      const end = Math.min(next - 1, to);
      const b = starts.length;
      starts.push(start);
      ends.push(end);
      ofDay.fill(b, start - from, end - from + 1);
      start = next;
    }
  }
  return { starts: Int32Array.from(starts), ends: Int32Array.from(ends), ofDay, from, to };
}

// ---- the filters as lookup tables over one snapshot ----------------------------------------------------------

export interface RowView {
  readonly s: Snapshot;
  readonly p: PreparedInputs;
  /** 1 when the account (snapshot dictionary index) passes the filter. */
  readonly accountOk: Uint8Array;
  /** The account filter's ids; null when every account passes. */
  readonly accountSet: ReadonlySet<string> | null;
  /** 1 when the category (dictionary index, 0 = uncategorised) passes the filter. */
  readonly categoryOk: Uint8Array;
  /** Per year: 1 for the slots of transactions that carry a wanted tag; null when there is no tag filter. */
  readonly tagged: ReadonlyMap<number, Uint8Array> | null;
  /** Category kind per dictionary index: 1 income, −1 expense, 0 transfer, 2 uncategorised or unknown (by sign). */
  readonly kind: Int8Array;
  /** Per currency dictionary index: null for the base currency, its rates, or undefined when it has none. */
  readonly rates: readonly (RateTable | null | undefined)[];
}

/** The filters as per-index tables over the snapshot's dictionaries (ReportInputError for an unknown id format). */
export function rowView(s: Snapshot, p: PreparedInputs, filters: ReportFilters, use: { accounts?: boolean; categories?: boolean; tags?: boolean } = {}): RowView {
  const accountOk = new Uint8Array(s.accounts.size);
  const accountIds = use.accounts === false ? [] : filters.accountIds ?? [];
  if (accountIds.length === 0) accountOk.fill(1);
  else for (const id of accountIds) {
    const i = s.accounts.indexOf(id);
    if (i !== undefined && i > 0) accountOk[i] = 1;
  }
  const categoryOk = new Uint8Array(s.categories.size);
  const categoryIds = use.categories === false ? [] : filters.categoryIds ?? [];
  if (categoryIds.length === 0) categoryOk.fill(1);
  else for (const id of categoryIds) {
    if (id === null) {
      categoryOk[0] = 1;
      continue;
    }
    for (const c of subtree(p, id)) {
      const i = s.categories.indexOf(c);
      if (i !== undefined) categoryOk[i] = 1;
    }
  }
  let tagged: Map<number, Uint8Array> | null = null;
  const tags = use.tags === false ? [] : filters.tags ?? [];
  if (tags.length > 0) {
    tagged = new Map();
    const index = rowIndex(s);
    for (const tag of tags) {
      for (const id of p.tagIndex.get(tag) ?? []) {
        const ref = index.get(id);
        if (!ref) continue;
        let mask = tagged.get(ref.year);
        if (!mask) {
          mask = new Uint8Array(s.years.get(ref.year)!.length);
          tagged.set(ref.year, mask);
        }
        for (const slot of ref.slots) mask[slot] = 1;
      }
    }
  }
  const kind = new Int8Array(s.categories.size);
  kind[0] = 2;
  for (let i = 1; i < s.categories.size; i++) {
    const k = p.categoryById.get(s.categories.valueAt(i)!)?.kind;
    kind[i] = k === 'income' ? 1 : k === 'expense' ? -1 : k === 'transfer' ? 0 : 2;
  }
  const rates = s.currencies.values.map((c) => (c === null ? undefined : c === p.base ? null : p.fx.get(c)));
  return { s, p, accountOk, accountSet: accountIds.length === 0 ? null : new Set(accountIds), categoryOk, tagged, kind, rates };
}

/** Partitions whose year may hold days in [from, to]. */
export function partitionsIn(s: Snapshot, from: number, to: number): YearPartition[] {
  const out: YearPartition[] = [];
  for (const part of s.years.values()) {
    const first = Date.UTC(part.year, 0, 1) / 86_400_000;
    const last = Date.UTC(part.year + 1, 0, 1) / 86_400_000 - 1;
    if (last >= from && first <= to) out.push(part);
  }
  return out;
}

/**
 * Converts row amounts of one currency at their days' rates, remembering the last day's rate index (rows come
 * mostly in date order). Missing rates are recorded in `missing`; the call returns NaN for them.
 */
export class Converter {
  private lastTable: RateTable | null = null;
  private lastDay = 0;
  private lastIndex = -1;
  readonly missing = new Set<string>();

  constructor(private readonly base: string) {}

  /** Base minor units of `amount` on `day`, or NaN (and the currency noted) without a rate. */
  convert(table: RateTable | null | undefined, currency: string, amount: number, day: number): number {
    if (table === null) return amount;
    if (table === undefined) {
      this.missing.add(currency);
      return Number.NaN;
    }
    let index: number;
    if (table === this.lastTable && day === this.lastDay) index = this.lastIndex;
    else {
      index = rateIndexAt(table, day);
      this.lastTable = table;
      this.lastDay = day;
      this.lastIndex = index;
    }
    if (index < 0) {
      this.missing.add(currency);
      return Number.NaN;
    }
    return convertAt(table, index, amount, this.base);
  }

  missingList(): string[] {
    return [...this.missing].sort();
  }
}
