import { describe, expect, it } from 'vitest';
import {
  addDays, addMonths, CalendarDateError, dateIn, dateLabel, dateOfDay, dateToUtc, dayNumber, daysBetween, isCalendarDate, isCalendarMonth,
  isTimeZone, lastDayOfMonth, monthKey, monthLabel, monthOf, monthRange, todayIn, weekday, yearOf,
} from './date.ts';

describe('calendar dates', () => {
  it('parses only real days', () => {
    expect(dateToUtc('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-01-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(() => dateToUtc('2026-04-31')).toThrow(/No such day/);
    expect(() => dateToUtc('2026-04-31')).toThrow(CalendarDateError);
  });

  it('keeps years below 100 as written (Date.UTC would move them to the 1900s)', () => {
    expect(dateToUtc('0050-06-01').getUTCFullYear()).toBe(50);
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });

  it('adds days across month ends, leap days and clock changes', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-03-28', '2026-03-31')).toBe(3);
    expect(daysBetween('2026-03-31', '2026-03-28')).toBe(-3);
    expect(() => addDays('2026-01-01', 0.5)).toThrow(CalendarDateError);
  });

  it('numbers days from 1970-01-01 and back again', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(dayNumber('2026-01-01')).toBe(20_454);
    expect(dateOfDay(20_454)).toBe('2026-01-01');
    for (const d of ['2024-02-29', '2000-01-01', '1999-12-31', '2026-12-06']) expect(dateOfDay(dayNumber(d))).toBe(d);
    expect(() => dateOfDay(1.5)).toThrow(CalendarDateError);
  });

  it('agree with the platform\'s own calendar on every 997th day from year 0 to 9999', () => {
    for (let day = -719_528; day <= 2_932_896; day += 997) {
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      expect(dateOfDay(day)).toBe(iso);
      expect(dayNumber(iso)).toBe(day);
      expect(weekday(iso)).toBe(new Date(day * 86_400_000).getUTCDay());
    }
  });

  it('knows weekdays, years and month ends', () => {
    expect(weekday('2026-01-01')).toBe(4); // Thursday
    expect(yearOf('2026-01-01')).toBe(2026);
    expect(lastDayOfMonth(2026, 2)).toBe('2026-02-28');
    expect(lastDayOfMonth(2028, 2)).toBe('2028-02-29');
    expect(lastDayOfMonth(2026, 12)).toBe('2026-12-31');
    expect(() => lastDayOfMonth(2026, 13)).toThrow(CalendarDateError);
  });
});

describe('months', () => {
  it('are keyed YYYY-MM and move across year ends', () => {
    expect(monthOf('2026-11-03')).toBe('2026-11');
    expect(() => monthOf('2026-11-31')).toThrow(CalendarDateError);
    expect(monthKey(2026, 1)).toBe('2026-01');
    expect(isCalendarMonth('2026-12')).toBe(true);
    expect(isCalendarMonth('2026-13')).toBe(false);
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', -27)).toBe('2023-12');
    expect(() => addMonths('2026-1', 1)).toThrow(CalendarDateError);
  });

  it('span their first to last day', () => {
    expect(monthRange('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(monthRange('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31' });
  });
});

describe('today in a time zone', () => {
  // 23:30 UTC on 31 Dec 2026 is already 1 Jan 2027 in Berlin and still 31 Dec in New York.
  const instant = new Date(Date.UTC(2026, 11, 31, 23, 30));

  it('is the date the instant falls on in that zone', () => {
    expect(dateIn('UTC', instant)).toBe('2026-12-31');
    expect(dateIn('Europe/Berlin', instant)).toBe('2027-01-01');
    expect(dateIn('America/New_York', instant)).toBe('2026-12-31');
    expect(todayIn('Europe/Berlin', instant)).toBe('2027-01-01');
    expect(todayIn('Pacific/Kiritimati', new Date(Date.UTC(2026, 5, 30, 11, 0)))).toBe('2026-07-01');
  });

  it('refuses a zone name it does not know, and todayIn falls back to the runtime\'s zone', () => {
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(() => dateIn('Mars/Olympus', instant)).toThrow(CalendarDateError);
    expect(todayIn('Mars/Olympus', instant)).toBe(todayIn(undefined, instant));
  });
});

describe('text for people', () => {
  it('reads a date and a month without shifting them through a zone', () => {
    expect(dateLabel('2026-11-03')).toBe('3 Nov 2026');
    expect(dateLabel('2026-11-25', { weekday: true })).toMatch(/^Wed,? 25 Nov 2026$/);
    expect(monthLabel('2026-11')).toBe('November 2026');
    expect(() => monthLabel('2026-13')).toThrow(CalendarDateError);
  });
});
