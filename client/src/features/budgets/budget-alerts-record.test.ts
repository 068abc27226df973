import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareStamps } from '@mymidas/shared/sync';
import type { Budget } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { recordBudgetAlert } from './budget-alerts-record.ts';

const GROCERIES = testUuid(1, 1);
const BUDGET = testUuid(1, 2);
let db: ReplicaDatabase;

const budget = (over: Partial<Budget> = {}): Budget => ({
  id: BUDGET, hlc: '1764000000000:0000:other-device', categoryId: GROCERIES, period: 'monthly', weekStart: 1, startDate: '2026-01-01',
  endDate: null, amounts: [{ from: '2026-01-01', amount: 20_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts: [], ...over,
});
const stored = async () => (await db.budgets.findOne(BUDGET).exec())?.toMutableJSON() as Budget | undefined;

beforeEach(async () => {
  db = await openTestReplica();
  await db.categories.insert(category({ id: GROCERIES, name: 'Groceries' }));
});
afterEach(async () => {
  await db.close();
});

describe('recordBudgetAlert', () => {
  it('appends the alert to the budget, stamped after the stamp it had, and keeps every other field', async () => {
    await db.budgets.insert(budget());
    const saved = await recordBudgetAlert(db, { budgetId: BUDGET, period: '2026-12-01', kind: 'threshold' }, { monthStartDay: 1, at: '2026-12-06T10:00:00.000Z' });
    expect(saved?.entry).toEqual({ period: '2026-12-01', kind: 'threshold', at: '2026-12-06T10:00:00.000Z' });
    const after = await stored();
    expect(after).toMatchObject({ ...budget(), hlc: expect.any(String), alerts: [{ period: '2026-12-01', kind: 'threshold', at: '2026-12-06T10:00:00.000Z' }] });
    expect(compareStamps(after!.hlc, budget().hlc)).toBeGreaterThan(0);
    expect(saved?.budget.hlc).toBe(after!.hlc);
  });

  it('writes nothing and returns null when the alert is already recorded (e.g. by another device, through sync)', async () => {
    const raised = { period: '2026-12-01', kind: 'over' as const, at: '2026-12-05T08:00:00.000Z' };
    await db.budgets.insert(budget({ alerts: [raised] }));
    const rev = (await db.budgets.findOne(BUDGET).exec())!.revision;
    expect(await recordBudgetAlert(db, { budgetId: BUDGET, period: '2026-12-01', kind: 'over' }, { monthStartDay: 1 })).toBeNull();
    const doc = await db.budgets.findOne(BUDGET).exec();
    expect(doc!.revision).toBe(rev);
    expect((doc!.toMutableJSON() as Budget).alerts).toEqual([raised]);
  });

  it('two looks at the same crossing at once record it once', async () => {
    await db.budgets.insert(budget());
    const c = { budgetId: BUDGET, period: '2026-12-01', kind: 'threshold' as const };
    const results = await Promise.all([recordBudgetAlert(db, c, { monthStartDay: 1 }), recordBudgetAlert(db, c, { monthStartDay: 1 })]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect((await stored())!.alerts).toHaveLength(1);
  });

  it('returns null for a budget that is gone', async () => {
    await db.budgets.insert(budget());
    await (await db.budgets.findOne(BUDGET).exec())!.remove();
    expect(await recordBudgetAlert(db, { budgetId: BUDGET, period: '2026-12-01', kind: 'threshold' }, { monthStartDay: 1 })).toBeNull();
  });

  it('drops the entries of periods before the last 24 when it appends', async () => {
    await db.budgets.insert(budget({ alerts: [{ period: '2024-11-01', kind: 'over', at: '2024-11-20T08:00:00.000Z' }, { period: '2025-01-01', kind: 'over', at: '2025-01-20T08:00:00.000Z' }] }));
    await recordBudgetAlert(db, { budgetId: BUDGET, period: '2026-12-01', kind: 'threshold' }, { monthStartDay: 1 });
    expect((await stored())!.alerts.map((a) => a.period)).toEqual(['2025-01-01', '2026-12-01']);
  });
});
