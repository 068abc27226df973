import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Budget } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { applyAmountChanges, createBudget, deleteBudget, endBudget, setAmountFrom, updateBudget } from './budget-writes.ts';
import type { BudgetDraft } from './budget-writes.ts';
import { copyLastPeriodPlan } from './budget-page-model.ts';

const FOOD = testUuid(1, 1);
const GROCERIES = testUuid(2, 1);
const SALARY = testUuid(3, 1);
let db: ReplicaDatabase;

beforeEach(async () => {
  db = await openTestReplica();
  await db.categories.bulkInsert([
    category({ id: FOOD, name: 'Food' }),
    category({ id: GROCERIES, name: 'Groceries', parentId: FOOD }),
    category({ id: SALARY, name: 'Salary', kind: 'income' }),
  ]);
});
afterEach(async () => {
  await db.close();
});

const draft = (over: Partial<BudgetDraft> = {}): BudgetDraft => ({
  categoryId: GROCERIES, period: 'monthly', weekStart: 1, startDate: '2026-09-01', endDate: null,
  amounts: [{ from: '2026-09-01', amount: 30_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, ...over,
});
const stored = async (id: string) => (await db.budgets.findOne(id).exec())?.toMutableJSON() as Budget | undefined;

describe('budget writes', () => {
  it('creates a stamped budget with no alerts, and refuses a second monthly budget for the same category', async () => {
    const b = await createBudget(db, draft());
    expect(await stored(b.id)).toMatchObject({ categoryId: GROCERIES, alerts: [], amounts: [{ from: '2026-09-01', amount: 30_000 }] });
    expect(b.hlc).toMatch(/^\d{13}:\d{4}:/);
    await expect(createBudget(db, draft({ startDate: '2026-11-01', amounts: [{ from: '2026-11-01', amount: 1 }] }))).rejects.toThrow(
      'Category: Groceries already has a monthly budget for these periods — edit that one instead.',
    );
    // A weekly budget of the same category, or one after the first has ended, is fine.
    await createBudget(db, draft({ period: 'weekly' }));
    await endBudget(db, b.id, '2026-10-15');
    await createBudget(db, draft({ startDate: '2026-11-01', amounts: [{ from: '2026-11-01', amount: 1 }] }));
    expect(await db.budgets.count().exec()).toBe(3);
  });

  it('refuses what is not a budget with a message naming the field, and writes nothing', async () => {
    await expect(createBudget(db, draft({ categoryId: SALARY }))).rejects.toThrow('Category: Salary is not a spending category.');
    await expect(createBudget(db, draft({ alertThreshold: 120 }))).rejects.toThrow(/^Alert threshold: /);
    await expect(createBudget(db, draft({ amounts: [{ from: '2026-09-01', amount: -5 }] }))).rejects.toThrow('Amount: a budget cannot be below zero.');
    await expect(createBudget(db, draft({ endDate: '2026-08-01' }))).rejects.toThrow('End: the budget cannot end before it starts.');
    expect(await db.budgets.count().exec()).toBe(0);
  });

  it('changes the amount from a period on, leaving earlier periods and later changes alone', async () => {
    const b = await createBudget(db, draft({ amounts: [{ from: '2026-09-01', amount: 30_000 }, { from: '2027-01-01', amount: 35_000 }] }));
    const after = await setAmountFrom(db, b.id, '2026-11-01', 32_000);
    expect(after.amounts).toEqual([{ from: '2026-09-01', amount: 30_000 }, { from: '2026-11-01', amount: 32_000 }, { from: '2027-01-01', amount: 35_000 }]);
    await setAmountFrom(db, b.id, '2026-11-01', 33_000);
    expect((await stored(b.id))?.amounts[1]).toEqual({ from: '2026-11-01', amount: 33_000 });
    expect((await stored(b.id))!.hlc > b.hlc).toBe(true);
  });

  it('keeps the alerts another device recorded when editing', async () => {
    const b = await createBudget(db, draft());
    const doc = await db.budgets.findOne(b.id).exec();
    await doc!.incrementalPatch({ alerts: [{ period: '2026-09-01', kind: 'threshold', at: '2026-09-20T10:00:00.000+01:00' }] });
    await updateBudget(db, b.id, () => ({ rollover: 'unspent', alertThreshold: 90 }));
    expect(await stored(b.id)).toMatchObject({ rollover: 'unspent', alertThreshold: 90, alerts: [{ period: '2026-09-01', kind: 'threshold' }] });
  });

  it('copies last period: the shown period takes the previous amount, and a budget ended last period continues', async () => {
    const raised = await createBudget(db, draft({ amounts: [{ from: '2026-09-01', amount: 30_000 }, { from: '2026-11-01', amount: 40_000 }] }));
    const ended = await createBudget(db, draft({ categoryId: FOOD, endDate: '2026-10-20', amounts: [{ from: '2026-09-01', amount: 50_000 }] }));
    const same = await createBudget(db, draft({ period: 'weekly' }));
    const budgets = (await db.budgets.find().exec()).map((d) => d.toMutableJSON() as Budget);
    const plan = copyLastPeriodPlan(budgets, 'monthly', '2026-11-14', 1);
    expect(plan.map((c) => [c.budget.id, c.from, c.amount, c.reopen])).toEqual(
      expect.arrayContaining([[raised.id, '2026-11-01', 30_000, false], [ended.id, '2026-11-01', 50_000, true]]),
    );
    expect(plan).toHaveLength(2);
    expect(await applyAmountChanges(db, plan)).toBe(2);
    expect((await stored(raised.id))?.amounts).toEqual([{ from: '2026-09-01', amount: 30_000 }, { from: '2026-11-01', amount: 30_000 }]);
    expect(await stored(ended.id)).toMatchObject({ endDate: null, amounts: [{ from: '2026-09-01', amount: 50_000 }, { from: '2026-11-01', amount: 50_000 }] });
    expect((await stored(same.id))?.amounts).toHaveLength(1);
  });

  it('deletes with a fresh stamp; editing a deleted budget says so', async () => {
    const b = await createBudget(db, draft());
    await deleteBudget(db, b.id);
    expect(await stored(b.id)).toBeUndefined();
    await expect(setAmountFrom(db, b.id, '2026-10-01', 1)).rejects.toThrow('This budget no longer exists (deleted on another device?).');
  });
});
