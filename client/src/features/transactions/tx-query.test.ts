import { describe, expect, it } from 'vitest';
import type { Account, Category, Transaction } from '@mymidas/shared/schema';
import { accountBalance } from '@mymidas/shared/ledger/balances';
import {
  EMPTY_FILTER, UNCATEGORISED, filterTransactions, foldText, groupByDay, indexAt, isFilterActive, itemOffsets, merchantsInUse,
  parseTags, prewarmSearch, runningBalances, searchText, sortNewestFirst, splitRemainder, tagsInUse, visibleRange,
} from './tx-query.ts';
import type { TxFilter } from './tx-query.ts';

const A1 = '00000000-0000-7000-8000-0000000000a1';
const A2 = '00000000-0000-7000-8000-0000000000a2';
const FOOD = '00000000-0000-7000-8000-0000000000c1';
const GROCERIES = '00000000-0000-7000-8000-0000000000c2';
const HOME = '00000000-0000-7000-8000-0000000000c3';

const id = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

function account(accountId: string, openingBalance: number, openingDate = '2026-01-01'): Account {
  return {
    id: accountId, hlc: '1764000000000:0000:test', name: accountId, type: 'current', currency: 'GBP', institution: null, accountRef: null,
    openingBalance, openingDate, creditLimit: null, apr: null, closed: false, sortOrder: 0, notes: null,
  };
}

function tx(n: number, over: Partial<Transaction> = {}): Transaction {
  return {
    id: id(n), hlc: '1764000000000:0000:test', accountId: A1, date: '2026-03-01', amount: -100, currency: 'GBP', categoryId: null, tags: [],
    merchant: null, description: `payment ${n}`, notes: null, transferId: null, importHash: null, status: 'uncleared', splits: [], ...over,
  };
}

const cats: Category[] = [
  { id: FOOD, hlc: '1764000000000:0000:test', name: 'Food', parentId: null, kind: 'expense', color: '#112233', icon: 'x', sortOrder: 0, hidden: false },
  { id: GROCERIES, hlc: '1764000000000:0000:test', name: 'Groceries', parentId: FOOD, kind: 'expense', color: '#112233', icon: 'x', sortOrder: 1, hidden: false },
  { id: HOME, hlc: '1764000000000:0000:test', name: 'Home', parentId: null, kind: 'expense', color: '#112233', icon: 'x', sortOrder: 2, hidden: false },
];

const f = (over: Partial<TxFilter>): TxFilter => ({ ...EMPTY_FILTER, ...over });
const ids = (rows: Transaction[]) => rows.map((t) => t.id);

describe('ordering and grouping', () => {
  it('sorts newest first with id as the tie-break, and groups by day with totals', () => {
    const rows = [tx(1, { date: '2026-03-01' }), tx(3, { date: '2026-03-02', amount: 500 }), tx(2, { date: '2026-03-02', amount: -200 })];
    const sorted = sortNewestFirst(rows);
    expect(ids(sorted)).toEqual([id(3), id(2), id(1)]);
    const items = groupByDay(sorted);
    expect(items.map((i) => i.kind)).toEqual(['day', 'tx', 'tx', 'day', 'tx']);
    expect(items[0]).toMatchObject({ date: '2026-03-02', count: 2, total: 300, currency: 'GBP' });
    expect(items[3]).toMatchObject({ date: '2026-03-01', count: 1, total: -100 });
    expect(items.filter((i) => i.kind === 'tx').map((i) => (i.kind === 'tx' ? i.index : -1))).toEqual([0, 1, 2]);
  });

  it('gives no day total when a day mixes currencies', () => {
    const items = groupByDay([tx(1), tx(2, { currency: 'EUR' })]);
    expect(Number.isNaN(items[0]!.kind === 'day' ? items[0]!.total : 0)).toBe(true);
  });
});

describe('filters', () => {
  const rows = [
    tx(1, { accountId: A1, categoryId: GROCERIES, tags: ['weekly'], amount: -4210, date: '2026-03-01', status: 'cleared', merchant: 'Tesco Express' }),
    tx(2, { accountId: A2, categoryId: HOME, amount: 150000, date: '2026-03-05', status: 'reconciled', description: 'Salary ACME' }),
    tx(3, { accountId: A1, categoryId: null, amount: -999, date: '2026-02-20', notes: 'Café with Zoë', status: 'pending' }),
    tx(4, { accountId: A1, amount: -3000, splits: [{ id: id(40), categoryId: FOOD, amount: -1000, memo: null }, { id: id(41), categoryId: null, amount: -2000, memo: null }] }),
  ];

  it('is inactive when empty', () => {
    expect(isFilterActive(EMPTY_FILTER)).toBe(false);
    expect(ids(filterTransactions(rows, EMPTY_FILTER))).toEqual(ids(rows));
    expect(isFilterActive(f({ search: '  ' }))).toBe(false);
    expect(isFilterActive(f({ cleared: 'cleared' }))).toBe(true);
  });

  it('filters by account, date range and amount size', () => {
    expect(ids(filterTransactions(rows, f({ accountId: A2 })))).toEqual([id(2)]);
    expect(ids(filterTransactions(rows, f({ from: '2026-03-01', to: '2026-03-04' })))).toEqual([id(1), id(4)]);
    expect(ids(filterTransactions(rows, f({ minAmount: 1000, maxAmount: 5000 })))).toEqual([id(1), id(4)]);
    expect(ids(filterTransactions(rows, f({ maxAmount: 999 })))).toEqual([id(3)]);
  });

  it('filters by category: a parent includes its children and split lines count', () => {
    expect(ids(filterTransactions(rows, f({ categoryId: FOOD }), cats))).toEqual([id(1), id(4)]);
    expect(ids(filterTransactions(rows, f({ categoryId: GROCERIES }), cats))).toEqual([id(1)]);
    expect(ids(filterTransactions(rows, f({ categoryId: UNCATEGORISED }), cats))).toEqual([id(3), id(4)]);
  });

  it('filters by tag and cleared state', () => {
    expect(ids(filterTransactions(rows, f({ tag: 'weekly' })))).toEqual([id(1)]);
    expect(ids(filterTransactions(rows, f({ cleared: 'cleared' })))).toEqual([id(1), id(2)]);
    expect(ids(filterTransactions(rows, f({ cleared: 'uncleared' })))).toEqual([id(3), id(4)]);
    expect(ids(filterTransactions(rows, f({ cleared: 'reconciled' })))).toEqual([id(2)]);
    expect(ids(filterTransactions(rows, f({ cleared: 'not-reconciled' })))).toEqual([id(1), id(3), id(4)]);
  });

  it('searches description, merchant and notes, every word, ignoring case and accents', () => {
    expect(ids(filterTransactions(rows, f({ search: 'tesco' })))).toEqual([id(1)]);
    expect(ids(filterTransactions(rows, f({ search: 'salary acme' })))).toEqual([id(2)]);
    expect(ids(filterTransactions(rows, f({ search: 'cafe zoe' })))).toEqual([id(3)]);
    expect(ids(filterTransactions(rows, f({ search: 'tesco salary' })))).toEqual([]);
    expect(foldText('  Café   ZOË ')).toBe('cafe zoe');
  });

  it('combines every part of the filter', () => {
    expect(ids(filterTransactions(rows, f({ accountId: A1, search: 'payment', cleared: 'uncleared', minAmount: 2000 })))).toEqual([id(4)]);
  });

  it('sees an edited document (the search text is cached per object, not per id)', () => {
    const before = tx(9, { description: 'old words' });
    expect(filterTransactions([before], f({ search: 'old' }))).toHaveLength(1);
    const after = { ...before, description: 'new words' };
    expect(filterTransactions([after], f({ search: 'old' }))).toHaveLength(0);
  });
});

describe('running balances', () => {
  it('adds each account from its opening balance in date order and leaves out rows before the opening date', () => {
    const accounts = new Map([[A1, account(A1, 10_000, '2026-01-10')], [A2, account(A2, 0)]]);
    const rows = [
      tx(5, { date: '2026-02-01', amount: -500 }),
      tx(2, { date: '2026-01-15', amount: 2500 }),
      tx(1, { date: '2026-01-05', amount: -7777 }),
      tx(3, { date: '2026-02-01', amount: -100 }),
      tx(4, { accountId: A2, date: '2026-01-20', amount: 300 }),
    ];
    const rb = runningBalances(rows, accounts);
    expect(rb.get(id(2))).toBe(12_500);
    expect(rb.get(id(3))).toBe(12_400);
    expect(rb.get(id(5))).toBe(11_900);
    expect(rb.has(id(1))).toBe(false);
    expect(rb.get(id(4))).toBe(300);
    // The last running balance equals the shared ledger's balance of the account.
    expect(rb.get(id(5))).toBe(accountBalance(accounts.get(A1)!, rows).balance);
  });
});

describe('virtual list geometry', () => {
  const items = groupByDay(sortNewestFirst(Array.from({ length: 1000 }, (_, i) => tx(i + 1, { date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}` }))));
  const offsets = itemOffsets(items, 30, 60);

  it('places items one after the other and finds the item under a position', () => {
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBe(30);
    expect(offsets[items.length]).toBe(28 * 30 + 1000 * 60);
    for (const y of [0, 29, 30, 89, 90, 5000, 60_000]) {
      const i = indexAt(offsets, y);
      expect(offsets[i]!).toBeLessThanOrEqual(y);
      expect(offsets[i + 1]!).toBeGreaterThan(y);
    }
  });

  it('renders only the visible window plus overscan', () => {
    const r = visibleRange(offsets, 6000, 600, 5);
    expect(r.end - r.start).toBeLessThan(30);
    expect(offsets[r.start]!).toBeLessThanOrEqual(6000);
    expect(offsets[r.end - 1]!).toBeGreaterThanOrEqual(6600 - 60);
    expect(visibleRange(new Float64Array(1), 0, 500)).toEqual({ start: 0, end: 0 });
  });

  it('filters 20,000 rows by search without mistakes, after a prewarm in slices', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => tx(i + 1, { description: i % 1000 === 0 ? `needle ${i}` : `hay ${i}` }));
    const queue: (() => void)[] = [];
    prewarmSearch(big, 3000, (fn) => queue.push(fn));
    let slices = 0;
    while (queue.length > 0) {
      queue.shift()!();
      slices += 1;
    }
    expect(slices).toBe(7);
    expect(searchText(big[0]!)).toBe('needle 0');
    const hits = filterTransactions(big, f({ search: 'needle' }));
    expect(hits).toHaveLength(20);
    expect(hits.every((t) => t.description.startsWith('needle'))).toBe(true);
  });
});

describe('small helpers', () => {
  it('parses tags, lists tags and merchants by use, and works out split remainders', () => {
    expect(parseTags(' food, weekly ,food,,  big   shop ')).toEqual(['food', 'weekly', 'big shop']);
    expect(tagsInUse([tx(1, { tags: ['a', 'b'] }), tx(2, { tags: ['b'] })])).toEqual(['b', 'a']);
    expect(merchantsInUse([tx(1, { merchant: 'Pret' }), tx(2, { merchant: 'Tesco' }), tx(3, { merchant: 'Tesco' })])).toEqual(['Tesco', 'Pret']);
    expect(splitRemainder(-3000, [{ amount: -1000 }, { amount: -1500 }])).toBe(-500);
    expect(splitRemainder(1000, [{ amount: 600 }, { amount: 400 }])).toBe(0);
  });
});
