/**
 * Calendar dates as day numbers: the count of days from 1970-01-01 to a 'YYYY-MM-DD' calendar date.
 * A calendar date has no time zone, so the arithmetic is done on the proleptic Gregorian calendar in UTC
 * (Date.UTC), which never shifts a date by a zone offset or a DST change.
 */

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
}

/** Stored snapshot data that is damaged or inconsistent: the snapshot must be rebuilt from the replica. */
export class SnapshotCorruptError extends Error {
  override readonly name = 'SnapshotCorruptError';
}

/** Day number of a calendar date; throws SnapshotInputError for text that is not a real date. */
export function dayNumber(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new SnapshotInputError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new SnapshotInputError(`no such calendar date: ${date}`);
  }
  return Math.round(ms / MS_PER_DAY);
}

/** The calendar date of a day number, as 'YYYY-MM-DD'. */
export function dateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The calendar year a day number falls in. */
export function yearOfDay(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** First and last day numbers of a calendar month 'YYYY-MM'. */
export function monthDays(month: string): { from: number; to: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new SnapshotInputError(`not a calendar month (YYYY-MM): ${JSON.stringify(month)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: Math.round(Date.UTC(y, mo - 1, 1) / MS_PER_DAY), to: Math.round(Date.UTC(y, mo, 1) / MS_PER_DAY) - 1 };
}
