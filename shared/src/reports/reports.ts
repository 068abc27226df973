/** `@mymidas/shared/reports`: the seven reports (issue 23) and CSV export. Pure; run by the compute worker over the snapshot. */
export * from './types.ts';
export { ReportInputError, prepareInputs, resolveRange } from './context.ts';
export { MAX_PAGE_SIZE, MAX_TREND_WINDOW, cashFlow, categoryBreakdown, categoryTransactions, incomeExpense, spendingTrends } from './flows.ts';
export { netWorthReport } from './net-worth.ts';
export { InvestmentsUnavailableError, budgetVsActual, investmentPerformance } from './budget-performance.ts';
export { CsvInputError, toCsv } from './csv.ts';
