import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRate } from '../budget/fx.ts';
import { Decimal, currencyExponent } from '../money/money.ts';
import type { InvestInputs } from '../invest/invest.ts';
import type { Budget } from '../schema/registry.ts';
import { buildSnapshot } from '../snapshot/snapshot.ts';
import type { Doc } from './__fixtures__/naive-reports.ts';
import { budgetVsActual, investmentPerformance } from './budget-performance.ts';
import { ReportInputError, convertAt, prepareInputs, resolveRange } from './context.ts';
import type { RateTable } from './context.ts';
import { cashFlow, categoryBreakdown, categoryTransactions, incomeExpense, spendingTrends } from './flows.ts';
import { netWorthReport } from './net-worth.ts';
import type { ReportFilters, ReportInputs } from './types.ts';

/**
 * Issue 23 acceptance: the reports on a small ledger worked out by hand, every figure written down here.
 *
 * Accounts: current (GBP, 1,000.00 opened 2024-12-01), euro (EUR, from 2025-01-01), card (GBP credit card).
 * EUR→GBP 0.85 from 2025-01-01, 0.9 from 2025-02-01. Categories: food ⊃ groceries (expense), salary (income),
 * moves (transfer).
 */

const CATEGORIES: ReportInputs['categories'] = [
  { id: 'food', parentId: null, kind: 'expense' },
  { id: 'groceries', parentId: 'food', kind: 'expense' },
  { id: 'salary', parentId: null, kind: 'income' },
  { id: 'moves', parentId: null, kind: 'transfer' },
];

function doc(id: string, date: string, accountId: string, amount: number, categoryId: string | null, extra: Partial<Doc> = {}): Doc {
  const currency = accountId === 'euro' ? 'EUR' : 'GBP';
  return { id, date, accountId, amount, currency, categoryId, status: 'cleared', transferId: null, splits: [], tags: [], ...extra };
}

const DOCS: Doc[] = [
  doc('t01', '2025-01-05', 'current', 300_000, 'salary'),
  doc('t02', '2025-01-10', 'current', -12_000, 'groceries'),
  doc('t03', '2025-01-12', 'euro', -1_010, 'groceries'), // × 0.85 = −858.5 → −858 (half-even)
  doc('t04', '2025-01-15', 'card', -5_000, null, { splits: [{ categoryId: 'groceries', amount: -3_000 }, { categoryId: 'food', amount: -2_000 }] }),
  doc('t05', '2025-01-20', 'current', -50_000, 'moves', { transferId: 't06' }),
  doc('t06', '2025-01-20', 'card', 50_000, null, { transferId: 't05' }),
  doc('t07', '2025-02-03', 'current', 1_500, 'groceries', { tags: ['gift'] }), // a refund
  doc('t08', '2025-02-05', 'euro', -2_000, 'food'), // × 0.9 = −1,800
  doc('t09', '2025-02-07', 'current', -700, null),
  doc('t10', '2025-02-08', 'current', 900, null, { tags: ['gift'] }),
  doc('t11', '2025-02-09', 'current', -99_999, 'groceries', { _deleted: true }),
];

const INPUTS: ReportInputs = {
  baseCurrency: 'GBP', monthStartDay: 1, weekStart: 1, today: '2025-02-28',
  accounts: [
    { id: 'current', type: 'current', currency: 'GBP', openingBalance: 100_000, openingDate: '2024-12-01' },
    { id: 'euro', type: 'current', currency: 'EUR', openingBalance: 0, openingDate: '2025-01-01' },
    { id: 'card', type: 'credit_card', currency: 'GBP', openingBalance: 0, openingDate: '2025-01-01' },
  ],
  categories: CATEGORIES,
  fx: [{ currency: 'EUR', dates: ['2025-01-01', '2025-02-01'], rates: ['0.85', '0.9'] }],
  budgets: [],
  tagged: [{ id: 't07', tags: ['gift'] }, { id: 't10', tags: ['gift'] }],
};

const S = buildSnapshot(DOCS);
const JAN_FEB: ReportFilters = { preset: 'custom', from: '2025-01-01', to: '2025-02-28' };

describe('reports on a hand-checked ledger', () => {
  it('income vs expense by month: refunds reduce spending, transfers count for neither, uncategorised rows go by sign', () => {
    const r = incomeExpense(S, INPUTS, { filters: JAN_FEB, granularity: 'month' });
    expect(r.periods).toEqual([
      { start: '2025-01-01', end: '2025-01-31', income: 300_000, expense: 17_858, net: 282_142, savingsRate: 282_142 / 300_000 },
      { start: '2025-02-01', end: '2025-02-28', income: 900, expense: 1_000, net: -100, savingsRate: -100 / 900 },
    ]);
    expect(r.total).toEqual({ income: 300_900, expense: 18_858, net: 282_042, savingsRate: 282_042 / 300_900 });
    expect(r.missingRates).toEqual([]);
    expect(r.range).toEqual({ preset: 'custom', from: '2025-01-01', to: '2025-02-28' });
  });

  it('the tag filter keeps only tagged transactions', () => {
    const r = incomeExpense(S, INPUTS, { filters: { ...JAN_FEB, tags: ['gift'] }, granularity: 'month' });
    expect(r.periods.map((p) => [p.income, p.expense, p.net])).toEqual([[0, 0, 0], [900, -1_500, 2_400]]);
  });

  it('the account filter keeps only those accounts', () => {
    const r = incomeExpense(S, INPUTS, { filters: { ...JAN_FEB, accountIds: ['euro'] }, granularity: 'month' });
    expect(r.periods.map((p) => [p.income, p.expense])).toEqual([[0, 858], [0, 1_800]]);
  });

  it('category breakdown: groups, their categories, split lines by their own category', () => {
    const r = categoryBreakdown(S, INPUTS, { filters: JAN_FEB, kind: 'expense' });
    expect(r.total).toBe(18_858);
    expect(r.groups).toEqual([
      { categoryId: 'food', total: 18_158, count: 6, categories: [{ categoryId: 'groceries', total: 14_358, count: 4 }, { categoryId: 'food', total: 3_800, count: 2 }] },
      { categoryId: null, total: 700, count: 1, categories: [{ categoryId: null, total: 700, count: 1 }] },
    ]);
    // The categories filter takes a group with its descendants.
    const groceries = categoryBreakdown(S, INPUTS, { filters: { ...JAN_FEB, categoryIds: ['groceries'] }, kind: 'expense' });
    expect(groceries.total).toBe(14_358);
  });

  it('drill-down: newest first, paged, split lines each a row with the original amount and currency', () => {
    const page0 = categoryTransactions(S, INPUTS, { filters: JAN_FEB, kind: 'expense', groupId: 'food', page: 0, pageSize: 2 });
    expect(page0.total).toBe(6);
    expect(page0.rows.map((r) => [r.id, r.amount, r.currency, r.baseAmount])).toEqual([['t08', -2_000, 'EUR', -1_800], ['t07', 1_500, 'GBP', 1_500]]);
    const page1 = categoryTransactions(S, INPUTS, { filters: JAN_FEB, kind: 'expense', groupId: 'food', page: 1, pageSize: 2 });
    expect(page1.rows.map((r) => [r.id, r.categoryId, r.amount, r.split])).toEqual([['t04', 'groceries', -3_000, true], ['t04', 'food', -2_000, true]]);
    const page2 = categoryTransactions(S, INPUTS, { filters: JAN_FEB, kind: 'expense', groupId: 'food', page: 2, pageSize: 2 });
    expect(page2.rows.map((r) => [r.id, r.date, r.baseAmount])).toEqual([['t03', '2025-01-12', -858], ['t02', '2025-01-10', -12_000]]);
    expect(categoryTransactions(S, INPUTS, { filters: JAN_FEB, kind: 'expense', groupId: 'food', page: 3, pageSize: 2 }).rows).toEqual([]);
    const own = categoryTransactions(S, INPUTS, { filters: JAN_FEB, kind: 'expense', categoryId: 'food', page: 0, pageSize: 10 });
    expect(own.rows.map((r) => r.id)).toEqual(['t08', 't04']);
  });

  it('cash flow: opening → income → expense → FX revaluation → closing', () => {
    const r = cashFlow(S, INPUTS, { filters: JAN_FEB });
    expect(r.opening).toBe(100_000);
    expect(r.closing).toBe(381_991); // 339,700 + 45,000 − 3,010 EUR × 0.9
    expect(r.steps.map(({ kind, categoryId, amount }) => [kind, categoryId, amount])).toEqual([
      ['income', 'salary', 300_000], ['income', null, 900], ['expense', 'food', -18_158], ['expense', null, -700], ['fx', null, -51],
    ]);
    expect(r.steps[0]).toMatchObject({ before: 100_000, after: 400_000 });
    expect(r.steps[4]).toMatchObject({ before: 382_042, after: 381_991 });
    // One account: the transfer out is a step of its own.
    const current = cashFlow(S, INPUTS, { filters: { ...JAN_FEB, accountIds: ['current'] } });
    expect(current.steps.find((x) => x.kind === 'transfers')?.amount).toBe(-50_000);
    expect(current.closing).toBe(339_700);
  });

  it('net worth at each month end, foreign balances at that day’s rate, a card in credit a liability', () => {
    const r = netWorthReport(S, INPUTS, { filters: JAN_FEB, granularity: 'month' }, null);
    expect(r.points).toEqual([
      { date: '2025-01-31', assets: 337_142, liabilities: 45_000, net: 382_142, investments: 0 },
      { date: '2025-02-28', assets: 336_991, liabilities: 45_000, net: 381_991, investments: 0 },
    ]);
    expect(r.accounts).toEqual([
      { accountId: 'card', currency: 'GBP', balance: 45_000, baseBalance: 45_000 },
      { accountId: 'current', currency: 'GBP', balance: 339_700, baseBalance: 339_700 },
      { accountId: 'euro', currency: 'EUR', balance: -3_010, baseBalance: -2_709 },
    ]);
    expect(r.investmentsIncluded).toBe(false);
  });

  it('spending trends: months, rolling average half-even, no year-on-year without last year', () => {
    const r = spendingTrends(S, INPUTS, { filters: JAN_FEB, categoryId: 'food', window: 2 });
    expect(r.months).toEqual([
      { start: '2025-01-01', end: '2025-01-31', spent: 17_858, rollingAverage: 8_929, lastYear: 0, yearOnYear: null },
      { start: '2025-02-01', end: '2025-02-28', spent: 300, rollingAverage: 9_079, lastYear: 0, yearOnYear: null },
    ]);
  });

  it('budget vs actual: budgeted, spent, variance, the periods over budget', () => {
    const budget: Budget = {
      id: 'b1', hlc: '1700000000000:0000:test', categoryId: 'food', period: 'monthly', weekStart: 1, startDate: '2025-01-01', endDate: null,
      amounts: [{ from: '2025-01-01', amount: 15_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts: [],
    };
    const r = budgetVsActual(S, { ...INPUTS, budgets: [budget] }, { filters: JAN_FEB });
    expect(r.budgets).toEqual([{
      budgetId: 'b1', categoryId: 'food', kind: 'monthly', budgeted: 30_000, spent: 18_158, variance: 11_842, periodsOver: 1,
      periods: [
        { start: '2025-01-01', end: '2025-01-31', budgeted: 15_000, spent: 17_858, variance: -2_858, over: true },
        { start: '2025-02-01', end: '2025-02-28', budgeted: 15_000, spent: 300, variance: 14_700, over: false },
      ],
    }]);
  });

  it('investment performance: value, contributions, TWRR linked by month, a benchmark', () => {
    const invest: InvestInputs = {
      transactions: [{
        id: 'i1', hlc: '1700000000000:0000:test', accountId: 'isa', assetId: 'fund', kind: 'buy', date: '2025-01-10', quantity: '10', unitPrice: '10',
        amount: -10_000, fee: 0, currency: 'GBP', splitRatio: null, notes: null,
      }],
      assets: [{ id: 'fund', symbol: 'FUND', kind: 'fund', currency: 'GBP' }],
      accounts: [{ id: 'isa', type: 'stocks_shares_isa', currency: 'GBP' }],
      prices: [{ assetId: 'fund', currency: 'GBP', dates: ['2025-01-01', '2025-01-31', '2025-02-28'], closes: ['10', '11', '12.1'] }],
      fx: [], baseCurrency: 'GBP',
    };
    const r = investmentPerformance(S, INPUTS, {
      filters: JAN_FEB, granularity: 'month', benchmark: { label: 'Index', dates: ['2024-12-31', '2025-01-31', '2025-02-28'], closes: ['100', '105', '110.25'] },
    }, invest);
    expect(r.points.map((p) => [p.end, p.value, p.contributions, p.cumulativeContributions])).toEqual([['2025-01-31', 11_000, 10_000, 10_000], ['2025-02-28', 12_100, 0, 10_000]]);
    expect(r.points[0]!.twrr).toBeCloseTo(0.1, 12);
    expect(r.points[1]!.twrr).toBeCloseTo(0.1, 12);
    expect(r.points[1]!.twrrToDate).toBeCloseTo(0.21, 12);
    expect(r.twrr!.cumulative).toBeCloseTo(0.21, 12);
    expect(r.points.map((p) => p.benchmarkToDate)).toEqual([0.05, 0.1025]);
    expect(r.points[1]!.mwrrToDate).toBeGreaterThan(0.21);
    expect(r.benchmark).toEqual({ label: 'Index', cumulative: 0.1025 });
    // With the investments, net worth counts the holdings at each month end's price (and the cash the buy took).
    const nw = netWorthReport(S, { ...INPUTS, accounts: [...INPUTS.accounts, { id: 'isa', type: 'stocks_shares_isa', currency: 'GBP', openingBalance: 0, openingDate: '2025-01-01' }] },
      { filters: JAN_FEB, granularity: 'month' }, invest);
    expect(nw.points.map((p) => [p.investments, p.net])).toEqual([[11_000, 382_142 - 10_000 + 11_000], [12_100, 381_991 - 10_000 + 12_100]]);
    expect(nw.holdings).toEqual([{ accountId: 'isa', value: 12_100 }]);
  });

  it('missing rates: rows before a currency’s first rate are left out and the currency named', () => {
    const late: ReportInputs = { ...INPUTS, fx: [{ currency: 'EUR', dates: ['2025-02-01'], rates: ['0.9'] }] };
    const r = incomeExpense(S, late, { filters: JAN_FEB, granularity: 'month' });
    expect(r.periods[0]!.expense).toBe(17_000);
    expect(r.missingRates).toEqual(['EUR']);
  });
});

describe('date presets, the budget month start respected', () => {
  const at = (today: string, monthStartDay: number, preset: ReportFilters['preset']) => {
    const r = resolveRange(S, prepareInputs({ ...INPUTS, today, monthStartDay }), { preset });
    return [r.from, r.to];
  };
  it('resolves each preset from today', () => {
    expect(at('2025-02-28', 25, 'this-month')).toEqual(['2025-02-25', '2025-03-24']);
    expect(at('2025-02-10', 25, 'this-month')).toEqual(['2025-01-25', '2025-02-24']);
    expect(at('2025-02-28', 25, 'last-month')).toEqual(['2025-01-25', '2025-02-24']);
    expect(at('2025-02-28', 25, 'last-3-months')).toEqual(['2024-12-25', '2025-03-24']);
    expect(at('2025-02-28', 1, 'last-12-months')).toEqual(['2024-03-01', '2025-02-28']);
    expect(at('2025-02-28', 25, 'this-quarter')).toEqual(['2025-01-25', '2025-04-24']);
    expect(at('2025-02-28', 1, 'last-quarter')).toEqual(['2024-10-01', '2024-12-31']);
    expect(at('2025-02-28', 25, 'year-to-date')).toEqual(['2025-01-25', '2025-02-28']);
    expect(at('2025-02-28', 25, 'last-year')).toEqual(['2024-01-25', '2025-01-24']);
    expect(at('2025-02-28', 1, 'this-year')).toEqual(['2025-01-01', '2025-12-31']);
    expect(at('2025-02-28', 1, 'all-time')).toEqual(['2024-12-01', '2025-02-28']);
  });
  it('refuses a custom range without dates or backwards', () => {
    expect(() => resolveRange(S, prepareInputs(INPUTS), { preset: 'custom', from: '2025-01-01' })).toThrow(ReportInputError);
    expect(() => resolveRange(S, prepareInputs(INPUTS), { preset: 'custom', from: '2025-02-01', to: '2025-01-01' })).toThrow(/after/);
  });
});

describe('conversion into the base currency', { timeout: 60_000 }, () => {
  // convertMinor's arithmetic, with enough digits for any rate text (decimal.js keeps 20 significant digits by default).
  const Wide = Decimal.clone({ precision: 200 });
  const convertMinor = (amount: number, from: string, to: string, rate: string) => new Wide(amount).times(rate)
    .times(new Wide(10).pow(currencyExponent(to) - currencyExponent(from))).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();
  it('matches decimal arithmetic rounded half-even for any amount, rate and currency exponents', () => {
    const currencies = ['JPY', 'GBP', 'KWD'];
    fc.assert(fc.property(
      fc.integer({ min: -1e13, max: 1e13 }), fc.bigInt({ min: 1n, max: 10n ** 22n }), fc.integer({ min: 0, max: 22 }), fc.constantFrom(...currencies), fc.constantFrom(...currencies),
      fc.constantFrom(0, 5, 50, 500, 5000),
      (amount0, digits, scale, from, to, half) => {
        // Half the cases land exactly on a half minor unit.
        const amount = half > 0 && amount0 % 2 === 0 ? Math.trunc(amount0 / 1000) * 1000 + half : amount0;
        const text = digits.toString().padStart(scale + 1, '0');
        const rate = scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
        let want: number;
        try {
          want = convertMinor(amount, from, to, rate);
        } catch {
          return; // beyond safe integers: not a figure a report can hold
        }
        if (!Number.isSafeInteger(want)) return;
        const table: RateTable = { currency: from, days: Int32Array.of(0), rates: [rate], parsed: [parseRate(rate)], digits: Float64Array.of(Number.NaN), expShift: currencyExponent(to) - currencyExponent(from) };
        table.parsed[0] = undefined;
        expect(convertAt(table, 0, amount, to)).toBe(want === 0 ? 0 : want); // convertMinor may give −0
      }), { numRuns: 3000 });
  });
  it('rounds halves to even', () => {
    const t = (rate: string): RateTable => ({ currency: 'EUR', days: Int32Array.of(0), rates: [rate], parsed: [undefined], digits: new Float64Array(1), expShift: 0 });
    expect(convertAt(t('0.85'), 0, -1_010, 'GBP')).toBe(-858);
    expect(convertAt(t('0.85'), 0, 30, 'GBP')).toBe(26); // 25.5 → 26
    expect(convertAt(t('0.5'), 0, 5, 'GBP')).toBe(2); // 2.5 → 2
  });
});
