import { defineSuite } from '../lib/suite.ts';
import type { BenchSuite } from '../lib/suite.ts';
import { sharedWorkload, WORKER_HANDLER_SUITE } from '../lib/worker-handler-suite.ts';
import { reportsNetWorthDrag } from './reports-drag.ts';

/**
 * Reports (issue 23, bullet 4): each report over the whole history of the demo household (100,000 transactions over
 * ten years, preset all-time) through the compute worker's reports area, in Node through the worker's own handlers
 * (createReportHandlers over a reader holding the snapshot; requests validated as in the worker; the invest area fed
 * as the session's feed does and shared through the compute context), i.e. the worker's code path without the
 * Comlink hop. One suite per report, target ≤ 50 ms each:
 * - `reports-net-worth`: daily net worth, ten years (3,650 points), holdings at each day's price and FX;
 * - `reports-income-expense`: by month; `reports-cash-flow`: the waterfall by category;
 * - `reports-category-breakdown`: spending by group and category; `reports-category-transactions`: the drill-down,
 *   page 4 of 100 rows of the largest group;
 * - `reports-budget-vs-actual`: every budget's periods over the ten years;
 * - `reports-investment-performance`: the portfolio by month (value, contributions, TWRR, MWRR to each month end);
 * - `reports-spending-trends`: the largest group by month with its 3-month average and year on year.
 * And `reports-net-worth-drag` (reports-drag.ts): the net worth chart's time slider dragged in Chromium, no dropped frame.
 * Baseline of each, same run: a bare pass over the typed arrays of the rows every report reads (all of them),
 * summing the amount column of the non-transfer rows — the floor any answer over those rows pays.
 *
 * The workload lives beside the handlers (client/src/compute/reports/reports-bench-work.ts) and is loaded at run
 * time: this project (tsconfig.tools.json) cannot list client files, the client's own project checks it.
 */

export const REPORT_TARGET_MS = 50;

/** What reports-bench-work.ts exports (restated: see above). */
type ReportName = 'netWorth' | 'incomeExpense' | 'cashFlow' | 'categoryBreakdown' | 'categoryTransactions' | 'budgetVsActual' | 'investmentPerformance' | 'spendingTrends';
interface ReportsBench {
  readonly summary: string;
  run(name: ReportName): number;
  bare(): number;
}
interface ReportsBenchWork {
  prepareReportsBench(size: number): Promise<ReportsBench>;
}

const WORK = new URL('../../client/src/compute/reports/reports-bench-work.ts', import.meta.url).href;

/** One household, made ready once, for every suite of a run. */
const workload = sharedWorkload<ReportsBenchWork, ReportsBench>('reports', WORK, (work, size) => work.prepareReportsBench(size));

const REPORTS: readonly { readonly name: string; readonly report: ReportName; readonly what: string }[] = [
  { name: 'reports-net-worth', report: 'netWorth', what: 'daily net worth over ten years with holdings at each day\'s price and FX' },
  { name: 'reports-income-expense', report: 'incomeExpense', what: 'income vs expense by month over ten years' },
  { name: 'reports-cash-flow', report: 'cashFlow', what: 'cash flow waterfall by category over ten years' },
  { name: 'reports-category-breakdown', report: 'categoryBreakdown', what: 'spending by group and category over ten years' },
  { name: 'reports-category-transactions', report: 'categoryTransactions', what: 'drill-down: page 4 (100 rows) of the largest group\'s transactions' },
  { name: 'reports-budget-vs-actual', report: 'budgetVsActual', what: 'every budget\'s periods over ten years, variance and periods over' },
  { name: 'reports-investment-performance', report: 'investmentPerformance', what: 'portfolio by month over ten years: value, contributions, TWRR, MWRR' },
  { name: 'reports-spending-trends', report: 'spendingTrends', what: 'the largest group by month, 3-month average, year on year' },
];

const handlerSuites: readonly BenchSuite<ReportsBench>[] = REPORTS.map(({ name, report, what }, i) => defineSuite<ReportsBench>({
  ...WORKER_HANDLER_SUITE,
  name,
  description: `${what}, through the compute worker's reports handlers (issue 23)`,
  target: { on: 'value', max: REPORT_TARGET_MS },
  setup: (ctx) => workload.get(ctx),
  run: (_ctx, b) => b.run(report),
  baseline: (_ctx, b) => b.bare(),
  ...(i === REPORTS.length - 1 ? { teardown: () => workload.reset() } : {}),
}));

/** The eight handler suites, then the net worth slider drag in Chromium (`reports-net-worth-drag`, reports-drag.ts). */
export const reportSuites: readonly BenchSuite<unknown>[] = [...handlerSuites, reportsNetWorthDrag] as readonly BenchSuite<unknown>[];
