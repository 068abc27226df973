import { describe, expect, it } from 'vitest';
import { periodContaining, shiftPeriod } from '@mymidas/shared/budget';
import type { ScheduledAmount } from '@mymidas/shared/budget';
import { addDays } from '@mymidas/shared/date';
import type { RecurringRule } from '@mymidas/shared/schema';
import { BUDGET_PERIODS } from '@mymidas/shared/schema';
import { testUuid } from '../../testing/test-replica.ts';
import { budgetInputs, foreignCurrencies, fxSeriesFromQuotes, inputsWindow, periodEndAfter, periodsBefore, scheduledAmounts } from './budget-inputs.ts';

const HLC = '1764000000000:0000:test';

function rule(over: Partial<RecurringRule> = {}): RecurringRule {
  return {
    id: testUuid(1), hlc: HLC, name: 'Rent', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', startDate: '2020-01-01', endDate: null, accountId: testUuid(2),
    amount: -95_000, currency: 'GBP', categoryId: testUuid(3), payee: null, autoPost: true, lastPostedDate: null, skippedDates: [], ...over,
  };
}

describe('budget inputs (pure)', () => {
  it('reaches back at least as far as the engine\'s periods, for every kind, start day and week start', () => {
    const dates = ['2024-02-29', '2025-01-01', '2025-12-31', '2026-03-24', '2026-03-25', '2026-07-01'];
    for (const kind of BUDGET_PERIODS) {
      for (const monthStartDay of [1, 15, 25, 28]) {
        for (let weekStart = 0; weekStart < 7; weekStart++) {
          const r = { kind, weekStart, monthStartDay };
          for (const date of dates) {
            const current = periodContaining(r, date);
            for (const n of [0, 1, 12, 24]) {
              expect(periodsBefore(kind, date, n) <= shiftPeriod(r, current, -n).start, `${kind} ${monthStartDay} ${weekStart} ${date} −${n}`).toBe(true);
            }
            expect(periodEndAfter(kind, date) >= current.end, `${kind} end ${date}`).toBe(true);
          }
        }
      }
    }
  });

  it('sizes the window from the first start of a rolling budget, the history and what screens asked', () => {
    const budgets = [{ period: 'monthly' as const, startDate: '2026-01-01', rollover: 'unspent' as const }, { period: 'weekly' as const, startDate: '2025-11-03', rollover: 'none' as const }];
    const w = inputsWindow(budgets, '2026-06-16');
    expect(w.fxFrom).toBe('2024-05-01'); // 24 months before June, earlier than both starts
    expect(w.scheduledFrom).toBe('2025-05-01');
    expect(w.scheduledTo).toBe('2026-08-01');
    // A chain of rollovers from 2019 needs the rates from 2019; a budget without rollover only its shown periods'.
    expect(inputsWindow([{ period: 'monthly', startDate: '2019-04-01', rollover: 'unspent-and-overspend' }], '2026-06-16').fxFrom).toBe('2019-04-01');
    expect(inputsWindow([{ period: 'monthly', startDate: '2019-04-01', rollover: 'none' }], '2026-06-16').fxFrom).toBe('2024-05-01');
    expect(inputsWindow(budgets, '2026-06-16', [{ date: '2023-03-10', periods: 6 }]).fxFrom).toBe('2022-08-01');
  });

  it('turns quotes of either series into rates into the base currency, the direct quote winning on a shared date', () => {
    const q = (series: string, date: string, close: string) => ({ kind: 'fx' as const, series, date, close });
    const s = fxSeriesFromQuotes('EUR', 'GBP', [
      q('GBP/EUR', '2026-01-02', '1.25'), q('EUR/GBP', '2026-01-02', '0.79'), q('GBP/EUR', '2026-01-01', '1.6'),
      q('GBP/EUR', '2026-01-03', '0'), q('GBP/USD', '2026-01-04', '1.3'), { kind: 'price' as const, series: 'EUR/GBP', date: '2026-01-05', close: '9' },
    ]);
    expect(s).toEqual({ currency: 'EUR', dates: ['2026-01-01', '2026-01-02'], rates: ['0.625', '0.79'] });
    // Inverted closes are kept in the caller's map and reused.
    const inverses = new Map([['1.6', '0.6']]);
    expect(fxSeriesFromQuotes('EUR', 'GBP', [q('GBP/EUR', '2026-01-01', '1.6'), q('GBP/EUR', '2026-01-02', '1.25')], { inverses }).rates).toEqual(['0.6', '0.8']);
    expect(inverses.get('1.25')).toBe('0.8');
    // From a date on: the rate in force on it, then the later ones.
    const later = [q('EUR/GBP', '2025-12-01', '0.8'), q('EUR/GBP', '2025-12-20', '0.81'), q('EUR/GBP', '2026-01-05', '0.82')];
    expect(fxSeriesFromQuotes('EUR', 'GBP', later, { from: '2026-01-01' }).dates).toEqual(['2025-12-20', '2026-01-05']);
    expect(fxSeriesFromQuotes('EUR', 'GBP', later, { from: '2025-11-01' }).dates).toEqual(['2025-12-01', '2025-12-20', '2026-01-05']);
  });

  it('expands recurring rules over the window in date order, past the per-call limit, leaving out a broken rule', () => {
    const daily = rule({ id: testUuid(4), rrule: 'FREQ=DAILY', startDate: '2010-01-01', amount: -100 });
    const broken = rule({ id: testUuid(5), rrule: 'FREQ=HOURLY' });
    const { scheduled, skippedRules } = scheduledAmounts([rule(), daily, broken], '2012-01-01', '2026-12-31');
    const days = scheduled.filter((s) => s.amount === -100);
    expect(days).toHaveLength(5_479); // every day of 2012–2026, more than one call of occurrencesBetween gives
    expect(days[0]!.date).toBe('2012-01-01');
    expect(days.at(-1)!.date).toBe('2026-12-31');
    expect(scheduled.filter((s) => s.amount === -95_000).map((s) => s.date).slice(0, 2)).toEqual(['2020-01-01', '2020-02-01']);
    expect(scheduled.every((s, i) => i === 0 || scheduled[i - 1]!.date <= s.date)).toBe(true);
    expect(skippedRules).toEqual([testUuid(5)]);
    expect(scheduledAmounts([daily], '2026-01-01', addDays('2026-01-01', -1)).scheduled).toEqual([]);
  });

  it('keeps each rule\'s occurrences in the caller\'s cache until the rule is edited', () => {
    const cache = new Map<string, readonly ScheduledAmount[]>();
    const rent = rule();
    const first = scheduledAmounts([rent], '2026-01-01', '2026-03-31', cache);
    expect(first.scheduled.map((s) => s.date)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect([...cache.keys()]).toEqual([`${rent.id}|${rent.hlc}|2026-01-01|2026-03-31`]);
    // Same rule, same stamp: the cached list is used as it is (a marker put in it shows up).
    cache.set([...cache.keys()][0]!, [{ date: '2026-02-14', categoryId: null, amount: -1, currency: 'GBP' }]);
    expect(scheduledAmounts([rent], '2026-01-01', '2026-03-31', cache).scheduled.map((s) => s.date)).toEqual(['2026-02-14']);
    // Edited (a new stamp): expanded again, and the stale entry dropped.
    const edited = { ...rent, hlc: '1764000000001:0000:test', rrule: 'FREQ=MONTHLY;BYMONTHDAY=15' };
    expect(scheduledAmounts([edited], '2026-01-01', '2026-03-31', cache).scheduled.map((s) => s.date)).toEqual(['2026-01-15', '2026-02-15', '2026-03-15']);
    expect(cache.size).toBe(1);
  });

  it('lists each foreign currency once and falls back to GBP and day 1 without settings', () => {
    expect(foreignCurrencies('GBP', ['GBP', 'EUR'], ['USD', 'EUR'], ['JPY', 'GBP'])).toEqual(['EUR', 'JPY', 'USD']);
    const inputs = budgetInputs({ budgets: [], categories: [], settings: null, fx: [], scheduled: [], today: '2026-06-16' });
    expect(inputs).toMatchObject({ baseCurrency: 'GBP', monthStartDay: 1, today: '2026-06-16' });
  });
});
