import type { RecurringRule } from '../schema/registry.ts';
import type { ExpandOptions } from '../ledger/recurring.ts';

/*
 * The public shapes of @mymidas/shared/forecast (issue 24). Pure functions, no I/O and no DOM: the
 * compute worker calls them (after `initForecasting` with the augurs WASM bytes) and Node tests do too.
 * Money leaves the module as integer minor units; model internals (means, bands of a generic series)
 * are plain numbers in the unit of the series they were given.
 */

// ---- errors ---------------------------------------------------------------------------------------

/** Bad input (irregular dates, non-finite values, too short a history, a bad matrix...): nothing was computed. */
export class ForecastInputError extends Error {
  override readonly name = 'ForecastInputError';
}

/** `initForecasting` was not called before a method that needs the augurs WASM modules. */
export class ForecastNotInitialisedError extends Error {
  override readonly name = 'ForecastNotInitialisedError';
}

// ---- WASM initialisation ---------------------------------------------------------------------------

/** The bytes (or compiled modules) of augurs' WASM files: prophet_bg.wasm, mstl_bg.wasm, ets_bg.wasm. */
export interface AugursWasm {
  readonly prophet: BufferSource | WebAssembly.Module;
  readonly mstl: BufferSource | WebAssembly.Module;
  readonly ets: BufferSource | WebAssembly.Module;
}

/**
 * Prophet's optimizer (the MAP estimate of its Stan model). Defaults to this module's own TypeScript
 * optimizer (`prophetOptimizer`); `@bsull/augurs-prophet-wasmstan`'s `optimizer` can be passed instead.
 */
export interface ProphetOptimizerLike {
  optimize(init: unknown, data: string, opts: unknown): unknown;
}

/** Synchronous: instantiates the three WASM modules. Node passes bytes read from node_modules, a worker fetched bytes. */
export type InitForecasting = (wasm: AugursWasm, options?: { readonly prophetOptimizer?: ProphetOptimizerLike }) => void;

// ---- forecast(points, options) --------------------------------------------------------------------

export type Frequency = 'day' | 'month';
export type ForecastMethod = 'prophet' | 'ets' | 'arima' | 'seasonal-naive';

export interface SeriesPoint {
  /** 'YYYY-MM-DD'. Monthly series: any fixed day of each month (e.g. always the 1st). */
  readonly date: string;
  readonly value: number;
}

export interface ForecastOptions {
  readonly frequency: Frequency;
  /** Steps ahead (days or months), 1–1000. */
  readonly horizon: number;
  /** 'auto' (default): the candidate with the lowest backtest MASE that beats seasonal naive, else seasonal naive. */
  readonly method?: 'auto' | ForecastMethod;
  /** Default 7 for daily, 12 for monthly. */
  readonly seasonLength?: number;
  /** Rolling origins of the backtest (default 3, at least 1). */
  readonly origins?: number;
  /** Values cannot be negative (spending): means and bands are clamped at 0. */
  readonly nonNegative?: boolean;
}

export interface ForecastPoint {
  readonly date: string;
  readonly mean: number;
  readonly lower80: number;
  readonly upper80: number;
  readonly lower95: number;
  readonly upper95: number;
}

export interface CandidateScore {
  readonly method: ForecastMethod;
  /** Fitted on the log of the values (positive series whose seasonal swing grows with the level). */
  readonly log: boolean;
  readonly mase: number;
  readonly mape: number | null;
  /** Why the candidate could not be scored (e.g. Prophet failed); its scores are then NaN / null. */
  readonly error?: string;
}

export interface Backtest {
  /** Mean absolute percentage error over the held-back points (%, points whose actual value is 0 left out; null when all are 0). */
  readonly mape: number | null;
  /** Mean absolute scaled error: MAE ÷ the in-sample MAE of the one-season-back naive forecast. Below 1 beats it. */
  readonly mase: number;
  /** How many rolling origins were scored. */
  readonly origins: number;
  /** Steps forecast from each origin. */
  readonly horizon: number;
  /** The seasonal naive floor's MASE on the same origins. */
  readonly seasonalNaiveMase: number;
  /** Every candidate tried (auto), best first. */
  readonly candidates: readonly CandidateScore[];
}

export interface ForecastResult {
  readonly method: ForecastMethod;
  /** Fitted on the log scale. */
  readonly log: boolean;
  readonly seasonLength: number;
  readonly points: readonly ForecastPoint[];
  readonly backtest: Backtest;
  /**
   * Factors the model's own band half-widths were multiplied by so that they cover the backtest errors
   * (1 when the model's own bands were already wide enough). Calibrated per step; these are the factors at
   * the backtest's last step (series-forecast.ts, "band calibration").
   */
  readonly bandCalibration: { readonly c80: number; readonly c95: number };
  /** Why the requested/preferred method was not used (e.g. "Prophet needs 2 seasons of history"), else null. */
  readonly note: string | null;
}

export type Forecast = (points: readonly SeriesPoint[], options: ForecastOptions) => Promise<ForecastResult>;

/** Progress and cancellation for the multi-series functions. */
export interface RunControl {
  /** Called after each series is fitted: (done, total, label). */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Checked between series; an aborted signal rejects with its reason. */
  readonly signal?: AbortSignal;
}

// ---- spending forecast ----------------------------------------------------------------------------

export interface CategorySpendingHistory {
  readonly categoryId: string;
  readonly currency: string;
  /** Daily spending, minor units, positive = money out; one entry per day, no gaps, ending on `today`. */
  readonly daily: readonly SeriesPoint[];
}

export interface SpendingForecastInput extends RunControl {
  readonly today: string;
  readonly categories: readonly CategorySpendingHistory[];
  /** Recurring rules; their unposted occurrences in the next `days` are added as known amounts. */
  readonly rules: readonly RecurringRule[];
  /** Working-day rolls per rule (the client's `expandOptionsFor(rule.rrule)`); none by default. */
  readonly expandOptions?: (rule: RecurringRule) => ExpandOptions;
  /** Default 90. */
  readonly days?: number;
  /** Default 'auto'. */
  readonly method?: ForecastOptions['method'];
  /** Backtest origins per category (default 3; 1 is the fastest that still calibrates the bands). */
  readonly origins?: number;
}

export interface ScheduledBill {
  readonly ruleId: string;
  readonly name: string;
  readonly accountId: string;
  readonly categoryId: string | null;
  readonly date: string;
  /** Minor units, signed as the rule is (negative = money out). */
  readonly amount: number;
  readonly currency: string;
}

export interface SpendingDay {
  readonly date: string;
  /** All amounts minor units, positive = spending. Expected = forecast day-to-day spending + scheduled. */
  readonly expected: number;
  readonly scheduled: number;
  readonly lower80: number;
  readonly upper80: number;
  readonly lower95: number;
  readonly upper95: number;
}

export interface SpendingSummary {
  readonly days: 30 | 60 | 90 | number;
  readonly expected: number;
  readonly scheduled: number;
  readonly lower80: number;
  readonly upper80: number;
  readonly lower95: number;
  readonly upper95: number;
}

export interface CategorySpendingForecast {
  readonly categoryId: string;
  readonly currency: string;
  readonly method: ForecastMethod;
  readonly backtest: Backtest;
  readonly note: string | null;
  readonly days: readonly SpendingDay[];
  readonly bills: readonly ScheduledBill[];
  /** Next 30, 60 and 90 days (those within `days`). */
  readonly summaries: readonly SpendingSummary[];
}

export type SpendingForecast = (input: SpendingForecastInput) => Promise<readonly CategorySpendingForecast[]>;

// ---- net worth projection -------------------------------------------------------------------------

export interface NetWorthInput {
  readonly currency: string;
  /** Month-end net worth, minor units, one per month, oldest first (date = any fixed day of the month). */
  readonly history: readonly SeriesPoint[];
  /** Net money put in each month (income − spending), minor units, same months as `history`; optional. */
  readonly contributions?: readonly SeriesPoint[];
  /** Months ahead, default 60 (5 years). */
  readonly months?: number;
}

export interface ScenarioPath {
  readonly name: 'conservative' | 'base' | 'optimistic';
  /** Plain words: what this scenario assumes. */
  readonly assumes: string;
  /** Monthly contribution assumed, minor units. */
  readonly monthlyContribution: number;
  /** Minor units per month ahead (index 0 = first month after the history). */
  readonly values: readonly { readonly date: string; readonly value: number }[];
  /** Value at 1, 3 and 5 years (those within `months`), minor units. */
  readonly at: readonly { readonly years: number; readonly date: string; readonly value: number }[];
}

export interface NetWorthProjection {
  readonly currency: string;
  readonly method: ForecastMethod;
  readonly backtest: Backtest;
  readonly note: string | null;
  /** The fan: minor units, the growth model's bands plus the base contribution trend. */
  readonly fan: readonly ForecastPoint[];
  readonly scenarios: readonly [ScenarioPath, ScenarioPath, ScenarioPath];
}

export type ProjectNetWorth = (input: NetWorthInput) => Promise<NetWorthProjection>;

// ---- Monte Carlo ----------------------------------------------------------------------------------

export interface MonteCarloAsset {
  /** Share of the portfolio (weights are normalised to sum to 1; ≥ 0). */
  readonly weight: number;
  /** Expected annual return as a fraction (the mean value grows as e^(mu·t)). */
  readonly mu: number;
  /** Annual volatility as a fraction (≥ 0). */
  readonly sigma: number;
}

export interface MonteCarloInput {
  /** Any integer; the same seed gives the same result. */
  readonly seed: number;
  /** 1–100,000. */
  readonly paths: number;
  /** 1–1,200. */
  readonly months: number;
  /** Portfolio value today (any unit; minor units in the app). */
  readonly initial: number;
  /** Added at the end of each month, split by weight. */
  readonly monthlyContribution: number;
  readonly assets: readonly MonteCarloAsset[];
  /** Symmetric positive semi-definite, unit diagonal, assets × assets. */
  readonly correlation: readonly (readonly number[])[];
  /** Probability that the value reaches `value` at some month-end up to `month` (1…months). */
  readonly target?: { readonly value: number; readonly month: number };
}

export interface MonteCarloResult {
  /** Each `months + 1` values; index 0 is `initial`. Percentiles across paths at each month-end. */
  readonly percentiles: {
    readonly p10: Float64Array;
    readonly p25: Float64Array;
    readonly p50: Float64Array;
    readonly p75: Float64Array;
    readonly p90: Float64Array;
  };
  /** Share of paths that reached `target.value` by `target.month`; null without a target. */
  readonly probabilityOfTarget: number | null;
}

export type MonteCarlo = (input: MonteCarloInput) => MonteCarloResult;

export interface PriceSeries {
  readonly id: string;
  /** Daily closes, any order; dates where some asset has no price are left out of every asset. */
  readonly prices: readonly { readonly date: string; readonly price: number }[];
}

export interface EstimatedAssets {
  readonly ids: readonly string[];
  /** Annual, as fractions (GBM: mu = annualised mean log return + sigma²/2). */
  readonly mu: readonly number[];
  readonly sigma: readonly number[];
  readonly correlation: readonly (readonly number[])[];
  /** Returns used (common dates − 1) and the observations per year assumed from the dates' span. */
  readonly observations: number;
  readonly perYear: number;
}

export type EstimateAssets = (series: readonly PriceSeries[]) => EstimatedAssets;

// ---- 30-day cash flow ------------------------------------------------------------------------------

export interface CashFlowAccount {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  /** Balance at the end of `today`, minor units. */
  readonly balance: number;
  /** Arranged overdraft, minor units ≥ 0 (the balance may go down to −limit); 0 or absent = none. */
  readonly overdraftLimit?: number;
}

export interface CashFlowInput {
  readonly today: string;
  /** Default 30. */
  readonly days?: number;
  readonly accounts: readonly CashFlowAccount[];
  readonly rules: readonly RecurringRule[];
  readonly expandOptions?: (rule: RecurringRule) => ExpandOptions;
  /** Expected day-to-day spending per account, minor units ≥ 0 per day from tomorrow (index 0), e.g. from the spending forecast. */
  readonly expectedSpending?: readonly { readonly accountId: string; readonly daily: readonly number[] }[];
}

export interface CashFlowDay {
  readonly date: string;
  /** Projected end-of-day balance, minor units. */
  readonly balance: number;
  readonly spending: number;
  readonly bills: readonly ScheduledBill[];
  /** Balance < 0 (and no overdraft), or balance < −overdraftLimit. */
  readonly atRisk: boolean;
  /** Balance < 0 but within the overdraft. */
  readonly overdrawn: boolean;
}

export interface CashFlowRisk {
  /** First day of a run of at-risk days, and the last. */
  readonly from: string;
  readonly to: string;
  readonly lowestBalance: number;
  /** 0 without an overdraft. */
  readonly threshold: number;
  /** Outgoing bills from the day after the last safe day up to the first at-risk day. */
  readonly causes: readonly ScheduledBill[];
}

export interface AccountCashFlow {
  readonly accountId: string;
  readonly currency: string;
  readonly opening: number;
  readonly days: readonly CashFlowDay[];
  readonly risks: readonly CashFlowRisk[];
}

export type CashFlow = (input: CashFlowInput) => readonly AccountCashFlow[];
