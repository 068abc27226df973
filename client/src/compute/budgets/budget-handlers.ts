import { budgetHistory, budgetPage } from '@mymidas/shared/budget';
import type { BudgetHistory, BudgetHistoryRequest, BudgetInputs, BudgetPage, BudgetPageRequest } from '@mymidas/shared/budget';
import type { SnapshotReader } from '../compute-area.ts';
import { parseBudgetHistoryRequest, parseBudgetInputs, parseBudgetPageRequest } from './budget-schemas.ts';

/**
 * The budgets area of the compute worker (issue 20). The UI thread pushes the small inputs (budgets,
 * categories, settings, FX rates, recurring occurrences, today) when they change; the page and the history
 * are then worked out here by the pure engine of `@mymidas/shared/budget` over the snapshot this worker
 * holds, so the UI thread never walks the transactions.
 */
export interface BudgetHandlers {
  /** Replaces the inputs every later answer is computed with. */
  budgetSetInputs(inputs: BudgetInputs): void;
  /** Lets go of the inputs (and the engine's caches kept with them) until the next budgetSetInputs. */
  budgetClearInputs(): void;
  /** Every budget's period containing `request.date`, with the forecast for today's period. */
  budgetPage(request: BudgetPageRequest): BudgetPage;
  /** Past periods of the budgets, oldest first. */
  budgetHistory(request: BudgetHistoryRequest): BudgetHistory;
  /** The currencies the snapshot's rows are in (so the UI reads FX rates for each foreign one). */
  budgetCurrencies(): string[];
}

export class BudgetInputsMissingError extends Error {
  override readonly name = 'BudgetInputsMissingError';
}

export function createBudgetHandlers(snapshot: SnapshotReader): BudgetHandlers {
  let inputs: BudgetInputs | null = null;
  /** Budgets left out because they are not in the base currency (the base currency was changed since). */
  let otherCurrency: string[] = [];

  function requireInputs(): BudgetInputs {
    if (!inputs) throw new BudgetInputsMissingError('the budget inputs have not been set (budgetSetInputs) in this worker');
    return inputs;
  }

  return {
    budgetSetInputs(next) {
      // Validated whole before it replaces anything: a refused push leaves the previous inputs in place. The one
      // object is handed to every later call, so the engine's caches kept per inputs object (budget plans, covered
      // categories, parsed rates and scheduled amounts) are built once per push.
      const parsed = parseBudgetInputs(next);
      // A budget not in the base currency (the base was changed since) is left off, and named on the page.
      const inBase = parsed.budgets.filter((b) => b.currency === parsed.baseCurrency);
      otherCurrency = parsed.budgets.filter((b) => b.currency !== parsed.baseCurrency).map((b) => b.id);
      inputs = inBase.length === parsed.budgets.length ? parsed : { ...parsed, budgets: inBase };
    },
    budgetClearInputs() {
      inputs = null;
      otherCurrency = [];
    },
    budgetPage(request) {
      const checked = parseBudgetPageRequest(request);
      return { ...budgetPage(snapshot.current(), requireInputs(), checked), otherCurrencyBudgets: otherCurrency };
    },
    budgetHistory(request) {
      const checked = parseBudgetHistoryRequest(request);
      return budgetHistory(snapshot.current(), requireInputs(), checked);
    },
    budgetCurrencies() {
      return snapshot.current().currencies.entries();
    },
  };
}
