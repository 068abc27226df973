// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import type { Budget, Settings } from '@mymidas/shared/schema';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import { category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import BudgetAlertsBell from './BudgetAlertsBell.vue';
import BudgetAlertsPanel from './BudgetAlertsPanel.vue';
import { alertKey } from './budget-alerts.ts';
import type { BudgetAlertItem } from './budget-alerts.ts';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const GROCERIES = testUuid(1, 1);
const BUDGET = testUuid(1, 2);

const item = (kind: BudgetAlertItem['kind'], message: string): BudgetAlertItem => ({
  key: alertKey(BUDGET, '2026-12-01', kind), budgetId: BUDGET, name: 'Groceries', periodKind: 'monthly',
  period: { start: '2026-12-01', end: '2026-12-31' }, kind, at: '2026-12-05T09:30:00.000Z', message,
});

describe('BudgetAlertsPanel', () => {
  it('shows each alert\'s budget, kind in words, period and time, and says which are unread', () => {
    const w = mount(BudgetAlertsPanel, {
      props: { items: [item('over', 'Groceries (monthly) is over budget'), item('threshold', 'Groceries (monthly) reached 80 % of its budget')], read: new Set([alertKey(BUDGET, '2026-12-01', 'threshold')]), loading: false, permission: 'default' },
    });
    const rows = w.findAll('li');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.text()).toContain('Over budget, unread');
    expect(rows[0]!.text()).toContain('Groceries (monthly) is over budget');
    expect(rows[0]!.text()).toContain('Period 1 Dec 2026 – 31 Dec 2026');
    expect(rows[0]!.find('time').attributes('datetime')).toBe('2026-12-05T09:30:00.000Z');
    expect(rows[1]!.text()).toContain('Threshold reached');
    expect(rows[1]!.text()).not.toContain('unread');
    // A read alert has no "Mark read"; every alert can be dismissed, and the buttons say which alert they act on.
    expect(rows[1]!.findAll('button').map((b) => b.text())).toEqual(['Dismiss: Groceries (monthly) reached 80 % of its budget']);
  });

  it('emits mark read, dismiss and the permission request from the buttons only', async () => {
    const w = mount(BudgetAlertsPanel, {
      props: { items: [item('over', 'A is over budget'), item('projected', 'A is likely to overspend')], read: new Set<string>(), loading: false, permission: 'default' },
    });
    expect(w.emitted('allowNotifications')).toBeUndefined();
    await w.get('li button').trigger('click');
    expect(w.emitted('markRead')?.[0]).toEqual([[alertKey(BUDGET, '2026-12-01', 'over')]]);
    await w.findAll('li')[1]!.findAll('button')[1]!.trigger('click');
    expect(w.emitted('dismiss')?.[0]).toEqual([alertKey(BUDGET, '2026-12-01', 'projected')]);
    const buttons = w.findAll('.footer button');
    expect(buttons.map((b) => b.text())).toEqual(['Mark all read', 'Allow browser notifications']);
    await buttons[0]!.trigger('click');
    expect(w.emitted('markRead')?.[1]).toEqual([[alertKey(BUDGET, '2026-12-01', 'over'), alertKey(BUDGET, '2026-12-01', 'projected')]]);
    await buttons[1]!.trigger('click');
    expect(w.emitted('allowNotifications')).toHaveLength(1);
  });

  it('says when it is loading, when there is nothing, and what the browser allows', async () => {
    const w = mount(BudgetAlertsPanel, { props: { items: [], read: new Set<string>(), loading: true, permission: 'granted' } });
    expect(w.get('[role="status"]').text()).toBe('Loading alerts…');
    await w.setProps({ loading: false });
    expect(w.text()).toContain('No budget alerts in the current periods.');
    expect(w.get('[data-testid="notification-permission"]').text()).toBe('Browser notifications are on for new alerts.');
    await w.setProps({ permission: 'unsupported' });
    expect(w.get('[data-testid="notification-permission"]').text()).toContain('cannot show notifications');
    await w.setProps({ permission: 'denied' });
    expect(w.get('[data-testid="notification-permission"]').text()).toContain('blocked');
  });
});

describe('BudgetAlertsBell', () => {
  let db: ReplicaDatabase | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('names the unread count and lists the budgets\' alerts of the current period', async () => {
    db = await openTestReplica();
    const today = new Date().toISOString().slice(0, 10);
    const settings: Settings = { id: testUuid(9, 9), hlc: '1764000000000:0000:test', baseCurrency: 'GBP', locale: 'en-GB', timezone: 'UTC', budgetStartDay: 1, idleLockMinutes: 15 };
    await db.settings.insert(settings);
    await db.categories.insert(category({ id: GROCERIES, name: 'Groceries' }));
    const budget: Budget = {
      id: BUDGET, hlc: '1764000000000:0000:test', categoryId: GROCERIES, period: 'monthly', weekStart: 1, startDate: '2020-01-01', endDate: null,
      amounts: [{ from: '2020-01-01', amount: 20_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80,
      alerts: [{ period: `${today.slice(0, 7)}-01`, kind: 'threshold', at: new Date().toISOString() }],
    };
    await db.budgets.insert(budget);
    const w = mount(BudgetAlertsBell, { global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) } }, attachTo: document.body });
    await until(() => w.get('button').text().includes('1 unread') && document.querySelector('dialog li') !== null, 'the unread count');
    // Alerts already there when the app opens are not announced as new.
    expect(document.querySelector('[role="status"]')?.textContent).toBe('');
    expect(w.get('button').text()).toContain('Budget alerts, 1 unread');
    expect(w.get('.count').text()).toBe('1');
    // The bell is a fragment (button, live region, dialog): the list is looked up in the document.
    expect(document.querySelector('dialog li')?.textContent).toContain('Groceries (monthly) reached 80 % of its budget');
    // One arriving later (raised here or synced in) is announced.
    const doc = await db.budgets.findOne(BUDGET).exec();
    await doc!.incrementalPatch({ alerts: [...budget.alerts, { period: budget.alerts[0]!.period, kind: 'over', at: new Date(Date.now() + 1000).toISOString() }] });
    await until(() => w.get('button').text().includes('2 unread'), 'the second alert');
    expect(document.querySelector('[role="status"]')?.textContent).toBe('New budget alert: Groceries (monthly) is over budget.');
    for (const b of document.querySelectorAll<HTMLButtonElement>('dialog .footer button')) if (b.textContent?.trim() === 'Mark all read') b.click();
    await until(() => w.get('button').text().trim().endsWith('Budget alerts'), 'the count to go');
    expect(w.find('.count').exists()).toBe(false);
    w.unmount();
  });
});
