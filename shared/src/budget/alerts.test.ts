import { describe, expect, it } from 'vitest';
import { alertCandidates } from './alerts.ts';
import { budget } from './__fixtures__/budget-fixtures.ts';
import type { BudgetForecast, BudgetPageRow } from './types.ts';

const period = { start: '2026-06-01', end: '2026-06-30' };

function row(budgetId: string, spent: number, forecast: BudgetForecast | null = null, amount = 10_000, carried = 0): BudgetPageRow {
  const limit = amount + carried;
  const state = spent > limit ? 'over' : limit > 0 && spent * 100 >= limit * 80 ? 'over-threshold' : 'on-track';
  return { budgetId, categoryId: 'home', period, amount, carried, spent, pending: 0, available: limit - spent, state, forecast };
}

const forecast = (probabilityOver: number | null, projectedSpent: number): BudgetForecast => ({
  projectedSpent, knownUpcoming: 0, probabilityOver, basedOnPeriods: probabilityOver === null ? 0 : 6, dailyMean: null, dailyStdDev: null,
});

describe('alertCandidates', () => {
  it('raises threshold, over and projected alerts per the row', () => {
    const budgets = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => budget({ id, categoryId: 'home' }));
    const rows = [
      row('a', 7_999),
      row('b', 8_000),
      row('c', 10_001),
      row('d', 1_000, forecast(0.5, 0)),
      row('e', 1_000, forecast(0.49, 20_000)),
      row('f', 1_000, forecast(null, 10_001)),
    ];
    expect(alertCandidates(rows, budgets, '2026-06-15')).toEqual([
      { budgetId: 'b', period: '2026-06-01', kind: 'threshold' },
      { budgetId: 'c', period: '2026-06-01', kind: 'threshold' },
      { budgetId: 'c', period: '2026-06-01', kind: 'over' },
      { budgetId: 'd', period: '2026-06-01', kind: 'projected' },
      { budgetId: 'f', period: '2026-06-01', kind: 'projected' },
    ]);
  });

  it('never raises an alert already recorded for that budget, period and kind', () => {
    const at = '2026-06-10T10:00:00.000Z';
    const b = budget({ id: 'a', categoryId: 'home', alerts: [{ period: '2026-06-01', kind: 'threshold', at }, { period: '2026-05-01', kind: 'over', at }] });
    expect(alertCandidates([row('a', 10_001, forecast(0.9, 0))], [b], '2026-06-15')).toEqual([
      { budgetId: 'a', period: '2026-06-01', kind: 'over' },
      { budgetId: 'a', period: '2026-06-01', kind: 'projected' },
    ]);
    const all = budget({ ...b, alerts: [...b.alerts, { period: '2026-06-01', kind: 'over', at }, { period: '2026-06-01', kind: 'projected', at }] });
    expect(alertCandidates([row('a', 10_001, forecast(0.9, 0))], [all], '2026-06-15')).toEqual([]);
  });

  it('measures against amount plus carried, and ignores rows of unknown budgets', () => {
    const b = budget({ id: 'a', categoryId: 'home' });
    expect(alertCandidates([row('a', 10_500, forecast(null, 10_900), 10_000, 1_000)], [b], '2026-06-15')).toEqual([{ budgetId: 'a', period: '2026-06-01', kind: 'threshold' }]);
    expect(alertCandidates([row('zz', 99_999)], [b], '2026-06-15')).toEqual([]);
  });

  it('without history, the pace projection of a budget on track alerts only once half the period is behind', () => {
    const b = budget({ id: 'a', categoryId: 'home' });
    const early = alertCandidates([row('a', 1_000, forecast(null, 30_000))], [b], '2026-06-01');
    expect(early).toEqual([]);
    expect(alertCandidates([row('a', 1_000, forecast(null, 30_000))], [b], '2026-06-14')).toEqual([]);
    expect(alertCandidates([row('a', 1_000, forecast(null, 30_000))], [b], '2026-06-15')).toEqual([{ budgetId: 'a', period: '2026-06-01', kind: 'projected' }]);
    // Past its threshold, the pace decides at once.
    expect(alertCandidates([row('a', 8_500, forecast(null, 30_000))], [b], '2026-06-01')).toEqual([
      { budgetId: 'a', period: '2026-06-01', kind: 'threshold' },
      { budgetId: 'a', period: '2026-06-01', kind: 'projected' },
    ]);
    // With a probability, it decides from the first day.
    expect(alertCandidates([row('a', 1_000, forecast(0.7, 0))], [b], '2026-06-01')).toEqual([{ budgetId: 'a', period: '2026-06-01', kind: 'projected' }]);
  });
});
