import { estimateAssets, monteCarlo } from '@mymidas/shared/forecast';
import type { PriceSeries } from '@mymidas/shared/forecast';
import { addMonths } from '@mymidas/shared/date';

/**
 * How the Monte Carlo would have done on this portfolio's own past (issue 24, "each output says its backtest
 * error"): from each of the last ORIGINS month-ends at least HORIZON months back, the assets are estimated from the
 * prices up to that day only, today's holdings are simulated HORIZON months ahead (no contributions), and the
 * simulated median and P10–P90 range are set against what the same holdings' prices actually did.
 */

export const BACKTEST_ORIGINS = 6;
export const BACKTEST_HORIZON = 6;
const PATHS = 1000;

export interface PortfolioBacktest {
  readonly origins: number;
  readonly horizonMonths: number;
  /** Mean |median − actual| ÷ actual, %. */
  readonly medianErrorPercent: number;
  /** How many actual outcomes fell inside the simulated P10–P90 range. */
  readonly insideP10P90: number;
}

/** Price on or before `date` (series sorted ascending), or null. */
function priceAt(prices: readonly { date: string; price: number }[], date: string): number | null {
  let lo = 0;
  let hi = prices.length - 1;
  if (hi < 0 || prices[0]!.date > date) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (prices[mid]!.date <= date) lo = mid;
    else hi = mid - 1;
  }
  return prices[lo]!.price;
}

export function portfolioBacktest(series: readonly PriceSeries[], holdings: readonly { assetId: string; value: number }[], today: string): PortfolioBacktest | null {
  const sorted = series.map((s) => ({ id: s.id, prices: [...s.prices].sort((a, b) => (a.date < b.date ? -1 : 1)) }));
  const value = new Map(holdings.map((h) => [h.assetId, h.value]));
  const errors: number[] = [];
  let inside = 0;
  for (let k = 0; k < BACKTEST_ORIGINS; k++) {
    const origin = `${addMonths(today.slice(0, 7), -(BACKTEST_HORIZON + k))}-01`;
    const end = `${addMonths(origin.slice(0, 7), BACKTEST_HORIZON)}-01`;
    const before = sorted.map((s) => ({ id: s.id, prices: s.prices.filter((p) => p.date < origin) }));
    if (before.some((s) => s.prices.length < 120)) continue;
    let assets;
    try {
      assets = estimateAssets(before);
    } catch {
      continue;
    }
    // Today's holdings in the proportions of their value at the origin: units held fixed over the window.
    let start = 0;
    let finish = 0;
    const weights: number[] = [];
    for (const s of sorted) {
      const p0 = priceAt(s.prices, origin);
      const p1 = priceAt(s.prices, end);
      const now = priceAt(s.prices, today);
      if (p0 === null || p1 === null || now === null) {
        weights.push(0);
        continue;
      }
      const units = (value.get(s.id) ?? 0) / now;
      start += units * p0;
      finish += units * p1;
      weights.push(units * p0);
    }
    if (start <= 0) continue;
    const result = monteCarlo({
      seed: 7 + k, paths: PATHS, months: BACKTEST_HORIZON, initial: 1, monthlyContribution: 0,
      assets: assets.ids.map((_, i) => ({ weight: weights[i]!, mu: assets.mu[i]!, sigma: assets.sigma[i]! })), correlation: assets.correlation,
    });
    const actual = finish / start;
    const median = result.percentiles.p50[BACKTEST_HORIZON]!;
    errors.push(Math.abs(median - actual) / actual);
    if (actual >= result.percentiles.p10[BACKTEST_HORIZON]! && actual <= result.percentiles.p90[BACKTEST_HORIZON]!) inside += 1;
  }
  if (errors.length === 0) return null;
  return { origins: errors.length, horizonMonths: BACKTEST_HORIZON, medianErrorPercent: (100 * errors.reduce((a, b) => a + b, 0)) / errors.length, insideP10P90: inside };
}
