import { LIABILITY_TYPES } from '../schema/registry.ts';
import type { AccountType } from '../schema/registry.ts';
import { dayNumber, monthDays } from './days.ts';
import { FLAG } from './snapshot.ts';
import type { Snapshot, YearPartition } from './snapshot.ts';

/**
 * Aggregates over the snapshot. Rules, the same everywhere (and in the naive reference the tests use):
 * - rows flagged deleted never count;
 * - category totals and income/expense leave transfers out (money moving between one's own accounts is
 *   neither), while balances and net worth include every row;
 * - a split transaction counts by its lines: each line goes to its own category, and whether it is
 *   income (> 0) or expense (< 0) is decided per line;
 * - amounts of different currencies are never added: every figure is per currency.
 * Results are sorted, so two results can be compared with deep equality.
 */

export interface DayRange {
  /** First calendar date included, 'YYYY-MM-DD'; open when absent. */
  readonly from?: string;
  /** Last calendar date included, 'YYYY-MM-DD'; open when absent. */
  readonly to?: string;
}

export interface CategoryTotal {
  readonly categoryId: string | null;
  readonly currency: string;
  /** Sum in minor units. */
  readonly total: number;
  /** Rows (transactions, or split lines) summed. */
  readonly count: number;
}

export interface MonthSummary {
  readonly month: string;
  readonly currencies: readonly {
    readonly currency: string;
    /** Sum of positive rows, minor units. */
    readonly income: number;
    /** Sum of negative rows, minor units (a negative number). */
    readonly expense: number;
    readonly byCategory: readonly CategoryTotal[];
  }[];
}

export interface AccountOpening {
  readonly id: string;
  readonly currency: string;
  readonly openingBalance: number;
}

export interface AccountBalance {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: number;
}

export interface NetWorthAccount extends AccountOpening {
  readonly type: AccountType;
}

export interface NetWorth {
  readonly byType: readonly { readonly type: AccountType; readonly currency: string; readonly total: number }[];
  readonly byCurrency: readonly { readonly currency: string; readonly assets: number; readonly liabilities: number; readonly net: number }[];
}

function exact(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} is beyond exact integer range (${value})`);
  return value === 0 ? 0 : value; // no -0
}

function rangeDays(range: DayRange): { from: number; to: number } {
  return {
    from: range.from === undefined ? -Infinity : dayNumber(range.from),
    to: range.to === undefined ? Infinity : dayNumber(range.to),
  };
}

/** Partitions whose year can hold days in [from, to]. */
function partitionsIn(s: Snapshot, from: number, to: number): YearPartition[] {
  const out: YearPartition[] = [];
  for (const p of s.years.values()) {
    const first = Date.UTC(p.year, 0, 1) / 86_400_000;
    const last = Date.UTC(p.year + 1, 0, 1) / 86_400_000 - 1;
    if (last >= from && first <= to) out.push(p);
  }
  return out;
}

const byCurrencyThenId = (a: { currency: string; key: string | null }, b: { currency: string; key: string | null }) =>
  a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : (a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0;

function categoryCells(s: Snapshot, from: number, to: number, sign: 0 | 1 | -1): { sums: Float64Array; counts: Uint32Array; nCat: number } {
  const nCat = s.categories.size;
  const sums = new Float64Array(s.currencies.size * nCat);
  const counts = new Uint32Array(s.currencies.size * nCat);
  const skip = FLAG.deleted | FLAG.transfer;
  const whole = from === -Infinity && to === Infinity;
  for (const p of partitionsIn(s, from, to)) {
    const { day, amount, currency, category, flags } = p;
    const n = p.length;
    const inside = whole || (Date.UTC(p.year, 0, 1) / 86_400_000 >= from && Date.UTC(p.year + 1, 0, 1) / 86_400_000 - 1 <= to);
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & skip) !== 0) continue;
      if (!inside) {
        const d = day[i]!;
        if (d < from || d > to) continue;
      }
      const a = amount[i]!;
      if (sign === 1 && a <= 0) continue;
      if (sign === -1 && a >= 0) continue;
      const cell = currency[i]! * nCat + category[i]!;
      sums[cell] = sums[cell]! + a;
      counts[cell] = counts[cell]! + 1;
    }
  }
  return { sums, counts, nCat };
}

function cellsToTotals(s: Snapshot, cells: { sums: Float64Array; counts: Uint32Array; nCat: number }): CategoryTotal[] {
  const out: (CategoryTotal & { key: string | null })[] = [];
  for (let cell = 0; cell < cells.counts.length; cell++) {
    const count = cells.counts[cell]!;
    if (count === 0) continue;
    const currency = s.currencies.valueAt(Math.floor(cell / cells.nCat))!;
    const categoryId = s.categories.valueAt(cell % cells.nCat);
    out.push({ categoryId, currency, total: exact(cells.sums[cell]!, `total of ${categoryId ?? 'uncategorised'} in ${currency}`), count, key: categoryId });
  }
  out.sort(byCurrencyThenId);
  return out.map(({ categoryId, currency, total, count }) => ({ categoryId, currency, total, count }));
}

/** Totals by category and currency over a date range (inclusive; the whole history when open), transfers left out. */
export function categoryTotals(s: Snapshot, range: DayRange = {}): CategoryTotal[] {
  const { from, to } = rangeDays(range);
  return cellsToTotals(s, categoryCells(s, from, to, 0));
}

/** Income and expense of a calendar month 'YYYY-MM', per currency, with the breakdown by category. */
export function monthSummary(s: Snapshot, month: string): MonthSummary {
  const { from, to } = monthDays(month);
  const income = cellsToTotals(s, categoryCells(s, from, to, 1));
  const expense = cellsToTotals(s, categoryCells(s, from, to, -1));
  const all = cellsToTotals(s, categoryCells(s, from, to, 0));
  const currencies = [...new Set(all.map((t) => t.currency))].sort();
  return {
    month,
    currencies: currencies.map((currency) => ({
      currency,
      income: exact(income.filter((t) => t.currency === currency).reduce((a, t) => a + t.total, 0), 'income'),
      expense: exact(expense.filter((t) => t.currency === currency).reduce((a, t) => a + t.total, 0), 'expense'),
      byCategory: all.filter((t) => t.currency === currency),
    })),
  };
}

/**
 * Balance per account and currency: opening balance plus every row up to and including `asOf` (all rows
 * when absent). Accounts listed in `openings` always appear, with their own currency; accounts found
 * only in the snapshot appear with a zero opening.
 */
export function accountBalances(s: Snapshot, openings: readonly AccountOpening[], asOf?: string): AccountBalance[] {
  const to = asOf === undefined ? Infinity : dayNumber(asOf);
  const nCur = s.currencies.size;
  const sums = new Float64Array(s.accounts.size * nCur);
  const seen = new Uint8Array(s.accounts.size * nCur);
  for (const p of partitionsIn(s, -Infinity, to)) {
    const { day, amount, currency, account, flags } = p;
    for (let i = 0; i < p.length; i++) {
      if ((flags[i]! & FLAG.deleted) !== 0 || day[i]! > to) continue;
      const cell = account[i]! * nCur + currency[i]!;
      sums[cell] = sums[cell]! + amount[i]!;
      seen[cell] = 1;
    }
  }
  const result = new Map<string, { accountId: string; currency: string; balance: number }>();
  const keyOf = (accountId: string, currency: string) => `${accountId}\u0000${currency}`;
  for (let cell = 0; cell < seen.length; cell++) {
    if (seen[cell] === 0) continue;
    const accountId = s.accounts.valueAt(Math.floor(cell / nCur))!;
    const currency = s.currencies.valueAt(cell % nCur)!;
    result.set(keyOf(accountId, currency), { accountId, currency, balance: sums[cell]! });
  }
  for (const o of openings) {
    const key = keyOf(o.id, o.currency);
    const found = result.get(key);
    if (found) found.balance += o.openingBalance;
    else result.set(key, { accountId: o.id, currency: o.currency, balance: o.openingBalance });
  }
  return [...result.values()]
    .map((b) => ({ ...b, balance: exact(b.balance, `balance of ${b.accountId}`) }))
    .sort((a, b) => byCurrencyThenId({ currency: a.accountId, key: a.currency }, { currency: b.accountId, key: b.currency }));
}

/**
 * Net worth from the accounts listed (closed or not is the caller's choice): balances summed per account
 * type and currency, and per currency split into assets and liabilities (liability types per the schema;
 * their balances are normally negative, so net = assets + liabilities).
 */
export function netWorth(s: Snapshot, accounts: readonly NetWorthAccount[], asOf?: string): NetWorth {
  const balances = accountBalances(s, accounts, asOf);
  const typeOf = new Map(accounts.map((a) => [a.id, a.type]));
  const byType = new Map<string, { type: AccountType; currency: string; total: number }>();
  const byCurrency = new Map<string, { currency: string; assets: number; liabilities: number; net: number }>();
  for (const b of balances) {
    const type = typeOf.get(b.accountId);
    if (type === undefined) continue;
    const t = byType.get(`${type}\u0000${b.currency}`) ?? { type, currency: b.currency, total: 0 };
    t.total += b.balance;
    byType.set(`${type}\u0000${b.currency}`, t);
    const c = byCurrency.get(b.currency) ?? { currency: b.currency, assets: 0, liabilities: 0, net: 0 };
    if (LIABILITY_TYPES.has(type)) c.liabilities += b.balance;
    else c.assets += b.balance;
    c.net += b.balance;
    byCurrency.set(b.currency, c);
  }
  return {
    byType: [...byType.values()]
      .map((t) => ({ ...t, total: exact(t.total, `net worth of ${t.type}`) }))
      .sort((a, b) => byCurrencyThenId({ currency: a.currency, key: a.type }, { currency: b.currency, key: b.type })),
    byCurrency: [...byCurrency.values()]
      .map((c) => ({ currency: c.currency, assets: exact(c.assets, 'assets'), liabilities: exact(c.liabilities, 'liabilities'), net: exact(c.net, 'net worth') }))
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0)),
  };
}
