import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../snapshot/snapshot.ts';
import { budgetHistory, budgetPage } from './engine.ts';
import { budget, inputs, tx } from './__fixtures__/budget-fixtures.ts';

describe('budget engine', () => {
  it('sums a monthly budget over its covered categories', () => {
    const s = buildSnapshot([tx('2026-06-02', -1_000, 'groceries'), tx('2026-06-03', -500, 'coffee'), tx('2026-05-31', -700, 'groceries')]);
    const page = budgetPage(s, inputs({ budgets: [budget({ id: 'b-food', categoryId: 'food' })] }), { date: '2026-06-10' });
    expect(page.rows[0]).toMatchObject({ period: { start: '2026-06-01', end: '2026-06-30' }, amount: 10_000, spent: 1_500, available: 8_500, state: 'on-track' });
    const history = budgetHistory(s, inputs({ budgets: [budget({ id: 'b-food', categoryId: 'food' })] }), { date: '2026-06-10', periods: 2 });
    expect(history.budgets[0]!.periods.map((p) => p.spent)).toEqual([700, 1_500]);
  });
});
