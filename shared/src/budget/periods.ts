import { BUDGET_PERIODS } from '../schema/registry.ts';
import { CalendarDateError, dateOfDay, dayNumber, isCalendarDate } from '../date/date.ts';
import type { Period, PeriodRule } from './types.ts';

/**
 * Budget periods (issue 20). A period is identified by its start date and runs to the day before the next
 * period starts:
 * - weekly: seven days from the rule's weekday (0 = Sunday … 6 = Saturday);
 * - monthly: from `monthStartDay` of one month to the day before it in the next (payday the 25th:
 *   25 Jan – 24 Feb);
 * - quarterly: from `monthStartDay` of January, April, July or October, three months;
 * - yearly: from `monthStartDay` of January, twelve months.
 * Calendar dates only (no time zone enters): the arithmetic is on day numbers of @mymidas/shared/date.
 */

export class BudgetInputError extends Error {
  override readonly name = 'BudgetInputError';
}

const MONTHS_PER: Readonly<Record<PeriodRule['kind'], number>> = { weekly: 0, monthly: 1, quarterly: 3, yearly: 12 };

/** Throws BudgetInputError unless the rule is one the engine can cut periods with. */
export function checkPeriodRule(rule: PeriodRule): void {
  if (!rule || !(BUDGET_PERIODS as readonly string[]).includes(rule.kind)) throw new BudgetInputError(`unknown budget period ${JSON.stringify(rule?.kind)}`);
  if (!Number.isInteger(rule.weekStart) || rule.weekStart < 0 || rule.weekStart > 6) throw new BudgetInputError(`weekStart must be 0 (Sunday) to 6 (Saturday), got ${String(rule.weekStart)}`);
  if (!Number.isInteger(rule.monthStartDay) || rule.monthStartDay < 1 || rule.monthStartDay > 28) throw new BudgetInputError(`the budget start day must be 1 to 28, got ${String(rule.monthStartDay)}`);
}

/** Day number of a date, or BudgetInputError naming what it is. */
export function dayOf(date: string, what: string): number {
  if (typeof date !== 'string' || !isCalendarDate(date)) throw new BudgetInputError(`${what} must be a calendar date (YYYY-MM-DD), got ${JSON.stringify(date)}`);
  return dayNumber(date);
}

/** Days from 1970-01-01 to y-m-d (m 1–12, d 1–28 here, so always a real day). */
function civilDay(monthIndex: number, d: number): number {
  const year = Math.floor(monthIndex / 12);
  const m = monthIndex - year * 12 + 1;
  return dayNumber(`${String(year).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`);
}

/** Month index (year·12 + month − 1) and day of month of a day number. */
function monthIndexOf(day: number): [number, number] {
  const date = dateOfDay(day);
  return [Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))];
}

/**
 * The day-number start of the period `n` periods after the one containing `day` (n may be negative).
 * The rule must have been checked.
 */
export function periodStartDay(rule: PeriodRule, day: number, n = 0): number {
  if (rule.kind === 'weekly') {
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    return day - ((weekday - rule.weekStart + 7) % 7) + 7 * n;
  }
  const step = MONTHS_PER[rule.kind];
  const [monthIndex, dom] = monthIndexOf(day);
  let index = dom < rule.monthStartDay ? monthIndex - 1 : monthIndex;
  index -= ((index % step) + step) % step; // quarters start in Jan/Apr/Jul/Oct, years in January
  return civilDay(index + n * step, rule.monthStartDay);
}

/** The period containing a date. */
export function periodContaining(rule: PeriodRule, date: string): Period {
  checkPeriodRule(rule);
  const day = dayOf(date, 'the date');
  return periodOfDays(periodStartDay(rule, day), periodStartDay(rule, day, 1) - 1);
}

/** The period `n` periods after `period` (before it when n is negative). */
export function shiftPeriod(rule: PeriodRule, period: Period, n: number): Period {
  checkPeriodRule(rule);
  if (!Number.isInteger(n)) throw new BudgetInputError(`a period shift is a whole number, got ${String(n)}`);
  const start = dayOf(period?.start, 'the period start');
  if (periodStartDay(rule, start) !== start) throw new BudgetInputError(`${period.start} does not start a ${rule.kind} period`);
  try {
    return periodOfDays(periodStartDay(rule, start, n), periodStartDay(rule, start, n + 1) - 1);
  } catch (error) {
    if (error instanceof CalendarDateError) throw new BudgetInputError(`shifting ${period.start} by ${n} ${rule.kind} periods leaves the calendar (years 0–9999)`);
    throw error;
  }
}

/** Days in a period, both ends included. */
export function periodDays(period: Period): number {
  return dayOf(period.end, 'the period end') - dayOf(period.start, 'the period start') + 1;
}

export function periodOfDays(start: number, end: number): Period {
  return { start: dateOfDay(start), end: dateOfDay(end) };
}
