import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createNormalFiller, forecast, initForecasting, monteCarlo } from '@mymidas/shared/forecast';
import type { MonteCarloInput, SeriesPoint } from '@mymidas/shared/forecast';
import { addDays } from '@mymidas/shared/date';
import { defineSuite } from '../lib/suite.ts';

/**
 * Forecasts (issue 24, bullet 7), in Node through @mymidas/shared/forecast — the functions the compute
 * worker runs:
 * - `forecast-prophet`: Prophet for `size` expense categories × 3 years of daily spending, 90 days ahead with
 *   both bands. The bands are calibrated on a one-origin backtest, so each category is two Prophet fits
 *   (`forecast(points, { method: 'prophet', origins: 1 })`). Target ≤ 3 s for 20 categories. Baseline: the
 *   same calls with `method: 'seasonal-naive'` (validation, backtest, bands; no model to fit).
 * - `forecast-monte-carlo`: `monteCarlo` with `size` paths × 60 months × 40 correlated assets. Target ≤ 300 ms
 *   for 5,000 paths. Baseline: a bare typed-array pass drawing paths × months × assets standard normals with
 *   the same generator and summing them — what a plain simulation of this size draws (monteCarlo itself draws
 *   half of them, its paths being antithetic pairs).
 * Spending is synthetic and seeded: a weekly and a yearly pattern, noise and zero days, different per category.
 */

export const PROPHET_TARGET_MS = 3000;
export const MONTE_CARLO_TARGET_MS = 300;
const DAYS = 3 * 365;
const ASSETS = 40;
const MONTHS = 60;

function initOnce(): void {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@bsull/augurs/prophet'));
  const read = (name: string) => readFileSync(join(dir, `${name}_bg.wasm`));
  initForecasting({ prophet: read('prophet'), mstl: read('mstl'), ets: read('ets') });
}

function categories(count: number): SeriesPoint[][] {
  let seed = 24;
  const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  return Array.from({ length: count }, (_, c) => {
    const level = 1_000 + 400 * c;
    const weekend = 1 + (c % 3) * 0.4;
    return Array.from({ length: DAYS }, (_, i) => {
      const day = i % 7;
      const yearly = 1 + 0.25 * Math.sin((2 * Math.PI * i) / 365.25 + c);
      const spend = random() < 0.2 ? 0 : level * yearly * (day >= 5 ? weekend : 1) * (0.5 + random());
      return { date: addDays('2023-12-01', i), value: Math.round(spend) };
    });
  });
}

interface ProphetState {
  readonly series: SeriesPoint[][];
}

async function forecastAll(state: ProphetState, method: 'prophet' | 'seasonal-naive'): Promise<number> {
  const start = performance.now();
  for (const points of state.series) {
    const result = await forecast(points, { frequency: 'day', horizon: 90, method, origins: 1, nonNegative: true });
    if (result.points.length !== 90 || result.method !== method) throw new Error(`forecast-prophet: ${method} gave ${result.method} with ${result.points.length} points`);
  }
  return performance.now() - start;
}

export const forecastProphet = defineSuite<ProphetState>({
  name: 'forecast-prophet',
  description: 'Prophet 90 days ahead with 80/95 % bands for expense categories × 3 years of daily spending (issue 24)',
  environment: 'node',
  sizeUnit: 'categories',
  size: { full: 20, quick: 4 },
  runs: { full: 3, quick: 1 },
  unit: 'ms',
  better: 'lower',
  baselineName: 'seasonal naive, same calls',
  target: { on: 'value', max: PROPHET_TARGET_MS },
  async setup(ctx) {
    initOnce();
    const state = { series: categories(ctx.size) };
    await forecastAll({ series: state.series.slice(0, 1) }, 'prophet'); // warm the JIT and the WASM
    ctx.log(`forecast-prophet: ${ctx.size} categories × ${DAYS} days, horizon 90, one backtest origin`);
    return state;
  },
  run: (_ctx, state) => forecastAll(state, 'prophet'),
  baseline: (_ctx, state) => forecastAll(state, 'seasonal-naive'),
});

function monteCarloInput(paths: number): MonteCarloInput {
  const assets = Array.from({ length: ASSETS }, (_, i) => ({ weight: 1 + (i % 4), mu: 0.02 + 0.002 * i, sigma: 0.05 + 0.006 * i }));
  // Two blocks of assets (e.g. bonds and shares): 0.6 within a block, 0.2 across.
  const correlation = Array.from({ length: ASSETS }, (_, i) => Array.from({ length: ASSETS }, (_, j) => (i === j ? 1 : (i < 20) === (j < 20) ? 0.6 : 0.2)));
  return { seed: 2024, paths, months: MONTHS, initial: 10_000_000, monthlyContribution: 50_000, assets, correlation, target: { value: 15_000_000, month: MONTHS } };
}

export const forecastMonteCarlo = defineSuite<MonteCarloInput>({
  name: 'forecast-monte-carlo',
  description: 'Monte Carlo: paths × 60 months × 40 correlated GBM assets, P10–P90 paths and a target probability (issue 24)',
  environment: 'node',
  sizeUnit: 'paths',
  size: { full: 5000, quick: 1000 },
  runs: { full: 5, quick: 2 },
  unit: 'ms',
  better: 'lower',
  baselineName: 'bare pass: paths × months × assets normals drawn and summed',
  target: { on: 'value', max: MONTE_CARLO_TARGET_MS },
  setup(ctx) {
    const input = monteCarloInput(ctx.size);
    const warm = monteCarlo(monteCarloInput(200));
    ctx.log(`forecast-monte-carlo: ${ctx.size} paths × ${MONTHS} months × ${ASSETS} assets (warm-up P50 at 5 years ${Math.round(warm.percentiles.p50[MONTHS]!)})`);
    return input;
  },
  run: (_ctx, input) => {
    const start = performance.now();
    const result = monteCarlo(input);
    if (result.percentiles.p50.length !== MONTHS + 1) throw new Error('forecast-monte-carlo: wrong result length');
    return performance.now() - start;
  },
  baseline: (_ctx, input) => {
    const start = performance.now();
    const fill = createNormalFiller(input.seed);
    const z = new Float64Array(MONTHS * ASSETS);
    let sum = 0;
    for (let p = 0; p < input.paths; p++) {
      fill(z);
      for (let i = 0; i < z.length; i++) sum += z[i]!;
    }
    if (!Number.isFinite(sum)) throw new Error('forecast-monte-carlo baseline: non-finite sum');
    return performance.now() - start;
  },
});
