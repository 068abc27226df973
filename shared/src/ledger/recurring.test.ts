import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecurringRule } from '../schema/registry.ts';
import {
  RecurringRuleError, confirmOccurrence, dueOccurrences, editOccurrence, occurrencesBetween, postDueOccurrences,
  skipOccurrence, splitRuleAt, upcomingOccurrences, validateRecurringRule,
} from './recurring.ts';
import { LAST_WORKING_DAY_RRULE } from './working-days.ts';

const ACCOUNT = '01939a6e-0000-7000-8000-000000000001';

function rule(over: Partial<RecurringRule> = {}): RecurringRule {
  return {
    id: '01939a6e-0000-7000-8000-0000000000aa',
    hlc: '1764000000000:0000:device-a',
    name: 'Salary',
    rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
    startDate: '2026-01-01',
    endDate: null,
    accountId: ACCOUNT,
    amount: 250_000,
    currency: 'GBP',
    categoryId: null,
    payee: 'Acme Ltd',
    autoPost: true,
    lastPostedDate: null,
    skippedDates: [],
    ...over,
  };
}

const dates = (r: RecurringRule, from: string, to: string, opts = {}) => occurrencesBetween(r, from, to, opts).map((o) => o.date);

describe('RRULE expansion into calendar dates', () => {
  it('monthly on the last working day gives the hand-checked 2026 dates', () => {
    // Worked out from 1 Jan 2026 being a Thursday; weekends only (no holiday list).
    const expected = [
      '2026-01-30', // Sat 31 → Fri 30
      '2026-02-27', // Sat 28 → Fri 27
      '2026-03-31', // Tue
      '2026-04-30', // Thu
      '2026-05-29', // Sun 31 → Fri 29
      '2026-06-30', // Tue
      '2026-07-31', // Fri
      '2026-08-31', // Mon (a UK bank holiday, see the next test)
      '2026-09-30', // Wed
      '2026-10-30', // Sat 31 → Fri 30
      '2026-11-30', // Mon
      '2026-12-31', // Thu
    ];
    expect(dates(rule({ rrule: LAST_WORKING_DAY_RRULE }), '2026-01-01', '2026-12-31')).toEqual(expected);
  });

  it('rolls the last working day back over a bank holiday when a holiday list is given', () => {
    const holidays = ['2026-08-31', '2026-12-25', '2026-12-28'];
    const got = dates(rule({ rrule: LAST_WORKING_DAY_RRULE }), '2026-07-01', '2026-12-31', { workingDays: { roll: 'previous', holidays } });
    expect(got).toEqual(['2026-07-31', '2026-08-28', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31']);
    // The same dates from "last day of the month" rolled back.
    const fromLastDay = dates(rule({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1' }), '2026-07-01', '2026-12-31', { workingDays: { roll: 'previous', holidays } });
    expect(fromLastDay).toEqual(got);
  });

  it('rolls forward to the next working day and keeps a rolled date inside the asked range', () => {
    // 1st of the month rolled forward: 1 Feb 2026 is a Sunday → Mon 2 Feb; 1 Aug is a Saturday → Mon 3 Aug.
    const r = rule({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=1' });
    expect(dates(r, '2026-02-01', '2026-02-28', { workingDays: { roll: 'next', holidays: [] } })).toEqual(['2026-02-02']);
    expect(dates(r, '2026-08-01', '2026-08-31', { workingDays: { roll: 'next', holidays: [] } })).toEqual(['2026-08-03']);
    // A date rolled out of the range is not returned.
    expect(dates(r, '2026-08-01', '2026-08-02', { workingDays: { roll: 'next', holidays: [] } })).toEqual([]);
  });

  it('every 4 weeks from Friday 9 January 2026', () => {
    const r = rule({ rrule: 'FREQ=WEEKLY;INTERVAL=4', startDate: '2026-01-09' });
    expect(dates(r, '2026-01-01', '2027-01-31')).toEqual([
      '2026-01-09', '2026-02-06', '2026-03-06', '2026-04-03', '2026-05-01', '2026-05-29', '2026-06-26',
      '2026-07-24', '2026-08-21', '2026-09-18', '2026-10-16', '2026-11-13', '2026-12-11', '2027-01-08',
    ]);
  });

  it('yearly on 29 February occurs only in leap years (RFC 5545 skips the missing day)', () => {
    const r = rule({ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', startDate: '2024-02-29' });
    expect(dates(r, '2024-01-01', '2036-12-31')).toEqual(['2024-02-29', '2028-02-29', '2032-02-29', '2036-02-29']);
    // A plain yearly rule started on 29 Feb behaves the same.
    expect(dates(rule({ rrule: 'FREQ=YEARLY', startDate: '2024-02-29' }), '2024-01-01', '2030-12-31')).toEqual(['2024-02-29', '2028-02-29']);
  });

  it('"last day of February" is the rule for a yearly date that should fall on 28 Feb in other years', () => {
    const r = rule({ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', startDate: '2024-02-29' });
    expect(dates(r, '2024-01-01', '2028-12-31')).toEqual(['2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']);
  });

  it('daily across both UK clock changes gives every calendar day once (no DST drift)', () => {
    const r = rule({ rrule: 'FREQ=DAILY', startDate: '2026-03-27' });
    expect(dates(r, '2026-03-27', '2026-03-31')).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']);
    expect(dates(r, '2026-10-24', '2026-10-27')).toEqual(['2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']);
    const weekly = rule({ rrule: 'FREQ=WEEKLY;BYDAY=SU', startDate: '2026-03-22' });
    expect(dates(weekly, '2026-03-22', '2026-04-05')).toEqual(['2026-03-22', '2026-03-29', '2026-04-05']);
  });

  it('honours startDate, endDate, UNTIL, COUNT and skipped dates', () => {
    const r = rule({ startDate: '2026-03-01', endDate: '2026-06-01', skippedDates: ['2026-04-01'] });
    expect(dates(r, '2026-01-01', '2026-12-31')).toEqual(['2026-03-01', '2026-05-01', '2026-06-01']);
    expect(dates(rule({ rrule: 'FREQ=MONTHLY;COUNT=3' }), '2026-01-01', '2026-12-31')).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(dates(rule({ rrule: 'RRULE:FREQ=MONTHLY;UNTIL=20260301' }), '2026-01-01', '2026-12-31')).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(dates(rule({ rrule: 'FREQ=MONTHLY;UNTIL=20261231', endDate: '2026-02-15' }), '2026-01-01', '2026-12-31')).toEqual(['2026-01-01', '2026-02-01']);
    expect(occurrencesBetween(rule(), '2026-01-01', '2026-12-31', { limit: 2 })).toHaveLength(2);
  });

  it('refuses bad rules and ranges with a clear error', () => {
    expect(() => validateRecurringRule(rule({ rrule: 'FREQ=HOURLY' }))).toThrow(/calendar days/);
    expect(() => validateRecurringRule(rule({ rrule: 'FREQ=DAILY;BYHOUR=9' }))).toThrow(/BYHOUR/);
    expect(() => validateRecurringRule(rule({ rrule: 'FREQ=MONTHLY;TZID=Europe/London' }))).toThrow(/DTSTART or TZID/);
    expect(() => validateRecurringRule(rule({ rrule: 'FREQ=MONTHLY;BYFOO=1' }))).toThrow(RecurringRuleError);
    expect(() => validateRecurringRule(rule({ rrule: 'nonsense' }))).toThrow(/RRULE/);
    expect(() => validateRecurringRule(rule({ startDate: '2026-02-30' }))).toThrow();
    expect(() => validateRecurringRule(rule({ endDate: '2025-12-31' }))).toThrow(/before startDate/);
    expect(() => occurrencesBetween(rule(), '2026-05-01', '2026-04-01')).toThrow(/before its start/);
    expect(() => occurrencesBetween(rule(), '2026-01-01', '2026-12-31', { limit: 10_000 })).toThrow(/limit/);
  });
});

describe('upcoming, due and posting', () => {
  it('lists occurrences after lastPostedDate, marking the due ones', () => {
    const r = rule({ lastPostedDate: '2026-02-01' });
    expect(upcomingOccurrences(r, '2026-03-15', '2026-06-30')).toEqual([
      { date: '2026-03-01', scheduled: '2026-03-01', due: true },
      { date: '2026-04-01', scheduled: '2026-04-01', due: false },
      { date: '2026-05-01', scheduled: '2026-05-01', due: false },
      { date: '2026-06-01', scheduled: '2026-06-01', due: false },
    ]);
    expect(upcomingOccurrences(r, '2026-03-15', '2026-12-31', { limit: 2 })).toHaveLength(2);
    expect(upcomingOccurrences(rule({ lastPostedDate: '2026-12-01' }), '2026-03-15', '2026-06-30')).toEqual([]);
  });

  it('posts every due occurrence of an autoPost rule once and moves lastPostedDate on', () => {
    const r = rule({ lastPostedDate: '2026-01-01', skippedDates: ['2026-03-01'] });
    const first = postDueOccurrences(r, '2026-04-10');
    expect(first.drafts.map((d) => d.date)).toEqual(['2026-02-01', '2026-04-01']);
    expect(first.drafts[0]).toEqual({
      accountId: ACCOUNT, date: '2026-02-01', amount: 250_000, currency: 'GBP', categoryId: null, tags: [],
      merchant: 'Acme Ltd', description: 'Salary', notes: null, transferId: null, importHash: null, status: 'uncleared', splits: [],
    });
    expect(first.rule.lastPostedDate).toBe('2026-04-01');
    expect(r.lastPostedDate).toBe('2026-01-01'); // input untouched
    const again = postDueOccurrences(first.rule, '2026-04-10');
    expect(again.drafts).toEqual([]);
    expect(again.rule).toBe(first.rule);
  });

  it('holds due occurrences of a manual rule for confirmation, in order', () => {
    const r = rule({ autoPost: false });
    const res = postDueOccurrences(r, '2026-03-05');
    expect(res.drafts).toEqual([]);
    expect(res.rule).toBe(r);
    expect(res.awaitingConfirmation.map((o) => o.date)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(() => confirmOccurrence(r, '2026-02-01')).toThrow(/2026-01-01 before 2026-02-01/);
    const c = confirmOccurrence(r, '2026-01-01');
    expect(c.draft.date).toBe('2026-01-01');
    expect(c.rule.lastPostedDate).toBe('2026-01-01');
    expect(() => confirmOccurrence(c.rule, '2026-01-01')).toThrow(/already posted/);
    expect(dueOccurrences(c.rule, '2026-03-05').map((o) => o.date)).toEqual(['2026-02-01', '2026-03-01']);
  });

  it('skips one occurrence and refuses dates off the schedule', () => {
    const r = skipOccurrence(rule(), '2026-02-01');
    expect(r.skippedDates).toEqual(['2026-02-01']);
    expect(dates(r, '2026-01-01', '2026-03-31')).toEqual(['2026-01-01', '2026-03-01']);
    expect(() => skipOccurrence(rule(), '2026-02-02')).toThrow(/not an occurrence/);
    expect(() => skipOccurrence(r, '2026-02-01')).toThrow(/not an occurrence/);
  });
});

describe('editing this one or all future', () => {
  it('"this one" skips the date in the series and adds a one-off with the changes', () => {
    const { rule: series, oneOff } = editOccurrence(rule(), '2026-03-01', { date: '2026-02-27', amount: 260_000 });
    expect(series.skippedDates).toEqual(['2026-03-01']);
    expect(oneOff).toMatchObject({ rrule: 'FREQ=DAILY;COUNT=1', startDate: '2026-02-27', endDate: '2026-02-27', amount: 260_000, lastPostedDate: null });
    expect(dates(series, '2026-01-01', '2026-04-30')).toEqual(['2026-01-01', '2026-02-01', '2026-04-01']);
    expect(occurrencesBetween(oneOff, '2026-01-01', '2027-12-31').map((o) => o.date)).toEqual(['2026-02-27']);
    expect(() => editOccurrence(rule({ lastPostedDate: '2026-03-01' }), '2026-03-01', {})).toThrow(/already posted/);
    expect(() => editOccurrence(rule(), '2026-03-01', { date: '2026-02-31' })).toThrow();
  });

  it('"all future" ends the series the day before and starts a new rule there; together they give the same dates', () => {
    const r = rule({ rrule: 'FREQ=WEEKLY;INTERVAL=4', startDate: '2026-01-09', skippedDates: ['2026-02-06', '2026-07-24'], lastPostedDate: '2026-03-06' });
    const { ended, next } = splitRuleAt(r, '2026-05-01', { amount: 300_000 });
    expect(ended).not.toBeNull();
    expect(ended?.endDate).toBe('2026-04-30');
    expect(ended?.skippedDates).toEqual(['2026-02-06']);
    expect(ended?.lastPostedDate).toBe('2026-03-06');
    expect(next).toMatchObject({ startDate: '2026-05-01', amount: 300_000, skippedDates: ['2026-07-24'], lastPostedDate: null, endDate: null });
    if (!ended) return;
    const combined = [...dates(ended, '2026-01-01', '2026-12-31'), ...occurrencesBetween(next, '2026-01-01', '2026-12-31').map((o) => o.date)];
    expect(combined).toEqual(dates(r, '2026-01-01', '2026-12-31'));
  });

  it('shares a COUNT between the two halves and replaces the rule whole when split at its first date', () => {
    const r = rule({ rrule: 'FREQ=MONTHLY;COUNT=6' });
    const { ended, next } = splitRuleAt(r, '2026-03-01', {});
    expect(next.rrule).toBe('FREQ=MONTHLY;COUNT=4');
    expect(occurrencesBetween(next, '2026-01-01', '2027-12-31').map((o) => o.date)).toEqual(['2026-03-01', '2026-04-01', '2026-05-01', '2026-06-01']);
    expect(ended && dates(ended, '2026-01-01', '2027-12-31')).toEqual(['2026-01-01', '2026-02-01']);
    const whole = splitRuleAt(r, '2026-01-01', { rrule: 'FREQ=MONTHLY;BYMONTHDAY=15' });
    expect(whole.ended).toBeNull();
    expect(whole.next.rrule).toBe('FREQ=MONTHLY;BYMONTHDAY=15');
  });

  it('refuses to split at a date off the schedule or with a bad new RRULE', () => {
    expect(() => splitRuleAt(rule(), '2026-03-02', {})).toThrow(/not an occurrence/);
    expect(() => splitRuleAt(rule(), '2026-03-01', { rrule: 'FREQ=SECONDLY' })).toThrow(RecurringRuleError);
  });
});

describe('properties of the transformations', () => {
  const texts = ['FREQ=DAILY;INTERVAL=3', 'FREQ=WEEKLY;INTERVAL=4', 'FREQ=WEEKLY;BYDAY=MO,FR', 'FREQ=MONTHLY;BYMONTHDAY=-1', LAST_WORKING_DAY_RRULE,
    'FREQ=MONTHLY;BYMONTHDAY=31', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', 'FREQ=MONTHLY;COUNT=9', 'FREQ=WEEKLY;COUNT=20;INTERVAL=2'];
  const arb = fc.record({
    text: fc.constantFrom(...texts),
    startOffset: fc.integer({ min: 0, max: 400 }),
    pick: fc.nat(),
    roll: fc.constantFrom<'previous' | 'next' | null>('previous', 'next', null),
  });

  it('splitting at any occurrence keeps exactly the same dates, and editing one moves only that one', () => {
    fc.assert(
      fc.property(arb, ({ text, startOffset, pick, roll }) => {
        const start = occurrencesBetween(rule({ rrule: 'FREQ=DAILY' }), '2024-01-01', '2025-12-31')[startOffset]?.date ?? '2024-01-01';
        const r = rule({ rrule: text, startDate: start });
        const options = roll ? { workingDays: { roll, holidays: ['2026-08-31', '2026-12-25'] } } : {};
        const all = occurrencesBetween(r, '2024-01-01', '2032-12-31', options).map((o) => o.date);
        if (all.length === 0) return;
        const at = all[pick % all.length] as string;
        const { ended, next } = splitRuleAt(r, at, {}, options);
        const after = occurrencesBetween(next, '2024-01-01', '2032-12-31', options).map((o) => o.date);
        const beforeDates = ended ? occurrencesBetween(ended, '2024-01-01', '2032-12-31', options).map((o) => o.date) : [];
        expect([...beforeDates, ...after]).toEqual(all);
        const edited = editOccurrence(r, at, { amount: 1 }, options);
        expect(occurrencesBetween(edited.rule, '2024-01-01', '2032-12-31', options).map((o) => o.date)).toEqual(all.filter((d) => d !== at));
      }),
      { numRuns: 150, seed: 8 },
    );
  }, 30_000);
});
