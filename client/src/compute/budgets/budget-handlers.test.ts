import { describe, expect, it } from 'vitest';
import type { BudgetInputs } from '@mymidas/shared/budget';
import type { Budget } from '@mymidas/shared/schema';
import { applyChanges, buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import { createComputeContext } from '../compute-area.ts';
import type { SnapshotReader } from '../compute-area.ts';
import { COMPUTE_AREAS, createComputeHandlers } from '../registry.ts';
import { SnapshotNotReadyError } from '../snapshot/snapshot-engine.ts';
import { BudgetInputsMissingError, createBudgetHandlers } from './budget-handlers.ts';
import { BudgetRequestError } from './budget-schemas.ts';

const uuid = (k: number) => `01939a6e-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;
const FOOD = uuid(1);
const GROCERIES = uuid(2);
const COFFEE = uuid(3);
const SALARY = uuid(4);
const ACCOUNT = uuid(9);
const BUDGET = uuid(20);
const HLC = '1764000000000:0000:test';

let nextTx = 100;
function tx(date: string, amount: number, categoryId: string | null, over: Partial<SnapshotDoc> = {}): SnapshotDoc {
  nextTx += 1;
  return { id: uuid(nextTx), date, amount, currency: 'GBP', accountId: ACCOUNT, categoryId, status: 'cleared', transferId: null, splits: [], ...over };
}

function budget(over: Partial<Budget> = {}): Budget {
  return {
    id: BUDGET, hlc: HLC, categoryId: FOOD, period: 'monthly', weekStart: 1, startDate: '2026-01-01', endDate: null,
    amounts: [{ from: '2026-01-01', amount: 10_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts: [], ...over,
  };
}

function inputs(over: Partial<BudgetInputs> = {}): BudgetInputs {
  return {
    budgets: [budget()],
    categories: [
      { id: FOOD, parentId: null, kind: 'expense' },
      { id: GROCERIES, parentId: FOOD, kind: 'expense' },
      { id: COFFEE, parentId: FOOD, kind: 'expense' },
      { id: SALARY, parentId: null, kind: 'income' },
    ],
    baseCurrency: 'GBP',
    monthStartDay: 1,
    fx: [],
    scheduled: [],
    today: '2026-06-15',
    ...over,
  };
}

function holding(snapshot: Snapshot): SnapshotReader {
  return { current: () => snapshot };
}

describe('budget handlers (compute worker, budgets area)', () => {
  it('answers the page from the snapshot the worker holds, and again after the snapshot takes in a change', () => {
    const snapshot = buildSnapshot([tx('2026-06-02', -1_000, GROCERIES), tx('2026-06-03', -250, COFFEE), tx('2026-05-30', -700, GROCERIES), tx('2026-06-01', 300_000, SALARY)]);
    const handlers = createBudgetHandlers(holding(snapshot));
    handlers.budgetSetInputs(inputs());
    const page = handlers.budgetPage({ date: '2026-06-10' });
    expect(page.rows).toHaveLength(1);
    expect(page.rows[0]).toMatchObject({ budgetId: BUDGET, period: { start: '2026-06-01', end: '2026-06-30' }, amount: 10_000, spent: 1_250, available: 8_750 });
    expect(page.month).toMatchObject({ income: 300_000, budgeted: 10_000, toBeBudgeted: 290_000 });

    // A refund and a new purchase arrive in the held snapshot: the next answer reads them.
    applyChanges(snapshot, [{ op: 'insert', doc: tx('2026-06-05', 400, GROCERIES) }, { op: 'insert', doc: tx('2026-06-06', -9_000, COFFEE) }]);
    const after = handlers.budgetPage({ date: '2026-06-10' });
    expect(after.rows[0]).toMatchObject({ spent: 9_850, available: 150, state: 'over-threshold' });
  });

  it('lets go of its inputs when told: answers are refused until inputs are set again', () => {
    const snapshot = buildSnapshot([tx('2026-06-02', -1_000, GROCERIES)]);
    const handlers = createBudgetHandlers(holding(snapshot));
    handlers.budgetSetInputs(inputs());
    handlers.budgetClearInputs();
    expect(() => handlers.budgetPage({ date: '2026-06-10' })).toThrow(BudgetInputsMissingError);
    handlers.budgetSetInputs(inputs());
    expect(handlers.budgetPage({ date: '2026-06-10' }).rows[0]).toMatchObject({ spent: 1_000 });
  });

  it('answers the history of the budgets asked for, oldest period first', () => {
    const snapshot = buildSnapshot([tx('2026-04-10', -100, GROCERIES), tx('2026-05-10', -200, GROCERIES), tx('2026-06-10', -300, COFFEE)]);
    const handlers = createBudgetHandlers(holding(snapshot));
    handlers.budgetSetInputs(inputs());
    const history = handlers.budgetHistory({ budgetIds: [BUDGET], periods: 3, date: '2026-06-15' });
    expect(history.budgets).toHaveLength(1);
    expect(history.budgets[0]!.periods.map((p) => [p.period.start, p.spent])).toEqual([['2026-04-01', 100], ['2026-05-01', 200], ['2026-06-01', 300]]);
  });

  it('converts a foreign-currency purchase with the FX series it was handed', () => {
    const snapshot = buildSnapshot([tx('2026-06-04', -1_000, GROCERIES, { currency: 'EUR' }), tx('2026-06-08', -1_000, GROCERIES, { currency: 'USD' })]);
    const handlers = createBudgetHandlers(holding(snapshot));
    handlers.budgetSetInputs(inputs({ fx: [{ currency: 'EUR', dates: ['2026-06-01', '2026-06-05'], rates: ['0.85', '0.9'] }] }));
    const page = handlers.budgetPage({ date: '2026-06-10' });
    // €10.00 at 0.85 (the rate in force on 4 June); the USD row has no rate and is left out, named.
    expect(page.rows[0]!.spent).toBe(850);
    expect(page.missingRates).toEqual(['USD']);
    expect(handlers.budgetCurrencies().sort()).toEqual(['EUR', 'USD']);
  });

  it('leaves a budget in another currency than the base (the base was changed since) off the page and names it, the rest answered', () => {
    const snapshot = buildSnapshot([tx('2026-06-02', -1_000, GROCERIES)]);
    const handlers = createBudgetHandlers(holding(snapshot));
    const euro = budget({ id: uuid(21), currency: 'EUR' });
    handlers.budgetSetInputs(inputs({ budgets: [budget(), euro] }));
    const page = handlers.budgetPage({ date: '2026-06-10' });
    expect(page.rows.map((r) => r.budgetId)).toEqual([BUDGET]);
    expect(page.otherCurrencyBudgets).toEqual([euro.id]);
    handlers.budgetSetInputs(inputs());
    expect(handlers.budgetPage({ date: '2026-06-10' }).otherCurrencyBudgets).toEqual([]);
  });

  it('refuses a page or history before any inputs were pushed', () => {
    const handlers = createBudgetHandlers(holding(buildSnapshot([])));
    expect(() => handlers.budgetPage({ date: '2026-06-10' })).toThrow(BudgetInputsMissingError);
    expect(() => handlers.budgetHistory({ periods: 3, date: '2026-06-10' })).toThrow(BudgetInputsMissingError);
  });

  it('refuses bad inputs with the first problem named, keeping the inputs it had', () => {
    const snapshot = buildSnapshot([tx('2026-06-02', -1_000, GROCERIES)]);
    const handlers = createBudgetHandlers(holding(snapshot));
    handlers.budgetSetInputs(inputs());
    const bad: [string, unknown, RegExp][] = [
      ['a budget period the schema does not know', inputs({ budgets: [budget({ period: 'daily' as Budget['period'] })] }), /budgets\.0\.period/],
      ['a threshold over 100 %', inputs({ budgets: [budget({ alertThreshold: 120 })] }), /budgets\.0\.alertThreshold/],
      ['FX dates out of order', inputs({ fx: [{ currency: 'EUR', dates: ['2026-06-05', '2026-06-01'], rates: ['0.9', '0.85'] }] }), /fx\.0\.dates: dates must be ascending/],
      ['a zero rate', inputs({ fx: [{ currency: 'EUR', dates: ['2026-06-01'], rates: ['0.000'] }] }), /greater than zero/],
      ['a rate as a float', inputs({ fx: [{ currency: 'EUR', dates: ['2026-06-01'], rates: [0.85 as unknown as string] }] }), /fx\.0\.rates\.0/],
      ['a series for the base currency', inputs({ fx: [{ currency: 'GBP', dates: ['2026-06-01'], rates: ['1'] }] }), /base currency needs no FX series/],
      ['a scheduled amount in pounds as a float', inputs({ scheduled: [{ date: '2026-06-20', categoryId: GROCERIES, amount: -12.5, currency: 'GBP' }] }), /scheduled\.0\.amount/],
      ['no today', { ...inputs(), today: '15/06/2026' }, /today/],
      ['the same budget twice', inputs({ budgets: [budget(), budget()] }), /budget ids must be unique/],
    ];
    for (const [what, value, message] of bad) {
      expect(() => handlers.budgetSetInputs(value as BudgetInputs), what).toThrow(BudgetRequestError);
      expect(() => handlers.budgetSetInputs(value as BudgetInputs), what).toThrow(message);
    }
    expect(handlers.budgetPage({ date: '2026-06-10' }).rows[0]!.spent).toBe(1_000);
  });

  it('refuses malformed requests at the boundary', () => {
    const handlers = createBudgetHandlers(holding(buildSnapshot([])));
    handlers.budgetSetInputs(inputs());
    expect(() => handlers.budgetPage({ date: '2026-02-30x' })).toThrow(/budget page request refused: date/);
    expect(() => handlers.budgetPage({ date: '2026-06-10', kind: 'fortnightly' as 'weekly' })).toThrow(/kind/);
    expect(() => handlers.budgetPage({ date: '2026-06-10', extra: 1 } as never)).toThrow(BudgetRequestError);
    expect(() => handlers.budgetHistory({ periods: 0, date: '2026-06-10' })).toThrow(/periods/);
    expect(() => handlers.budgetHistory({ periods: 2.5, date: '2026-06-10' })).toThrow(/periods/);
    expect(() => handlers.budgetHistory({ periods: 3, date: '2026-06-10', budgetIds: ['not-a-uuid'] })).toThrow(/budgetIds\.0/);
  });

  it('is listed in the worker registry and reads the snapshot area\'s snapshot through the shared context', async () => {
    expect(COMPUTE_AREAS.map((a) => a.name)).toContain('budgets');
    const handlers = createComputeHandlers(createComputeContext());
    for (const name of ['budgetSetInputs', 'budgetPage', 'budgetHistory', 'budgetCurrencies'] as const) expect(typeof handlers[name]).toBe('function');
    await handlers.budgetSetInputs(inputs());
    // Nothing loaded in that fresh worker yet: the same "not ready" as the snapshot's own handlers.
    await expect(handlers.budgetPage({ date: '2026-06-10' })).rejects.toThrow(SnapshotNotReadyError);
  });
});
