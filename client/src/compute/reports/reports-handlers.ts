import {
  budgetVsActual, cashFlow, categoryBreakdown, categoryTransactions, incomeExpense, investmentPerformance, netWorthReport, prepareInputs, resolveRange,
  spendingTrends,
} from '@mymidas/shared/reports';
import type { ReportHandlers, ReportInputs } from '@mymidas/shared/reports';
import { todayIn } from '@mymidas/shared/date';
import type { InvestShare, SnapshotReader } from '../compute-area.ts';
import { SCHEMAS, parseReport } from './reports-schemas.ts';

/**
 * The reports area of the compute worker (issue 23). The UI thread pushes the small inputs (accounts, categories,
 * settings, FX rates, budgets, the tagged transactions) with reportSetInputs; each report is then worked out here
 * by the pure functions of `@mymidas/shared/reports` over the snapshot this worker holds, so the UI thread never
 * walks the transactions. Investment figures come from the invest area's engine inputs (prices and FX from its
 * store), reached through the compute context (compute-area.ts InvestShare): the reports never read quotes.
 * API: docs/reports.md.
 */

export type { ReportHandlers };

export class ReportInputsMissingError extends Error {
  override readonly name = 'ReportInputsMissingError';
}

export function createReportHandlers(snapshot: SnapshotReader, invest: InvestShare = { inputs: null }): ReportHandlers {
  let pushed: { inputs: ReportInputs; timezone: string | undefined; fixedToday: boolean } | null = null;

  /** The inputs, with today moved on when it is read from the time zone and the date has changed. */
  function inputs(): ReportInputs {
    if (!pushed) throw new ReportInputsMissingError('the report inputs have not been set (reportSetInputs) in this worker');
    if (!pushed.fixedToday) {
      const today = todayIn(pushed.timezone);
      if (today !== pushed.inputs.today) {
        pushed = { ...pushed, inputs: { ...pushed.inputs, today } };
        prepareInputs(pushed.inputs);
      }
    }
    return pushed.inputs;
  }

  function investInputs(base: string) {
    return invest.inputs?.(base) ?? null;
  }

  return {
    reportSetInputs(next) {
      const parsed = parseReport(SCHEMAS.inputs, next, 'reportSetInputs');
      const { timezone, today, ...rest } = parsed;
      const candidate: ReportInputs = { ...rest, today: today ?? todayIn(timezone) };
      // Checked (and indexed) whole before it replaces anything: a refused push keeps the previous inputs.
      prepareInputs(candidate);
      pushed = { inputs: candidate, timezone, fixedToday: today !== undefined };
    },
    reportResolveRange(filters) {
      const f = parseReport(SCHEMAS.filters, filters, 'reportResolveRange');
      const r = resolveRange(snapshot.current(), prepareInputs(inputs()), f);
      return { preset: r.preset, from: r.from, to: r.to };
    },
    reportNetWorth(request) {
      const r = parseReport(SCHEMAS.netWorth, request, 'reportNetWorth');
      const i = inputs();
      return netWorthReport(snapshot.current(), i, r, investInputs(i.baseCurrency));
    },
    reportIncomeExpense(request) {
      return incomeExpense(snapshot.current(), inputs(), parseReport(SCHEMAS.incomeExpense, request, 'reportIncomeExpense'));
    },
    reportCashFlow(request) {
      return cashFlow(snapshot.current(), inputs(), parseReport(SCHEMAS.cashFlow, request, 'reportCashFlow'));
    },
    reportCategoryBreakdown(request) {
      return categoryBreakdown(snapshot.current(), inputs(), parseReport(SCHEMAS.categoryBreakdown, request, 'reportCategoryBreakdown'));
    },
    reportCategoryTransactions(request) {
      return categoryTransactions(snapshot.current(), inputs(), parseReport(SCHEMAS.categoryTransactions, request, 'reportCategoryTransactions'));
    },
    reportBudgetVsActual(request) {
      return budgetVsActual(snapshot.current(), inputs(), parseReport(SCHEMAS.budgetVsActual, request, 'reportBudgetVsActual'));
    },
    reportInvestmentPerformance(request) {
      const r = parseReport(SCHEMAS.investmentPerformance, request, 'reportInvestmentPerformance');
      const i = inputs();
      return investmentPerformance(snapshot.current(), i, r, investInputs(i.baseCurrency));
    },
    reportSpendingTrends(request) {
      return spendingTrends(snapshot.current(), inputs(), parseReport(SCHEMAS.spendingTrends, request, 'reportSpendingTrends'));
    },
  };
}
