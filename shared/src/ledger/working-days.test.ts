import { describe, expect, it } from 'vitest';
import { addDays } from '../date/date.ts';
import { isWorkingDay, lastWorkingDayOfMonth, rollToWorkingDay } from './working-days.ts';

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
