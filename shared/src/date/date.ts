/**
 * Calendar dates ('YYYY-MM-DD') and months ('YYYY-MM') as plain text values, and "today" in a named
 * time zone. A calendar date has no time zone: all arithmetic goes through the UTC midnight of the day
 * (proleptic Gregorian calendar), so neither the device's zone nor a daylight-saving change can move a
 * date by a day. The only place a zone enters is `todayIn(timeZone)`, which says which zone it means.
 */

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_TEXT = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const DAY_MS = 86_400_000;

export class CalendarDateError extends RangeError {
  override name = 'CalendarDateError';
}

// ---- dates ---------------------------------------------------------------------------------------

const TWO_DIGITS = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'));

function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian y-m-d (integer arithmetic, no Date object). */
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** The proleptic Gregorian y-m-d of a day number (the inverse of daysFromCivil). */
function civilFromDays(day: number): [number, number, number] {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** [year, month, day] of 'YYYY-MM-DD'; throws CalendarDateError for other text or an impossible day. */
function dateParts(date: string): [number, number, number] {
  if (!DATE_TEXT.test(date)) throw new CalendarDateError(`Not a calendar date (YYYY-MM-DD): "${date}"`);
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new CalendarDateError(`No such day: "${date}"`);
  return [y, m, d];
}

function formatParts(y: number, m: number, d: number): string {
  if (!Number.isFinite(y) || y < 0 || y > 9999) throw new CalendarDateError(`Year out of range: ${y}`);
  return `${y >= 1000 ? String(y) : String(y).padStart(4, '0')}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** Parses 'YYYY-MM-DD' into the UTC midnight of that day; refuses impossible dates such as 2026-02-30. */
export function dateToUtc(date: string): Date {
  return new Date(dayNumber(date) * DAY_MS);
}

/** Formats the UTC calendar day of an instant as 'YYYY-MM-DD' (the local zone is never consulted). */
export function formatUtcDate(d: Date): string {
  return formatParts(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function isCalendarDate(date: string): boolean {
  try {
    dateParts(date);
    return true;
  } catch {
    return false;
  }
}

/** The day number of a date: whole days since 1970-01-01 (negative before it). */
export function dayNumber(date: string): number {
  const [y, m, d] = dateParts(date);
  return daysFromCivil(y, m, d);
}

/** The date of a day number, as 'YYYY-MM-DD'. */
export function dateOfDay(day: number): string {
  if (!Number.isInteger(day)) throw new CalendarDateError(`A day number is whole, got ${day}`);
  const [y, m, d] = civilFromDays(day);
  return formatParts(y, m, d);
}

export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new CalendarDateError(`Days must be whole, got ${days}`);
  return dateOfDay(dayNumber(date) + days);
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/** 0 = Sunday … 6 = Saturday, for the calendar day itself (1970-01-01 was a Thursday). */
export function weekday(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** The year of a date. */
export function yearOf(date: string): number {
  return dateParts(date)[0];
}

// ---- months --------------------------------------------------------------------------------------

/** The month key 'YYYY-MM' of a date. */
export function monthOf(date: string): string {
  dateParts(date);
  return date.slice(0, 7);
}

export function isCalendarMonth(month: string): boolean {
  return MONTH_TEXT.test(month);
}

function parseMonth(month: string): { year: number; month: number } {
  const m = MONTH_TEXT.exec(month);
  if (!m) throw new CalendarDateError(`Not a calendar month (YYYY-MM): "${month}"`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** A month key 'YYYY-MM' from a year and a month number 1-12. */
export function monthKey(year: number, month: number): string {
  if (!Number.isInteger(year) || year < 0 || year > 9999 || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new CalendarDateError(`Not a month: ${year}-${month}`);
  }
  return `${String(year).padStart(4, '0')}-${pad2(month)}`;
}

/** 'YYYY-MM' moved by `delta` months. */
export function addMonths(month: string, delta: number): string {
  if (!Number.isInteger(delta)) throw new CalendarDateError(`Months must be whole, got ${delta}`);
  const { year, month: m } = parseMonth(month);
  const index = year * 12 + (m - 1) + delta;
  return monthKey(Math.floor(index / 12), (index % 12) + 1);
}

/** The last date of a month (year and month number 1-12). */
export function lastDayOfMonth(year: number, month: number): string {
  monthKey(year, month);
  return formatParts(year, month, daysInMonth(year, month));
}

/** The first and last dates of a month 'YYYY-MM'. */
export function monthRange(month: string): { first: string; last: string } {
  const { year, month: m } = parseMonth(month);
  return { first: `${month}-01`, last: lastDayOfMonth(year, m) };
}

// ---- today, in a named time zone -----------------------------------------------------------------

/** The IANA time zone this runtime (device or server process) is set to. */
export function deviceTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Whether a time zone name is one the runtime knows (e.g. 'Europe/London'). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date an instant falls on in a time zone; throws CalendarDateError for an unknown zone. */
export function dateIn(timeZone: string, instant: Date): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' }).formatToParts(instant);
  } catch {
    throw new CalendarDateError(`Unknown time zone: "${timeZone}"`);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

/**
 * Today's date in a time zone (e.g. the settings' zone). With no zone, or one the runtime does not
 * know, the runtime's own zone is used: a date is always in some named zone, never shifted through UTC.
 */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  if (timeZone !== undefined && isTimeZone(timeZone)) return dateIn(timeZone, now);
  return dateIn(deviceTimeZone(), now);
}

/** Today's date in this device's own time zone. */
export function todayLocal(now: Date = new Date()): string {
  return dateIn(deviceTimeZone(), now);
}

// ---- text for people -----------------------------------------------------------------------------

const labelFormats = new Map<string, Intl.DateTimeFormat>();

function labelFormat(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = labelFormats.get(key);
  if (!f) {
    f = make();
    labelFormats.set(key, f);
  }
  return f;
}

/** A date as people read it ("3 Nov 2026"; with `weekday`, "Tue, 3 Nov 2026"). */
export function dateLabel(date: string, options: { locale?: string; weekday?: boolean } = {}): string {
  const locale = options.locale ?? 'en-GB';
  const weekdayToo = options.weekday === true;
  return labelFormat(`d:${locale}:${weekdayToo}`, () => new Intl.DateTimeFormat(locale, {
    ...(weekdayToo ? { weekday: 'short' as const } : {}), day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  })).format(dateToUtc(date));
}

/** A month as people read it ("November 2026"). */
export function monthLabel(month: string, locale = 'en-GB'): string {
  parseMonth(month);
  return labelFormat(`m:${locale}`, () => new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' })).format(dateToUtc(`${month}-01`));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
