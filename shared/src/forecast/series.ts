import { addDays, addMonths, dayNumber, isCalendarDate, lastDayOfMonth } from '../date/date.ts';
import { ForecastInputError } from './types.ts';
import type { Frequency, SeriesPoint } from './types.ts';

/**
 * Validation and calendar stepping for regular daily or monthly series. A monthly series keeps one day
 * of the month throughout (e.g. always the 1st), or is month-end throughout (the 28th–31st as each month
 * ends).
 */

export interface CheckedSeries {
  readonly values: Float64Array;
  readonly dates: readonly string[];
  readonly frequency: Frequency;
  /** Monthly: the fixed day of month, or -1 for month-end. Daily: 0. */
  readonly monthDay: number;
}

function isMonthEnd(date: string): boolean {
  return lastDayOfMonth(Number(date.slice(0, 4)), Number(date.slice(5, 7))) === date;
}

/** The monthly date `steps` months after `date`, keeping the series' day (or month-end). */
function monthStep(date: string, steps: number, monthDay: number): string {
  const month = addMonths(date.slice(0, 7), steps);
  const end = lastDayOfMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
  if (monthDay === -1) return end;
  const day = `${month}-${String(monthDay).padStart(2, '0')}`;
  return day > end ? end : day;
}

/** Checks spacing and values; throws ForecastInputError naming the first problem. */
export function checkSeries(points: readonly SeriesPoint[], frequency: Frequency, label = 'series'): CheckedSeries {
  if (frequency !== 'day' && frequency !== 'month') throw new ForecastInputError(`frequency must be 'day' or 'month', not ${JSON.stringify(frequency)}`);
  if (!Array.isArray(points) || points.length === 0) throw new ForecastInputError(`${label}: no points`);
  const values = new Float64Array(points.length);
  const dates: string[] = [];
  let monthDay = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (typeof p?.date !== 'string' || !isCalendarDate(p.date)) throw new ForecastInputError(`${label}: point ${i} has no calendar date (YYYY-MM-DD): ${JSON.stringify(p?.date)}`);
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) throw new ForecastInputError(`${label}: point ${i} (${p.date}) has a value that is not a finite number: ${String(p.value)}`);
    values[i] = p.value;
    dates.push(p.date);
  }
  if (frequency === 'month') {
    const first = dates[0]!;
    const allEnds = dates.every(isMonthEnd);
    monthDay = allEnds && Number(first.slice(8, 10)) >= 28 ? -1 : Number(first.slice(8, 10));
  }
  for (let i = 1; i < dates.length; i++) {
    const expected = frequency === 'day' ? addDays(dates[i - 1]!, 1) : monthStep(dates[i - 1]!, 1, monthDay);
    if (dates[i] !== expected) {
      throw new ForecastInputError(`${label}: not a regular ${frequency === 'day' ? 'daily' : 'monthly'} series: ${dates[i]} follows ${dates[i - 1]} (expected ${expected}); fill missing ${frequency}s with 0 or an estimate first`);
    }
  }
  return { values, dates, frequency, monthDay };
}

/** The `horizon` dates after the series' last one. */
export function futureDates(series: CheckedSeries, horizon: number): string[] {
  const last = series.dates[series.dates.length - 1]!;
  const out: string[] = [];
  for (let h = 1; h <= horizon; h++) out.push(series.frequency === 'day' ? addDays(last, h) : monthStep(last, h, series.monthDay));
  return out;
}

/** Unix seconds (UTC midnight) of each date: Prophet's time axis. */
export function timestamps(dates: readonly string[]): Float64Array {
  const out = new Float64Array(dates.length);
  for (let i = 0; i < dates.length; i++) out[i] = dayNumber(dates[i]!) * 86_400;
  return out;
}

export function checkWholeNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ForecastInputError(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  }
  return value;
}
