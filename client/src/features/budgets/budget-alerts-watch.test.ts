import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectScope, nextTick, onScopeDispose, ref, shallowRef } from 'vue';
import type { EffectScope } from 'vue';
import type { BudgetPage, BudgetPageRow } from '@mymidas/shared/budget';
import type { Budget } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { until } from '../../testing/test-port.ts';
import type { BudgetAlertItem, SyncGateFacts } from './budget-alerts.ts';
import { watchBudgetAlerts } from './budget-alerts-watch.ts';

const GROCERIES = testUuid(1, 1);
const BUDGET = testUuid(1, 2);
const TODAY = '2026-12-06';
let db: ReplicaDatabase;
let scope: EffectScope;

const budget = (alerts: Budget['alerts'] = []): Budget => ({
  id: BUDGET, hlc: '1764000000000:0000:test', categoryId: GROCERIES, period: 'monthly', weekStart: 1, startDate: '2026-01-01',
  endDate: null, amounts: [{ from: '2026-01-01', amount: 20_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts,
});

/** The engine's row for December with `spent` spent of £200 (no forecast: only threshold and over). */
function page(spent: number): BudgetPage {
  const row: BudgetPageRow = {
    budgetId: BUDGET, categoryId: GROCERIES, period: { start: '2026-12-01', end: '2026-12-31' }, amount: 20_000, carried: 0, spent, pending: 0,
    available: 20_000 - spent, state: spent > 20_000 ? 'over' : spent >= 16_000 ? 'over-threshold' : 'on-track', forecast: null,
  };
  return { date: TODAY, rows: [row], month: null, missingRates: [] };
}

const offline: SyncGateFacts = { online: false, serverReachable: true, signedIn: true, inFlight: 0, received: 0, lastSyncedAt: null };

beforeEach(async () => {
  db = await openTestReplica();
  await db.categories.insert(category({ id: GROCERIES, name: 'Groceries' }));
});
afterEach(async () => {
  scope?.stop();
  await db.close();
});

function start(initial: SyncGateFacts, spent: number) {
  const budgets = shallowRef<readonly Budget[]>([]);
  const told: BudgetAlertItem[] = [];
  const pageRef = shallowRef<BudgetPage | null>(page(spent));
  const sync = ref<SyncGateFacts>(initial);
  scope = effectScope();
  const w = scope.run(() => {
    const sub = db.budgets.find().$.subscribe((docs) => (budgets.value = docs.map((d) => d.toMutableJSON() as Budget)));
    onScopeDispose(() => sub.unsubscribe());
    return watchBudgetAlerts({
      db: shallowRef(db), page: pageRef, budgets, names: shallowRef(new Map([[GROCERIES, 'Groceries']])), today: ref(TODAY), monthStartDay: ref(1),
      sync, notify: (i) => told.push(i), quietMs: 30, graceMs: 60_000,
    });
  })!;
  return { w, told, pageRef, sync, budgets };
}

const stored = async () => (await db.budgets.findOne(BUDGET).exec())!.toMutableJSON() as Budget;

describe('watchBudgetAlerts', () => {
  it('offline: records the crossings on the budget, then notifies once for each; a later look finds them recorded', async () => {
    await db.budgets.insert(budget());
    const { w, told, pageRef } = start(offline, 20_500);
    await until(() => told.length === 2, 'two alerts', nextTick);
    expect(told.map((i) => i.message)).toEqual(['Groceries (monthly) reached 80 % of its budget', 'Groceries (monthly) is over budget']);
    expect((await stored()).alerts.map((a) => [a.period, a.kind])).toEqual([['2026-12-01', 'threshold'], ['2026-12-01', 'over']]);
    pageRef.value = page(21_000);
    await w.check();
    expect(told).toHaveLength(2);
    expect((await stored()).alerts).toHaveLength(2);
  });

  it('does not notify an alert another device recorded (it arrived with the budget)', async () => {
    await db.budgets.insert(budget([{ period: '2026-12-01', kind: 'threshold', at: '2026-12-06T08:00:00.000Z' }]));
    const { w, told } = start(offline, 17_000);
    await w.check();
    await new Promise((r) => setTimeout(r, 50));
    expect(told).toEqual([]);
    expect((await stored()).alerts).toHaveLength(1);
  });

  it('online: waits for the sync round to finish and settle, so an alert pulled with the spending is not raised again', async () => {
    await db.budgets.insert(budget());
    // Connected, a pull under way: the spending already arrived (the page crosses), the budget's alert not yet.
    const { w, told, sync } = start({ online: true, serverReachable: true, signedIn: true, inFlight: 0, received: 3, lastSyncedAt: null }, 17_000);
    await new Promise((r) => setTimeout(r, 80));
    await w.check();
    expect(w.ready.value).toBe(false);
    expect(told).toEqual([]);
    // The budget arrives in the same round, with the other device's alert; then the round ends.
    const doc = await db.budgets.findOne(BUDGET).exec();
    await doc!.incrementalPatch({ alerts: [{ period: '2026-12-01', kind: 'threshold', at: '2026-12-06T08:00:00.000Z' }], hlc: '1764000000001:0000:other' });
    sync.value = { ...sync.value, received: 0, lastSyncedAt: new Date().toISOString() };
    await until(() => w.ready.value, 'the gate to open after the quiet time', () => new Promise((r) => setTimeout(r, 10)));
    await w.check();
    expect(told).toEqual([]);
    expect((await stored()).alerts).toHaveLength(1);
  });

  it('online: raises a crossing nobody recorded once sync has settled', async () => {
    await db.budgets.insert(budget());
    const { told, sync } = start({ online: true, serverReachable: true, signedIn: true, inFlight: 0, received: 0, lastSyncedAt: null }, 17_000);
    await new Promise((r) => setTimeout(r, 60));
    expect(told).toEqual([]);
    sync.value = { ...sync.value, lastSyncedAt: new Date().toISOString() };
    await until(() => told.length === 1, 'the alert', () => new Promise((r) => setTimeout(r, 10)));
    expect(told[0]?.kind).toBe('threshold');
  });
});
