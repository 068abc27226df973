import type { Remote } from 'comlink';
import type {
  BudgetVsActualRequest, BudgetVsActualResult, CashFlowRequest, CashFlowResult, IncomeExpenseRequest, IncomeExpenseResult,
  InvestmentPerformanceRequest, InvestmentPerformanceResult, NetWorthRequest, NetWorthResult, ReportHead, SpendingTrendsRequest,
  SpendingTrendsResult,
} from '@mymidas/shared/reports';
import type { BudgetPeriodKind } from '@mymidas/shared/schema';
import type { ComputeHandlers } from '../../compute/registry.ts';
import type { ThemePalette } from '../../themes/themes.ts';
import { money } from '../ledger-data/format.ts';
import { budgetChart, cashFlowChart, incomeExpenseChart, investmentChart, netWorthChart, trendsChart, waterfallAxis, waterfallBars } from './report-charts.ts';
import { THEMES } from '../../themes/themes.ts';
import type { ChartOption } from './report-charts.ts';
import { categoryOption, optionOf, reportFilters } from './report-filters.ts';
import type { ReportId, ReportQueryState } from './report-filters.ts';
import type { PaperChart } from './report-pdf-charts.ts';
import { cellText, dayText, percent } from './report-table.ts';
import type { ReportTableModel } from './report-table.ts';
import { budgetTables, cashFlowTables, incomeExpenseTables, investmentTables, netWorthTables, trendTables } from './report-tables.ts';
import type { NameBook, TableOptions } from './report-tables.ts';

/**
 * Six of the seven reports as definitions (issue 23): the worker request a state of the address makes, the
 * handler that answers it, and the answer as key figures, a chart and tables. The category breakdown, with its
 * drill-down, has its own component (ReportCategories.vue).
 */

export interface ReportViewModel {
  readonly summary: readonly string[];
  /** The chart in one sentence, for screen readers. */
  readonly chartLabel: string;
  readonly build: (palette: ThemePalette) => ChartOption;
  readonly paper: readonly PaperChart[];
  readonly tables: readonly ReportTableModel[];
  readonly tall?: boolean;
}

export interface ViewContext extends TableOptions {
  readonly state: ReportQueryState;
}

export interface ReportDef<Q, A> {
  request(state: ReportQueryState): Q | null;
  call(api: Remote<ComputeHandlers>, request: Q): Promise<A>;
  view(answer: A, context: ViewContext): ReportViewModel;
  /** Values holdings: the investment store must be open in the worker. */
  readonly investments?: boolean;
}

const pctText = (f: number | null) => cellText(percent(f));

/** A line naming currencies left out of the figures, if any. */
export function missingLine(head: ReportHead): string[] {
  return head.missingRates.length > 0 ? [`Left out for want of an exchange rate: ${head.missingRates.join(', ')}`] : [];
}

const netWorth: ReportDef<NetWorthRequest, NetWorthResult> = {
  investments: true,
  request: (s) => ({ filters: reportFilters(s), granularity: optionOf('net-worth', s, 'by') as NetWorthRequest['granularity'] }),
  call: (api, q) => api.reportNetWorth(q),
  view(r, o) {
    const c = r.baseCurrency;
    const first = r.points[0];
    const last = r.points[r.points.length - 1];
    const summary = last && first
      ? [`Net worth ${money(last.net, c)} on ${dayText(last.date)}`, `Change ${money(last.net - first.net, c)} since ${dayText(first.date)}`, `Assets ${money(last.assets, c)}`, `Liabilities ${money(last.liabilities, c)}`]
      : ['No balances in this range.'];
    if (!r.investmentsIncluded) summary.push('Investments are left out until the investment figures have opened.');
    return {
      summary: [...summary, ...missingLine(r)],
      chartLabel: last && first
        ? `Area chart of assets, liabilities and net worth by ${r.granularity}, ${r.points.length} points from ${dayText(first.date)} to ${dayText(last.date)}; net worth went from ${money(first.net, c)} to ${money(last.net, c)}. A slider below the chart zooms into dates. The figures are in the table below.`
        : 'Net worth chart: no points in this range.',
      build: (p) => netWorthChart(r, p, { slider: true }),
      paper: [{ title: 'Net worth over time', build: (p) => netWorthChart(r, p, { slider: false }) }],
      tables: netWorthTables(r, o),
      tall: true,
    };
  },
};

const incomeExpense: ReportDef<IncomeExpenseRequest, IncomeExpenseResult> = {
  request: (s) => ({ filters: reportFilters(s), granularity: optionOf('income-expense', s, 'by') as IncomeExpenseRequest['granularity'] }),
  call: (api, q) => api.reportIncomeExpense(q),
  view(r) {
    const c = r.baseCurrency;
    const t = r.total;
    return {
      summary: [`Income ${money(t.income, c)}`, `Expense ${money(t.expense, c)}`, `Net ${money(t.net, c)}`, `Savings rate ${pctText(t.savingsRate)}`, ...missingLine(r)],
      chartLabel: `Bar chart of income and expense by ${r.granularity} with the net as a line, ${r.periods.length} periods; in total ${money(t.income, c)} in and ${money(t.expense, c)} out. The figures are in the table below.`,
      build: (p) => incomeExpenseChart(r, p),
      paper: [{ title: 'Income vs expense', build: (p) => incomeExpenseChart(r, p) }],
      tables: incomeExpenseTables(r),
    };
  },
};

const cashFlow: ReportDef<CashFlowRequest, CashFlowResult> = {
  request: (s) => ({ filters: reportFilters(s), by: optionOf('cash-flow', s, 'by') as 'group' | 'category' }),
  call: (api, q) => api.reportCashFlow(q),
  view(r, o) {
    const c = r.baseCurrency;
    return {
      summary: [`Opening ${money(r.opening, c)}`, `Closing ${money(r.closing, c)}`, `Change ${money(r.closing - r.opening, c)}`, ...missingLine(r)],
      chartLabel: `Waterfall chart from the opening balance of ${money(r.opening, c)} through ${r.steps.length} steps of income and spending to the closing balance of ${money(r.closing, c)}${waterfallAxis(waterfallBars(r, THEMES.arctic.palette, o.names)).fromZero ? '' : '; the value axis starts near the balances, not at zero, so the steps can be seen'}. The figures are in the table below.`,
      build: (p) => cashFlowChart(r, p, o.names),
      paper: [{ title: 'Cash flow', build: (p) => cashFlowChart(r, p, o.names) }],
      tables: cashFlowTables(r, o),
    };
  },
};

const budgetVsActual: ReportDef<BudgetVsActualRequest, BudgetVsActualResult> = {
  request(s) {
    const budget = optionOf('budget-vs-actual', s, 'budget');
    const period = optionOf('budget-vs-actual', s, 'period');
    return {
      filters: reportFilters(s),
      ...(budget !== null ? { budgetIds: [budget] } : {}),
      ...(period !== null && period !== 'all' ? { kind: period as BudgetPeriodKind } : {}),
    };
  },
  call: (api, q) => api.reportBudgetVsActual(q),
  view(r, o) {
    const c = r.baseCurrency;
    const one = optionOf('budget-vs-actual', o.state, 'budget');
    const sum = (f: (b: BudgetVsActualResult['budgets'][number]) => number) => r.budgets.reduce((n, b) => n + f(b), 0);
    const over = sum((b) => b.periodsOver);
    const periods = sum((b) => b.periods.length);
    return {
      summary: r.budgets.length === 0
        ? ['No budgets with periods in this range.']
        : [`Budgeted ${money(sum((b) => b.budgeted), c)}`, `Spent ${money(sum((b) => b.spent), c)}`, `Variance ${money(sum((b) => b.variance), c)}`, `Over budget in ${over} of ${periods} periods`, ...missingLine(r)],
      chartLabel: one === null
        ? `Bar chart of each of ${r.budgets.length} budgets’ spending as a percentage of its budget, against a line at 100 %; ${over} of ${periods} periods over budget. The figures are in the table below.`
        : `Bar chart of ${o.names.budget(one)} period by period: budgeted against spent, over-budget periods in the warning colour. The figures are in the tables below.`,
      build: (p) => budgetChart(r, p, o.names, one),
      paper: [{ title: 'Budget vs actual', build: (p) => budgetChart(r, p, o.names, one) }],
      tables: budgetTables(r, o, one),
    };
  },
};

const investments: ReportDef<InvestmentPerformanceRequest, InvestmentPerformanceResult> = {
  investments: true,
  request(s) {
    const bench = optionOf('investments', s, 'bench');
    return {
      filters: reportFilters(s),
      granularity: optionOf('investments', s, 'by') as InvestmentPerformanceRequest['granularity'],
      ...(bench !== null ? { benchmark: { assetId: bench } } : {}),
    };
  },
  call: (api, q) => api.reportInvestmentPerformance(q),
  view(r) {
    const c = r.baseCurrency;
    const rate = (x: { cumulative: number; annualised: number } | null) => (x === null ? '—' : `${pctText(x.cumulative)} (${pctText(x.annualised)} a year)`);
    return {
      summary: [
        `Value ${money(r.endValue, c)} (from ${money(r.startValue, c)})`, `Put in ${money(r.netFlows, c)}`, `Income ${money(r.income, c)}`,
        `TWRR ${rate(r.twrr)}`, `MWRR ${rate(r.mwrr)}`,
        ...(r.benchmark ? [`${r.benchmark.label} ${pctText(r.benchmark.cumulative)}`] : []), ...missingLine(r),
      ],
      chartLabel: `Line chart of the investments’ value and money put in, with time- and money-weighted returns${r.benchmark ? ` and ${r.benchmark.label}` : ''} to date on a percent axis, ${r.points.length} points; value went from ${money(r.startValue, c)} to ${money(r.endValue, c)}. The figures are in the table below.`,
      build: (p) => investmentChart(r, p),
      paper: [{ title: 'Investment performance', build: (p) => investmentChart(r, p) }],
      tables: investmentTables(r),
      tall: true,
    };
  },
};

const spendingTrends: ReportDef<SpendingTrendsRequest, SpendingTrendsResult> = {
  request(s) {
    const spend = optionOf('spending-trends', s, 'spend');
    if (spend === null) return null;
    return { filters: reportFilters(s), categoryId: categoryOption(spend), window: Number(optionOf('spending-trends', s, 'window')) };
  },
  call: (api, q) => api.reportSpendingTrends(q),
  view(r, o) {
    const c = r.baseCurrency;
    const last = r.months[r.months.length - 1];
    return {
      summary: last
        ? [`${o.names.category(r.categoryId)}`, `Last month ${money(last.spent, c)}`, `${r.window}-month average ${money(last.rollingAverage, c)}`, `Year on year ${pctText(last.yearOnYear)}`, ...missingLine(r)]
        : ['No months in this range.'],
      chartLabel: `Bar chart of spending on ${o.names.category(r.categoryId)} by month, ${r.months.length} months, with its ${r.window}-month rolling average and the same month a year before as lines. The figures are in the table below.`,
      build: (p) => trendsChart(r, p),
      paper: [{ title: `Spending trends: ${o.names.category(r.categoryId)}`, build: (p) => trendsChart(r, p) }],
      tables: trendTables(r, o),
    };
  },
};

type AnyDef = ReportDef<object, unknown>;
const erase = <Q, A>(d: ReportDef<Q, A>): AnyDef => d as unknown as AnyDef;

/** The definitions by report; the category breakdown is not here (ReportCategories.vue). */
export const REPORT_DEFS: Readonly<Partial<Record<ReportId, AnyDef>>> = {
  'net-worth': erase(netWorth),
  'income-expense': erase(incomeExpense),
  'cash-flow': erase(cashFlow),
  'budget-vs-actual': erase(budgetVsActual),
  investments: erase(investments),
  'spending-trends': erase(spendingTrends),
};

export type { NameBook };
