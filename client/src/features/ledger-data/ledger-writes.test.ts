import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transaction } from '@mymidas/shared/schema';
import { compareStamps } from '@mymidas/shared/sync';
import { transferLegs } from '@mymidas/shared/ledger/transfers';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';
import { recordTransfer } from '../transfers/transfers-data.ts';
import { confirmRecurring, createRecurring, loadRecurring } from '../recurring/recurring-data.ts';
import { ledgerWrites } from './ledger-writes.ts';

const MAIN = testUuid(1);
const SAVINGS = testUuid(2);
const CLOSED = testUuid(3);
const FOOD = testUuid(1, 5);
let db: ReplicaDatabase;

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([
    account({ id: MAIN, name: 'Main' }),
    account({ id: SAVINGS, name: 'Savings', type: 'savings' }),
    account({ id: CLOSED, name: 'Old ISA', type: 'cash_isa', closed: true }),
  ]);
  await db.categories.insert(category({ id: FOOD, name: 'Food' }));
});
afterEach(async () => {
  await db.close();
});

const all = async () => (await db.transactions.find().exec()).map((d) => d.toMutableJSON() as Transaction).sort((a, b) => (a.id < b.id ? -1 : 1));
const legs = (toAccount: string) => transferLegs({
  from: account({ id: MAIN, name: 'Main' }), to: account({ id: toAccount, name: 'Other' }), amount: 20_000,
  date: '2026-03-10', description: 'Move', categoryId: null, ids: [testUuid(10, 3), testUuid(11, 3)],
});

describe('ledgerWrites', () => {
  it('refuses a transfer into a closed account, as the editor records it, with a clear message, and writes neither leg', async () => {
    const w = ledgerWrites(db);
    await expect(w.commit('Transfer recorded', legs(CLOSED).map((after) => ({ before: null, after }))))
      .rejects.toThrow('The account "Old ISA" is closed: reopen it on the Accounts page to change its transactions.');
    expect(await all()).toEqual([]);
    expect(w.lastAction.value).toBeNull();
  });

  it('records a transfer from the transfers page as an action Undo reverts', async () => {
    const [out, inflow] = await recordTransfer(db, { fromAccountId: MAIN, toAccountId: SAVINGS, amount: 5_000, date: '2026-03-10', description: 'Rainy day' });
    expect((await all()).map((t) => t.id).sort()).toEqual([out.id, inflow.id].sort());
    const w = ledgerWrites(db);
    expect(w.lastAction.value?.label).toBe('Transfer recorded');
    expect((await w.undo())?.label).toBe('Transfer recorded');
    expect(await all()).toEqual([]);
    expect(w.lastAction.value).toBeNull();
  });

  it('refuses a transfer from the transfers page into a closed account', async () => {
    await expect(recordTransfer(db, { fromAccountId: MAIN, toAccountId: CLOSED, amount: 5_000, date: '2026-03-10', description: '' })).rejects.toThrow(/"Old ISA" is closed/);
    expect(await all()).toEqual([]);
  });

  it('undoes a bulk edit of many transactions as one step, with fresh stamps', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => transaction({ id: testUuid(i + 1, 4), accountId: MAIN, amount: -100 * (i + 1) }));
    await db.transactions.bulkInsert(rows);
    const w = ledgerWrites(db);
    const { saved } = await w.commit('Categorised', rows.map((t) => ({ before: t, after: { ...t, categoryId: FOOD } })));
    expect(saved).toHaveLength(5);
    for (const s of saved) expect(compareStamps(s.hlc, rows[0]!.hlc)).toBe(1);
    expect((await all()).every((t) => t.categoryId === FOOD)).toBe(true);
    await w.undo();
    const after = await all();
    expect(after.map((t) => t.categoryId)).toEqual([null, null, null, null, null]);
    expect(new Set(after.map((t) => t.hlc)).size).toBe(5);
    expect(await w.undo()).toBeNull();
  });

  it('changes nothing when one change of an action is invalid, and keeps the previous Undo', async () => {
    const good = transaction({ id: testUuid(1, 4), accountId: MAIN, amount: -500, description: 'Lunch' });
    const w = ledgerWrites(db);
    await w.commit('Added', [{ before: null, after: good }]);
    const before = await all();
    const bad = transaction({ id: testUuid(2, 4), accountId: MAIN, amount: -1.5, description: 'Half a penny' });
    await expect(w.commit('Added', [{ before: good, after: { ...good, tags: ['x'] } }, { before: null, after: bad }])).rejects.toThrow(/"Half a penny" was not saved: amount/);
    const missingCategory = { ...good, categoryId: testUuid(99, 5) };
    await expect(w.commit('Edited', [{ before: good, after: missingCategory }])).rejects.toThrow('The category chosen for "Lunch" no longer exists.');
    expect(await all()).toEqual(before);
    expect(w.lastAction.value?.label).toBe('Added');
  });

  it('refuses deleting one leg of a transfer alone; both legs go and come back together', async () => {
    const [out, inflow] = await recordTransfer(db, { fromAccountId: MAIN, toAccountId: SAVINGS, amount: 5_000, date: '2026-03-10', description: 'Rainy day' });
    const w = ledgerWrites(db);
    await expect(w.commit('Deleted', [{ before: out, after: null }])).rejects.toThrow(/deleted together/);
    await w.commit('Deleted', [{ before: out, after: null }, { before: inflow, after: null }]);
    expect(await all()).toEqual([]);
    await w.undo();
    expect((await all()).map((t) => t.transferId).sort()).toEqual([out.id, inflow.id].sort());
  });

  it('undoes a confirmed recurring occurrence: the transaction goes and the occurrence is due again', async () => {
    const rule = await createRecurring(db, {
      name: 'Gym', rrule: 'FREQ=MONTHLY', startDate: '2026-03-01', endDate: null, accountId: MAIN, amount: -3_000,
      currency: 'GBP', categoryId: null, payee: null, autoPost: false, lastPostedDate: null, skippedDates: [],
    });
    await confirmRecurring(db, rule, '2026-03-01');
    expect((await loadRecurring(db))[0]?.lastPostedDate).toBe('2026-03-01');
    expect(await all()).toHaveLength(1);
    await ledgerWrites(db).undo();
    expect(await all()).toEqual([]);
    expect((await loadRecurring(db))[0]?.lastPostedDate).toBeNull();
  });
});
