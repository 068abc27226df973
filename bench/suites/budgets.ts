import { defineSuite } from '../lib/suite.ts';
import { sharedWorkload, WORKER_HANDLER_SUITE } from '../lib/worker-handler-suite.ts';

/**
 * Budgets (issue 20, bullet 5): the compute worker's budgets area answering from the columnar snapshot of the
 * demo household (100,000 transactions over ten years) with 60 budgets of every period kind and rollover mode.
 * Measured in Node through the worker's own handlers (createBudgetHandlers over a reader holding the snapshot,
 * inputs pushed with budgetSetInputs, each request validated as in the worker), i.e. the worker's code path
 * without the Comlink hop; the structured clone of the answers is logged apart.
 * - `budgets`: the budget page for today's periods (each budget's current period, rollover, forecast). Target ≤ 20 ms.
 * - `budgets-history`: the 24-period history of every budget. Target ≤ 100 ms.
 * Baseline of each, same run: a bare pass over the typed arrays of the rows the answer reads (summing the
 * amount column of every row in its date range), the floor any answer over those rows pays.
 *
 * The workload lives beside the handlers (client/src/compute/budgets/budget-bench-work.ts) and is loaded at run
 * time: this project (tsconfig.tools.json) cannot list client files, the client's own project checks it.
 */

export const PAGE_TARGET_MS = 20;
export const HISTORY_TARGET_MS = 100;

/** What budget-bench-work.ts exports (restated: see above). */
interface BudgetBench {
  readonly summary: string;
  page(): number;
  history(): number;
  barePage(): number;
  bareHistory(): number;
}
interface BudgetBenchWork {
  prepareBudgetBench(size: number): BudgetBench;
}

const WORK = new URL('../../client/src/compute/budgets/budget-bench-work.ts', import.meta.url).href;

/** One household, made ready once, for both suites of a run. */
const workload = sharedWorkload<BudgetBenchWork, BudgetBench>('budgets', WORK, (work, size) => work.prepareBudgetBench(size));

export const budgetsPage = defineSuite<BudgetBench>({
  ...WORKER_HANDLER_SUITE,
  name: 'budgets',
  description: 'budget page for today\'s periods, 60 budgets, through the compute worker\'s budgets handlers (issue 20)',
  target: { on: 'value', max: PAGE_TARGET_MS },
  setup: (ctx) => workload.get(ctx),
  run: (_ctx, b) => b.page(),
  baseline: (_ctx, b) => b.barePage(),
});

export const budgetsHistory = defineSuite<BudgetBench>({
  ...WORKER_HANDLER_SUITE,
  name: 'budgets-history',
  description: '24-period history of each of 60 budgets, through the compute worker\'s budgets handlers (issue 20)',
  target: { on: 'value', max: HISTORY_TARGET_MS },
  setup: (ctx) => workload.get(ctx),
  run: (_ctx, b) => b.history(),
  baseline: (_ctx, b) => b.bareHistory(),
  teardown: () => workload.reset(),
});
