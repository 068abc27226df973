import type { Account, Category, Transaction } from '@mymidas/shared/schema';

/**
 * The transaction list's pure logic: ordering, filters, full-text search over the decrypted PII
 * fields (in memory only), day grouping, running balances and the virtual list's geometry. No DOM,
 * no RxDB, so it is unit-tested and measured on plain arrays.
 */

export type ClearedFilter = 'all' | 'cleared' | 'uncleared' | 'reconciled' | 'not-reconciled';

export interface TxFilter {
  readonly accountId: string | null;
  /** A category id (a parent also matches its children; split lines count) or UNCATEGORISED. */
  readonly categoryId: string | null;
  readonly tag: string | null;
  readonly from: string | null;
  readonly to: string | null;
  /** Bounds on the size of the amount (ignoring its sign), in minor units. */
  readonly minAmount: number | null;
  readonly maxAmount: number | null;
  readonly cleared: ClearedFilter;
  readonly search: string;
}

export const UNCATEGORISED = '__none__';

export const EMPTY_FILTER: TxFilter = {
  accountId: null, categoryId: null, tag: null, from: null, to: null, minAmount: null, maxAmount: null, cleared: 'all', search: '',
};

export function isFilterActive(f: TxFilter): boolean {
  return (
    f.accountId !== null || f.categoryId !== null || f.tag !== null || f.from !== null || f.to !== null ||
    f.minAmount !== null || f.maxAmount !== null || f.cleared !== 'all' || f.search.trim() !== ''
  );
}

/** Newest first: date descending, then id descending (UUIDv7 ids are time-ordered within a day). */
export function compareNewestFirst(a: Transaction, b: Transaction): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function sortNewestFirst(rows: readonly Transaction[]): Transaction[] {
  return [...rows].sort(compareNewestFirst);
}

/** Lower case, accents removed, whitespace collapsed: how both the text and the query are compared. */
const NON_ASCII = /[^\x20-\x7e]/;
const SPACES = /\s+/g;
const MARKS = /[\u0300-\u036f]/g;

export function foldText(text: string): string {
  // Plain printable ASCII (most bank text) skips Unicode normalisation, which costs far more.
  const base = NON_ASCII.test(text) ? text.normalize('NFKD').replace(MARKS, '') : text;
  return base.toLowerCase().replace(SPACES, ' ').trim();
}

const searchTextCache = new WeakMap<Transaction, string>();

/** The searchable text of a transaction (description, merchant, notes), folded once per document object. */
export function searchText(t: Transaction): string {
  let s = searchTextCache.get(t);
  if (s === undefined) {
    s = foldText(`${t.description} ${t.merchant ?? ''} ${t.notes ?? ''}`);
    searchTextCache.set(t, s);
  }
  return s;
}

/**
 * Folds the search text of every row ahead of the first search, a slice at a time so the page stays
 * responsive. Returns a function that stops it.
 */
export function prewarmSearch(rows: readonly Transaction[], slice = 4000, schedule: (fn: () => void) => void = (fn) => setTimeout(fn, 0)): () => void {
  let i = 0;
  let stopped = false;
  const step = () => {
    if (stopped) return;
    const end = Math.min(rows.length, i + slice);
    for (; i < end; i += 1) searchText(rows[i]!);
    if (i < rows.length) schedule(step);
  };
  schedule(step);
  return () => {
    stopped = true;
  };
}

/** Every word of the query must appear somewhere in description, merchant or notes. */
export function searchTerms(query: string): string[] {
  const folded = foldText(query);
  return folded === '' ? [] : folded.split(' ');
}

/** The category ids a category filter matches: the category and, for a parent, its children. */
export function categoryScope(categoryId: string, categories: readonly Category[]): Set<string> {
  const ids = new Set([categoryId]);
  for (const c of categories) if (c.parentId === categoryId) ids.add(c.id);
  return ids;
}

function matchesCategory(t: Transaction, scope: Set<string> | 'none'): boolean {
  if (scope === 'none') return t.splits.length === 0 ? t.categoryId === null : t.splits.some((l) => l.categoryId === null);
  if (t.splits.length > 0) return t.splits.some((l) => l.categoryId !== null && scope.has(l.categoryId));
  return t.categoryId !== null && scope.has(t.categoryId);
}

function matchesCleared(status: Transaction['status'], f: ClearedFilter): boolean {
  switch (f) {
    case 'all':
      return true;
    case 'cleared':
      return status === 'cleared' || status === 'reconciled';
    case 'uncleared':
      return status === 'uncleared' || status === 'pending';
    case 'reconciled':
      return status === 'reconciled';
    case 'not-reconciled':
      return status !== 'reconciled';
  }
}

/** Keeps the rows matching every part of the filter, in the order given. */
export function filterTransactions(rows: readonly Transaction[], f: TxFilter, categories: readonly Category[] = []): Transaction[] {
  const terms = searchTerms(f.search);
  const scope = f.categoryId === null ? null : f.categoryId === UNCATEGORISED ? 'none' : categoryScope(f.categoryId, categories);
  const out: Transaction[] = [];
  for (const t of rows) {
    if (f.accountId !== null && t.accountId !== f.accountId) continue;
    if (f.from !== null && t.date < f.from) continue;
    if (f.to !== null && t.date > f.to) continue;
    if (f.minAmount !== null || f.maxAmount !== null) {
      const size = Math.abs(t.amount);
      if (f.minAmount !== null && size < f.minAmount) continue;
      if (f.maxAmount !== null && size > f.maxAmount) continue;
    }
    if (!matchesCleared(t.status, f.cleared)) continue;
    if (f.tag !== null && !t.tags.includes(f.tag)) continue;
    if (scope !== null && !matchesCategory(t, scope)) continue;
    if (terms.length > 0) {
      const text = searchText(t);
      let all = true;
      for (const term of terms) {
        if (!text.includes(term)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
    }
    out.push(t);
  }
  return out;
}

/**
 * Each transaction's account balance just after it: opening balance plus every transaction of that
 * account up to and including it, in date order (ties by id). Transactions dated before the
 * account's opening date are already inside the opening balance and get no running balance.
 */
export function runningBalances(rows: readonly Transaction[], accounts: ReadonlyMap<string, Account>): Map<string, number> {
  const byAccount = new Map<string, Transaction[]>();
  for (const t of rows) {
    const list = byAccount.get(t.accountId);
    if (list) list.push(t);
    else byAccount.set(t.accountId, [t]);
  }
  const out = new Map<string, number>();
  for (const [accountId, list] of byAccount) {
    const account = accounts.get(accountId);
    if (!account) continue;
    list.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let balance = account.openingBalance;
    for (const t of list) {
      if (t.date < account.openingDate) continue;
      balance += t.amount;
      out.set(t.id, balance);
    }
  }
  return out;
}

export type ListItem =
  | { readonly kind: 'day'; readonly key: string; readonly date: string; readonly count: number; readonly total: number; readonly currency: string }
  | { readonly kind: 'tx'; readonly key: string; readonly t: Transaction; readonly index: number };

/**
 * Rows for the virtual list: a day header before each day's transactions. `total` is the day's net
 * amount when every row that day shares one currency, else NaN (not shown).
 */
export function groupByDay(rows: readonly Transaction[]): ListItem[] {
  const out: ListItem[] = [];
  let i = 0;
  let index = 0;
  while (i < rows.length) {
    const date = rows[i]!.date;
    let j = i;
    let total = 0;
    const currency = rows[i]!.currency;
    let mixed = false;
    while (j < rows.length && rows[j]!.date === date) {
      total += rows[j]!.amount;
      if (rows[j]!.currency !== currency) mixed = true;
      j += 1;
    }
    out.push({ kind: 'day', key: `d${date}`, date, count: j - i, total: mixed ? Number.NaN : total, currency });
    for (let k = i; k < j; k += 1) out.push({ kind: 'tx', key: rows[k]!.id, t: rows[k]!, index: index++ });
    i = j;
  }
  return out;
}

/** Top offset of every item (and the total height as the last entry) for the given row heights. */
export function itemOffsets(items: readonly ListItem[], dayHeight: number, rowHeight: number): Float64Array {
  const offsets = new Float64Array(items.length + 1);
  let y = 0;
  for (let i = 0; i < items.length; i += 1) {
    offsets[i] = y;
    y += items[i]!.kind === 'day' ? dayHeight : rowHeight;
  }
  offsets[items.length] = y;
  return offsets;
}

/** Index of the item at vertical position y (binary search over offsets). */
export function indexAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The slice of items to render for a viewport, with `overscan` extra items on each side. */
export function visibleRange(offsets: Float64Array, scrollTop: number, viewport: number, overscan = 8): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const first = indexAt(offsets, Math.max(0, scrollTop));
  const last = indexAt(offsets, scrollTop + viewport);
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + overscan + 1) };
}

/** Distinct tags, most used first. */
export function tagsInUse(rows: readonly Transaction[]): string[] {
  const counts = new Map<string, number>();
  for (const t of rows) for (const tag of t.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([tag]) => tag);
}

/** Distinct merchant names as typed, most used first, for the editor's suggestions. */
export function merchantsInUse(rows: readonly Transaction[], limit = 300): string[] {
  const counts = new Map<string, number>();
  for (const t of rows) if (t.merchant) counts.set(t.merchant, (counts.get(t.merchant) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit).map(([m]) => m);
}

/** Splits a tag field ("food, weekly  ,food") into clean distinct tags. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ').slice(0, 40);
    if (tag !== '' && !out.includes(tag)) out.push(tag);
  }
  return out.slice(0, 20);
}

/** The remaining amount of a split: what the lines still need to add up to the total. */
export function splitRemainder(total: number, lines: readonly { amount: number }[]): number {
  return total - lines.reduce((s, l) => s + l.amount, 0);
}
