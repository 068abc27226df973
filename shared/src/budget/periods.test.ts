import { describe, expect, it } from 'vitest';
import { BudgetInputError, periodContaining, periodDays, shiftPeriod } from './periods.ts';
import type { PeriodRule } from './types.ts';

const weekly = (weekStart: number): PeriodRule => ({ kind: 'weekly', weekStart, monthStartDay: 1 });
const monthly = (monthStartDay: number): PeriodRule => ({ kind: 'monthly', weekStart: 0, monthStartDay });
const quarterly = (monthStartDay: number): PeriodRule => ({ kind: 'quarterly', weekStart: 0, monthStartDay });
const yearly = (monthStartDay: number): PeriodRule => ({ kind: 'yearly', weekStart: 0, monthStartDay });

describe('budget periods', () => {
  it('cuts weeks on the chosen weekday, across a month end and a year end', () => {
    // 2026-12-31 is a Thursday.
    expect(periodContaining(weekly(1), '2026-12-31')).toEqual({ start: '2026-12-28', end: '2027-01-03' });
    expect(periodContaining(weekly(0), '2026-12-31')).toEqual({ start: '2026-12-27', end: '2027-01-02' });
    expect(periodContaining(weekly(4), '2026-12-31')).toEqual({ start: '2026-12-31', end: '2027-01-06' });
    expect(periodContaining(weekly(5), '2026-12-31')).toEqual({ start: '2026-12-25', end: '2026-12-31' });
    expect(periodContaining(weekly(1), '2026-05-01')).toEqual({ start: '2026-04-27', end: '2026-05-03' });
    expect(shiftPeriod(weekly(1), { start: '2026-12-28', end: '2027-01-03' }, 1)).toEqual({ start: '2027-01-04', end: '2027-01-10' });
    expect(shiftPeriod(weekly(1), { start: '2026-12-28', end: '2027-01-03' }, -52)).toEqual({ start: '2025-12-29', end: '2026-01-04' });
  });

  it('cuts months on payday the 25th', () => {
    expect(periodContaining(monthly(25), '2026-03-24')).toEqual({ start: '2026-02-25', end: '2026-03-24' });
    expect(periodContaining(monthly(25), '2026-03-25')).toEqual({ start: '2026-03-25', end: '2026-04-24' });
    expect(periodContaining(monthly(25), '2027-01-10')).toEqual({ start: '2026-12-25', end: '2027-01-24' });
    expect(periodDays(periodContaining(monthly(25), '2026-03-01'))).toBe(28);
    expect(periodDays(periodContaining(monthly(25), '2024-03-01'))).toBe(29);
    expect(shiftPeriod(monthly(25), { start: '2026-12-25', end: '2027-01-24' }, 2)).toEqual({ start: '2027-02-25', end: '2027-03-24' });
    expect(periodContaining(monthly(1), '2026-02-14')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
  });

  it('cuts quarters from January, April, July and October, and years from January', () => {
    expect(periodContaining(quarterly(1), '2026-05-15')).toEqual({ start: '2026-04-01', end: '2026-06-30' });
    expect(periodContaining(quarterly(1), '2026-12-31')).toEqual({ start: '2026-10-01', end: '2026-12-31' });
    expect(periodContaining(quarterly(25), '2026-04-24')).toEqual({ start: '2026-01-25', end: '2026-04-24' });
    expect(periodContaining(quarterly(25), '2026-01-10')).toEqual({ start: '2025-10-25', end: '2026-01-24' });
    expect(shiftPeriod(quarterly(1), { start: '2026-10-01', end: '2026-12-31' }, 1)).toEqual({ start: '2027-01-01', end: '2027-03-31' });
    expect(periodDays(periodContaining(quarterly(1), '2026-02-01'))).toBe(90);
    expect(periodContaining(yearly(1), '2026-07-04')).toEqual({ start: '2026-01-01', end: '2026-12-31' });
    expect(periodContaining(yearly(25), '2026-01-24')).toEqual({ start: '2025-01-25', end: '2026-01-24' });
    expect(shiftPeriod(yearly(1), { start: '2026-01-01', end: '2026-12-31' }, -2)).toEqual({ start: '2024-01-01', end: '2024-12-31' });
    expect(periodDays(periodContaining(yearly(1), '2024-06-01'))).toBe(366);
  });

  it('shifting by n and back returns the same period, and periods tile the calendar', () => {
    for (const rule of [weekly(3), monthly(25), quarterly(10), yearly(1)]) {
      let p = periodContaining(rule, '2023-11-30');
      for (let i = 0; i < 30; i++) {
        const next = shiftPeriod(rule, p, 1);
        expect(periodDays({ start: p.end, end: next.start })).toBe(2);
        expect(shiftPeriod(rule, next, -1)).toEqual(p);
        expect(periodContaining(rule, next.end)).toEqual(next);
        p = next;
      }
    }
  });

  it('refuses a bad rule, date or period start with a clear error', () => {
    expect(() => periodContaining(monthly(29), '2026-01-01')).toThrow(BudgetInputError);
    expect(() => periodContaining(weekly(7), '2026-01-01')).toThrow(/weekStart/);
    expect(() => periodContaining({ kind: 'daily' as 'weekly', weekStart: 0, monthStartDay: 1 }, '2026-01-01')).toThrow(/unknown budget period/);
    expect(() => periodContaining(monthly(1), '2026-02-30')).toThrow(BudgetInputError);
    expect(() => shiftPeriod(monthly(1), { start: '2026-02-02', end: '2026-03-01' }, 1)).toThrow(/does not start/);
    expect(() => shiftPeriod(monthly(1), { start: '2026-02-01', end: '2026-02-28' }, 0.5)).toThrow(/whole/);
    expect(() => shiftPeriod(yearly(1), { start: '2026-01-01', end: '2026-12-31' }, 9_000)).toThrow(BudgetInputError);
  });
});
