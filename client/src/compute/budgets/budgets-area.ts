import { lazyComputeArea } from '../compute-area.ts';
import type { BudgetHandlers } from './budget-handlers.ts';

/** The budgets area of the compute worker (registry.ts); its code loads on the first budget call. */
export const budgetsArea = lazyComputeArea<BudgetHandlers>(
  'budgets',
  { budgetSetInputs: true, budgetClearInputs: true, budgetPage: true, budgetHistory: true, budgetCurrencies: true },
  async () => {
    const { createBudgetHandlers } = await import('./budget-handlers.ts');
    return (context) => createBudgetHandlers(context.snapshot);
  },
);
