import { describe, expect, it } from 'vitest';
import type { Budget } from '@mymidas/shared/schema';
import { ALERT_HISTORY_PERIODS, alertCheckReadyAt, alertKey, appendAlert, currentAlertItems, notificationText, periodLabel } from './budget-alerts.ts';
import type { BudgetAlertEntry, SyncGateFacts } from './budget-alerts.ts';

function budget(over: Partial<Budget> = {}): Budget {
  return {
    id: '01939a6e-0000-7000-8000-000000000001',
    hlc: '1764000000000:0000:test',
    categoryId: '01939a6e-0001-7000-8000-000000000001',
    period: 'monthly',
    weekStart: 1,
    startDate: '2024-01-01',
    endDate: null,
    amounts: [{ from: '2024-01-01', amount: 20_000 }],
    currency: 'GBP',
    rollover: 'none',
    alertThreshold: 80,
    alerts: [],
    ...over,
  };
}

const at = '2026-12-06T10:00:00.000Z';

describe('appendAlert', () => {
  it('appends an alert not yet recorded', () => {
    const out = appendAlert(budget(), { period: '2026-12-01', kind: 'threshold', at }, 1);
    expect(out).toEqual([{ period: '2026-12-01', kind: 'threshold', at }]);
  });

  it('refuses an alert of the same period and kind already recorded (by any device, at any time)', () => {
    const b = budget({ alerts: [{ period: '2026-12-01', kind: 'threshold', at: '2026-12-02T08:00:00.000Z' }] });
    expect(appendAlert(b, { period: '2026-12-01', kind: 'threshold', at }, 1)).toBeNull();
    // Another kind, or the same kind in another period, is a new alert.
    expect(appendAlert(b, { period: '2026-12-01', kind: 'over', at }, 1)).toHaveLength(2);
    expect(appendAlert(b, { period: '2026-11-01', kind: 'threshold', at }, 1)).toHaveLength(2);
  });

  it('drops entries older than the last 24 periods of the budget (monthly on the 25th)', () => {
    // Periods start on the 25th: the one containing 2026-12-30 starts 2026-12-25; 23 before it, 2025-01-25.
    const old: BudgetAlertEntry[] = [
      { period: '2024-12-25', kind: 'threshold', at },
      { period: '2025-01-25', kind: 'threshold', at },
      { period: '2026-11-25', kind: 'over', at },
    ];
    const out = appendAlert(budget({ alerts: old }), { period: '2026-12-25', kind: 'threshold', at }, 25);
    expect(out?.map((a) => a.period)).toEqual(['2025-01-25', '2026-11-25', '2026-12-25']);
  });

  it('keeps a weekly budget to 24 weeks of alerts however many are appended', () => {
    let b = budget({ period: 'weekly', weekStart: 1 });
    // Mondays from 2026-01-05, three kinds each, for 60 weeks.
    for (let w = 0; w < 60; w += 1) {
      const day = new Date(Date.UTC(2026, 0, 5 + 7 * w)).toISOString().slice(0, 10);
      for (const kind of ['threshold', 'over', 'projected'] as const) b = { ...b, alerts: appendAlert(b, { period: day, kind, at }, 1)! };
    }
    expect(b.alerts).toHaveLength(ALERT_HISTORY_PERIODS * 3);
    expect(new Set(b.alerts.map((a) => a.period)).size).toBe(ALERT_HISTORY_PERIODS);
    expect(b.alerts.at(-1)?.period).toBe('2027-02-22');
    expect(b.alerts[0]?.period).toBe('2026-09-14');
  });
});

describe('currentAlertItems', () => {
  const names = new Map([['01939a6e-0001-7000-8000-000000000001', 'Groceries'], ['01939a6e-0001-7000-8000-000000000002', 'Eating out']]);

  it('lists the alerts of each budget\'s current period only, newest first, in words', () => {
    const monthly = budget({
      alerts: [
        { period: '2026-11-01', kind: 'over', at: '2026-11-28T09:00:00.000Z' },
        { period: '2026-12-01', kind: 'threshold', at: '2026-12-03T09:00:00.000Z' },
        { period: '2026-12-01', kind: 'over', at: '2026-12-05T09:00:00.000Z' },
      ],
    });
    const weekly = budget({
      id: '01939a6e-0000-7000-8000-000000000002',
      categoryId: '01939a6e-0001-7000-8000-000000000002',
      period: 'weekly',
      weekStart: 1,
      alertThreshold: 90,
      alerts: [
        { period: '2026-11-23', kind: 'threshold', at: '2026-11-25T09:00:00.000Z' },
        { period: '2026-11-30', kind: 'threshold', at: '2026-12-04T09:00:00.000Z' },
      ],
    });
    const items = currentAlertItems({ budgets: [monthly, weekly], names, monthStartDay: 1, today: '2026-12-06' });
    expect(items.map((i) => i.message)).toEqual([
      'Groceries (monthly) is over budget',
      'Eating out (weekly) reached 90 % of its budget',
      'Groceries (monthly) reached 80 % of its budget',
    ]);
    expect(items[1]).toMatchObject({ key: alertKey(weekly.id, '2026-11-30', 'threshold'), period: { start: '2026-11-30', end: '2026-12-06' } });
    expect(periodLabel(items[0]!.period)).toBe('1 Dec 2026 – 31 Dec 2026');
    expect(notificationText(items[0]!)).toEqual({ title: 'Budget alert: Groceries', body: 'Groceries (monthly) is over budget. Period 1 Dec 2026 – 31 Dec 2026.' });
  });

  it('says what a projected alert means', () => {
    const b = budget({ alerts: [{ period: '2026-12-01', kind: 'projected', at }] });
    expect(currentAlertItems({ budgets: [b], names, monthStartDay: 1, today: '2026-12-06' })[0]?.message).toBe('Groceries (monthly) is likely to overspend by the end of the period');
  });
});

describe('alertCheckReadyAt: when this device may look for crossings', () => {
  const connected: SyncGateFacts = { online: true, serverReachable: true, signedIn: true, inFlight: 0, received: 0, lastSyncedAt: null };
  const timing = { connectedSince: 1_000_000, quietMs: 3_000, graceMs: 30_000 };

  it('looks at once while it cannot sync (offline, server unreachable, signed out)', () => {
    expect(alertCheckReadyAt({ ...connected, online: false }, { ...timing, connectedSince: null })).toBe(0);
    expect(alertCheckReadyAt({ ...connected, serverReachable: false }, timing)).toBe(0);
    expect(alertCheckReadyAt({ ...connected, signedIn: false }, timing)).toBe(0);
  });

  it('waits while a sync round is under way', () => {
    expect(alertCheckReadyAt({ ...connected, inFlight: 2, lastSyncedAt: new Date(2_000_000).toISOString() }, timing)).toBeNull();
    expect(alertCheckReadyAt({ ...connected, received: 40, lastSyncedAt: new Date(2_000_000).toISOString() }, timing)).toBeNull();
  });

  it('looks once a round finished after connecting and sync stayed quiet', () => {
    expect(alertCheckReadyAt({ ...connected, lastSyncedAt: new Date(1_500_000).toISOString() }, timing)).toBe(1_503_000);
  });

  it('a round that finished before this connection does not count; after the grace period it looks anyway', () => {
    expect(alertCheckReadyAt({ ...connected, lastSyncedAt: new Date(900_000).toISOString() }, timing)).toBe(1_030_000);
    expect(alertCheckReadyAt(connected, timing)).toBe(1_030_000);
  });
});
