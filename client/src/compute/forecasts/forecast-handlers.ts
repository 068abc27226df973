import { cashFlow, estimateAssets, initForecasting, isForecastingReady, monteCarlo, projectNetWorth, spendingForecast } from '@mymidas/shared/forecast';
import type {
  AccountCashFlow, AugursWasm, CashFlowAccount, CategorySpendingForecast, EstimatedAssets, NetWorthProjection, SeriesPoint,
} from '@mymidas/shared/forecast';
import { addDays, addMonths } from '@mymidas/shared/date';
import { expandOptionsFor } from '../../features/recurring/schedule.ts';
import type { InvestShare, SnapshotReader } from '../compute-area.ts';
import { fingerprintOf, memoryForecastCache, openForecastCache } from './forecast-cache.ts';
import type { ForecastCache } from './forecast-cache.ts';
import { CASH_FLOW_TYPES, netWorthInputs, portfolioInputs, spendingInputs } from './forecast-inputs.ts';
import type { PortfolioInputs } from './forecast-inputs.ts';
import { monteCarloRequestSchema, forecastInputsSchema, parseForecast, runRequestSchema } from './forecast-schemas.ts';
import type { ForecastInputs, ForecastRunRequest, MonteCarloRequest } from './forecast-schemas.ts';
import { loadAugursWasm } from './forecast-wasm.ts';
import { portfolioBacktest } from './portfolio-backtest.ts';
import type { PortfolioBacktest } from './portfolio-backtest.ts';

/**
 * The forecasts area of the compute worker (issue 24; docs/forecasts.md "Screens, worker and cache"). The page
 * pushes the small inputs (accounts, categories, rules, FX, today) with forecastSetInputs; forecastRun then builds
 * the engine's inputs from the snapshot this worker holds and runs `@mymidas/shared/forecast`:
 * - the spending forecast, one category at a time, yielding to the worker's other calls (the dashboard) between
 *   categories, reporting progress ("fitting 7 of 20 categories") to the page's callback and to forecastProgress,
 *   and stopping at the next category when forecastCancel is called;
 * - the net-worth projection (monthly history from the report engine, holdings included through the invest share);
 * - the 30-day cash flow per account (bills from the recurring rules, day-to-day spending from the forecast);
 * - the portfolio's assets (returns, volatility, correlation) for forecastMonteCarlo, which runs on demand.
 * The result is stored in the sealed forecast cache (forecast-cache.ts) under the fingerprint of the engine
 * inputs: the same inputs are answered from it without fitting; any change to them fits again.
 */

export class ForecastCancelledError extends Error {
  override readonly name = 'ForecastCancelledError';
}

export class ForecastInputsMissingError extends Error {
  override readonly name = 'ForecastInputsMissingError';
}

export type ForecastPhase = 'preparing' | 'cache' | 'spending' | 'net-worth' | 'cash-flow' | 'portfolio' | 'saving' | 'done' | 'cancelled' | 'failed';

export interface ForecastProgress {
  readonly jobId: string;
  readonly phase: ForecastPhase;
  /** Steps done and in all: each category, then the net worth, the cash flow and the portfolio. */
  readonly done: number;
  readonly total: number;
  /** In plain words: "Fitting 7 of 20 categories (Groceries)". */
  readonly message: string;
}

export type NamedSpendingForecast = CategorySpendingForecast & { readonly name: string };
export type NamedCashFlow = AccountCashFlow & { readonly name: string; readonly overdraftLimit: number };

export interface PortfolioForecastBasis {
  readonly initial: number;
  readonly holdings: PortfolioInputs['holdings'];
  readonly assets: EstimatedAssets;
  /** The simulation started from past month-ends, against what happened (null when the history is too short). */
  readonly backtest: PortfolioBacktest | null;
}

export interface ForecastsResult {
  readonly fingerprint: string;
  /** When the forecasts were fitted (ISO instant). */
  readonly computedAt: string;
  readonly fromCache: boolean;
  readonly today: string;
  readonly baseCurrency: string;
  readonly spending: {
    readonly categories: readonly NamedSpendingForecast[];
    readonly summedCategories: number;
    readonly missingRates: readonly string[];
  };
  readonly netWorth: {
    readonly history: readonly SeriesPoint[];
    readonly projection: NetWorthProjection | null;
    readonly investmentsIncluded: boolean;
    /** Why there is no projection. */
    readonly reason: string | null;
  };
  readonly cashFlow: readonly NamedCashFlow[];
  readonly portfolio: { readonly basis: PortfolioForecastBasis | null; readonly reason: string | null };
}

export interface MonteCarloView {
  readonly initial: number;
  readonly months: number;
  readonly paths: number;
  readonly seed: number;
  readonly monthlyContribution: number;
  /** Month-end dates, index 0 = today. */
  readonly dates: readonly string[];
  readonly percentiles: { readonly p10: number[]; readonly p25: number[]; readonly p50: number[]; readonly p75: number[]; readonly p90: number[] };
  readonly probabilityOfTarget: number | null;
  readonly target: { readonly value: number; readonly month: number } | null;
}

export interface ForecastHandlers {
  /** Opens the sealed forecast cache (its own IndexedDB database) under the device key; until then results are kept in memory. */
  forecastOpenCache(databaseName: string, key: CryptoKey): Promise<void>;
  /** Replaces the small inputs every later run is built with. */
  forecastSetInputs(inputs: ForecastInputs): void;
  /**
   * Every forecast, from the cache when the engine inputs are unchanged, else fitted (cancelling any run still
   * going). Progress goes to `onProgress` (a Comlink proxy from the page) and to forecastProgress.
   */
  forecastRun(request: ForecastRunRequest, onProgress?: (progress: ForecastProgress) => unknown): Promise<ForecastsResult>;
  /** Stops the run at its next step; its forecastRun rejects with ForecastCancelledError. False when no such run is going. */
  forecastCancel(jobId: string): boolean;
  /** The latest progress of a run (also after it ended), or null. */
  forecastProgress(jobId: string): ForecastProgress | null;
  /** Monte Carlo of the portfolio of the last run, with the page's contribution and target. */
  forecastMonteCarlo(request: MonteCarloRequest): MonteCarloView;
}

export interface ForecastHandlerOptions {
  /** The augurs WASM bytes; default fetched from the build's asset URLs (forecast-wasm.ts). */
  readonly loadWasm?: () => Promise<AugursWasm>;
  readonly openCache?: (databaseName: string, key: CryptoKey) => Promise<ForecastCache>;
  /** Waits between categories so the worker answers other calls; default a macrotask. */
  readonly yieldToOthers?: () => Promise<void>;
  readonly now?: () => Date;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const MC_SEED = 20_240_724;
const MC_PATHS = 2000;

export function createForecastHandlers(snapshot: SnapshotReader, invest: InvestShare = { inputs: null }, options: ForecastHandlerOptions = {}): ForecastHandlers {
  const loadWasm = options.loadWasm ?? loadAugursWasm;
  const openCache = options.openCache ?? openForecastCache;
  const yieldToOthers = options.yieldToOthers ?? macrotask;
  const now = options.now ?? (() => new Date());
  let cache: ForecastCache = memoryForecastCache();
  let inputs: ForecastInputs | null = null;
  let running: { jobId: string; controller: AbortController } | null = null;
  const progress = new Map<string, ForecastProgress>();
  let last: ForecastsResult | null = null;
  let wasm: Promise<void> | null = null;

  function ensureWasm(): Promise<void> {
    if (isForecastingReady()) return Promise.resolve();
    wasm ??= loadWasm().then((bytes) => initForecasting(bytes)).catch((error: unknown) => {
      wasm = null;
      throw error;
    });
    return wasm;
  }

  async function run(request: ForecastRunRequest, onProgress: ((p: ForecastProgress) => unknown) | undefined): Promise<ForecastsResult> {
    if (!inputs) throw new ForecastInputsMissingError('the forecast inputs have not been set (forecastSetInputs) in this worker');
    const given = inputs;
    running?.controller.abort(new ForecastCancelledError('a newer forecast run replaced this one'));
    const controller = new AbortController();
    const mine = { jobId: request.jobId, controller };
    running = mine;
    const { signal } = controller;
    let total = 3;
    const report = (phase: ForecastPhase, done: number, message: string) => {
      const p: ForecastProgress = { jobId: request.jobId, phase, done, total, message };
      progress.set(request.jobId, p);
      if (progress.size > 20) progress.delete(progress.keys().next().value!);
      // A Comlink callback answers with a promise; a page that went away must not fail the run.
      if (onProgress) void Promise.resolve().then(() => onProgress(p)).catch(() => undefined);
    };
    const checkCancelled = () => {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ForecastCancelledError('the forecast run was cancelled');
    };
    try {
      report('preparing', 0, 'Reading the history');
      const s = snapshot.current();
      const investInputs = invest.inputs?.(given.baseCurrency) ?? null;
      // Rates into the base currency: the page's, else the investment store's FX quotes (the same series).
      const pushed: ForecastInputs = given.fx.length === 0 && investInputs && investInputs.fx.length > 0 ? { ...given, fx: investInputs.fx } : given;
      const spending = spendingInputs(s, pushed);
      const worth = netWorthInputs(s, pushed, investInputs);
      const portfolio = portfolioInputs(investInputs, pushed.today);
      const accounts = cashFlowAccounts(pushed, worth.balances);
      const engineInputs = {
        version: 1, today: pushed.today, baseCurrency: pushed.baseCurrency, rules: pushed.rules, fx: pushed.fx,
        spending: spending.series.map((c) => ({ id: c.categoryId, name: c.name, daily: c.daily.map((p) => p.value), from: c.daily[0]?.date ?? null })),
        shares: [...spending.accountShares].map(([id, m]) => [id, [...m]]), worth: worth.history, contributions: worth.contributions, accounts,
        portfolio,
      };
      const fingerprint = await fingerprintOf(engineInputs);
      checkCancelled();
      total = spending.series.length + 3;
      if (!request.refresh) {
        report('cache', 0, 'Looking for forecasts already fitted to this data');
        const hit = (await cache.get(fingerprint)) as ForecastsResult | null;
        checkCancelled();
        if (hit && hit.fingerprint === fingerprint) {
          last = { ...hit, fromCache: true };
          report('done', total, 'Forecasts read from the cache (the data has not changed since they were fitted)');
          return last;
        }
      }
      await ensureWasm();
      checkCancelled();

      const categories: NamedSpendingForecast[] = [];
      const expandOptions = (rule: { rrule: string }) => expandOptionsFor(rule.rrule);
      for (let i = 0; i < spending.series.length; i++) {
        const series = spending.series[i]!;
        report('spending', i, `Fitting ${i + 1} of ${spending.series.length} categories (${series.name})`);
        await yieldToOthers();
        checkCancelled();
        const [fit] = await spendingForecast({ today: pushed.today, categories: [series], rules: pushed.rules, expandOptions, days: 90, signal });
        categories.push({ ...fit!, name: series.name });
      }

      report('net-worth', spending.series.length, 'Projecting net worth');
      await yieldToOthers();
      checkCancelled();
      let projection: NetWorthProjection | null = null;
      let worthReason: string | null = null;
      if (worth.history.length < 6) worthReason = `Net worth needs at least 6 months of history; there ${worth.history.length === 1 ? 'is 1 month' : `are ${worth.history.length} months`}.`;
      else {
        try {
          projection = await projectNetWorth({ currency: pushed.baseCurrency, history: worth.history, contributions: worth.contributions, months: 60 });
        } catch (error) {
          worthReason = `The projection could not be fitted: ${describe(error)}`;
        }
      }

      report('cash-flow', spending.series.length + 1, 'Working out the next 30 days per account');
      await yieldToOthers();
      checkCancelled();
      const flows = cashFlowOf(pushed, accounts, categories, spending.accountShares, expandOptions);

      report('portfolio', spending.series.length + 2, 'Estimating the portfolio\'s returns and volatility');
      await yieldToOthers();
      checkCancelled();
      let basis: PortfolioForecastBasis | null = null;
      let portfolioReason: string | null = null;
      if (!portfolio) portfolioReason = 'The investment data is not loaded in this worker yet.';
      else if (portfolio.holdings.length === 0) portfolioReason = 'There are no holdings with prices to simulate.';
      else {
        try {
          const priced = portfolio.prices.filter((p) => portfolio.holdings.some((h) => h.assetId === p.id));
          basis = { initial: portfolio.initial, holdings: portfolio.holdings, assets: estimateAssets(priced), backtest: portfolioBacktest(priced, portfolio.holdings, pushed.today) };
        } catch (error) {
          portfolioReason = `The price histories could not be used: ${describe(error)}`;
        }
      }

      const result: ForecastsResult = {
        fingerprint, computedAt: now().toISOString(), fromCache: false, today: pushed.today, baseCurrency: pushed.baseCurrency,
        spending: { categories, summedCategories: spending.summedCategories.length, missingRates: spending.missingRates },
        netWorth: { history: worth.history, projection, investmentsIncluded: worth.investmentsIncluded, reason: worthReason },
        cashFlow: flows,
        portfolio: { basis, reason: portfolioReason },
      };
      checkCancelled();
      report('saving', total - 1, 'Keeping the forecasts for next time');
      await cache.put(fingerprint, result);
      last = result;
      report('done', total, 'Forecasts fitted');
      return result;
    } catch (error) {
      if (signal.aborted) {
        const p = progress.get(request.jobId);
        report('cancelled', p?.done ?? 0, 'Cancelled');
        throw signal.reason instanceof Error ? signal.reason : new ForecastCancelledError('the forecast run was cancelled');
      }
      report('failed', progress.get(request.jobId)?.done ?? 0, describe(error));
      throw error;
    } finally {
      if (running === mine) running = null;
    }
  }

  return {
    async forecastOpenCache(databaseName, key) {
      const opened = await openCache(databaseName, key);
      cache.close();
      cache = opened;
    },
    forecastSetInputs(next) {
      inputs = parseForecast(forecastInputsSchema, next, 'forecastSetInputs') as ForecastInputs;
    },
    forecastRun(request, onProgress) {
      const r = parseForecast(runRequestSchema, request, 'forecastRun');
      return run(r, typeof onProgress === 'function' ? onProgress : undefined);
    },
    forecastCancel(jobId) {
      if (!running || running.jobId !== jobId) return false;
      running.controller.abort(new ForecastCancelledError('the forecast run was cancelled'));
      return true;
    },
    forecastProgress: (jobId) => progress.get(jobId) ?? null,
    forecastMonteCarlo(request) {
      const r = parseForecast(monteCarloRequestSchema, request, 'forecastMonteCarlo');
      const basis = last?.portfolio.basis;
      if (!last || !basis) throw new ForecastInputsMissingError(last?.portfolio.reason ?? 'run the forecasts (forecastRun) first');
      const holdings = new Map(basis.holdings.map((h) => [h.assetId, h.value]));
      const assets = basis.assets.ids.map((id, k) => ({ weight: holdings.get(id) ?? 0, mu: basis.assets.mu[k]!, sigma: basis.assets.sigma[k]! }));
      const target = r.targetValue !== undefined && r.targetMonth !== undefined ? { value: r.targetValue, month: Math.min(r.targetMonth, r.months) } : null;
      const seed = r.seed ?? MC_SEED;
      const paths = r.paths ?? MC_PATHS;
      const result = monteCarlo({
        seed, paths, months: r.months, initial: basis.initial, monthlyContribution: r.monthlyContribution, assets, correlation: basis.assets.correlation,
        ...(target ? { target } : {}),
      });
      const month0 = last.today.slice(0, 7);
      const round = (a: Float64Array) => Array.from(a, (v) => Math.round(v));
      return {
        initial: basis.initial, months: r.months, paths, seed, monthlyContribution: r.monthlyContribution,
        dates: Array.from({ length: r.months + 1 }, (_, i) => (i === 0 ? last!.today : endOfMonth(addMonths(month0, i)))),
        percentiles: { p10: round(result.percentiles.p10), p25: round(result.percentiles.p25), p50: round(result.percentiles.p50), p75: round(result.percentiles.p75), p90: round(result.percentiles.p90) },
        probabilityOfTarget: result.probabilityOfTarget,
        target,
      };
    },
  };
}

function endOfMonth(month: string): string {
  return addDays(`${addMonths(month, 1)}-01`, -1);
}

interface FlowAccount extends CashFlowAccount {
  readonly overdraftLimit: number;
}

function cashFlowAccounts(inputs: ForecastInputs, balances: ReadonlyMap<string, number>): FlowAccount[] {
  return inputs.accounts
    .filter((a) => !a.closed && CASH_FLOW_TYPES.has(a.type))
    .map((a) => ({ id: a.id, name: a.name, currency: a.currency, balance: balances.get(a.id) ?? a.openingBalance, overdraftLimit: a.type === 'credit_card' ? Math.abs(a.creditLimit ?? 0) : 0 }));
}

/** Each account's 30 days: its rules' bills, and its share of each category's forecast day-to-day spending. */
function cashFlowOf(
  inputs: ForecastInputs,
  accounts: readonly FlowAccount[],
  categories: readonly CategorySpendingForecast[],
  shares: ReadonlyMap<string, ReadonlyMap<string, number>>,
  expandOptions: (rule: { rrule: string }) => ReturnType<typeof expandOptionsFor>,
): NamedCashFlow[] {
  const days = 30;
  const daily = new Map<string, Float64Array>();
  for (const c of categories) {
    for (const [accountId, share] of shares.get(c.categoryId) ?? []) {
      let row = daily.get(accountId);
      if (!row) daily.set(accountId, (row = new Float64Array(days)));
      for (let d = 0; d < days && d < c.days.length; d++) row[d] = row[d]! + Math.max(0, c.days[d]!.expected - c.days[d]!.scheduled) * share;
    }
  }
  // Expected spending is in the base currency: accounts in another currency get their bills only.
  const expectedSpending = accounts
    .filter((a) => a.currency === inputs.baseCurrency && daily.has(a.id))
    .map((a) => ({ accountId: a.id, daily: Array.from(daily.get(a.id)!, (v) => Math.round(v)) }));
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rules = inputs.rules.filter((r) => byId.get(r.accountId)?.currency === r.currency);
  const flows = cashFlow({ today: inputs.today, days, accounts, rules, expandOptions, expectedSpending });
  return flows.map((f) => ({ ...f, name: byId.get(f.accountId)!.name, overdraftLimit: byId.get(f.accountId)!.overdraftLimit }));
}
