import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../snapshot/snapshot.ts';
import type { SnapshotDoc } from '../snapshot/snapshot.ts';
import { addDays } from '../date/date.ts';
import { budgetPage } from './engine.ts';
import { budgetForecast, dailyStats, normalCdf, overspendProbability, velocityProjection } from './forecast.ts';
import { budget, inputs, tx } from './__fixtures__/budget-fixtures.ts';
import type { ScheduledAmount } from './types.ts';

/** Φ(x) by Simpson's rule on the density from 0 to x: an independent check of the series. */
function simpsonCdf(x: number): number {
  const n = 4_000;
  const h = x / n;
  const f = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(0) + f(x);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return 0.5 + (sum * h) / 3;
}

describe('normalCdf', () => {
  it('matches published values of the standard normal CDF to 1e-12', () => {
    const table: [number, number][] = [
      [0, 0.5], [0.5, 0.6914624612740131], [1, 0.8413447460685429], [1.5, 0.9331927987311419], [1.96, 0.9750021048517795],
      [2, 0.9772498680518208], [3, 0.9986501019683699], [-1, 0.15865525393145707], [-4, 3.167124183311992e-5], [-6, 9.865876450376946e-10],
      [5, 0.9999997133484281],
    ];
    for (const [x, p] of table) expect(Math.abs(normalCdf(x) - p)).toBeLessThan(1e-12);
  });

  it('keeps small tail probabilities to 1e-12 relative', () => {
    const tails: [number, number][] = [[-3, 0.0013498980316300946], [-4, 3.167124183311992e-5], [-6, 9.865876450376946e-10], [-8, 6.22096057427178e-16], [-10, 7.61985302416047e-24]];
    for (const [x, p] of tails) {
      expect(Math.abs(normalCdf(x) / p - 1)).toBeLessThan(1e-12);
      expect(Math.abs(1 - normalCdf(-x) - p)).toBeLessThan(1e-15);
    }
  });

  it('agrees with numerical integration to 1e-9 across [−8, 8], is symmetric and monotone', () => {
    let previous = 0;
    let previous2 = 0;
    for (let x = -8; x <= 8; x += 0.0625) {
      expect(Math.abs(normalCdf(x) - simpsonCdf(x))).toBeLessThan(1e-9);
      expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThan(1e-15);
      expect(normalCdf(x)).toBeGreaterThanOrEqual(previous);
      previous = normalCdf(x);
    }
    for (let x = -40; x <= 40; x += 0.1) {
      const p = normalCdf(x);
      expect(p >= 0 && p <= 1).toBe(true);
      expect(p).toBeGreaterThanOrEqual(previous2);
      previous2 = p;
    }
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(() => normalCdf(Number.NaN)).toThrow(RangeError);
  });
});

describe('forecast arithmetic', () => {
  it('takes mean and population variance of daily values', () => {
    expect(dailyStats([1_000, 3_000, 1_000, 3_000])).toEqual({ mean: 2_000, variance: 1_000_000 });
    expect(dailyStats([5, 5, 5])).toEqual({ mean: 5, variance: 0 });
    expect(() => dailyStats([])).toThrow(RangeError);
  });

  it('is certain when no spread is left', () => {
    expect(overspendProbability({ spent: 900, knownUpcoming: 0, limit: 1_000, remainingDays: 0, dailyMean: 50, dailyVariance: 100 })).toBe(0);
    expect(overspendProbability({ spent: 900, knownUpcoming: 200, limit: 1_000, remainingDays: 0, dailyMean: 50, dailyVariance: 100 })).toBe(1);
    expect(overspendProbability({ spent: 900, knownUpcoming: 0, limit: 1_000, remainingDays: 3, dailyMean: 50, dailyVariance: 0 })).toBe(1);
    expect(overspendProbability({ spent: 900, knownUpcoming: 0, limit: 1_000, remainingDays: 2, dailyMean: 50, dailyVariance: 0 })).toBe(0);
  });

  it('projects the velocity without bills and adds every bill of the period', () => {
    expect(velocityProjection({ spent: 7_000, paidBills: 1_000, knownUpcoming: 2_000, elapsedDays: 3, periodDays: 7 })).toBe(17_000);
    expect(velocityProjection({ spent: 100, paidBills: 0, knownUpcoming: 0, elapsedDays: 3, periodDays: 31 })).toBe(1_033);
    expect(() => velocityProjection({ spent: 1, paidBills: 0, knownUpcoming: 0, elapsedDays: 0, periodDays: 7 })).toThrow(RangeError);
  });

  it('gives no probability below six periods of history', () => {
    const f = budgetForecast({ spent: 1, limit: 10, periodDays: 7, elapsedDays: 1, remainingDays: 6, paidBills: 0, knownUpcoming: 0, history: { periods: 5, daily: [1, 2, 3] } });
    expect(f).toEqual({ projectedSpent: 7, knownUpcoming: 0, probabilityOver: null, basedOnPeriods: 0, dailyMean: null, dailyStdDev: null });
  });
});

describe('overspend forecast through the engine (closed form)', () => {
  // Weekly budget (Monday weeks) of 16,000 on groceries. The ledger starts Monday 2026-01-05; the six complete
  // weeks before the current one (from 2026-02-16) spend 1,000 and 3,000 on alternate days: daily mean 2,000,
  // variance 1,000². Today is Wednesday 2026-02-18 and 2,000 was spent each day so far: 6,000.
  // The four remaining days total ~ Normal(8,000, 2,000²), so P(6,000 + R > 16,000) = 1 − Φ(1) = Φ(−1).
  const weekly = budget({ id: 'w', categoryId: 'groceries', period: 'weekly', weekStart: 1, startDate: '2026-01-05', amounts: [{ from: '2026-01-05', amount: 16_000 }] });
  const historyDocs = (firstDay: string, weeks: number): SnapshotDoc[] =>
    Array.from({ length: weeks * 7 }, (_, i) => tx(addDays(firstDay, i), i % 2 === 0 ? -1_000 : -3_000, 'groceries'));
  const current = [tx('2026-02-16', -2_000, 'groceries'), tx('2026-02-17', -2_000, 'groceries'), tx('2026-02-18', -2_000, 'groceries')];
  const run = (docs: SnapshotDoc[], scheduled: ScheduledAmount[] = [], date = '2026-02-18') =>
    budgetPage(buildSnapshot(docs), inputs({ budgets: [weekly], today: '2026-02-18', scheduled }), { date }).rows[0]!;

  it('is Φ(−1) for a one-standard-deviation margin', () => {
    const row = run([...historyDocs('2026-01-05', 6), ...current]);
    expect(row.spent).toBe(6_000);
    expect(row.forecast).not.toBeNull();
    const f = row.forecast!;
    expect(f.basedOnPeriods).toBe(6);
    expect(f.dailyMean).toBe(2_000);
    expect(f.dailyStdDev).toBe(1_000);
    expect(f.knownUpcoming).toBe(0);
    expect(f.projectedSpent).toBe(14_000);
    expect(f.probabilityOver).toBeCloseTo(0.15865525393145707, 12);
  });

  it('takes past bills out of the history and adds upcoming ones as known amounts', () => {
    const scheduled: ScheduledAmount[] = [
      { date: '2026-01-07', categoryId: 'groceries', amount: -5_000, currency: 'GBP' }, // paid then: taken out of the history
      { date: '2026-02-17', categoryId: 'groceries', amount: -1_000, currency: 'GBP' }, // paid this week
      { date: '2026-02-20', categoryId: 'groceries', amount: -2_000, currency: 'GBP' }, // to come
      { date: '2026-02-21', categoryId: 'fuel', amount: -9_000, currency: 'GBP' }, // another budget's
      { date: '2026-02-23', categoryId: 'groceries', amount: -9_000, currency: 'GBP' }, // next week
    ];
    const docs = [...historyDocs('2026-01-05', 6), ...current, tx('2026-01-07', -5_000, 'groceries'), tx('2026-02-17', -1_000, 'groceries')];
    const f = run(docs, scheduled).forecast!;
    expect(f.dailyMean).toBe(2_000);
    expect(f.dailyStdDev).toBe(1_000);
    expect(f.knownUpcoming).toBe(2_000);
    // (7,000 − 1,000) / 3 × 7 + 1,000 + 2,000
    expect(f.projectedSpent).toBe(17_000);
    // P(7,000 + 2,000 + R > 16,000) = P(Z > −0.5) = Φ(0.5)
    expect(f.probabilityOver).toBeCloseTo(0.6914624612740131, 12);
  });

  it('learns from at most twelve periods, and gives no probability with fewer than six since the ledger began', () => {
    // Fourteen weeks of history from 2025-11-10: the last twelve are used (still alternating, odd days start on 3,000 here).
    expect(run([...historyDocs('2025-11-10', 14), ...current]).forecast).toMatchObject({ basedOnPeriods: 12, dailyMean: 2_000, dailyStdDev: 1_000 });
    const short = run([...historyDocs('2026-01-12', 5), ...current]).forecast!;
    expect(short).toEqual({ projectedSpent: 14_000, knownUpcoming: 0, probabilityOver: null, basedOnPeriods: 0, dailyMean: null, dailyStdDev: null });
  });

  it('forecasts the current period only', () => {
    expect(run([...historyDocs('2026-01-05', 6), ...current], [], '2026-02-11').forecast).toBeNull();
  });
});
