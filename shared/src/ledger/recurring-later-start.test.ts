import fc from 'fast-check';
import * as rruleModule from 'rrule';
import { describe, expect, it } from 'vitest';
import { addDays, dateToUtc, formatUtcDate } from '../date/date.ts';
import type { RecurringRule } from '../schema/registry.ts';
import { occurrencesBetween } from './recurring.ts';

// The oracle: rrule itself from the rule's own DTSTART, as occurrencesBetween worked before it started later.
type RRuleModule = typeof rruleModule;
const { RRule } = 'RRule' in rruleModule && rruleModule.RRule ? rruleModule : (rruleModule as unknown as { default: RRuleModule }).default;

function rule(rrule: string, startDate: string, endDate: string | null = null): RecurringRule {
  return {
    id: '01939a6e-0000-7000-8000-0000000000aa', hlc: '1764000000000:0000:device-a', name: 'Bill', rrule, startDate, endDate,
    accountId: '01939a6e-0000-7000-8000-000000000001', amount: -1_000, currency: 'GBP', categoryId: null, payee: null,
    autoPost: true, lastPostedDate: null, skippedDates: [],
  };
}

function oracle(r: RecurringRule, from: string, to: string): string[] {
  const options = RRule.parseString(r.rrule);
  const end = r.endDate === null ? null : dateToUtc(r.endDate);
  const until = end && options.until ? (end < options.until ? end : options.until) : (end ?? options.until ?? null);
  const out: string[] = [];
  new RRule({ ...options, dtstart: dateToUtc(r.startDate), until }).between(dateToUtc(from), dateToUtc(to), true, (d) => {
    out.push(formatUtcDate(d));
    return out.length < 5000;
  });
  return out;
}

const day = fc.integer({ min: 0, max: 365 * 30 }).map((n) => addDays('2000-01-01', n));
const weekday = fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU');
// Only rules that match in every year or so: rrule walks an impossible one (BYMONTH=2;BYMONTHDAY=30) to year 9999.
const rruleText = fc.record({
  freq: fc.constantFrom('YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'),
  interval: fc.integer({ min: 1, max: 5 }),
  days: fc.oneof(
    fc.constant(''),
    fc.array(weekday, { minLength: 1, maxLength: 3 }).map((d) => `BYDAY=${[...new Set(d)].join(',')}`),
    fc.tuple(fc.constantFrom(-1, 1, 2, 4), weekday).map(([n, d]) => `BYDAY=${n}${d}`),
    fc.array(fc.constantFrom(1, 15, 28, -1, -3), { minLength: 1, maxLength: 2 }).map((d) => `BYMONTHDAY=${[...new Set(d)].join(',')}`),
    fc.constantFrom('BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', 'BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1', 'BYDAY=SA,SU;BYSETPOS=2'),
  ),
  bymonth: fc.option(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  wkst: fc.option(weekday, { nil: undefined }),
  count: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
}).filter((r) => !(/BYDAY=-?\d/.test(r.days) && (r.freq === 'WEEKLY' || r.freq === 'DAILY')) && !(r.days.includes('BYMONTHDAY') && r.freq === 'WEEKLY')
  && !(r.days.includes('BYSETPOS') && r.freq === 'DAILY'))
  .map((r) => {
    const parts = [`FREQ=${r.freq}`, `INTERVAL=${r.interval}`];
    if (r.days) parts.push(r.days);
    if (r.bymonth) parts.push(`BYMONTH=${[...new Set(r.bymonth)].join(',')}`);
    if (r.wkst) parts.push(`WKST=${r.wkst}`);
    if (r.count !== undefined) parts.push(`COUNT=${r.count}`);
    return parts.join(';');
  });

describe('occurrences of an old rule, started at a later period of it', () => {
  it('are exactly rrule\'s from the rule\'s own start, for any rule, start and range', () => {
    fc.assert(
      fc.property(rruleText, day, fc.integer({ min: 0, max: 365 * 12 }), fc.integer({ min: 0, max: 400 }), fc.option(fc.integer({ min: 0, max: 365 * 20 }), { nil: null }),
        (text, start, offset, span, endAfter) => {
          const r = rule(text, start, endAfter === null ? null : addDays(start, endAfter));
          const from = addDays(start, offset);
          const to = addDays(from, span);
          expect(occurrencesBetween(r, from, to).map((o) => o.date), `${text} from ${start}, range ${from}..${to}`).toEqual(oracle(r, from, to));
        }),
      { numRuns: 250 },
    );
  }, 120_000);

  it('keeps the hand-checked cases: a fortnightly Friday, the 31st, 29 February, the last weekday of a quarter', () => {
    const cases: [string, string, string, string][] = [
      ['FREQ=WEEKLY;INTERVAL=2;BYDAY=FR', '2016-01-01', '2026-11-20', '2026-12-31'],
      ['FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,SA', '2015-06-10', '2026-01-01', '2026-03-01'],
      ['FREQ=MONTHLY', '2014-01-31', '2026-01-01', '2026-12-31'],
      ['FREQ=YEARLY', '2012-02-29', '2020-01-01', '2032-12-31'],
      ['FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '2016-03-01', '2026-01-01', '2026-12-31'],
      ['FREQ=DAILY;INTERVAL=9', '2016-05-05', '2026-12-01', '2026-12-31'],
    ];
    for (const [text, start, from, to] of cases) {
      const r = rule(text, start);
      const got = occurrencesBetween(r, from, to).map((o) => o.date);
      expect(got.length, text).toBeGreaterThan(0);
      expect(got, text).toEqual(oracle(r, from, to));
    }
  });

  it('does not walk the years before the range: a ten-year-old daily rule\'s last week costs what a new one\'s does', () => {
    const time = (start: string) => {
      const r = rule('FREQ=DAILY', start);
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) occurrencesBetween(r, '2026-12-01', '2026-12-07');
      return performance.now() - t0;
    };
    time('2026-11-01');
    const fresh = Math.min(time('2026-11-01'), time('2026-11-01'));
    const old = Math.min(time('2000-01-01'), time('2000-01-01'));
    // Walking 27 years of days from 2000 takes hundreds of times longer than a week; allow a loaded machine ×20.
    expect(old).toBeLessThan(Math.max(fresh, 0.5) * 20);
  });
});
