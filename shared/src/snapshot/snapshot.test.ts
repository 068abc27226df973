import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountBalances, categoryTotals, monthSummary, netWorth } from './aggregates.ts';
import { documentChecksums, mismatchedYears, snapshotChecksums } from './checksum.ts';
import { SnapshotInputError, dateOfDay, dayNumber } from './days.ts';
import { FLAG, applyChanges, buildSnapshot, emptySnapshot, rowIndex, transactionCount } from './snapshot.ts';
import type { Snapshot, SnapshotChange, SnapshotDoc } from './snapshot.ts';
import { naiveAccountBalances, naiveCategoryTotals, naiveMonthSummary, naiveNetWorth } from './__fixtures__/naive-aggregates.ts';
import { syntheticAccounts, syntheticCategories, syntheticId, syntheticLedger } from './__fixtures__/synthetic-ledger.ts';

const accounts = syntheticAccounts(4);
const categories = syntheticCategories(5);

/** Every aggregate of the snapshot equals the naive one over the document list. */
function expectSameAggregates(s: Snapshot, docs: readonly SnapshotDoc[], month: string, range: { from: string; to: string }): void {
  expect(categoryTotals(s)).toEqual(naiveCategoryTotals(docs));
  expect(categoryTotals(s, range)).toEqual(naiveCategoryTotals(docs, range));
  expect(monthSummary(s, month)).toEqual(naiveMonthSummary(docs, month));
  expect(accountBalances(s, accounts)).toEqual(naiveAccountBalances(docs, accounts));
  expect(accountBalances(s, accounts, range.to)).toEqual(naiveAccountBalances(docs, accounts, range.to));
  expect(netWorth(s, accounts)).toEqual(naiveNetWorth(docs, accounts));
  expect(transactionCount(s)).toBe(docs.length);
  expect(mismatchedYears(snapshotChecksums(s), documentChecksums(docs))).toEqual([]);
}

// Dates over three years, so edits move rows between partitions.
const dateArb = fc.integer({ min: dayNumber('2023-01-01'), max: dayNumber('2025-12-31') }).map(dateOfDay);
const amountArb = fc.oneof(fc.integer({ min: -500_000, max: 500_000 }), fc.constantFrom(0, -1, 1, 2 ** 40, -(2 ** 40)));
const docArb = fc.record({
  date: dateArb,
  amount: amountArb,
  account: fc.nat({ max: accounts.length - 1 }),
  categoryId: fc.option(fc.constantFrom(...categories), { nil: null }),
  status: fc.constantFrom('pending', 'uncleared', 'cleared', 'reconciled') as fc.Arbitrary<SnapshotDoc['status']>,
  transfer: fc.boolean(),
  splitAt: fc.option(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(...categories)), { nil: null }),
});

type DocValue = typeof docArb extends fc.Arbitrary<infer T> ? T : never;

type Step =
  | { kind: 'insert'; doc: DocValue }
  | { kind: 'edit'; pick: number; field: 'amount' | 'date' | 'category' | 'account'; value: DocValue }
  | { kind: 'replace'; pick: number; value: DocValue }
  | { kind: 'delete'; pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: docArb.map((doc) => ({ kind: 'insert' as const, doc })) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), field: fc.constantFrom('amount', 'date', 'category', 'account') as fc.Arbitrary<'amount' | 'date' | 'category' | 'account'>, value: docArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: docArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);

/** Mostly single local edits, sometimes a sync batch of several changes (which may touch one document twice). */
const batchArb = fc.oneof({ weight: 3, arbitrary: stepArb.map((step) => [step]) }, { weight: 1, arbitrary: fc.array(stepArb, { minLength: 2, maxLength: 6 }) });

function toDoc(id: string, v: DocValue): SnapshotDoc {
  const account = accounts[v.account]!;
  const splits = v.splitAt ? [{ categoryId: v.splitAt[1], amount: v.splitAt[0] }, { categoryId: v.categoryId, amount: v.amount - v.splitAt[0] }] : [];
  return {
    id, date: v.date, amount: v.amount, currency: account.currency, accountId: account.id, categoryId: v.categoryId, status: v.status,
    transferId: v.transfer ? `${id}-t` : null, splits,
  };
}

/** Keeps split lines adding up after an amount edit. */
function withAmount(doc: SnapshotDoc, amount: number): SnapshotDoc {
  if (doc.splits.length === 0) return { ...doc, amount };
  const first = doc.splits[0]!;
  return { ...doc, amount, splits: [first, { categoryId: doc.splits[1]?.categoryId ?? null, amount: amount - first.amount }] };
}

describe('columnar snapshot', () => {
  it('keeps every aggregate equal to the naive computation over the documents through random inserts, edits, deletes and sync batches', () => {
    fc.assert(
      fc.property(fc.array(docArb, { maxLength: 8 }), fc.array(batchArb, { minLength: 1, maxLength: 30 }), dateArb, dateArb, (initial, batches, d1, d2) => {
        let docs = initial.map((v, i) => toDoc(syntheticId(0xb0, i), v));
        const s = buildSnapshot(docs, { seq: 0 });
        const range = d1 <= d2 ? { from: d1, to: d2 } : { from: d2, to: d1 };
        const month = range.from.slice(0, 7);
        expectSameAggregates(s, docs, month, range);
        let next = initial.length;
        const changeFor = (step: Step): SnapshotChange | null => {
          if (step.kind === 'insert' || docs.length === 0) {
            const v = step.kind === 'insert' ? step.doc : 'value' in step ? step.value : initial[0];
            if (!v) return null;
            const doc = toDoc(syntheticId(0xb0, next++), v);
            docs = [...docs, doc];
            return { op: 'insert', doc };
          }
          const i = step.pick % docs.length;
          const old = docs[i]!;
          if (step.kind === 'delete') {
            docs = docs.filter((_, j) => j !== i);
            return { op: 'delete', id: old.id };
          }
          let doc: SnapshotDoc;
          if (step.kind === 'replace') doc = toDoc(old.id, step.value);
          else if (step.field === 'amount') doc = withAmount(old, step.value.amount);
          else if (step.field === 'date') doc = { ...old, date: step.value.date };
          else if (step.field === 'category') doc = old.splits.length > 0 ? old : { ...old, categoryId: step.value.categoryId };
          else {
            const account = accounts[step.value.account]!;
            doc = { ...old, accountId: account.id, currency: account.currency };
          }
          docs = docs.map((d, j) => (j === i ? doc : d));
          return { op: 'update', doc };
        };
        batches.forEach((batch, n) => {
          // A batch of one is a local edit; a longer batch is a pulled sync batch applied in one go.
          const changes = batch.map(changeFor).filter((c): c is SnapshotChange => c !== null);
          applyChanges(s, changes, { seq: n + 1 });
          expectSameAggregates(s, docs, month, range);
          expect(s.checkpoint).toEqual({ seq: n + 1 });
        });
      }),
      { numRuns: 150 },
    );
  });

  it('moves a row to another year partition when its date changes year', () => {
    const doc: SnapshotDoc = { id: 'a', date: '2024-12-31', amount: -500, currency: 'GBP', accountId: 'acc', categoryId: 'food', status: 'cleared', transferId: null, splits: [] };
    const s = buildSnapshot([doc]);
    applyChanges(s, [{ op: 'update', doc: { ...doc, date: '2025-01-01' } }]);
    expect(rowIndex(s).get('a')?.year).toBe(2025);
    expect(s.years.get(2024)?.docCount).toBe(0);
    expect(categoryTotals(s, { from: '2025-01-01', to: '2025-01-01' })).toEqual([{ categoryId: 'food', currency: 'GBP', total: -500, count: 1 }]);
    expect(categoryTotals(s, { to: '2024-12-31' })).toEqual([]);
  });

  it('gives a split transaction one row per line, each with its own category', () => {
    const s = buildSnapshot([{
      id: 'x', date: '2025-03-02', amount: -1000, currency: 'GBP', accountId: 'acc', categoryId: null, status: 'pending', transferId: null,
      splits: [{ categoryId: 'food', amount: -700 }, { categoryId: 'home', amount: -300 }],
    }]);
    const p = s.years.get(2025)!;
    expect(p.length).toBe(2);
    expect(p.flags[0]! & FLAG.split).toBe(FLAG.split);
    expect(p.flags[0]! & FLAG.pending).toBe(FLAG.pending);
    expect(categoryTotals(s).map((t) => [t.categoryId, t.total])).toEqual([['food', -700], ['home', -300]]);
    expect(accountBalances(s, [{ id: 'acc', currency: 'GBP', openingBalance: 5000 }])).toEqual([{ accountId: 'acc', currency: 'GBP', balance: 4000 }]);
  });

  it('stores the day number of the calendar date and reuses freed slots', () => {
    const s = emptySnapshot();
    const doc: SnapshotDoc = { id: 'a', date: '1970-01-02', amount: 1, currency: 'GBP', accountId: 'acc', categoryId: null, status: 'uncleared', transferId: 'b', splits: [] };
    applyChanges(s, [{ op: 'insert', doc }]);
    expect(s.years.get(1970)!.day[0]).toBe(1);
    expect(s.years.get(1970)!.flags[0]).toBe(FLAG.transfer);
    applyChanges(s, [{ op: 'delete', id: 'a' }]);
    expect(s.years.get(1970)!.flags[0]).toBe(FLAG.deleted);
    applyChanges(s, [{ op: 'insert', doc: { ...doc, id: 'c' } }]);
    expect(s.years.get(1970)!.length).toBe(1);
  });

  it('refuses bad changes with a clear error and leaves the snapshot as it was', () => {
    const { transactions } = syntheticLedger(50, 3);
    const s = buildSnapshot(transactions, 'cp-1');
    const before = { totals: categoryTotals(s), sums: snapshotChecksums(s), checkpoint: s.checkpoint };
    const good = transactions[0]!;
    const bad: [SnapshotChange[], RegExp][] = [
      [[{ op: 'update', doc: { ...good, amount: 1.5 } }], /whole minor units/],
      [[{ op: 'update', doc: { ...good, date: '2025-02-30' } }], /no such calendar date/],
      [[{ op: 'update', doc: { ...good, currency: 'gbp' } }], /ISO 4217/],
      [[{ op: 'insert', doc: good }], /already there/],
      [[{ op: 'delete', id: 'nobody' }], /unknown transaction/],
      [[{ op: 'update', doc: { ...good, amount: -10, splits: [{ categoryId: null, amount: -3 }] } }], /add up/],
      // A valid first change does not get applied when a later one in the batch is bad.
      [[{ op: 'delete', id: good.id }, { op: 'update', doc: good }], /unknown transaction/],
    ];
    for (const [changes, message] of bad) {
      expect(() => applyChanges(s, changes, 'cp-2')).toThrow(SnapshotInputError);
      expect(() => applyChanges(s, changes, 'cp-2')).toThrow(message);
    }
    expect({ totals: categoryTotals(s), sums: snapshotChecksums(s), checkpoint: s.checkpoint }).toEqual(before);
  });

  it('refuses an aggregate that would no longer be an exact integer', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const s = buildSnapshot(['a', 'b'].map((id) => ({ id, date: '2025-01-01', amount: big, currency: 'GBP', accountId: 'acc', categoryId: null, status: 'cleared' as const, transferId: null, splits: [] })));
    expect(() => categoryTotals(s)).toThrow(RangeError);
  });

  it('flags a year whose checksum differs from the replica', () => {
    const { transactions } = syntheticLedger(200, 5);
    const s = buildSnapshot(transactions);
    expect(mismatchedYears(snapshotChecksums(s), documentChecksums(transactions))).toEqual([]);
    const changed = transactions.map((t, i) => (i === 7 ? { ...t, categoryId: null } : t));
    const year = Number(transactions[7]!.date.slice(0, 4));
    expect(mismatchedYears(snapshotChecksums(s), documentChecksums(changed))).toEqual([year]);
  });
});
