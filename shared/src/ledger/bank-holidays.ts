import { addDays, lastDayOfMonth, weekday } from '../date/date.ts';
import { isWorkingDay } from './working-days.ts';

/**
 * England and Wales bank holidays for any year, computed from the rules gov.uk follows, so "last working
 * day" schedules roll correctly however far ahead they are expanded:
 * - New Year's Day, Christmas Day and Boxing Day, each moved to the next free weekday when it falls on a
 *   weekend (the "substitute day");
 * - Good Friday and Easter Monday (Gregorian Easter);
 * - the early May bank holiday (first Monday of May), the spring bank holiday (last Monday of May) and the
 *   summer bank holiday (last Monday of August);
 * - the one-off changes proclaimed since 1995 (moved Mondays, jubilees, royal occasions), listed below.
 * Years before 1995 are not covered (the data model has nothing that needs them).
 */

export const FIRST_BANK_HOLIDAY_YEAR = 1995;

/** Proclaimed changes: a regular holiday moved to another date, or an extra day. */
const MOVED: Readonly<Record<string, string>> = {
  '1995-05-01': '1995-05-08', // VE Day 50th anniversary
  '2002-05-27': '2002-06-04', // Golden Jubilee
  '2012-05-28': '2012-06-04', // Diamond Jubilee
  '2020-05-04': '2020-05-08', // VE Day 75th anniversary
  '2022-05-30': '2022-06-02', // Platinum Jubilee
};
const EXTRA: readonly string[] = [
  '1999-12-31', // Millennium
  '2002-06-03', // Golden Jubilee
  '2011-04-29', // Royal wedding
  '2012-06-05', // Diamond Jubilee
  '2022-06-03', // Platinum Jubilee
  '2022-09-19', // State funeral of Queen Elizabeth II
  '2023-05-08', // Coronation of King Charles III
];

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Gregorian Easter Sunday (the anonymous Gregorian algorithm). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

function firstMonday(year: number, month: number): string {
  let d = ymd(year, month, 1);
  while (weekday(d) !== 1) d = addDays(d, 1);
  return d;
}

function lastMonday(year: number, month: number): string {
  let d = lastDayOfMonth(year, month);
  while (weekday(d) !== 1) d = addDays(d, -1);
  return d;
}

/** Fixed-date holidays in order; each one on a weekend or on a date already taken moves to the next free weekday. */
function withSubstitutes(dates: readonly string[]): string[] {
  const taken = new Set<string>();
  const out: string[] = [];
  for (const date of dates) {
    let d = date;
    while (!isWorkingDay(d) || taken.has(d)) d = addDays(d, 1);
    taken.add(d);
    out.push(d);
  }
  return out;
}

/** The bank holidays of one year, sorted. */
export function englandWalesBankHolidays(year: number): string[] {
  if (!Number.isInteger(year) || year < FIRST_BANK_HOLIDAY_YEAR || year > 9999) {
    throw new RangeError(`Bank holidays are known from ${FIRST_BANK_HOLIDAY_YEAR} on; got ${year}`);
  }
  const easter = easterSunday(year);
  const regular = [
    ...withSubstitutes([ymd(year, 1, 1)]),
    addDays(easter, -2),
    addDays(easter, 1),
    firstMonday(year, 5),
    lastMonday(year, 5),
    lastMonday(year, 8),
    ...withSubstitutes([ymd(year, 12, 25), ymd(year, 12, 26)]),
  ].map((d) => MOVED[d] ?? d);
  const extra = EXTRA.filter((d) => d.startsWith(`${year}-`));
  return [...new Set([...regular, ...extra])].sort();
}

/** Every bank holiday from `fromYear` to `toYear` inclusive. */
export function englandWalesBankHolidaysBetween(fromYear: number, toYear: number): string[] {
  const out: string[] = [];
  for (let y = fromYear; y <= toYear; y += 1) out.push(...englandWalesBankHolidays(y));
  return out;
}
