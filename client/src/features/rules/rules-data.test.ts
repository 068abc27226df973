import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';
import { describeActions, describeConditions } from './rule-summary.ts';
import {
  applyRulesOnEntry, createRule, createRuleFromTransaction, deleteRule, loadRules, moveRule, previewRule, reorderRules, setRuleEnabled, updateRule,
} from './rules-data.ts';

const ACC = testUuid(1);
const GROCERIES = testUuid(20);
const TRAVEL = testUuid(21);
const COFFEE = testUuid(22);

let db: ReplicaDatabase;
beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: ACC, name: 'Current' }));
  await db.categories.bulkInsert([category({ id: GROCERIES, name: 'Groceries' }), category({ id: TRAVEL, name: 'Travel' }), category({ id: COFFEE, name: 'Coffee' })]);
});
afterEach(async () => {
  await db.close();
});

const newTx = (n: number, over: Parameters<typeof transaction>[0] extends infer T ? Partial<T> : never = {}) =>
  transaction({ id: testUuid(n, 5), accountId: ACC, amount: -1250, ...over });

describe('rules on entry', () => {
  it('fills an empty category, tags and merchant; keeps what the user chose', async () => {
    await createRule(db, { name: 'Tesco', enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'tesco' }], actions: { categoryId: GROCERIES, tags: ['food'], merchant: 'Tesco' } });
    const r = await applyRulesOnEntry(db, newTx(1, { description: 'TESCO STORES 3021' }));
    expect(r.error).toBeNull();
    expect(r.changed).toBe(true);
    expect(r.transaction).toMatchObject({ categoryId: GROCERIES, tags: ['food'], merchant: 'Tesco' });
    const mine = await applyRulesOnEntry(db, newTx(2, { description: 'TESCO STORES 3021', categoryId: TRAVEL, merchant: 'Mine' }));
    expect(mine.transaction).toMatchObject({ categoryId: TRAVEL, merchant: 'Mine', tags: ['food'] });
  });

  it('applies in priority order and sees rule edits at once (no stale cache)', async () => {
    const broad = await createRule(db, { name: 'Coffee', enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'cafe' }], actions: { categoryId: COFFEE } });
    const travel = await createRule(db, { name: 'Station cafe', enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'station cafe' }], actions: { categoryId: TRAVEL } });
    expect((await applyRulesOnEntry(db, newTx(3, { description: 'Station Cafe' }))).transaction.categoryId).toBe(COFFEE);
    await moveRule(db, travel.id, -1);
    expect((await loadRules(db)).map((r) => r.id)).toEqual([travel.id, broad.id]);
    expect((await applyRulesOnEntry(db, newTx(4, { description: 'Station Cafe' }))).transaction.categoryId).toBe(TRAVEL);
    await setRuleEnabled(db, travel.id, false);
    expect((await applyRulesOnEntry(db, newTx(5, { description: 'Station Cafe' }))).transaction.categoryId).toBe(COFFEE);
  });

  it('offers the learned merchant category when no rule sets one, without applying it', async () => {
    await db.transactions.bulkInsert([
      newTx(10, { merchant: 'PRET A MANGER 123', categoryId: COFFEE, date: '2026-01-02' }),
      newTx(11, { merchant: 'Pret A Manger', categoryId: COFFEE, date: '2026-01-03' }),
      newTx(12, { merchant: 'PRET A MANGER', categoryId: GROCERIES, date: '2026-01-04' }),
    ]);
    const r = await applyRulesOnEntry(db, newTx(13, { merchant: 'SQ *PRET A MANGER 9999' }));
    expect(r.transaction.categoryId).toBeNull();
    expect(r.suggestion).toMatchObject({ categoryId: COFFEE, count: 2, total: 3 });
    // The model follows new history.
    await db.transactions.bulkInsert([newTx(14, { merchant: 'Pret', categoryId: GROCERIES, date: '2026-02-01' }), newTx(15, { merchant: 'PRET A MANGER', categoryId: GROCERIES, date: '2026-02-02' }), newTx(16, { merchant: 'PRET A MANGER', categoryId: GROCERIES, date: '2026-02-03' })]);
    expect((await applyRulesOnEntry(db, newTx(17, { merchant: 'PRET A MANGER' }))).suggestion?.categoryId).toBe(GROCERIES);
  });

  it('never blocks saving when a stored rule is broken: the transaction comes back unchanged with the reason', async () => {
    await db.rules.insert({ id: testUuid(90), hlc: '1764000000000:0000:test', name: 'Bad', priority: 1, enabled: true, conditions: [{ field: 'description', op: 'regex', value: '(a+)+$' }], actions: { categoryId: GROCERIES } });
    const tx = newTx(6, { description: 'aaaa' });
    const r = await applyRulesOnEntry(db, tx);
    expect(r.transaction).toBe(tx);
    expect(r.error).toMatch(/Rule "Bad"/);
  });
});

describe('editing rules', () => {
  it('refuses a rule that sets nothing or has an unsafe pattern, saving nothing', async () => {
    await expect(createRule(db, { name: 'x', enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'x' }], actions: { tags: ['  '] } })).rejects.toThrow(/sets nothing/);
    await expect(createRule(db, { name: 'y', enabled: true, conditions: [{ field: 'description', op: 'regex', value: '.*.*x' }], actions: { categoryId: TRAVEL } })).rejects.toThrow();
    expect(await db.rules.count().exec()).toBe(0);
  });

  it('update replaces actions whole (a removed tag is gone), with a newer stamp', async () => {
    const r = await createRule(db, { name: 'T', enabled: true, conditions: [{ field: 'merchant', op: 'equals', value: 'tfl' }], actions: { categoryId: TRAVEL, tags: ['commute'] } });
    const u = await updateRule(db, r.id, { name: 'TfL', enabled: true, conditions: [{ field: 'merchant', op: 'starts_with', value: 'tfl' }], actions: { categoryId: TRAVEL } });
    expect(u.actions).toEqual({ categoryId: TRAVEL });
    expect(u.conditions).toEqual([{ field: 'merchant', op: 'starts_with', value: 'tfl' }]);
    expect(u.hlc > r.hlc).toBe(true);
    expect(u.priority).toBe(r.priority);
  });

  it('reorders by renumbering priorities, writing only rules that move', async () => {
    const mk = (n: string) => createRule(db, { name: n, enabled: true, conditions: [{ field: 'description', op: 'contains', value: n }], actions: { categoryId: TRAVEL } });
    const a = await mk('a');
    const b = await mk('b');
    const c = await mk('c');
    expect([a.priority, b.priority, c.priority]).toEqual([10, 20, 30]);
    expect(await reorderRules(db, [c.id, a.id, b.id])).toBe(3);
    expect((await loadRules(db)).map((r) => [r.name, r.priority])).toEqual([['c', 10], ['a', 20], ['b', 30]]);
    expect(await reorderRules(db, [c.id, a.id, b.id])).toBe(0);
    expect(await moveRule(db, c.id, -1)).toBe(false);
    await deleteRule(db, a.id);
    expect((await loadRules(db)).map((r) => r.name)).toEqual(['c', 'b']);
  });

  it('creates a rule from a transaction and previews what a rule matches', async () => {
    await db.transactions.bulkInsert([
      newTx(30, { merchant: 'TFL TRAVEL CH', description: 'TFL TRAVEL CH 12/03', categoryId: TRAVEL, date: '2026-03-12' }),
      newTx(31, { merchant: 'TFL TRAVEL CHARGE', description: 'tfl', date: '2026-03-13', amount: -280 }),
      newTx(32, { merchant: 'Greggs', description: 'GREGGS', date: '2026-03-14' }),
    ]);
    const source = (await db.transactions.findOne(testUuid(30, 5)).exec())!.toMutableJSON();
    const rule = await createRuleFromTransaction(db, source, { sameAccount: true });
    expect(rule.conditions).toEqual([{ field: 'merchant', op: 'contains', value: 'tfl travel ch' }, { field: 'accountId', op: 'equals', value: ACC }]);
    expect(rule.actions).toEqual({ categoryId: TRAVEL });
    const p = await previewRule(db, rule);
    expect(p.of).toBe(3);
    expect(p.matched.map((t) => t.id).sort()).toEqual([testUuid(30, 5), testUuid(31, 5)]);
    expect(describeConditions(rule, [{ id: ACC, name: 'Current' }])).toBe('Merchant contains “tfl travel ch” and Account is Current');
    expect(describeActions(rule, [{ id: TRAVEL, name: 'Travel' }])).toBe('set category Travel');
    await expect(createRuleFromTransaction(db, newTx(33, { description: 'x' }))).rejects.toThrow(/category first/);
  });
});
