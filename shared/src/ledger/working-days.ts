import { addDays, lastDayOfMonth, weekday } from '../date/date.ts';

/**
 * RRULE for "the last weekday (Mon–Fri) of each month". RRULE cannot know bank holidays, so when a
 * holiday list matters the dates are rolled with {@link rollToWorkingDay} afterwards.
 */
export const LAST_WORKING_DAY_RRULE = 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1';

export type Roll = 'previous' | 'next';

/** A UK working day: Monday to Friday and not in the given holiday list ('YYYY-MM-DD' dates). */
export function isWorkingDay(date: string, holidays: Iterable<string> = []): boolean {
  const day = weekday(date);
  if (day === 0 || day === 6) return false;
  if (holidays instanceof Set) return !holidays.has(date);
  for (const h of holidays) if (h === date) return false;
  return true;
}

/** Moves a date to the nearest working day in the given direction (the date itself when it is one). */
export function rollToWorkingDay(date: string, roll: Roll, holidays: Iterable<string> = []): string {
  const set = holidays instanceof Set ? (holidays as Set<string>) : new Set(holidays);
  const step = roll === 'previous' ? -1 : 1;
  let d = date;
  // At most a handful of steps: a weekend plus a run of holidays. 14 guards against a bad holiday list.
  for (let i = 0; i < 14; i++) {
    if (isWorkingDay(d, set)) return d;
    d = addDays(d, step);
  }
  throw new RangeError(`No working day within two weeks of ${date}: check the holiday list`);
}

/** The last working day of a month (1–12), weekends and the given holidays excluded. */
export function lastWorkingDayOfMonth(year: number, month: number, holidays: Iterable<string> = []): string {
  return rollToWorkingDay(lastDayOfMonth(year, month), 'previous', holidays);
}
