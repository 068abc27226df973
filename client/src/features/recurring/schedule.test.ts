import { describe, expect, it } from 'vitest';
import type { RecurringRule } from '@mymidas/shared/schema';
import { occurrencesBetween } from '@mymidas/shared/ledger/recurring';
import { describeSchedule, expandOptionsFor, fromRrule, toRrule, type Schedule } from './schedule.ts';

const rule = (rrule: string, startDate: string): RecurringRule => ({
  id: '01939a6e-0000-7000-8000-000000000001', hlc: '1764000000000:0000:test', name: 'R', rrule, startDate, endDate: null,
  accountId: '01939a6e-0000-7000-8000-000000000002', amount: -1000, currency: 'GBP', categoryId: null, payee: null,
  autoPost: true, lastPostedDate: null, skippedDates: [],
});
const dates = (s: Schedule, start: string, from: string, to: string, count?: number) => {
  const text = toRrule(s, count);
  return occurrencesBetween(rule(text, start), from, to, expandOptionsFor(text)).map((o) => o.date);
};

describe('schedule builder → RRULE → hand-checked dates', () => {
  it('monthly on the last working day rolls off weekends and bank holidays (31 Aug 2026 → Fri 28 Aug)', () => {
    const s: Schedule = { kind: 'monthly-last-working-day' };
    expect(toRrule(s)).toBe('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1');
    // May 2026 ends Sun 31 → Fri 29; Aug 31 is a bank holiday → Fri 28; Jan 2027 ends Sun → Fri 29.
    expect(dates(s, '2026-05-01', '2026-05-01', '2027-01-31')).toEqual([
      '2026-05-29', '2026-06-30', '2026-07-31', '2026-08-28', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31', '2027-01-29',
    ]);
    // Good Friday 2027 is 26 March, Easter Monday 29 March: March ends Wed 31 (a working day).
    expect(dates(s, '2027-03-01', '2027-03-01', '2027-04-30')).toEqual(['2027-03-31', '2027-04-30']);
    // Years ahead the holidays still apply: Mon 31 May 2032 (spring) → Fri 28 May; Mon 31 Aug 2037 (summer) → Fri 28 Aug.
    expect(dates(s, '2032-05-01', '2032-05-01', '2032-05-31')).toEqual(['2032-05-28']);
    expect(dates(s, '2037-08-01', '2037-08-01', '2037-08-31')).toEqual(['2037-08-28']);
  });

  it('every 4 weeks keeps its phase from the start date', () => {
    const s: Schedule = { kind: 'weekly', interval: 4, weekdays: [] };
    expect(toRrule(s)).toBe('FREQ=WEEKLY;INTERVAL=4');
    expect(dates(s, '2026-01-09', '2026-01-01', '2026-06-30')).toEqual(['2026-01-09', '2026-02-06', '2026-03-06', '2026-04-03', '2026-05-01', '2026-05-29', '2026-06-26']);
  });

  it('yearly on 29 February occurs only in leap years; "last day of February" every year', () => {
    const leap: Schedule = { kind: 'yearly', month: 2, day: 29 };
    expect(dates(leap, '2024-02-29', '2024-01-01', '2032-12-31')).toEqual(['2024-02-29', '2028-02-29', '2032-02-29']);
    const last: Schedule = { kind: 'yearly', month: 2, day: -1 };
    expect(toRrule(last)).toBe('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1');
    expect(dates(last, '2024-02-29', '2024-01-01', '2027-12-31')).toEqual(['2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28']);
  });

  it('salary on the 25th or the working day before; a direct debit on the 1st or the working day after', () => {
    const salary: Schedule = { kind: 'monthly-day', interval: 1, day: 25, shift: 'before' };
    // 25 Jan 2026 is a Sunday → Fri 23; 25 Apr 2026 Saturday → Fri 24; 25 Jul 2026 Saturday → Fri 24.
    expect(dates(salary, '2026-01-01', '2026-01-01', '2026-07-31')).toEqual(['2026-01-23', '2026-02-25', '2026-03-25', '2026-04-24', '2026-05-25', '2026-06-25', '2026-07-24']);
    const dd: Schedule = { kind: 'monthly-day', interval: 1, day: 1, shift: 'after' };
    // 1 Feb 2026 Sunday → Mon 2; 1 Mar 2026 Sunday → Mon 2; 1 Aug 2026 Saturday → Mon 3.
    expect(dates(dd, '2026-01-01', '2026-01-01', '2026-08-31')).toEqual(['2026-01-01', '2026-02-02', '2026-03-02', '2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01', '2026-08-03']);
  });

  it('first Monday, every two months, and a count', () => {
    const s: Schedule = { kind: 'monthly-weekday', interval: 2, nth: 1, weekday: 'MO' };
    expect(toRrule(s, 3)).toBe('FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO;COUNT=3');
    expect(dates(s, '2026-01-01', '2026-01-01', '2027-12-31', 3)).toEqual(['2026-01-05', '2026-03-02', '2026-05-04']);
  });
});

describe('reading RRULE text back into the builder', () => {
  const shapes: Schedule[] = [
    { kind: 'daily', interval: 3 },
    { kind: 'weekly', interval: 1, weekdays: ['MO', 'TH'] },
    { kind: 'weekly', interval: 4, weekdays: [] },
    { kind: 'monthly-day', interval: 1, day: -1, shift: 'none' },
    { kind: 'monthly-day', interval: 3, day: 15, shift: 'none' },
    { kind: 'monthly-day', interval: 1, day: 25, shift: 'before' },
    { kind: 'monthly-day', interval: 1, day: 1, shift: 'after' },
    { kind: 'monthly-last-working-day' },
    { kind: 'monthly-weekday', interval: 1, nth: -1, weekday: 'FR' },
    { kind: 'yearly', month: 6, day: 1 },
  ];
  it.each(shapes.map((s) => [describeSchedule(s), s] as const))('%s', (_label, s) => {
    expect(fromRrule(toRrule(s))).toEqual({ schedule: s, count: null });
    expect(fromRrule(toRrule(s, 7)).count).toBe(7);
  });
  it('keeps anything else as custom text', () => {
    expect(fromRrule('FREQ=MONTHLY;BYMONTHDAY=1,15')).toEqual({ schedule: { kind: 'custom', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1,15' }, count: null });
  });
  it('describes in words', () => {
    expect(describeSchedule({ kind: 'weekly', interval: 4, weekdays: [] })).toBe('Every 4 weeks');
    expect(describeSchedule({ kind: 'monthly-day', interval: 1, day: 25, shift: 'before' })).toBe('Monthly on the 25th, or the working day before');
    expect(describeSchedule({ kind: 'monthly-weekday', interval: 1, nth: 1, weekday: 'MO' })).toBe('Monthly on the 1st Monday');
    expect(describeSchedule({ kind: 'yearly', month: 2, day: -1 })).toBe('Yearly on the last day of February');
  });
});
