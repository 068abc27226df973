import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../snapshot/snapshot.ts';
import type { SnapshotDoc } from '../snapshot/snapshot.ts';
import { budgetHistory, budgetPage, budgetState } from './engine.ts';
import { BudgetInputError } from './periods.ts';
import { budget, inputs, tx } from './__fixtures__/budget-fixtures.ts';
import type { Budget } from '../schema/registry.ts';
import type { BudgetInputs } from './types.ts';

function page(docs: readonly SnapshotDoc[], budgets: readonly Budget[], date: string, more: Partial<BudgetInputs> = {}) {
  return budgetPage(buildSnapshot(docs), inputs({ budgets, ...more }), { date });
}

function history(docs: readonly SnapshotDoc[], budgets: readonly Budget[], date: string, periods: number, more: Partial<BudgetInputs> = {}) {
  return budgetHistory(buildSnapshot(docs), inputs({ budgets, ...more }), { date, periods });
}

describe('budget engine: periods', () => {
  it('counts a weekly budget across a month end and a year end (Monday weeks)', () => {
    const b = budget({ id: 'w', categoryId: 'groceries', period: 'weekly', weekStart: 1, amounts: [{ from: '2020-01-01', amount: 1_700 }] });
    const docs = [
      tx('2026-12-27', -100, 'groceries'), // Sunday: the week before
      tx('2026-12-28', -200, 'groceries'),
      tx('2026-12-31', -300, 'groceries'),
      tx('2027-01-01', -400, 'groceries'),
      tx('2027-01-03', -500, 'groceries'),
      tx('2027-01-04', -600, 'groceries'), // Monday: the next week
      tx('2026-04-26', -10, 'groceries'),
      tx('2026-04-30', -20, 'groceries'),
      tx('2026-05-03', -30, 'groceries'),
      tx('2026-05-04', -40, 'groceries'),
    ];
    const row = page(docs, [b], '2027-01-01').rows[0]!;
    expect(row.period).toEqual({ start: '2026-12-28', end: '2027-01-03' });
    expect(row).toMatchObject({ amount: 1_700, spent: 1_400, available: 300, state: 'over-threshold', carried: 0, pending: 0 });
    expect(page(docs, [b], '2026-05-01').rows[0]).toMatchObject({ period: { start: '2026-04-27', end: '2026-05-03' }, spent: 50 });
    const h = history(docs, [b], '2027-01-05', 3);
    expect(h.budgets[0]!.periods.map((p) => [p.period.start, p.spent])).toEqual([['2026-12-21', 100], ['2026-12-28', 1_400], ['2027-01-04', 600]]);
  });

  it('cuts a payday-25th month and reports its income and what is left to budget', () => {
    const food = budget({ id: 'food', categoryId: 'food', amounts: [{ from: '2020-01-01', amount: 40_000 }] });
    const fuel = budget({ id: 'fuel', categoryId: 'fuel', amounts: [{ from: '2020-01-01', amount: 10_000 }] });
    const weekly = budget({ id: 'wk', categoryId: 'home', period: 'weekly', amounts: [{ from: '2020-01-01', amount: 99_999 }] });
    const docs = [
      tx('2026-03-24', -100, 'groceries'),
      tx('2026-03-25', -200, 'groceries'),
      tx('2026-04-24', -300, 'eating-out'),
      tx('2026-04-25', -400, 'groceries'),
      tx('2026-03-24', 250_000, 'salary'), // the month before
      tx('2026-03-25', 300_000, 'salary'),
      tx('2026-04-10', 1_234, 'interest'),
      tx('2026-04-11', 50_000, 'salary', { transferId: 'tr-1' }), // a transfer is not income
    ];
    const p = page(docs, [food, fuel, weekly], '2026-04-01', { monthStartDay: 25 });
    const foodRow = p.rows.find((r) => r.budgetId === 'food')!;
    expect(foodRow.period).toEqual({ start: '2026-03-25', end: '2026-04-24' });
    expect(foodRow.spent).toBe(500);
    expect(p.month).toEqual({ period: { start: '2026-03-25', end: '2026-04-24' }, income: 301_234, budgeted: 50_000, toBeBudgeted: 251_234 });
    expect(budgetPage(buildSnapshot(docs), inputs({ budgets: [food, weekly], monthStartDay: 25 }), { date: '2026-04-01', kind: 'weekly' }).month).toBeNull();
    expect(budgetPage(buildSnapshot(docs), inputs({ budgets: [food, weekly], monthStartDay: 25 }), { date: '2026-04-01', kind: 'weekly' }).rows.map((r) => r.budgetId)).toEqual(['wk']);
  });

  it('cuts quarterly and yearly periods', () => {
    const q = budget({ id: 'q', categoryId: 'travel', period: 'quarterly', amounts: [{ from: '2020-01-01', amount: 30_000 }] });
    const y = budget({ id: 'y', categoryId: 'travel', period: 'yearly', amounts: [{ from: '2020-01-01', amount: 100_000 }] });
    const docs = [
      tx('2026-03-31', -1_000, 'fuel'),
      tx('2026-04-01', -2_000, 'fuel'),
      tx('2026-06-30', -3_000, 'travel'),
      tx('2026-07-01', -4_000, 'fuel'),
      tx('2025-12-31', -5_000, 'fuel'),
    ];
    const p = page(docs, [q, y], '2026-05-20');
    expect(p.rows.find((r) => r.budgetId === 'q')).toMatchObject({ period: { start: '2026-04-01', end: '2026-06-30' }, spent: 5_000, available: 25_000 });
    expect(p.rows.find((r) => r.budgetId === 'y')).toMatchObject({ period: { start: '2026-01-01', end: '2026-12-31' }, spent: 10_000, available: 90_000 });
    const h = history(docs, [q], '2026-07-01', 3);
    expect(h.budgets[0]!.periods.map((x) => [x.period.start, x.spent])).toEqual([['2026-01-01', 1_000], ['2026-04-01', 5_000], ['2026-07-01', 4_000]]);
  });

  it('shows a budget only in the periods from its startDate to its endDate', () => {
    const b = budget({ id: 'b', categoryId: 'home', startDate: '2026-03-10', endDate: '2026-04-05', amounts: [{ from: '2026-03-10', amount: 5_000 }] });
    const docs = [tx('2026-03-02', -100, 'home'), tx('2026-04-20', -200, 'home'), tx('2026-05-01', -300, 'home')];
    expect(page(docs, [b], '2026-02-15').rows).toEqual([]);
    expect(page(docs, [b], '2026-03-01').rows[0]).toMatchObject({ period: { start: '2026-03-01', end: '2026-03-31' }, amount: 5_000, spent: 100 });
    expect(page(docs, [b], '2026-05-01').rows).toEqual([]);
    expect(page(docs, [b], '2026-05-01').month?.budgeted).toBe(0);
    expect(history(docs, [b], '2026-06-15', 6).budgets[0]!.periods.map((x) => [x.period.start, x.spent])).toEqual([['2026-03-01', 100], ['2026-04-01', 200]]);
  });
});

describe('budget engine: rollover and amounts', () => {
  // Amount 10,000 a month; spent 6,000 in January, 16,000 in February, 2,000 in March.
  const docs = [tx('2026-01-10', -6_000, 'home'), tx('2026-02-10', -16_000, 'home'), tx('2026-03-10', -2_000, 'home')];
  const make = (rollover: Budget['rollover']) => budget({ id: rollover, categoryId: 'home', startDate: '2026-01-01', rollover, amounts: [{ from: '2026-01-01', amount: 10_000 }] });
  const figures = (rollover: Budget['rollover']) =>
    history(docs, [make(rollover)], '2026-03-31', 3).budgets[0]!.periods.map((p) => ({ carried: p.carried, available: p.available, state: p.state }));

  it("'none' carries nothing", () => {
    expect(figures('none')).toEqual([
      { carried: 0, available: 4_000, state: 'on-track' },
      { carried: 0, available: -6_000, state: 'over' },
      { carried: 0, available: 8_000, state: 'on-track' },
    ]);
  });

  it("'unspent' carries what is left, never an overspend", () => {
    expect(figures('unspent')).toEqual([
      { carried: 0, available: 4_000, state: 'on-track' },
      { carried: 4_000, available: -2_000, state: 'over' },
      { carried: 0, available: 8_000, state: 'on-track' },
    ]);
  });

  it("'unspent-and-overspend' carries an overspend too (a negative carry)", () => {
    expect(figures('unspent-and-overspend')).toEqual([
      { carried: 0, available: 4_000, state: 'on-track' },
      { carried: 4_000, available: -2_000, state: 'over' },
      { carried: -2_000, available: 6_000, state: 'on-track' },
    ]);
  });

  it('chains the rollover from the first period even when fewer periods are asked for or shown', () => {
    const h = history(docs, [make('unspent-and-overspend')], '2026-03-15', 1);
    expect(h.budgets[0]!.periods).toHaveLength(1);
    expect(h.budgets[0]!.periods[0]).toMatchObject({ carried: -2_000, available: 6_000 });
    expect(page(docs, [make('unspent-and-overspend')], '2026-03-15').rows[0]).toMatchObject({ carried: -2_000, available: 6_000, spent: 2_000 });
  });

  it('an amount change applies from the period whose first day it covers, leaving past periods alone', () => {
    const b = budget({
      id: 'b', categoryId: 'home', startDate: '2026-01-01', rollover: 'unspent',
      amounts: [{ from: '2026-01-01', amount: 10_000 }, { from: '2026-02-15', amount: 20_000 }, { from: '2026-04-01', amount: 30_000 }],
    });
    const h = history(docs, [b], '2026-04-30', 4).budgets[0]!.periods;
    expect(h.map((p) => p.amount)).toEqual([10_000, 10_000, 20_000, 30_000]);
    // January left 4,000; February (still 10,000 on its first day) overspent; March's 20,000 − 2,000 carries 18,000.
    expect(h.map((p) => p.carried)).toEqual([0, 4_000, 0, 18_000]);
    expect(h.map((p) => p.available)).toEqual([4_000, -2_000, 18_000, 48_000]);
  });
});

describe('budget engine: what counts as spent', () => {
  const food = budget({ id: 'food', categoryId: 'food' });
  const travel = budget({ id: 'travel', categoryId: 'travel' });

  it('counts the lines of a split transaction by their own categories, in two budgets', () => {
    const docs = [tx('2026-06-05', -5_000, 'home', { splits: [{ categoryId: 'groceries', amount: -3_000 }, { categoryId: 'fuel', amount: -2_000 }] })];
    const p = page(docs, [food, travel, budget({ id: 'home', categoryId: 'home' })], '2026-06-05');
    expect(p.rows.map((r) => [r.budgetId, r.spent])).toEqual([['food', 3_000], ['travel', 2_000], ['home', 0]]);
  });

  it('lets a refund reduce spent', () => {
    const p = page([tx('2026-06-05', -5_000, 'groceries'), tx('2026-06-09', 1_500, 'groceries')], [food], '2026-06-05');
    expect(p.rows[0]).toMatchObject({ spent: 3_500, available: 6_500 });
  });

  it('never counts a transfer, even one carrying a budgeted category', () => {
    const docs = [tx('2026-06-05', -5_000, 'groceries', { transferId: 'other-leg' }), tx('2026-06-06', -100, 'groceries')];
    expect(page(docs, [food], '2026-06-05').rows[0]!.spent).toBe(100);
  });

  it('never counts deleted transactions', () => {
    const docs = [{ ...tx('2026-06-05', -5_000, 'groceries'), _deleted: true }, tx('2026-06-06', -100, 'groceries')];
    expect(budgetPage(buildSnapshot(docs), inputs({ budgets: [food] }), { date: '2026-06-05' }).rows[0]!.spent).toBe(100);
  });

  it('counts pending transactions and shows them apart', () => {
    const docs = [tx('2026-06-05', -700, 'coffee', { status: 'pending' }), tx('2026-06-06', -300, 'groceries'), tx('2026-06-07', 200, 'groceries', { status: 'pending' })];
    expect(page(docs, [food], '2026-06-05').rows[0]).toMatchObject({ spent: 800, pending: 500 });
  });

  it('covers a parent category’s children and grandchildren, and nothing else', () => {
    const docs = [tx('2026-06-05', -1, 'food'), tx('2026-06-05', -10, 'groceries'), tx('2026-06-05', -100, 'eating-out'), tx('2026-06-05', -1_000, 'coffee'), tx('2026-06-05', -10_000, 'fuel'), tx('2026-06-05', -7, null)];
    const p = page(docs, [food, budget({ id: 'eo', categoryId: 'eating-out' }), budget({ id: 'coffee', categoryId: 'coffee' })], '2026-06-05');
    expect(p.rows.map((r) => r.spent)).toEqual([1_111, 1_100, 1_000]);
  });

  it("converts a EUR purchase at its date's rate (the latest on or before it), summing each day's rows first", () => {
    const fx = [{ currency: 'EUR', dates: ['2026-06-01', '2026-06-10'], rates: ['0.85', '0.9'] }];
    const docs = [
      tx('2026-06-05', -1_000, 'groceries', { currency: 'EUR' }), // no quote on the 5th: the 1st's 0.85 → 850
      tx('2026-06-10', -1_000, 'groceries', { currency: 'EUR' }), // 0.9 → 900
      tx('2026-06-12', -333, 'groceries', { currency: 'EUR' }), // −666 × 0.9 = −599.4 → 599 (row by row it would be 600)
      tx('2026-06-12', -333, 'coffee', { currency: 'EUR' }),
      tx('2026-06-12', -333, 'groceries', { currency: 'EUR' }),
      tx('2026-06-14', -100, 'groceries'),
    ];
    const p = page(docs, [food, budget({ id: 'g', categoryId: 'groceries' })], '2026-06-20', { fx });
    // food: 850 + 900 + (groceries −666 → 599) + (coffee −333 → 300) + 100
    expect(p.rows.map((r) => r.spent)).toEqual([2_749, 2_449]);
    expect(p.missingRates).toEqual([]);
  });

  it('leaves out rows in a currency without a rate for their day, and reports it', () => {
    const fx = [{ currency: 'EUR', dates: ['2026-06-10'], rates: ['0.9'] }];
    const docs = [tx('2026-06-05', -1_000, 'groceries', { currency: 'EUR' }), tx('2026-06-11', -1_000, 'groceries', { currency: 'EUR' }), tx('2026-06-11', -500, 'groceries', { currency: 'USD' }), tx('2026-06-12', -100, 'groceries')];
    const p = page(docs, [food], '2026-06-20', { fx });
    expect(p.rows[0]!.spent).toBe(1_000);
    expect(p.missingRates).toEqual(['EUR', 'USD']);
    expect(history(docs, [food], '2026-06-20', 2, { fx }).missingRates).toEqual(['EUR', 'USD']);
    // Rows outside the budgets' categories need no rate.
    expect(page(docs, [travel], '2026-06-20', { fx }).missingRates).toEqual([]);
  });
});

describe('budget engine: state and input', () => {
  it('states over, over-threshold and on-track, with a limit of zero or less never "over threshold"', () => {
    expect(budgetState(8_001, 8_000, 80)).toBe('over');
    expect(budgetState(8_000, 8_000, 80)).toBe('over-threshold');
    expect(budgetState(6_400, 8_000, 80)).toBe('over-threshold');
    expect(budgetState(6_399, 8_000, 80)).toBe('on-track');
    expect(budgetState(0, 0, 80)).toBe('on-track');
    expect(budgetState(1, 0, 80)).toBe('over');
    expect(budgetState(-600, -500, 80)).toBe('on-track');
    expect(budgetState(-400, -500, 80)).toBe('over');
  });

  it('refuses bad input with a clear error', () => {
    const s = buildSnapshot([]);
    expect(() => budgetPage(s, inputs(), { date: '2026-02-30' })).toThrow(BudgetInputError);
    expect(() => budgetPage(s, inputs({ monthStartDay: 31 }), { date: '2026-02-01' })).toThrow(/start day/);
    expect(() => budgetPage(s, inputs({ budgets: [budget({ id: 'b', categoryId: 'home', currency: 'EUR' })] }), { date: '2026-02-01' })).toThrow(/base currency/);
    expect(() => budgetPage(s, inputs({ fx: [{ currency: 'EUR', dates: ['2026-01-02', '2026-01-01'], rates: ['1', '1'] }] }), { date: '2026-02-01' })).toThrow(/ascend/);
    expect(() => budgetPage(s, inputs({ fx: [{ currency: 'EUR', dates: ['2026-01-02'], rates: ['1.2e3'] }] }), { date: '2026-02-01' })).toThrow(/decimal/);
    expect(() => budgetHistory(s, inputs(), { date: '2026-02-01', periods: 0 })).toThrow(/periods/);
    expect(() => budgetPage(s, inputs(), { date: '2026-02-01', kind: 'daily' as 'weekly' })).toThrow(/unknown budget period/);
    expect(() => budgetPage(s, { ...inputs(), fx: undefined as unknown as [] }, { date: '2026-02-01' })).toThrow(/inputs.fx must be a list/);
  });

  it('answers an empty ledger, and unknown budget ids with no periods', () => {
    const s = buildSnapshot([]);
    const b = budget({ id: 'b', categoryId: 'home' });
    expect(budgetPage(s, inputs({ budgets: [b] }), { date: '2026-02-01' }).rows[0]).toMatchObject({ spent: 0, pending: 0, available: 10_000, state: 'on-track' });
    expect(budgetHistory(s, inputs({ budgets: [b] }), { date: '2026-02-01', periods: 2, budgetIds: ['b', 'gone'] }).budgets).toMatchObject([
      { budgetId: 'b', periods: [{ spent: 0 }, { spent: 0 }] },
      { budgetId: 'gone', periods: [] },
    ]);
  });
});
