import type { AccountType, Budget, BudgetPeriodKind } from '../schema/registry.ts';
import type { FxSeries } from '../budget/types.ts';

/**
 * The reports' contract (issue 23): what the compute worker's reports area accepts and answers. Plain data,
 * structured-clonable (it crosses the worker boundary as it is).
 *
 * Money is integer minor units of the BASE currency unless a field says otherwise (`amount` + `currency` on a
 * transaction row is the original). Foreign amounts are converted at the rate of the transaction's own date (the
 * latest rate on or before it), half-even, per (day, currency, report cell) sum — as the budget engine does — and
 * balances (net worth, opening and closing of the cash flow) at the rate of the date they are taken on. A currency
 * without a rate for a date needed is left out of the figures and named in `missingRates`.
 *
 * Dates are calendar dates 'YYYY-MM-DD' in the user's time zone (settings.timezone); ranges include both ends.
 */

/** Date-range presets, resolved against today (in settings.timezone) and the budget month start (settings.budgetStartDay). */
export const REPORT_PRESETS = [
  'this-month', 'last-month', 'last-3-months', 'last-6-months', 'last-12-months',
  'this-quarter', 'last-quarter', 'this-year', 'last-year', 'year-to-date', 'all-time', 'custom',
] as const;
export type ReportPreset = (typeof REPORT_PRESETS)[number];

/**
 * Filters shared by every report (they live in the URL).
 * - `preset` 'custom' takes `from` and `to` (both required); any other preset ignores them. Months, quarters and
 *   years are budget periods: with budgetStartDay 25, 'this-month' on 2026-03-02 is 2026-02-25 – 2026-03-24;
 *   'last-3-months' is the current budget month and the two before it; 'year-to-date' runs from the start of the
 *   budget year to today; 'all-time' from the first transaction (or account opening) to today.
 * - `accountIds`: only rows of these accounts (absent or empty: every account).
 * - `categoryIds`: only rows of these categories or their descendants; `null` in the list stands for
 *   uncategorised rows (absent or empty: every category).
 * - `tags`: only transactions carrying at least one of these tags (absent or empty: no tag filter).
 */
export interface ReportFilters {
  readonly preset: ReportPreset;
  readonly from?: string;
  readonly to?: string;
  readonly accountIds?: readonly string[];
  readonly categoryIds?: readonly (string | null)[];
  readonly tags?: readonly string[];
}

export interface ResolvedRange {
  readonly preset: ReportPreset;
  readonly from: string;
  readonly to: string;
}

/** Buckets of a time axis. Week: 7 days from `ReportInputs.weekStart`; month/quarter/year: budget periods. */
export type ReportGranularity = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface ReportAccount {
  readonly id: string;
  readonly type: AccountType;
  readonly currency: string;
  /** Minor units of `currency`, counted from `openingDate` on. */
  readonly openingBalance: number;
  readonly openingDate: string;
}

export interface ReportCategory {
  readonly id: string;
  readonly parentId: string | null;
  readonly kind: 'income' | 'expense' | 'transfer';
}

/** What the UI thread pushes to the reports area (reportSetInputs) when it changes; small. */
export interface ReportInputs {
  readonly baseCurrency: string;
  /** settings.budgetStartDay, 1–28. */
  readonly monthStartDay: number;
  /** First day of a week bucket, 0 = Sunday … 6 = Saturday. */
  readonly weekStart: number;
  /** The user's today in settings.timezone (the worker handler fills it from `timezone` when absent). */
  readonly today: string;
  readonly accounts: readonly ReportAccount[];
  readonly categories: readonly ReportCategory[];
  /** Rates into the base currency per foreign currency (as budgets: latest on or before a date). */
  readonly fx: readonly FxSeries[];
  /** Live budgets (budget vs actual). */
  readonly budgets: readonly Budget[];
  /** The transactions that carry tags, with their tags (the snapshot holds no tags); others have none. */
  readonly tagged: readonly { readonly id: string; readonly tags: readonly string[] }[];
}

/** Fields every result carries. */
export interface ReportHead {
  readonly range: ResolvedRange;
  readonly baseCurrency: string;
  /** Currencies left out of the figures for want of a rate into the base currency. */
  readonly missingRates: readonly string[];
}

// ---- 1. net worth over time ---------------------------------------------------------------------------------

export interface NetWorthRequest {
  readonly filters: ReportFilters;
  readonly granularity: 'day' | 'week' | 'month';
}

export interface NetWorthPoint {
  /** The last day of the bucket (or the range's end), the date the balances are taken on. */
  readonly date: string;
  /** Non-liability accounts: cash balances plus investment holdings at market value. */
  readonly assets: number;
  /** Liability accounts (credit cards, loans, mortgages): normally negative. */
  readonly liabilities: number;
  /** assets + liabilities. */
  readonly net: number;
  /** The part of `assets` that is investment holdings at that date's price and FX (0 when not available; the
   *  cash beside them is in the account's cash balance). */
  readonly investments: number;
}

export interface NetWorthResult extends ReportHead {
  readonly granularity: NetWorthRequest['granularity'];
  readonly points: readonly NetWorthPoint[];
  /**
   * Cash per account and currency at the range's end (opening balance + transactions, plus the cash effect of
   * investment transactions: buys out, sales and dividends in), in that currency and in the base at that day's rate.
   */
  readonly accounts: readonly { readonly accountId: string; readonly currency: string; readonly balance: number; readonly baseBalance: number | null }[];
  /** Holdings at market value per account at the range's end (base). */
  readonly holdings: readonly { readonly accountId: string; readonly value: number }[];
  /** False when the investment store is not open in the worker: holdings are then left out (0). */
  readonly investmentsIncluded: boolean;
}

// ---- 2. income vs expense -----------------------------------------------------------------------------------

export interface IncomeExpenseRequest {
  readonly filters: ReportFilters;
  readonly granularity: 'month' | 'quarter' | 'year';
}

export interface IncomeExpensePeriod {
  readonly start: string;
  readonly end: string;
  /** Net of income-kind categories (uncategorised positive rows count as income). */
  readonly income: number;
  /** Net spending of expense-kind categories, positive; refunds reduce it (uncategorised negative rows count). */
  readonly expense: number;
  /** income − expense. */
  readonly net: number;
  /** net ÷ income, a fraction (0.25 = 25 %); null when income ≤ 0. */
  readonly savingsRate: number | null;
}

export interface IncomeExpenseResult extends ReportHead {
  readonly granularity: IncomeExpenseRequest['granularity'];
  readonly periods: readonly IncomeExpensePeriod[];
  readonly total: Omit<IncomeExpensePeriod, 'start' | 'end'>;
}

// ---- 3. cash flow waterfall ---------------------------------------------------------------------------------

export interface CashFlowRequest {
  readonly filters: ReportFilters;
  /** Steps per top-level category group (default) or per category. */
  readonly by?: 'group' | 'category';
}

export interface CashFlowStep {
  readonly kind: 'income' | 'expense' | 'transfers' | 'other' | 'fx';
  /** The group or category (null: uncategorised; always null for transfers, other and fx). */
  readonly categoryId: string | null;
  /** Signed change to the balance: income positive, expense negative. */
  readonly amount: number;
  /** Running balance before and after the step (opening … closing). */
  readonly before: number;
  readonly after: number;
}

export interface CashFlowResult extends ReportHead {
  /** Balance of the filtered accounts at the end of the day before `from`, at that day's rates. */
  readonly opening: number;
  /** Income steps (largest first), expense steps (largest first), then transfers (rows with a transfer leg or a
   *  transfer-kind category), then `other` (rows the category or tag filter leaves out: the balances still hold
   *  them), then the FX revaluation (closing − opening − the other steps). Steps of 0 are left out. Cash only:
   *  ledger balances of the filtered accounts, holdings not valued. */
  readonly steps: readonly CashFlowStep[];
  /** Balance of the filtered accounts at the end of `to`, at that day's rates. */
  readonly closing: number;
}

// ---- 4. category breakdown + drill-down -----------------------------------------------------------------------

export type FlowKind = 'expense' | 'income';

export interface CategoryBreakdownRequest {
  readonly filters: ReportFilters;
  readonly kind: FlowKind;
}

export interface CategoryBreakdownEntry {
  readonly categoryId: string | null;
  /** Positive: spending for kind 'expense' (refunds subtract), income for 'income'. */
  readonly total: number;
  /** Rows (transactions or split lines). */
  readonly count: number;
}

export interface CategoryBreakdownGroup extends CategoryBreakdownEntry {
  /** The top-level category (null: uncategorised). */
  readonly categoryId: string | null;
  /** The group's own rows and each descendant category's, largest first. */
  readonly categories: readonly CategoryBreakdownEntry[];
}

export interface CategoryBreakdownResult extends ReportHead {
  readonly kind: FlowKind;
  readonly total: number;
  /** Largest first. */
  readonly groups: readonly CategoryBreakdownGroup[];
}

export interface CategoryTransactionsRequest {
  readonly filters: ReportFilters;
  readonly kind: FlowKind;
  /** Rows of this top-level group and its descendants (null: uncategorised), or … */
  readonly groupId?: string | null;
  /** … rows of exactly this category (null: uncategorised). One of groupId / categoryId. */
  readonly categoryId?: string | null;
  /** 0-based. */
  readonly page: number;
  /** 1–500. */
  readonly pageSize: number;
}

export interface ReportTransactionRow {
  /** The transaction's id (a split transaction appears once per line, same id). */
  readonly id: string;
  readonly date: string;
  readonly accountId: string;
  readonly categoryId: string | null;
  /** Original amount and currency (minor units of `currency`). */
  readonly amount: number;
  readonly currency: string;
  /** In the base currency at the date's rate; null when there is no rate. */
  readonly baseAmount: number | null;
  readonly split: boolean;
  readonly pending: boolean;
}

export interface CategoryTransactionsResult extends ReportHead {
  /** Rows matching, in all pages. */
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  /** Newest first, then by id. */
  readonly rows: readonly ReportTransactionRow[];
}

// ---- 5. budget vs actual ------------------------------------------------------------------------------------

export interface BudgetVsActualRequest {
  /** The range picks the periods (every period overlapping it); categoryIds keeps budgets of those categories.
   *  Accounts and tags do not apply: a budget covers all accounts. */
  readonly filters: ReportFilters;
  readonly budgetIds?: readonly string[];
  readonly kind?: BudgetPeriodKind;
}

export interface BudgetVsActualPeriod {
  readonly start: string;
  readonly end: string;
  /** Amount in force plus carried in. */
  readonly budgeted: number;
  readonly spent: number;
  /** budgeted − spent (negative: over budget). */
  readonly variance: number;
  readonly over: boolean;
}

export interface BudgetVsActualResult extends ReportHead {
  readonly budgets: readonly {
    readonly budgetId: string;
    readonly categoryId: string;
    readonly kind: BudgetPeriodKind;
    readonly periods: readonly BudgetVsActualPeriod[];
    readonly budgeted: number;
    readonly spent: number;
    readonly variance: number;
    readonly periodsOver: number;
  }[];
}

// ---- 6. investment performance ------------------------------------------------------------------------------

export interface InvestmentPerformanceRequest {
  /** Range, and accountIds: one account → that account; several → those accounts' holdings; none → the portfolio. */
  readonly filters: ReportFilters;
  readonly granularity: 'week' | 'month' | 'quarter' | 'year';
  /** A benchmark: an asset of the investment store (its closes), or a series given as decimal text. */
  readonly benchmark?: { readonly assetId: string } | { readonly label: string; readonly dates: readonly string[]; readonly closes: readonly string[] };
}

export interface InvestmentPerformancePoint {
  readonly start: string;
  readonly end: string;
  /** Market value at the end of `end`. */
  readonly value: number;
  /** Net money put in over the bucket (buys in, sales out), dividends excluded. */
  readonly contributions: number;
  /** Net money put in from the range's start to `end`. */
  readonly cumulativeContributions: number;
  readonly dividends: number;
  /** Time-weighted return of the bucket and from the range's start to `end`, fractions; null when undefined. */
  readonly twrr: number | null;
  readonly twrrToDate: number | null;
  /** Money-weighted return (XIRR, annual rate) from the range's start to `end`; null when undefined. */
  readonly mwrrToDate: number | null;
  /** Benchmark return from the range's start to `end` (close ÷ close at the start − 1); null without one. */
  readonly benchmarkToDate: number | null;
}

export interface InvestmentPerformanceResult extends ReportHead {
  readonly scope: { readonly kind: 'portfolio' } | { readonly kind: 'accounts'; readonly accountIds: readonly string[] };
  readonly points: readonly InvestmentPerformancePoint[];
  /** Over the whole range, as the invest engine reports it. */
  readonly startValue: number;
  readonly endValue: number;
  readonly netFlows: number;
  readonly income: number;
  readonly twrr: { readonly cumulative: number; readonly annualised: number } | null;
  readonly mwrr: { readonly cumulative: number; readonly annualised: number } | null;
  readonly benchmark: { readonly label: string; readonly cumulative: number | null } | null;
}

// ---- 7. spending trends -------------------------------------------------------------------------------------

export interface SpendingTrendsRequest {
  readonly filters: ReportFilters;
  /** The category followed, with its descendants (null: uncategorised). */
  readonly categoryId: string | null;
  /** Months in the rolling average, 1–24 (default 3). */
  readonly window?: number;
}

export interface SpendingTrendsMonth {
  /** A budget month. */
  readonly start: string;
  readonly end: string;
  /** Net spending (refunds subtract), positive. */
  readonly spent: number;
  /** Mean of this month and the window − 1 before it, rounded half-even to minor units. */
  readonly rollingAverage: number;
  /** The same month a year before. */
  readonly lastYear: number;
  /** (spent − lastYear) ÷ lastYear; null when lastYear is 0. */
  readonly yearOnYear: number | null;
}

export interface SpendingTrendsResult extends ReportHead {
  readonly categoryId: string | null;
  readonly window: number;
  readonly months: readonly SpendingTrendsMonth[];
}

// ---- the compute worker's handlers (client/src/compute/reports/reports-handlers.ts) ------------------------------

/**
 * What `session.worker.api` offers for reports. Push the inputs once (and again when any of them changes), then
 * ask. Every request is checked with zod in the worker: a bad one throws ReportRequestError and changes nothing.
 * Before reportSetInputs: ReportInputsMissingError. Before the snapshot is open: SnapshotNotReadyError.
 */
export interface ReportHandlers {
  /** Replaces the inputs; `today` may be left out when `timezone` (settings.timezone) is given. */
  reportSetInputs(inputs: Omit<ReportInputs, 'today'> & { readonly today?: string; readonly timezone?: string }): void;
  /** The range a filter set resolves to today (for the filter bar's label). */
  reportResolveRange(filters: ReportFilters): ResolvedRange;
  reportNetWorth(request: NetWorthRequest): NetWorthResult;
  reportIncomeExpense(request: IncomeExpenseRequest): IncomeExpenseResult;
  reportCashFlow(request: CashFlowRequest): CashFlowResult;
  reportCategoryBreakdown(request: CategoryBreakdownRequest): CategoryBreakdownResult;
  reportCategoryTransactions(request: CategoryTransactionsRequest): CategoryTransactionsResult;
  reportBudgetVsActual(request: BudgetVsActualRequest): BudgetVsActualResult;
  reportInvestmentPerformance(request: InvestmentPerformanceRequest): InvestmentPerformanceResult;
  reportSpendingTrends(request: SpendingTrendsRequest): SpendingTrendsResult;
}
