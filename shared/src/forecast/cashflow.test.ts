import { describe, expect, it } from 'vitest';
import { cashFlow, dayToDaySpendingByAccount } from './cashflow.ts';
import type { RecurringRule } from '../schema/registry.ts';
import { englandWalesBankHolidays } from '../ledger/bank-holidays.ts';
import { LAST_WORKING_DAY_RRULE } from '../ledger/working-days.ts';
import type { ExpandOptions } from '../ledger/recurring.ts';

/*
 * A small ledger checked by hand. Today is Thursday 20 August 2026. Monday 31 August 2026 is the summer
 * bank holiday, so rent due "on the last working day" of August rolls back to Friday 28 August.
 *
 * Current account (overdraft limit £50): £500.00 today, £10.00 a day of expected spending,
 *   rent −£450.00 on the last working day (posted up to July), salary +£300.00 on the 1st, phone −£25.00 on the 10th.
 *   21 Aug 490.00 · 22 480 · 23 470 · 24 460 · 25 450 · 26 440 · 27 430 · 28 420 − 450 = −30.00 (overdrawn, within the limit)
 *   29 −40 · 30 −50 (exactly the limit: not at risk) · 31 −60.00 (AT RISK) · 1 Sep −70 + 300 = 230.00 ·
 *   2..9 Sep 220 … 150 · 10 Sep 140 − 25 = 115.00 · 11..19 Sep 105 … 25.00.
 * Savings-style account with no overdraft: £100.00, £2.50 a day, gym −£40.00 on the 25th.
 *   21 97.50 · 22 95 · 23 92.50 · 24 90 · 25 87.50 − 40 = 47.50 · then −2.50 a day: 13 Sep 0.00, 14 Sep −2.50 (AT RISK) … 19 Sep −15.00.
 */

const CURRENT = '01939a6e-0000-7000-8000-0000000000c1';
const OTHER = '01939a6e-0000-7000-8000-0000000000c2';
const HOLIDAYS = new Set(englandWalesBankHolidays(2026));

function rule(over: Partial<RecurringRule>): RecurringRule {
  return {
    id: '01939a6e-0000-7000-8000-0000000000aa', hlc: '1764000000000:0000:device-a', name: 'Rule', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
    startDate: '2026-01-01', endDate: null, accountId: CURRENT, amount: 0, currency: 'GBP', categoryId: null, payee: null,
    autoPost: true, lastPostedDate: '2026-08-01', skippedDates: [], ...over,
  };
}

const rules: RecurringRule[] = [
  rule({ id: '01939a6e-0000-7000-8000-0000000000r1', name: 'Rent', rrule: LAST_WORKING_DAY_RRULE, amount: -45_000, lastPostedDate: '2026-07-31' }),
  rule({ id: '01939a6e-0000-7000-8000-0000000000r2', name: 'Salary', amount: 30_000 }),
  rule({ id: '01939a6e-0000-7000-8000-0000000000r3', name: 'Phone', rrule: 'FREQ=MONTHLY;BYMONTHDAY=10', amount: -2_500, lastPostedDate: '2026-08-10' }),
  rule({ id: '01939a6e-0000-7000-8000-0000000000r4', name: 'Gym', rrule: 'FREQ=MONTHLY;BYMONTHDAY=25', amount: -4_000, accountId: OTHER, lastPostedDate: '2026-07-25' }),
];

/** As the client's expandOptionsFor: "last working day" rules roll back off bank holidays. */
const expandOptions = (r: RecurringRule): ExpandOptions => (r.rrule === LAST_WORKING_DAY_RRULE ? { workingDays: { roll: 'previous', holidays: HOLIDAYS } } : {});

describe('cashFlow', () => {
  const flows = cashFlow({
    today: '2026-08-20',
    accounts: [
      { id: CURRENT, name: 'Current', currency: 'GBP', balance: 50_000, overdraftLimit: 5_000 },
      { id: OTHER, name: 'Other', currency: 'GBP', balance: 10_000 },
    ],
    rules,
    expandOptions,
    expectedSpending: [
      { accountId: CURRENT, daily: Array(30).fill(1_000) },
      { accountId: OTHER, daily: Array(30).fill(250) },
    ],
  });
  const [current, other] = flows;

  it('moves the rent off the bank holiday to Friday 28 August and projects the balances written above', () => {
    expect(current!.days).toHaveLength(30);
    expect(current!.days[0]!.date).toBe('2026-08-21');
    const byDate = new Map(current!.days.map((d) => [d.date, d]));
    expect(byDate.get('2026-08-28')!.bills.map((b) => b.name)).toEqual(['Rent']);
    expect(byDate.get('2026-08-31')!.bills).toEqual([]);
    const expected: Record<string, number> = {
      '2026-08-21': 49_000, '2026-08-27': 43_000, '2026-08-28': -3_000, '2026-08-29': -4_000, '2026-08-30': -5_000, '2026-08-31': -6_000,
      '2026-09-01': 23_000, '2026-09-09': 15_000, '2026-09-10': 11_500, '2026-09-19': 2_500,
    };
    for (const [date, balance] of Object.entries(expected)) expect(byDate.get(date)!.balance).toBe(balance);
    expect(byDate.get('2026-08-28')!.overdrawn).toBe(true);
    expect(byDate.get('2026-08-28')!.atRisk).toBe(false);
    expect(byDate.get('2026-08-30')!.atRisk).toBe(false);
    expect(byDate.get('2026-08-31')!.atRisk).toBe(true);
  });

  it('flags the day past the overdraft limit with the rent as its cause', () => {
    expect(current!.risks).toHaveLength(1);
    const risk = current!.risks[0]!;
    expect(risk).toMatchObject({ from: '2026-08-31', to: '2026-08-31', lowestBalance: -6_000, threshold: -5_000 });
    expect(risk.causes.map((b) => `${b.name} ${b.date} ${b.amount}`)).toEqual(['Rent 2026-08-28 -45000']);
  });

  it('flags the account without an overdraft from the first day below zero, caused by the gym bill', () => {
    const byDate = new Map(other!.days.map((d) => [d.date, d]));
    expect(byDate.get('2026-08-25')!.balance).toBe(4_750);
    expect(byDate.get('2026-09-13')!.balance).toBe(0);
    expect(byDate.get('2026-09-13')!.atRisk).toBe(false);
    expect(other!.risks).toHaveLength(1);
    expect(other!.risks[0]).toMatchObject({ from: '2026-09-14', to: '2026-09-19', lowestBalance: -1_500, threshold: 0 });
    expect(other!.risks[0]!.causes.map((b) => b.name)).toEqual(['Gym']);
  });

  it('an unposted occurrence already due posts tomorrow; without spending the balance moves only with bills', () => {
    const [flow] = cashFlow({
      today: '2026-08-20',
      days: 3,
      accounts: [{ id: CURRENT, name: 'Current', currency: 'GBP', balance: 1_000 }],
      rules: [rule({ name: 'Late fee', rrule: 'FREQ=MONTHLY;BYMONTHDAY=18', amount: -2_000, lastPostedDate: '2026-07-18' })],
    });
    expect(flow!.days.map((d) => d.balance)).toEqual([-1_000, -1_000, -1_000]);
    expect(flow!.days[0]!.bills[0]!.date).toBe('2026-08-18');
    expect(flow!.risks[0]!.causes.map((b) => b.name)).toEqual(['Late fee']);
  });

  it('refuses bad input with a clear error', () => {
    const account = { id: CURRENT, name: 'Current', currency: 'GBP', balance: 1_000 };
    expect(() => cashFlow({ today: '2026-02-30', accounts: [account], rules: [] })).toThrow(/today must be a calendar date/);
    expect(() => cashFlow({ today: '2026-08-20', accounts: [{ ...account, balance: 10.5 }], rules: [] })).toThrow(/whole number of minor units/);
    expect(() => cashFlow({ today: '2026-08-20', accounts: [{ ...account, overdraftLimit: -1 }], rules: [] })).toThrow(/overdraftLimit/);
    expect(() => cashFlow({ today: '2026-08-20', accounts: [account], rules: [rule({ currency: 'EUR' })] })).toThrow(/in EUR but account Current is in GBP/);
    expect(() => cashFlow({ today: '2026-08-20', accounts: [account], rules: [], expectedSpending: [{ accountId: CURRENT, daily: [1, 2] }] })).toThrow(/at least 30 days/);
  });
});

describe('dayToDaySpendingByAccount', () => {
  it('shares each category\'s day-to-day spending (bills left out) over accounts by their shares', () => {
    const forecasts = [
      { categoryId: 'food', currency: 'GBP', days: [{ expected: 1_000, scheduled: 0 }, { expected: 50_300, scheduled: 50_000 }] },
      { categoryId: 'fuel', currency: 'GBP', days: [{ expected: 600, scheduled: 0 }, { expected: 0, scheduled: 0 }] },
    ];
    const out = dayToDaySpendingByAccount(forecasts, [
      { categoryId: 'food', accountId: 'a', share: 3 },
      { categoryId: 'food', accountId: 'b', share: 1 },
      { categoryId: 'fuel', accountId: 'b', share: 1 },
    ], 2);
    expect(out).toEqual([{ accountId: 'a', daily: [750, 225] }, { accountId: 'b', daily: [850, 75] }]);
    expect(() => dayToDaySpendingByAccount(forecasts, [{ categoryId: 'food', accountId: 'a', share: -1 }], 2)).toThrow(/≥ 0/);
  });
});
