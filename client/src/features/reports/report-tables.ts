import type {
  BudgetVsActualResult, CashFlowResult, CashFlowStep, CategoryBreakdownResult, CategoryTransactionsResult, IncomeExpenseResult,
  InvestmentPerformanceResult, NetWorthResult, SpendingTrendsResult,
} from '@mymidas/shared/reports';
import { addMonths, monthLabel, monthRange } from '@mymidas/shared/date';
import { amount, count, date, dayText, money$, none, percent, text } from './report-table.ts';
import type { ReportCell, ReportColumn, ReportTableModel } from './report-table.ts';

/**
 * Each report's numbers as tables (issue 23), from the engine's answer: the screen, the CSV and the PDF all show
 * these. Money columns name the currency in their heading; with "original currency" on, the tables that have it
 * (balances per account, transactions) add the amount in its own currency.
 */

export interface NameBook {
  account(id: string): string;
  /** null: uncategorised. */
  category(id: string | null): string;
  /** A budget by id, in words ("Groceries, monthly"). */
  budget(id: string): string;
  /** A transaction's words (payee or description), when read; else null. */
  payee?(id: string): string | null;
}

export interface TableOptions {
  readonly names: NameBook;
  /** Add amounts in their own currency where the report has them. */
  readonly original: boolean;
}

const money = (label: string, currency: string): ReportColumn => ({ label: `${label} (${currency})`, numeric: true });
const col = (label: string, numeric = false): ReportColumn => ({ label, numeric });

/** A period in words: "Mar 2026" for a calendar month, "2026" for a calendar year, else its two dates. */
export function periodText(start: string, end: string): string {
  if (start === end) return dayText(start);
  const [y, m] = [start.slice(0, 4), start.slice(5, 7)];
  if (start.endsWith('-01') && end === monthRange(`${y}-${m}`).last) return monthLabel(`${y}-${m}`).replace(/^(\w{3})\w*/, '$1');
  if (start === `${y}-01-01` && end === `${y}-12-31`) return y;
  const q = ['01', '04', '07', '10'].indexOf(m);
  if (start.endsWith('-01') && q >= 0 && end === monthRange(addMonths(`${y}-${m}`, 2)).last) return `Q${q + 1} ${y}`;
  return `${dayText(start)} – ${dayText(end)}`;
}

const periodCell = (start: string, end: string): ReportCell => text(periodText(start, end));

export function netWorthTables(r: NetWorthResult, o: TableOptions): ReportTableModel[] {
  const c = r.baseCurrency;
  const points: ReportTableModel = {
    id: 'net-worth',
    caption: `Net worth on each ${r.granularity === 'day' ? 'day' : `${r.granularity}’s last day`}, oldest first`,
    columns: [col('Date'), money('Assets', c), money('Of which investments', c), money('Liabilities', c), money('Net worth', c)],
    rows: r.points.map((p) => [date(p.date), amount(p.assets, c), amount(p.investments, c), amount(p.liabilities, c), amount(p.net, c)]),
  };
  const holdings = new Map<string, number>();
  for (const h of r.holdings) holdings.set(h.accountId, (holdings.get(h.accountId) ?? 0) + h.value);
  const accounts: ReportTableModel = {
    id: 'accounts',
    caption: `Each account on ${dayText(r.range.to)}: cash per currency, and holdings at market value`,
    columns: [col('Account'), ...(o.original ? [col('Cash, own currency', true), col('Currency')] : []), money('Cash', c), money('Holdings', c)],
    rows: r.accounts.map((a, i) => [
      text(o.names.account(a.accountId)),
      ...(o.original ? [amount(a.balance, a.currency), text(a.currency)] : []),
      money$(a.baseBalance, c),
      // An account with cash in several currencies has a row each; its holdings go on the first.
      holdings.has(a.accountId) && r.accounts.findIndex((x) => x.accountId === a.accountId) === i ? amount(holdings.get(a.accountId)!, c) : none('no holdings'),
    ]),
  };
  return [points, accounts];
}

export function incomeExpenseTables(r: IncomeExpenseResult): ReportTableModel[] {
  const c = r.baseCurrency;
  const row = (label: ReportCell, p: IncomeExpenseResult['total']): ReportCell[] => [label, amount(p.income, c), amount(p.expense, c), amount(p.net, c), percent(p.savingsRate, 'no income')];
  return [{
    id: 'income-expense',
    caption: `Income and expense by ${r.granularity}, oldest first; savings rate = net ÷ income`,
    columns: [col('Period'), money('Income', c), money('Expense', c), money('Net', c), col('Savings rate', true)],
    rows: r.periods.map((p) => row(periodCell(p.start, p.end), p)),
    footer: row(text('Total'), r.total),
  }];
}

export function stepLabel(step: CashFlowStep, names: NameBook): string {
  if (step.kind === 'transfers') return 'Transfers with other accounts';
  if (step.kind === 'fx') return 'Exchange rate changes';
  if (step.kind === 'other') return 'Left out by the filters';
  if (step.categoryId === null) return step.kind === 'income' ? 'Uncategorised income' : 'Uncategorised spending';
  return names.category(step.categoryId);
}

export function cashFlowTables(r: CashFlowResult, o: TableOptions): ReportTableModel[] {
  const c = r.baseCurrency;
  return [{
    id: 'cash-flow',
    caption: 'From the opening balance, each step’s change, to the closing balance',
    columns: [col('Step'), money('Change', c), money('Balance after', c)],
    rows: [
      [text(`Opening balance (${dayText(r.range.from)})`), none('opening'), amount(r.opening, c)],
      ...r.steps.map((s) => [text(stepLabel(s, o.names)), amount(s.amount, c), amount(s.after, c)]),
    ],
    footer: [text(`Closing balance (${dayText(r.range.to)})`), amount(r.closing - r.opening, c), amount(r.closing, c)],
  }];
}

export function breakdownTables(r: CategoryBreakdownResult, o: TableOptions, group: string | null | undefined): ReportTableModel[] {
  const c = r.baseCurrency;
  const share = (n: number) => percent(r.total === 0 ? null : n / r.total, 'no total');
  const what = r.kind === 'expense' ? 'Spent' : 'Received';
  if (group !== undefined) {
    const g = r.groups.find((x) => x.categoryId === group);
    const entries = g?.categories ?? [];
    return [{
      id: 'categories',
      caption: `${o.names.category(group)}: each category, largest first`,
      columns: [col('Category'), money(what, c), col('Share of all', true), col('Transactions', true)],
      rows: entries.map((e) => [text(o.names.category(e.categoryId)), amount(e.total, c), share(e.total), count(e.count)]),
      footer: [text('Total'), amount(g?.total ?? 0, c), share(g?.total ?? 0), count(g?.count ?? 0)],
    }];
  }
  return [{
    id: 'groups',
    caption: `${r.kind === 'expense' ? 'Spending' : 'Income'} by category group, largest first`,
    columns: [col('Group'), money(what, c), col('Share', true), col('Transactions', true)],
    rows: r.groups.map((g) => [text(o.names.category(g.categoryId)), amount(g.total, c), share(g.total), count(g.count)]),
    footer: [text('Total'), amount(r.total, c), percent(r.total === 0 ? null : 1), count(r.groups.reduce((n, g) => n + g.count, 0))],
  }];
}

export function transactionsTable(r: CategoryTransactionsResult, o: TableOptions, title: string): ReportTableModel {
  const c = r.baseCurrency;
  const first = r.page * r.pageSize;
  return {
    id: 'transactions',
    caption: `${title}: transactions ${r.total === 0 ? 0 : first + 1}–${first + r.rows.length} of ${r.total}, newest first`,
    columns: [col('Date'), col('Payee'), col('Account'), col('Category'), ...(o.original ? [col('Amount, own currency', true), col('Currency')] : []), money('Amount', c)],
    rows: r.rows.map((t) => [
      date(t.date),
      text(`${o.names.payee?.(t.id) ?? '…'}${t.split ? ' (split)' : ''}${t.pending ? ' (pending)' : ''}`),
      text(o.names.account(t.accountId)),
      text(o.names.category(t.categoryId)),
      ...(o.original ? [amount(t.amount, t.currency), text(t.currency)] : []),
      money$(t.baseAmount, c),
    ]),
  };
}

export function budgetTables(r: BudgetVsActualResult, o: TableOptions, one: string | null): ReportTableModel[] {
  const c = r.baseCurrency;
  const summary: ReportTableModel = {
    id: 'budgets',
    caption: 'Each budget over the periods in the range',
    columns: [col('Budget'), money('Budgeted', c), money('Spent', c), money('Variance', c), col('Periods over', true), col('Periods', true)],
    rows: r.budgets.map((b) => [text(o.names.budget(b.budgetId)), amount(b.budgeted, c), amount(b.spent, c), amount(b.variance, c), count(b.periodsOver), count(b.periods.length)]),
  };
  const chosen = one === null ? undefined : r.budgets.find((b) => b.budgetId === one);
  if (!chosen) return [summary];
  return [summary, {
    id: 'periods',
    caption: `${o.names.budget(chosen.budgetId)}: each period; variance = budgeted − spent, negative when over`,
    columns: [col('Period'), money('Budgeted', c), money('Spent', c), money('Variance', c), col('Over budget')],
    rows: chosen.periods.map((p) => [periodCell(p.start, p.end), amount(p.budgeted, c), amount(p.spent, c), amount(p.variance, c), text(p.over ? 'Over' : 'Within')]),
  }];
}

export function investmentTables(r: InvestmentPerformanceResult): ReportTableModel[] {
  const c = r.baseCurrency;
  const bench = r.benchmark !== null;
  return [{
    id: 'performance',
    caption: 'Value, money put in and returns at the end of each period; MWRR is a yearly rate',
    columns: [
      col('Period end'), money('Value', c), money('Put in', c), money('Put in to date', c), money('Dividends', c),
      col('TWRR (period)', true), col('TWRR to date', true), col('MWRR to date', true), ...(bench ? [col(`${r.benchmark!.label} to date`, true)] : []),
    ],
    rows: r.points.map((p) => [
      date(p.end), amount(p.value, c), amount(p.contributions, c), amount(p.cumulativeContributions, c), amount(p.dividends, c),
      percent(p.twrr), percent(p.twrrToDate), percent(p.mwrrToDate), ...(bench ? [percent(p.benchmarkToDate, 'no price')] : []),
    ]),
  }];
}

export function trendTables(r: SpendingTrendsResult, o: TableOptions): ReportTableModel[] {
  const c = r.baseCurrency;
  return [{
    id: 'spending-trends',
    caption: `${o.names.category(r.categoryId)}: spending by budget month, the ${r.window}-month rolling average and the same month a year before`,
    columns: [col('Month'), money('Spent', c), money(`${r.window}-month average`, c), money('A year before', c), col('Year on year', true)],
    rows: r.months.map((m) => [periodCell(m.start, m.end), amount(m.spent, c), amount(m.rollingAverage, c), amount(m.lastYear, c), percent(m.yearOnYear, 'nothing a year before')]),
  }];
}
