/**
 * Calendar dates ('YYYY-MM-DD') as plain values. Every conversion goes through UTC midnight, so the
 * device's time zone and its daylight-saving changes can never move a date by a day.
 */

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export class CalendarDateError extends RangeError {
  override name = 'CalendarDateError';
}

/** Parses 'YYYY-MM-DD' into the UTC midnight of that day; refuses impossible dates such as 2026-02-30. */
export function dateToUtc(date: string): Date {
  const m = DATE_TEXT.exec(date);
  if (!m) throw new CalendarDateError(`Not a calendar date (YYYY-MM-DD): "${date}"`);
  const [, y, mo, d] = m;
  const utc = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (formatUtcDate(utc) !== date) throw new CalendarDateError(`No such day: "${date}"`);
  return utc;
}

/** Formats the UTC calendar day of an instant as 'YYYY-MM-DD' (the local zone is never consulted). */
export function formatUtcDate(d: Date): string {
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new CalendarDateError(`Year out of range: ${y}`);
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function isCalendarDate(date: string): boolean {
  try {
    dateToUtc(date);
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new CalendarDateError(`Days must be whole, got ${days}`);
  return formatUtcDate(new Date(dateToUtc(date).getTime() + days * DAY_MS));
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return Math.round((dateToUtc(b).getTime() - dateToUtc(a).getTime()) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday, for the calendar day itself. */
export function weekday(date: string): number {
  return dateToUtc(date).getUTCDay();
}

export function lastDayOfMonth(year: number, month: number): string {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new CalendarDateError(`Not a month: ${year}-${month}`);
  }
  return formatUtcDate(new Date(Date.UTC(year, month, 0)));
}
