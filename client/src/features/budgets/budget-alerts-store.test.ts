import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectScope, nextTick, shallowRef } from 'vue';
import type { EffectScope } from 'vue';
import type { Budget, Settings } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { until } from '../../testing/test-port.ts';
import { alertKey } from './budget-alerts.ts';
import { browserNotifications, createBudgetAlertsState } from './budget-alerts-store.ts';
import type { NotificationPermissionState, NotificationPort } from './budget-alerts-store.ts';

const GROCERIES = testUuid(1, 1);
const BUDGET = testUuid(1, 2);
let db: ReplicaDatabase;
let scope: EffectScope;

class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() { return this.map.size; }
  clear() { this.map.clear(); }
  getItem(k: string) { return this.map.get(k) ?? null; }
  key(i: number) { return [...this.map.keys()][i] ?? null; }
  removeItem(k: string) { this.map.delete(k); }
  setItem(k: string, v: string) { this.map.set(k, v); }
}

function fakeNotifications(initial: NotificationPermissionState = 'default') {
  const shown: { title: string; body: string; tag: string }[] = [];
  let permission = initial;
  const port: NotificationPort = {
    permission: () => permission,
    request: async () => (permission = 'granted'),
    show: (title, o) => shown.push({ title, ...o }),
  };
  return { port, shown };
}

const settings: Settings = { id: testUuid(9, 9), hlc: '1764000000000:0000:test', baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', budgetStartDay: 1, idleLockMinutes: 15 };
const budget = (alerts: Budget['alerts']): Budget => ({
  id: BUDGET, hlc: '1764000000000:0000:test', categoryId: GROCERIES, period: 'monthly', weekStart: 1, startDate: '2026-01-01',
  endDate: null, amounts: [{ from: '2026-01-01', amount: 20_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts,
});

beforeEach(async () => {
  db = await openTestReplica();
  await db.categories.insert(category({ id: GROCERIES, name: 'Groceries' }));
  await db.settings.insert(settings);
});
afterEach(async () => {
  scope?.stop();
  await db.close();
});

function start(storage: Storage, notifications: NotificationPort | null) {
  scope = effectScope();
  return scope.run(() => createBudgetAlertsState(shallowRef(db), { storage, notifications, now: () => new Date('2026-12-06T12:00:00Z') }))!;
}

describe('the budget alerts list', () => {
  it('lists the current periods\' alerts from the budgets, counts unread, and keeps read and dismissed marks on the device', async () => {
    await db.budgets.insert(budget([
      { period: '2026-11-01', kind: 'over', at: '2026-11-20T09:00:00.000Z' },
      { period: '2026-12-01', kind: 'threshold', at: '2026-12-03T09:00:00.000Z' },
      { period: '2026-12-01', kind: 'over', at: '2026-12-05T09:00:00.000Z' },
    ]));
    const storage = new MemoryStorage();
    const s = start(storage, null);
    await until(() => !s.loading.value && s.items.value.length === 2, 'the list', nextTick);
    expect(s.today.value).toBe('2026-12-06');
    expect(s.items.value.map((i) => i.kind)).toEqual(['over', 'threshold']);
    expect(s.unread.value).toBe(2);
    s.markRead([alertKey(BUDGET, '2026-12-01', 'over')]);
    expect(s.unread.value).toBe(1);
    s.dismiss(alertKey(BUDGET, '2026-12-01', 'threshold'));
    expect(s.items.value.map((i) => i.kind)).toEqual(['over']);
    expect(s.unread.value).toBe(0);
    await nextTick();
    scope.stop();

    // Another start on the same device remembers; a new alert synced in is unread.
    const again = start(storage, null);
    await until(() => !again.loading.value && again.items.value.length === 1, 'the list again', nextTick);
    expect(again.unread.value).toBe(0);
    const doc = await db.budgets.findOne(BUDGET).exec();
    await doc!.incrementalPatch({ alerts: [...doc!.toMutableJSON().alerts, { period: '2026-12-01', kind: 'projected', at: '2026-12-06T09:00:00.000Z' }] });
    await until(() => again.items.value.length === 2, 'the synced alert', nextTick);
    expect(again.unread.value).toBe(1);
    again.markAllRead();
    expect(again.unread.value).toBe(0);
  });

  it('notifies through the browser only when allowed, only from a request the caller makes, and never twice for one alert', async () => {
    await db.budgets.insert(budget([{ period: '2026-12-01', kind: 'over', at: '2026-12-05T09:00:00.000Z' }]));
    const { port, shown } = fakeNotifications('default');
    const s = start(new MemoryStorage(), port);
    await until(() => s.items.value.length === 1, 'the list', nextTick);
    const item = s.items.value[0]!;
    expect(s.permission.value).toBe('default');
    // Not allowed: nothing shown (the in-app list has it), but it counts as told.
    expect(s.notify(item)).toBe(false);
    expect(shown).toEqual([]);
    expect(await s.requestPermission()).toBe('granted');
    expect(s.notify({ ...item, key: alertKey(BUDGET, '2026-12-01', 'projected') })).toBe(true);
    expect(s.notify({ ...item, key: alertKey(BUDGET, '2026-12-01', 'projected') })).toBe(false);
    expect(shown).toEqual([{ title: 'Budget alert: Groceries', body: 'Groceries (monthly) is over budget. Period 1 Dec 2026 – 31 Dec 2026.', tag: alertKey(BUDGET, '2026-12-01', 'projected') }]);
  });

  it('has no notifications where the browser has no Notification API', async () => {
    expect(browserNotifications({} as typeof globalThis)).toBeNull();
    const s = start(new MemoryStorage(), null);
    expect(s.permission.value).toBe('unsupported');
    expect(await s.requestPermission()).toBe('unsupported');
  });

  it('falls back to the service worker where `new Notification` throws (Android)', async () => {
    const calls: string[] = [];
    const Throwing = function () {
      throw new TypeError('Illegal constructor');
    } as unknown as typeof Notification;
    Object.assign(Throwing, { permission: 'granted', requestPermission: async () => 'granted' });
    const win = { Notification: Throwing, navigator: { serviceWorker: { ready: Promise.resolve({ showNotification: async (t: string) => void calls.push(t) }) } } } as unknown as typeof globalThis;
    browserNotifications(win)!.show('Budget alert: Groceries', { body: 'b', tag: 't' });
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['Budget alert: Groceries']);
  });
});
