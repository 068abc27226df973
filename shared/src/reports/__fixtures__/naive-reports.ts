import { addDays, dayNumber, dateOfDay, weekday } from '../../date/date.ts';
import { holdingsAt } from '../../invest/invest.ts';
import type { InvestInputs } from '../../invest/invest.ts';
import { convertMinor } from '../../money/money.ts';
import { LIABILITY_TYPES } from '../../schema/registry.ts';
import type { SnapshotDoc } from '../../snapshot/snapshot.ts';
import type {
  CashFlowResult, CategoryBreakdownResult, IncomeExpensePeriod, NetWorthPoint, ReportFilters, ReportInputs, ReportTransactionRow, SpendingTrendsMonth,
} from '../types.ts';

/**
 * The reports worked out the slow, obvious way straight from the transaction documents — no snapshot, no typed
 * arrays, no day numbers in the loops: dates compared as text, periods found by walking day by day, every
 * amount converted with convertMinor (decimal.js) of @mymidas/shared/money. The rules are restated here from
 * the issue, not imported from the engine.
 */

export type Doc = SnapshotDoc & { readonly _deleted?: boolean; readonly tags: readonly string[] };

export interface Line {
  readonly doc: Doc;
  readonly categoryId: string | null;
  readonly amount: number;
}

export function liveLines(docs: readonly Doc[]): Line[] {
  const out: Line[] = [];
  for (const doc of docs) {
    if (doc._deleted === true) continue;
    if (doc.splits.length === 0) out.push({ doc, categoryId: doc.categoryId, amount: doc.amount });
    else for (const s of doc.splits) out.push({ doc, categoryId: s.categoryId, amount: s.amount });
  }
  return out;
}

/** The rate of a currency into the base on a date: the latest on or before it; null when none. */
export function rateOn(inputs: ReportInputs, currency: string, date: string): string | null {
  const series = inputs.fx.find((s) => s.currency === currency);
  if (!series) return null;
  let rate: string | null = null;
  series.dates.forEach((d, i) => {
    if (d <= date) rate = series.rates[i]!;
  });
  return rate;
}

/** Base minor units, or null without a rate (the currency is then noted in `missing`). */
export function toBase(inputs: ReportInputs, amount: number, currency: string, date: string, missing: Set<string>): number | null {
  if (currency === inputs.baseCurrency) return amount;
  const rate = rateOn(inputs, currency, date);
  if (rate === null) {
    missing.add(currency);
    return null;
  }
  return convertMinor(amount, currency, inputs.baseCurrency, rate);
}

export function descendants(inputs: ReportInputs, id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of inputs.categories) if (c.parentId !== null && out.has(c.parentId) && !out.has(c.id)) {
      out.add(c.id);
      grew = true;
    }
  }
  return out;
}

export function topOf(inputs: ReportInputs, id: string): string {
  let current = id;
  for (;;) {
    const c = inputs.categories.find((x) => x.id === current);
    if (!c || c.parentId === null || !inputs.categories.some((x) => x.id === c.parentId)) return current;
    current = c.parentId;
  }
}

export function passes(inputs: ReportInputs, filters: ReportFilters, line: Line, which: { accounts?: boolean; categories?: boolean; tags?: boolean } = {}): boolean {
  if (which.accounts !== false && (filters.accountIds ?? []).length > 0 && !filters.accountIds!.includes(line.doc.accountId)) return false;
  if (which.categories !== false && (filters.categoryIds ?? []).length > 0) {
    const ok = filters.categoryIds!.some((c) => (c === null ? line.categoryId === null : line.categoryId !== null && descendants(inputs, c).has(line.categoryId)));
    if (!ok) return false;
  }
  if (which.tags !== false && (filters.tags ?? []).length > 0) {
    const tags = inputs.tagged.find((t) => t.id === line.doc.id)?.tags ?? [];
    if (!filters.tags!.some((t) => tags.includes(t))) return false;
  }
  return true;
}

/** 'income', 'expense' or null (a transfer, or a transfer-kind category). */
export function flowOf(inputs: ReportInputs, line: Line): 'income' | 'expense' | null {
  if (line.doc.transferId !== null) return null;
  const kind = line.categoryId === null ? undefined : inputs.categories.find((c) => c.id === line.categoryId)?.kind;
  if (kind === 'transfer') return null;
  if (kind === 'income') return 'income';
  if (kind === 'expense') return 'expense';
  return line.amount > 0 ? 'income' : line.amount < 0 ? 'expense' : null;
}

/** The start of the bucket holding `date`, found by stepping back a day at a time. */
export function bucketStart(inputs: ReportInputs, granularity: 'day' | 'week' | 'month' | 'quarter' | 'year', date: string): string {
  if (granularity === 'day') return date;
  let d = date;
  const starts = (x: string) => {
    if (granularity === 'week') return weekday(x) === inputs.weekStart;
    const month = Number(x.slice(5, 7));
    if (Number(x.slice(8, 10)) !== inputs.monthStartDay) return false;
    return granularity === 'month' || (granularity === 'quarter' ? (month - 1) % 3 === 0 : month === 1);
  };
  while (!starts(d)) d = addDays(d, -1);
  return d;
}

export function naiveBuckets(inputs: ReportInputs, granularity: 'day' | 'week' | 'month' | 'quarter' | 'year', from: string, to: string): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const last = out[out.length - 1];
    if (last && bucketStart(inputs, granularity, d) === bucketStart(inputs, granularity, last.start)) last.end = d;
    else out.push({ start: d, end: d });
  }
  return out;
}

function rate(income: number, expense: number): Omit<IncomeExpensePeriod, 'start' | 'end'> {
  return { income, expense, net: income - expense, savingsRate: income > 0 ? (income - expense) / income : null };
}

export function naiveIncomeExpense(docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters & { from: string; to: string }, granularity: 'month' | 'quarter' | 'year') {
  const missing = new Set<string>();
  const periods = naiveBuckets(inputs, granularity, filters.from, filters.to).map((b) => {
    let income = 0;
    let expense = 0;
    for (const line of liveLines(docs)) {
      if (line.doc.date < b.start || line.doc.date > b.end || !passes(inputs, filters, line)) continue;
      const flow = flowOf(inputs, line);
      if (flow === null) continue;
      const base = toBase(inputs, line.amount, line.doc.currency, line.doc.date, missing);
      if (base === null) continue;
      if (flow === 'income') income += base;
      else expense -= base;
    }
    return { start: b.start, end: b.end, ...rate(income, expense) };
  });
  const total = rate(periods.reduce((a, p) => a + p.income, 0), periods.reduce((a, p) => a + p.expense, 0));
  return { periods, total, missingRates: [...missing].sort() };
}

export function naiveBreakdown(docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters & { from: string; to: string }, kind: 'income' | 'expense') {
  const missing = new Set<string>();
  const byCategory = new Map<string | null, { total: number; count: number }>();
  for (const line of liveLines(docs)) {
    if (line.doc.date < filters.from || line.doc.date > filters.to || !passes(inputs, filters, line)) continue;
    if (flowOf(inputs, line) !== kind) continue;
    const base = toBase(inputs, line.amount, line.doc.currency, line.doc.date, missing);
    if (base === null) continue;
    const e = byCategory.get(line.categoryId) ?? { total: 0, count: 0 };
    e.total += kind === 'income' ? base : -base;
    e.count += 1;
    byCategory.set(line.categoryId, e);
  }
  const groups = new Map<string | null, CategoryBreakdownResult['groups'][number] & { categories: { categoryId: string | null; total: number; count: number }[] }>();
  for (const [categoryId, e] of byCategory) {
    const top = categoryId === null ? null : topOf(inputs, categoryId);
    const g = groups.get(top) ?? { categoryId: top, total: 0, count: 0, categories: [] };
    groups.set(top, { ...g, total: g.total + e.total, count: g.count + e.count, categories: [...g.categories, { categoryId, ...e }] });
  }
  const order = (a: { total: number; categoryId: string | null }, b: { total: number; categoryId: string | null }) =>
    b.total - a.total || ((a.categoryId ?? '') < (b.categoryId ?? '') ? -1 : 1);
  const list = [...groups.values()].map((g) => ({ ...g, categories: g.categories.sort(order) })).sort(order);
  return { total: list.reduce((a, g) => a + g.total, 0), groups: list, missingRates: [...missing].sort() };
}

export function naiveTransactions(
  docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters & { from: string; to: string }, kind: 'income' | 'expense', select: { groupId?: string | null; categoryId?: string | null },
): ReportTransactionRow[] {
  const missing = new Set<string>();
  const rows: ReportTransactionRow[] = [];
  for (const line of liveLines(docs)) {
    if (line.doc.date < filters.from || line.doc.date > filters.to || !passes(inputs, filters, line)) continue;
    if (flowOf(inputs, line) !== kind) continue;
    if (select.groupId !== undefined) {
      const top = line.categoryId === null ? null : topOf(inputs, line.categoryId);
      if (top !== select.groupId) continue;
    } else if (line.categoryId !== select.categoryId) continue;
    const base = toBase(inputs, line.amount, line.doc.currency, line.doc.date, missing);
    if (base === null) continue;
    rows.push({
      id: line.doc.id, date: line.doc.date, accountId: line.doc.accountId, categoryId: line.categoryId, amount: line.amount, currency: line.doc.currency,
      baseAmount: base, split: line.doc.splits.length > 0, pending: line.doc.status === 'pending',
    });
  }
  return rows.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.id !== b.id ? (a.id < b.id ? -1 : 1) : a.amount - b.amount || ((a.categoryId ?? '') < (b.categoryId ?? '') ? -1 : (a.categoryId ?? '') > (b.categoryId ?? '') ? 1 : 0)));
}

/** Cash per account and currency at the end of `date`: opening balances from their dates, transactions, investment cash. */
export function naiveCash(docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters, date: string, invest: InvestInputs | null): Map<string, number> {
  const out = new Map<string, number>();
  const add = (account: string, currency: string, x: number) => {
    if ((filters.accountIds ?? []).length > 0 && !filters.accountIds!.includes(account)) return;
    const key = `${account}|${currency}`;
    out.set(key, (out.get(key) ?? 0) + x);
  };
  for (const a of inputs.accounts) if (a.openingDate <= date) add(a.id, a.currency, a.openingBalance);
  for (const doc of docs) if (doc._deleted !== true && doc.date <= date) add(doc.accountId, doc.currency, doc.amount);
  for (const t of invest?.transactions ?? []) if (t.date <= date) add(t.accountId, t.currency, t.amount);
  return out;
}

export function naiveNetWorth(docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters & { from: string; to: string }, granularity: 'day' | 'week' | 'month', invest: InvestInputs | null) {
  const missing = new Set<string>();
  const points: NetWorthPoint[] = naiveBuckets(inputs, granularity, filters.from, filters.to).map(({ end }) => {
    let assets = 0;
    let liabilities = 0;
    for (const [key, native] of naiveCash(docs, inputs, filters, end, invest)) {
      if (native === 0) continue;
      const [account, currency] = key.split('|') as [string, string];
      const base = toBase(inputs, native, currency, end, missing);
      if (base === null) continue;
      const type = inputs.accounts.find((a) => a.id === account)?.type;
      if (type !== undefined && LIABILITY_TYPES.has(type)) liabilities += base;
      else assets += base;
    }
    let investments = 0;
    if (invest) {
      for (const h of holdingsAt(invest, end).holdings) {
        if ((filters.accountIds ?? []).length > 0 && !filters.accountIds!.includes(h.accountId)) continue;
        investments += h.marketValue ?? 0;
      }
    }
    return { date: end, assets: assets + investments, liabilities, net: assets + investments + liabilities, investments };
  });
  return { points, missingRates: [...missing].sort() };
}

export function naiveCashFlow(docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters & { from: string; to: string }, by: 'group' | 'category') {
  const missing = new Set<string>();
  const value = (date: string) => {
    let total = 0;
    for (const [key, native] of naiveCash(docs, inputs, filters, date, null)) {
      const base = native === 0 ? 0 : toBase(inputs, native, key.split('|')[1]!, date, missing);
      total += base ?? 0;
    }
    return total;
  };
  const opening = value(addDays(filters.from, -1));
  const closing = value(filters.to);
  const income = new Map<string | null, number>();
  const expense = new Map<string | null, number>();
  let transfers = 0;
  let other = 0;
  for (const line of liveLines(docs)) {
    if (line.doc.date < filters.from || line.doc.date > filters.to || !passes(inputs, filters, line, { categories: false, tags: false })) continue;
    const base = toBase(inputs, line.amount, line.doc.currency, line.doc.date, missing);
    if (base === null) continue;
    if (!passes(inputs, filters, line)) {
      other += base;
      continue;
    }
    const flow = flowOf(inputs, line);
    if (flow === null) {
      transfers += base;
      continue;
    }
    const key = line.categoryId === null || by === 'category' ? line.categoryId : topOf(inputs, line.categoryId);
    const m = flow === 'income' ? income : expense;
    m.set(key, (m.get(key) ?? 0) + base);
  }
  const steps = (m: Map<string | null, number>, kind: 'income' | 'expense') => [...m].filter(([, x]) => x !== 0)
    .map(([categoryId, amount]) => ({ kind, categoryId, amount }))
    .sort((a, b) => Math.abs(b.amount) - Math.abs(a.amount) || ((a.categoryId ?? '') < (b.categoryId ?? '') ? -1 : 1));
  const list: { kind: CashFlowResult['steps'][number]['kind']; categoryId: string | null; amount: number }[] = [
    ...steps(income, 'income'), ...steps(expense, 'expense'),
    { kind: 'transfers', categoryId: null, amount: transfers }, { kind: 'other', categoryId: null, amount: other },
  ];
  list.push({ kind: 'fx', categoryId: null, amount: closing - opening - list.reduce((a, s) => a + s.amount, 0) });
  return { opening, closing, steps: list.filter((s) => s.amount !== 0), missingRates: [...missing].sort() };
}

export function naiveTrends(docs: readonly Doc[], inputs: ReportInputs, filters: ReportFilters & { from: string; to: string }, categoryId: string | null, window: number) {
  const missing = new Set<string>();
  const first = bucketStart(inputs, 'month', filters.from);
  const monthsShown = naiveBuckets(inputs, 'month', first, filters.to);
  const last = monthsShown[monthsShown.length - 1]!;
  // Whole months: the last one runs to the day before the next month starts.
  let lastEnd = last.end;
  while (bucketStart(inputs, 'month', addDays(lastEnd, 1)) === last.start) lastEnd = addDays(lastEnd, 1);
  const covered = categoryId === null ? null : descendants(inputs, categoryId);
  const spentIn = (start: string, end: string) => {
    let spent = 0;
    for (const line of liveLines(docs)) {
      if (line.doc.date < start || line.doc.date > end || line.doc.transferId !== null) continue;
      if (covered === null ? line.categoryId !== null : line.categoryId === null || !covered.has(line.categoryId)) continue;
      if (!passes(inputs, filters, line, { categories: false })) continue;
      const base = toBase(inputs, line.amount, line.doc.currency, line.doc.date, missing);
      if (base !== null) spent -= base;
    }
    return spent;
  };
  /** The month `n` months before the one starting on `start`. */
  const monthBack = (start: string, n: number) => {
    let s = start;
    for (let k = 0; k < n; k++) s = bucketStart(inputs, 'month', addDays(s, -1));
    return s;
  };
  const monthEnd = (start: string) => addDays(bucketStart(inputs, 'month', addDays(start, 31)), -1);
  // Every month read (the shown ones and the 12, or window − 1, before them) notes its missing rates.
  spentIn(monthBack(first, Math.max(12, window - 1)), addDays(first, -1));
  const months: SpendingTrendsMonth[] = monthsShown.map((m, k) => {
    const end = k === monthsShown.length - 1 ? lastEnd : m.end;
    const spent = spentIn(m.start, end);
    let sum = 0;
    for (let j = 0; j < window; j++) {
      const s = monthBack(m.start, j);
      sum += j === 0 ? spent : spentIn(s, monthEnd(s));
    }
    const ly = monthBack(m.start, 12);
    const lastYear = spentIn(ly, monthEnd(ly));
    const q = Math.floor(sum / window);
    const r = sum - q * window;
    const avg = 2 * r > window || (2 * r === window && q % 2 !== 0) ? q + 1 : q;
    return { start: m.start, end, spent, rollingAverage: avg, lastYear, yearOnYear: lastYear === 0 ? null : (spent - lastYear) / lastYear };
  });
  return { months, missingRates: [...missing].sort() };
}

export { dateOfDay, dayNumber };
