import { addDays, addMonths, dayNumber, weekday } from '@mymidas/shared/date';
import type { Period, PeriodRule } from '@mymidas/shared/budget';

/*
 * PLACEHOLDER until shared/src/budget/periods.ts lands (the engine's periodContaining / shiftPeriod):
 * the page imports these two names from here only, so swapping is one import line.
 */

function monthStart(rule: PeriodRule, date: string): string {
  const day = Number(date.slice(8, 10));
  const month = date.slice(0, 7);
  const start = day >= rule.monthStartDay ? month : addMonths(month, -1);
  return `${start}-${String(rule.monthStartDay).padStart(2, '0')}`;
}

function stepMonths(kind: PeriodRule['kind']): number {
  return kind === 'monthly' ? 1 : kind === 'quarterly' ? 3 : 12;
}

function startOf(rule: PeriodRule, date: string): string {
  if (rule.kind === 'weekly') return addDays(date, -((weekday(date) - rule.weekStart + 7) % 7));
  const m = monthStart(rule, date);
  const monthIndex = Number(m.slice(5, 7)) - 1;
  const back = rule.kind === 'monthly' ? 0 : rule.kind === 'quarterly' ? monthIndex % 3 : monthIndex;
  return `${addMonths(m.slice(0, 7), -back)}${m.slice(7)}`;
}

function nextStart(rule: PeriodRule, start: string, n: number): string {
  if (rule.kind === 'weekly') return addDays(start, 7 * n);
  return `${addMonths(start.slice(0, 7), stepMonths(rule.kind) * n)}${start.slice(7)}`;
}

export function periodContaining(rule: PeriodRule, date: string): Period {
  dayNumber(date);
  const start = startOf(rule, date);
  return { start, end: addDays(nextStart(rule, start, 1), -1) };
}

export function shiftPeriod(rule: PeriodRule, period: Period, n: number): Period {
  const start = nextStart(rule, period.start, n);
  return { start, end: addDays(nextStart(rule, start, 1), -1) };
}
