import { describe, expect, it } from 'vitest';
import { addDays, dateToUtc, daysBetween, isCalendarDate, lastDayOfMonth, weekday } from './calendar.ts';
import { isWorkingDay, lastWorkingDayOfMonth, rollToWorkingDay } from './working-days.ts';

describe('calendar dates', () => {
  it('parses only real days', () => {
    expect(dateToUtc('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-01-01')).toBe(false);
    expect(() => dateToUtc('2026-04-31')).toThrow(/No such day/);
  });

  it('adds days across month ends, leap days and clock changes', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-03-28', '2026-03-31')).toBe(3);
    expect(daysBetween('2026-03-31', '2026-03-28')).toBe(-3);
    expect(() => addDays('2026-01-01', 0.5)).toThrow();
  });

  it('knows weekdays and month ends', () => {
    expect(weekday('2026-01-01')).toBe(4); // Thursday
    expect(lastDayOfMonth(2026, 2)).toBe('2026-02-28');
    expect(lastDayOfMonth(2028, 2)).toBe('2028-02-29');
    expect(() => lastDayOfMonth(2026, 13)).toThrow();
  });
});

describe('working days', () => {
  it('treats weekends and listed holidays as non-working', () => {
    expect(isWorkingDay('2026-01-30')).toBe(true); // Friday
    expect(isWorkingDay('2026-01-31')).toBe(false); // Saturday
    expect(isWorkingDay('2026-02-01')).toBe(false); // Sunday
    expect(isWorkingDay('2026-08-31', ['2026-08-31'])).toBe(false);
  });

  it('finds the last working day of a month, with and without holidays', () => {
    expect(lastWorkingDayOfMonth(2026, 1)).toBe('2026-01-30');
    expect(lastWorkingDayOfMonth(2026, 8)).toBe('2026-08-31');
    expect(lastWorkingDayOfMonth(2026, 8, ['2026-08-31'])).toBe('2026-08-28');
    // Christmas 2026: Fri 25 and Mon 28 (substitute Boxing Day) are holidays; 31st is a Thursday.
    expect(lastWorkingDayOfMonth(2026, 12, ['2026-12-25', '2026-12-28', '2026-12-31'])).toBe('2026-12-30');
  });

  it('rolls either way over a run of holidays and refuses an impossible list', () => {
    expect(rollToWorkingDay('2026-12-25', 'next', ['2026-12-25', '2026-12-28'])).toBe('2026-12-29');
    expect(rollToWorkingDay('2026-12-28', 'previous', ['2026-12-25', '2026-12-28'])).toBe('2026-12-24');
    const everyDay = Array.from({ length: 30 }, (_, i) => addDays('2026-06-01', i));
    expect(() => rollToWorkingDay('2026-06-10', 'next', everyDay)).toThrow(/holiday list/);
  });
});
