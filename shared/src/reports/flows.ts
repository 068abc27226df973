import { dateOfDay, dayNumber } from '../date/date.ts';
import { periodStartDay } from '../budget/periods.ts';
import { FLAG, partitionIds } from '../snapshot/snapshot.ts';
import type { Snapshot, YearPartition } from '../snapshot/snapshot.ts';
import {
  Converter, ReportInputError, buckets, exact, partitionsIn, prepareInputs, resolveRange, rootOf, rowView,
} from './context.ts';
import type { PreparedInputs, RowView } from './context.ts';
import type {
  CashFlowRequest, CashFlowResult, CashFlowStep, CategoryBreakdownEntry, CategoryBreakdownGroup, CategoryBreakdownRequest,
  CategoryBreakdownResult, CategoryTransactionsRequest, CategoryTransactionsResult, FlowKind, IncomeExpensePeriod, IncomeExpenseRequest,
  IncomeExpenseResult, ReportInputs, ReportTransactionRow, SpendingTrendsMonth, SpendingTrendsRequest, SpendingTrendsResult,
} from './types.ts';

/**
 * The flow reports (issue 23): income vs expense, cash flow, category breakdown and its drill-down, spending
 * trends. Each is one pass over the snapshot's typed arrays (partitions outside the range skipped), the filters
 * read as per-dictionary-index tables (context.ts); no object is made per row.
 *
 * Rules (the naive reference in the tests states them again over the documents):
 * - a row is a transaction, or one line of a split transaction, with the line's category and amount;
 * - income vs expense: rows of transfers (a transfer leg) and of transfer-kind categories are neither; a row of
 *   an income-kind category is income, of an expense-kind category expense (so a refund, positive, reduces
 *   expense), an uncategorised row (or of a category not in the inputs) by its sign;
 * - expense figures are positive (spending); each row is converted into the base currency at its date's rate
 *   (context.ts), rows of a currency without a rate are left out and the currency named in `missingRates`.
 */

const SKIP = FLAG.deleted | FLAG.transfer;

/**
 * Calls `visit(part, i, baseAmount)` for each row in [from, to] passing the view's filters, not flagged `skip` and
 * kept by `keep` (asked before the row is converted, so a row that would not count never reports a missing rate).
 */
function scan(
  v: RowView, from: number, to: number, skip: number, conv: Converter, visit: (part: YearPartition, i: number, base: number) => void,
  keep: ((part: YearPartition, i: number) => boolean) | null = null,
): void {
  const { accountOk, categoryOk, tagged, rates, s } = v;
  const currencies = s.currencies.values;
  for (const part of partitionsIn(s, from, to)) {
    const { day, amount, currency, account, category, flags } = part;
    const mask = tagged === null ? null : tagged.get(part.year);
    if (tagged !== null && mask === undefined) continue;
    const n = part.length;
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & skip) !== 0) continue;
      const d = day[i]!;
      if (d < from || d > to) continue;
      if (accountOk[account[i]!] === 0 || categoryOk[category[i]!] === 0) continue;
      if (mask != null && mask[i] !== 1) continue;
      if (keep !== null && !keep(part, i)) continue;
      const cur = currency[i]!;
      const table = rates[cur];
      const base = table === null ? amount[i]! : conv.convert(table, currencies[cur]!, amount[i]!, d);
      if (base !== base) continue;
      visit(part, i, base);
    }
  }
}

/** 1 income, −1 expense, 0 neither (a transfer-kind category). */
function classify(kind: number, amount: number): number {
  return kind === 2 ? (amount > 0 ? 1 : amount < 0 ? -1 : 0) : kind;
}

function head(s: Snapshot, p: PreparedInputs, range: ReturnType<typeof resolveRange>, conv: Converter) {
  return { range: { preset: range.preset, from: range.from, to: range.to }, baseCurrency: p.base, missingRates: conv.missingList() };
}

function savings(income: number, expense: number): Omit<IncomeExpensePeriod, 'start' | 'end'> {
  const net = exact(income - expense, 'net');
  return { income: exact(income, 'income'), expense: exact(expense, 'expense'), net, savingsRate: income > 0 ? net / income : null };
}

// ---- income vs expense ---------------------------------------------------------------------------------------

export function incomeExpense(s: Snapshot, inputs: ReportInputs, request: IncomeExpenseRequest): IncomeExpenseResult {
  const p = prepareInputs(inputs);
  const range = resolveRange(s, p, request.filters);
  const b = buckets(p, range.fromDay, range.toDay, request.granularity);
  const v = rowView(s, p, request.filters);
  const conv = new Converter(p.base);
  const n = b.starts.length;
  const income = new Float64Array(n);
  const expense = new Float64Array(n);
  const kinds = v.kind;
  const from = range.fromDay;
  scan(v, range.fromDay, range.toDay, SKIP, conv, (part, i, base) => {
    const k = b.ofDay[part.day[i]! - from]!;
    if (classify(kinds[part.category[i]!]!, part.amount[i]!) === 1) income[k] = income[k]! + base;
    else expense[k] = expense[k]! - base;
  }, (part, i) => classify(kinds[part.category[i]!]!, part.amount[i]!) !== 0);
  let ti = 0;
  let te = 0;
  const periods: IncomeExpensePeriod[] = [];
  for (let k = 0; k < n; k++) {
    ti += income[k]!;
    te += expense[k]!;
    periods.push({ start: dateOfDay(b.starts[k]!), end: dateOfDay(b.ends[k]!), ...savings(income[k]!, expense[k]!) });
  }
  return { ...head(s, p, range, conv), granularity: request.granularity, periods, total: savings(ti, te) };
}

// ---- category breakdown and drill-down -------------------------------------------------------------------------

/** Dictionary index → dictionary-independent group slot (root category), built per call. */
function groupsOf(s: Snapshot, p: PreparedInputs): { group: Int32Array; ids: (string | null)[] } {
  const group = new Int32Array(s.categories.size);
  const ids: (string | null)[] = [null];
  const slot = new Map<string, number>();
  for (let i = 1; i < s.categories.size; i++) {
    const root = rootOf(p, s.categories.valueAt(i)!);
    let g = slot.get(root);
    if (g === undefined) {
      g = ids.length;
      ids.push(root);
      slot.set(root, g);
    }
    group[i] = g;
  }
  return { group, ids };
}

const byTotalThenId = (a: CategoryBreakdownEntry, b: CategoryBreakdownEntry) =>
  b.total - a.total || ((a.categoryId ?? '') < (b.categoryId ?? '') ? -1 : (a.categoryId ?? '') > (b.categoryId ?? '') ? 1 : 0);

export function categoryBreakdown(s: Snapshot, inputs: ReportInputs, request: CategoryBreakdownRequest): CategoryBreakdownResult {
  const p = prepareInputs(inputs);
  const range = resolveRange(s, p, request.filters);
  const v = rowView(s, p, request.filters);
  const conv = new Converter(p.base);
  const want = request.kind === 'income' ? 1 : -1;
  const sums = new Float64Array(s.categories.size);
  const counts = new Uint32Array(s.categories.size);
  const kinds = v.kind;
  scan(v, range.fromDay, range.toDay, SKIP, conv, (part, i, base) => {
    const c = part.category[i]!;
    sums[c] = sums[c]! + base;
    counts[c] = counts[c]! + 1;
  }, (part, i) => classify(kinds[part.category[i]!]!, part.amount[i]!) === want);
  const { group, ids } = groupsOf(s, p);
  const groups = new Map<number, { total: number; count: number; categories: CategoryBreakdownEntry[] }>();
  let total = 0;
  for (let c = 0; c < sums.length; c++) {
    if (counts[c] === 0) continue;
    const t = exact(want * sums[c]!, 'category total');
    const g = group[c]!;
    const entry = groups.get(g) ?? { total: 0, count: 0, categories: [] };
    entry.total += t;
    entry.count += counts[c]!;
    entry.categories.push({ categoryId: s.categories.valueAt(c), total: t, count: counts[c]! });
    groups.set(g, entry);
    total += t;
  }
  const out: CategoryBreakdownGroup[] = [...groups].map(([g, e]) => ({
    categoryId: ids[g]!, total: exact(e.total, 'group total'), count: e.count, categories: e.categories.sort(byTotalThenId),
  }));
  out.sort(byTotalThenId);
  return { ...head(s, p, range, conv), kind: request.kind, total: exact(total, 'total'), groups: out };
}

export const MAX_PAGE_SIZE = 500;

/** The rows of a group or category under the filters, newest first (then id, amount, category), one page. */
export function categoryTransactions(s: Snapshot, inputs: ReportInputs, request: CategoryTransactionsRequest): CategoryTransactionsResult {
  const p = prepareInputs(inputs);
  const { page, pageSize } = request;
  if (!Number.isInteger(page) || page < 0) throw new ReportInputError(`page must be a whole number from 0, got ${String(page)}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new ReportInputError(`pageSize must be 1 to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`);
  const byGroup = request.groupId !== undefined;
  if (byGroup === (request.categoryId !== undefined)) throw new ReportInputError('give one of groupId and categoryId');
  const range = resolveRange(s, p, request.filters);
  const v = rowView(s, p, request.filters);
  // The selection as one more table over the category dictionary.
  const selected = new Uint8Array(s.categories.size);
  const target = byGroup ? request.groupId! : request.categoryId!;
  if (target === null) selected[0] = 1;
  else if (byGroup) {
    const { group, ids } = groupsOf(s, p);
    const g = ids.indexOf(target);
    for (let c = 1; c < selected.length; c++) if (g > 0 && group[c] === g) selected[c] = 1;
  } else {
    const c = s.categories.indexOf(target);
    if (c !== undefined) selected[c] = 1;
  }
  const want = request.kind === 'income' ? 1 : -1;
  const kinds = v.kind;
  const from = range.fromDay;
  // Pass 1: count matching rows per day, newest first is then a walk down the days.
  const perDay = new Int32Array(range.toDay - from + 1);
  const conv = new Converter(p.base);
  let total = 0;
  const match = (part: YearPartition, i: number) => {
    const c = part.category[i]!;
    return selected[c] === 1 && classify(kinds[c]!, part.amount[i]!) === want;
  };
  scan(v, from, range.toDay, SKIP, conv, (part, i) => {
    perDay[part.day[i]! - from]! += 1;
    total += 1;
  }, match);
  const skip = page * pageSize;
  const rows: ReportTransactionRow[] = [];
  if (skip < total) {
    // The days holding this page's rows: from the newest, skip whole days before the page.
    let seen = 0;
    let hi = perDay.length - 1;
    while (hi >= 0 && seen + perDay[hi]! <= skip) seen += perDay[hi--]!;
    let lo = hi;
    let taken = seen;
    while (lo >= 0 && taken < skip + pageSize) taken += perDay[lo--]!;
    lo += 1;
    const picked: ReportTransactionRow[] = [];
    const currencies = s.currencies.values;
    scan(v, from + lo, from + hi, SKIP, new Converter(p.base), (part, i, base) => {
      const ids = partitionIds(part);
      const flags = part.flags[i]!;
      picked.push({
        id: ids[i]!, date: dateOfDay(part.day[i]!), accountId: s.accounts.valueAt(part.account[i]!)!, categoryId: s.categories.valueAt(part.category[i]!),
        amount: part.amount[i]!, currency: currencies[part.currency[i]!]!, baseAmount: base, split: (flags & FLAG.split) !== 0, pending: (flags & FLAG.pending) !== 0,
      });
    }, match);
    picked.sort(compareRows);
    rows.push(...picked.slice(skip - seen, skip - seen + pageSize));
  }
  return { ...head(s, p, range, conv), total, page, pageSize, rows };
}

export function compareRows(a: ReportTransactionRow, b: ReportTransactionRow): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.amount !== b.amount) return a.amount - b.amount;
  const ca = a.categoryId ?? '';
  const cb = b.categoryId ?? '';
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

// ---- cash flow ------------------------------------------------------------------------------------------------

/** Cash per (account, currency) of the filtered accounts at the end of `before` and of `to`, native units. */
function balancesAround(v: RowView, before: number, to: number): { opening: Map<string, number>; closing: Map<string, number> } {
  const { s, p, accountOk } = v;
  const nCur = s.currencies.size;
  const pre = new Float64Array(s.accounts.size * nCur);
  const all = new Float64Array(s.accounts.size * nCur);
  for (const part of partitionsIn(s, -Infinity, to)) {
    const { day, amount, currency, account, flags } = part;
    for (let i = 0; i < part.length; i++) {
      if ((flags[i]! & FLAG.deleted) !== 0) continue;
      const d = day[i]!;
      if (d > to || accountOk[account[i]!] === 0) continue;
      const cell = account[i]! * nCur + currency[i]!;
      all[cell] = all[cell]! + amount[i]!;
      if (d <= before) pre[cell] = pre[cell]! + amount[i]!;
    }
  }
  const opening = new Map<string, number>();
  const closing = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, x: number) => m.set(key, (m.get(key) ?? 0) + x);
  for (let cell = 0; cell < all.length; cell++) {
    const a = Math.floor(cell / nCur);
    if (a === 0 || (pre[cell] === 0 && all[cell] === 0)) continue;
    const key = `${s.accounts.valueAt(a)!}\u0000${s.currencies.valueAt(cell % nCur)!}`;
    add(opening, key, pre[cell]!);
    add(closing, key, all[cell]!);
  }
  for (const a of p.inputs.accounts) {
    if (!accountWanted(v, a.id)) continue;
    const od = dayNumber(a.openingDate);
    const key = `${a.id}\u0000${a.currency}`;
    if (od <= before) add(opening, key, a.openingBalance);
    if (od <= to) add(closing, key, a.openingBalance);
  }
  return { opening, closing };
}

/** Whether an account id passes the account filter (also for accounts the snapshot has never seen). */
export function accountWanted(v: RowView, id: string): boolean {
  return v.accountSet === null || v.accountSet.has(id);
}

/** The base value of native balances keyed "account\0currency" on `day`; currencies without a rate noted. */
export function baseValue(p: PreparedInputs, balances: ReadonlyMap<string, number>, day: number, conv: Converter): number {
  let total = 0;
  for (const [key, native] of balances) {
    if (native === 0) continue;
    const currency = key.slice(key.indexOf('\u0000') + 1);
    const x = conv.convert(currency === p.base ? null : p.fx.get(currency), currency, exact(native, 'balance'), day);
    if (x === x) total += x;
  }
  return total;
}

export function cashFlow(s: Snapshot, inputs: ReportInputs, request: CashFlowRequest): CashFlowResult {
  const p = prepareInputs(inputs);
  const range = resolveRange(s, p, request.filters);
  const byCategory = request.by === 'category';
  // Every row of the filtered accounts moves the balance; the category and tag filters pick which are shown as
  // income and expense steps, the rest is `other`.
  const v = rowView(s, p, request.filters, { categories: false, tags: false });
  const shown = rowView(s, p, request.filters);
  const conv = new Converter(p.base);
  const nCat = s.categories.size;
  const income = new Float64Array(nCat);
  const expense = new Float64Array(nCat);
  let transfers = 0;
  let other = 0;
  const kinds = v.kind;
  scan(v, range.fromDay, range.toDay, FLAG.deleted, conv, (part, i, base) => {
    const c = part.category[i]!;
    const tagMask = shown.tagged?.get(part.year);
    const isShown = shown.categoryOk[c] === 1 && (shown.tagged === null || (tagMask !== undefined && tagMask[i] === 1));
    if (!isShown) {
      other += base;
      return;
    }
    const cls = (part.flags[i]! & FLAG.transfer) !== 0 ? 0 : classify(kinds[c]!, part.amount[i]!);
    if (cls === 0) transfers += base;
    else if (cls === 1) income[c] = income[c]! + base;
    else expense[c] = expense[c]! + base;
  });
  const { group, ids } = groupsOf(s, p);
  const fold = (sums: Float64Array, kind: 'income' | 'expense') => {
    const m = new Map<string | null, number>();
    for (let c = 0; c < nCat; c++) {
      if (sums[c] === 0) continue;
      const key = byCategory ? s.categories.valueAt(c) : ids[group[c]!]!;
      m.set(key, (m.get(key) ?? 0) + sums[c]!);
    }
    return [...m].filter(([, x]) => x !== 0).map(([categoryId, amount]) => ({ kind, categoryId, amount: exact(amount, `${kind} step`) }))
      .sort((a, b) => Math.abs(b.amount) - Math.abs(a.amount) || ((a.categoryId ?? '') < (b.categoryId ?? '') ? -1 : 1));
  };
  const { opening: openNative, closing: closeNative } = balancesAround(v, range.fromDay - 1, range.toDay);
  const opening = exact(baseValue(p, openNative, range.fromDay - 1, conv), 'opening balance');
  const closing = exact(baseValue(p, closeNative, range.toDay, conv), 'closing balance');
  const raw: { kind: CashFlowStep['kind']; categoryId: string | null; amount: number }[] = [
    ...fold(income, 'income'), ...fold(expense, 'expense'),
    { kind: 'transfers', categoryId: null, amount: exact(transfers, 'transfers') },
    { kind: 'other', categoryId: null, amount: exact(other, 'other') },
  ];
  const moved = raw.reduce((a, r) => a + r.amount, 0);
  raw.push({ kind: 'fx', categoryId: null, amount: exact(closing - opening - moved, 'fx') });
  let running = opening;
  const steps: CashFlowStep[] = [];
  for (const r of raw) {
    if (r.amount === 0) continue;
    steps.push({ ...r, before: running, after: running + r.amount });
    running += r.amount;
  }
  return { ...head(s, p, range, conv), opening, steps, closing };
}

// ---- spending trends ------------------------------------------------------------------------------------------

export const MAX_TREND_WINDOW = 24;

function halfEvenDiv(n: number, d: number): number {
  const q = Math.floor(n / d);
  const r = n - q * d;
  const twice = 2 * r;
  const out = twice > d || (twice === d && q % 2 !== 0) ? q + 1 : q;
  return out === 0 ? 0 : out;
}

export function spendingTrends(s: Snapshot, inputs: ReportInputs, request: SpendingTrendsRequest): SpendingTrendsResult {
  const p = prepareInputs(inputs);
  const window = request.window ?? 3;
  if (!Number.isInteger(window) || window < 1 || window > MAX_TREND_WINDOW) throw new ReportInputError(`window must be 1 to ${MAX_TREND_WINDOW} months, got ${String(window)}`);
  const range = resolveRange(s, p, request.filters);
  // Whole budget months: those overlapping the range, and the 12 (or window − 1) before them that year-on-year
  // and the rolling average read.
  const rule = { kind: 'monthly' as const, weekStart: p.weekStart, monthStartDay: p.monthStartDay };
  const back = Math.max(12, window - 1);
  const firstShown = periodStartDay(rule, range.fromDay);
  const b = buckets(p, periodStartDay(rule, firstShown, -back), periodStartDay(rule, range.toDay, 1) - 1, 'month');
  const offset = back;
  const v = rowView(s, p, { ...request.filters, categoryIds: [request.categoryId] });
  const conv = new Converter(p.base);
  const spent = new Float64Array(b.starts.length);
  scan(v, b.from, b.to, SKIP, conv, (part, i, base) => {
    const k = b.ofDay[part.day[i]! - b.from]!;
    spent[k] = spent[k]! - base;
  });
  const months: SpendingTrendsMonth[] = [];
  for (let k = offset; k < b.starts.length; k++) {
    let sum = 0;
    for (let j = k - window + 1; j <= k; j++) sum += j >= 0 ? spent[j]! : 0;
    const lastYear = k - 12 >= 0 ? spent[k - 12]! : 0;
    const x = exact(spent[k]!, 'spent');
    months.push({
      start: dateOfDay(b.starts[k]!), end: dateOfDay(b.ends[k]!), spent: x, rollingAverage: halfEvenDiv(exact(sum, 'rolling sum'), window),
      lastYear: exact(lastYear, 'last year'), yearOnYear: lastYear === 0 ? null : (x - lastYear) / lastYear,
    });
  }
  return { ...head(s, p, range, conv), categoryId: request.categoryId, window, months };
}

export type { FlowKind };
