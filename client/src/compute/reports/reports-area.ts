import { lazyComputeArea } from '../compute-area.ts';
import type { ReportHandlers } from './reports-handlers.ts';

/** The reports area of the compute worker (registry.ts); its code loads on the first report call. */
export const reportsArea = lazyComputeArea<ReportHandlers>(
  'reports',
  {
    reportSetInputs: true, reportResolveRange: true, reportNetWorth: true, reportIncomeExpense: true, reportCashFlow: true,
    reportCategoryBreakdown: true, reportCategoryTransactions: true, reportBudgetVsActual: true, reportInvestmentPerformance: true,
    reportSpendingTrends: true,
  },
  async () => {
    const { createReportHandlers } = await import('./reports-handlers.ts');
    return (context) => createReportHandlers(context.snapshot, context.invest);
  },
);
