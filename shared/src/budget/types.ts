import type { Budget, BudgetAlertKind, BudgetPeriodKind, Category } from '../schema/registry.ts';

/**
 * The budget engine's contract (issue 20): what the compute worker hands the engine and what the budget page
 * gets back. Pure data, structured-clonable: it crosses the worker boundary as it is.
 *
 * Money is integer minor units of the base currency. Dates are calendar dates 'YYYY-MM-DD' read in the
 * user's time zone (settings.timezone); a period runs from `start` to `end`, both days included.
 */

/** How periods are cut: the budget's period kind, its week start, and settings.budgetStartDay. */
export interface PeriodRule {
  readonly kind: BudgetPeriodKind;
  /** 0 = Sunday … 6 = Saturday; weekly only. */
  readonly weekStart: number;
  /** 1–28: the day of the month monthly, quarterly (Jan/Apr/Jul/Oct) and yearly (January) periods start on. */
  readonly monthStartDay: number;
}

export interface Period {
  readonly start: string;
  /** Last day included. */
  readonly end: string;
}

/** The FX rates into the base currency, per foreign currency: the rate of a date is the latest on or before it. */
export interface FxSeries {
  readonly currency: string;
  /** Ascending dates. */
  readonly dates: readonly string[];
  /** Decimal strings: one unit of `currency` in the base currency, same order as `dates`. */
  readonly rates: readonly string[];
}

/** A scheduled recurring occurrence (recurring_rules expanded by the caller), in its own currency. */
export interface ScheduledAmount {
  readonly date: string;
  readonly categoryId: string | null;
  /** Minor units of `currency`; negative is spending, as on transactions. */
  readonly amount: number;
  readonly currency: string;
}

export type BudgetCategory = Pick<Category, 'id' | 'parentId' | 'kind'>;

/** Everything the engine reads besides the snapshot of transactions. */
export interface BudgetInputs {
  /** Live (not deleted) budgets. */
  readonly budgets: readonly Budget[];
  readonly categories: readonly BudgetCategory[];
  readonly baseCurrency: string;
  /** settings.budgetStartDay. */
  readonly monthStartDay: number;
  readonly fx: readonly FxSeries[];
  /** Recurring occurrences, past and future: past ones are taken out of the spending history the forecast
   *  learns from, future ones up to the period's end are added to the forecast as known amounts. */
  readonly scheduled: readonly ScheduledAmount[];
  /** The user's today (in settings.timezone). */
  readonly today: string;
}

export type BudgetState = 'on-track' | 'over-threshold' | 'over';

/** One budget over one period. */
export interface BudgetPeriodFigures {
  readonly budgetId: string;
  readonly categoryId: string;
  readonly period: Period;
  /** The amount in force on the period's first day. */
  readonly amount: number;
  /** Carried in from the previous period by the rollover mode (negative: overspend carried). */
  readonly carried: number;
  /** Net spending of the covered categories (refunds subtract, transfers never count), pending included. */
  readonly spent: number;
  /** The part of `spent` that is still pending. */
  readonly pending: number;
  /** amount + carried − spent. */
  readonly available: number;
  readonly state: BudgetState;
}

/** The overspend forecast of a budget's current period; null fields when there is too little history. */
export interface BudgetForecast {
  /** Velocity projection: spending so far (bills excluded) per elapsed day × days in period, plus known bills. */
  readonly projectedSpent: number;
  /** Scheduled recurring amounts between tomorrow and the period's end (spending, positive). */
  readonly knownUpcoming: number;
  /** P(spent at period end > amount + carried), normal approximation; null without enough history. */
  readonly probabilityOver: number | null;
  /** Complete past periods the probability learned from (6 or more), 0 when there were too few. */
  readonly basedOnPeriods: number;
  /** Mean and standard deviation of daily spending in those periods (minor units / day). */
  readonly dailyMean: number | null;
  readonly dailyStdDev: number | null;
}

export interface BudgetPageRequest {
  /** Any date in the periods to show; each budget shows its period containing it. */
  readonly date: string;
  /** Only budgets of this period kind (the page shows one kind at a time); all when absent. */
  readonly kind?: BudgetPeriodKind;
}

export interface BudgetPageRow extends BudgetPeriodFigures {
  /** Present for the period containing today only. */
  readonly forecast: BudgetForecast | null;
}

export interface BudgetPage {
  readonly date: string;
  readonly rows: readonly BudgetPageRow[];
  /** Monthly only (kind 'monthly' or absent): the month period containing `date`, income in it and what is left
   *  to budget (income − the amounts of the monthly budgets of that period). */
  readonly month: { readonly period: Period; readonly income: number; readonly budgeted: number; readonly toBeBudgeted: number } | null;
  /** Currencies with transactions in range but no rate to the base currency: those rows were left out. */
  readonly missingRates: readonly string[];
  /** Budgets left off the page because their currency is not the base currency (set by the worker). */
  readonly otherCurrencyBudgets?: readonly string[];
}

export interface BudgetHistoryRequest {
  /** Budgets to report; every budget when absent. */
  readonly budgetIds?: readonly string[];
  /** Periods back from (and including) the one containing `date`. */
  readonly periods: number;
  readonly date: string;
}

export interface BudgetHistory {
  /** Per budget, its periods oldest first. */
  readonly budgets: readonly { readonly budgetId: string; readonly periods: readonly BudgetPeriodFigures[] }[];
  readonly missingRates: readonly string[];
}

/** An alert the UI should raise (the engine only says which thresholds are crossed; alerts.ts records them). */
export interface BudgetAlertCandidate {
  readonly budgetId: string;
  readonly period: string;
  readonly kind: BudgetAlertKind;
}
