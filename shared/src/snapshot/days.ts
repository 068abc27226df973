import {
  CalendarDateError, dateOfDay as calendarDateOfDay, dayNumber as calendarDayNumber, isCalendarMonth, monthRange, yearOf,
} from '../date/date.ts';

/**
 * Calendar dates as day numbers (days from 1970-01-01, see @mymidas/shared/date), with the snapshot's
 * own errors: bad input is a SnapshotInputError.
 */

export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
}

/** Stored snapshot data that is damaged or inconsistent: the snapshot must be rebuilt from the replica. */
export class SnapshotCorruptError extends Error {
  override readonly name = 'SnapshotCorruptError';
}

/** Day number of a calendar date; throws SnapshotInputError for text that is not a real date. */
export function dayNumber(date: string): number {
  try {
    return calendarDayNumber(date);
  } catch (error) {
    if (error instanceof CalendarDateError) {
      throw new SnapshotInputError(/^\d{4}-\d{2}-\d{2}$/.test(date) ? `no such calendar date: ${date}` : `not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    }
    throw error;
  }
}

/** The calendar date of a day number, as 'YYYY-MM-DD'. */
export function dateOfDay(day: number): string {
  return calendarDateOfDay(day);
}

/** The calendar year a day number falls in. */
export function yearOfDay(day: number): number {
  return yearOf(calendarDateOfDay(day));
}

/** First and last day numbers of a calendar month 'YYYY-MM'. */
export function monthDays(month: string): { from: number; to: number } {
  if (!isCalendarMonth(month)) throw new SnapshotInputError(`not a calendar month (YYYY-MM): ${JSON.stringify(month)}`);
  const { first, last } = monthRange(month);
  return { from: calendarDayNumber(first), to: calendarDayNumber(last) };
}
