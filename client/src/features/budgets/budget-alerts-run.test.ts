import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import type { EffectScope } from 'vue';
import type { BudgetInputs } from '@mymidas/shared/budget';
import { addMonths, monthOf, todayIn } from '@mymidas/shared/date';
import type { Budget } from '@mymidas/shared/schema';
import { applyChanges, buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import { useComputeStore } from '../../app/compute-store.ts';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until } from '../../testing/test-port.ts';
import { startBudgetAlertWatch } from './budget-alerts-run.ts';
import { budgetTestRig, closeRig } from './budget-test-session.ts';
import type { fakeSession } from './budget-test-session.ts';

const GROCERIES = testUuid(2);
const ACCOUNT = testUuid(10);
const BUDGET = testUuid(20);
const today = todayIn(undefined, new Date());
const monthStart = `${monthOf(today)}-01`;

let db: ReplicaDatabase;
let scope: EffectScope;
let snapshot: Snapshot;
let pushes: BudgetInputs[];
let worker: ReturnType<typeof fakeSession>;
let n = 100;

function tx(amount: number): SnapshotDoc {
  n += 1;
  return { id: testUuid(n, 7), date: monthStart, amount, currency: 'GBP', accountId: ACCOUNT, categoryId: GROCERIES, status: 'cleared', transferId: null, splits: [] };
}

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: ACCOUNT }));
  await db.categories.insert(category({ id: GROCERIES, name: 'Groceries' }));
  const budget: Budget = {
    id: BUDGET, hlc: '1764000000000:0000:test', categoryId: GROCERIES, period: 'monthly', weekStart: 1, startDate: `${addMonths(monthOf(today), -12)}-01`,
    endDate: null, amounts: [{ from: `${addMonths(monthOf(today), -12)}-01`, amount: 10_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts: [],
  };
  await db.budgets.insert(budget);
  snapshot = buildSnapshot([tx(-8_500)]);
  ({ pushes, worker, scope } = budgetTestRig(snapshot));
});

afterEach(() => closeRig(scope, db));

const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('budget alerts in the background (startBudgetAlertWatch)', () => {
  it('records a crossing from a look, lets go of the inputs between looks, and looks again when the snapshot moves', async () => {
    // The budget's recorded alerts as they are stored, kept current.
    let kinds: string[] = [];
    const sub = db.budgets.findOne(BUDGET).$.subscribe((doc) => (kinds = doc ? (doc.toJSON() as Budget).alerts.map((a) => a.kind) : []));
    const app = createApp({});
    app.use(createPinia());
    app.provide(REPLICA_PORT, portFor(db));
    app.runWithContext(() => {
      useComputeStore().bind({ start: async () => worker.session });
      scope.run(() => startBudgetAlertWatch({ quietMs: 5 }));
    });
    await until(() => kinds.includes('threshold'), 'the threshold alert', flush);
    // The look is over: the inputs were let go of in the page and in the worker.
    await until(() => worker.clears.count === 1, 'the inputs let go of', flush);
    const looks = pushes.length;
    // Spending arrives in the snapshot: another look (inputs read and pushed again) finds the budget over.
    applyChanges(snapshot, [{ op: 'insert', doc: tx(-2_000) }]);
    worker.bump();
    await until(() => kinds.includes('over'), 'the over-budget alert', flush);
    expect(pushes.length).toBeGreaterThan(looks);
    await until(() => worker.clears.count === 2, 'the inputs let go of again', flush);
    expect(kinds.filter((k) => k === 'threshold' || k === 'over')).toEqual(['threshold', 'over']);
    sub.unsubscribe();
  });
});
