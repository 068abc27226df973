import { Matrix, solve } from 'ml-matrix';
import { requireAugurs } from './wasm.ts';
import type { Frequency } from './types.ts';

/**
 * The models `forecast` chooses between. Each fits a training array and returns, for steps 1..h, a point
 * forecast and the model's own standard deviation of the forecast error at that step (its band before
 * calibration). All work on plain numbers; the log transform and calibration happen in series-forecast.
 */

export interface ModelForecast {
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

export interface ModelContext {
  readonly frequency: Frequency;
  readonly seasonLength: number;
  /** Unix seconds of the training points and of the h future points (Prophet's time axis). */
  readonly trainTimes: Float64Array;
  readonly futureTimes: Float64Array;
}

export type Model = (y: Float64Array, h: number, ctx: ModelContext) => ModelForecast;

const Z95 = 1.959963984540054;

/** Seasonal naive: each step repeats the value one season earlier; error sd grows with the number of seasons ahead. */
export const seasonalNaive: Model = (y, h, { seasonLength: m }) => {
  const n = y.length;
  const season = Math.min(m, n);
  let ss = 0;
  let count = 0;
  for (let t = season; t < n; t++) {
    const e = y[t]! - y[t - season]!;
    ss += e * e;
    count++;
  }
  const sigma = count > 0 ? Math.sqrt(ss / count) : 0;
  const mean = new Float64Array(h);
  const sd = new Float64Array(h);
  for (let i = 0; i < h; i++) {
    mean[i] = y[n - season + (i % season)]!;
    sd[i] = sigma * Math.sqrt(Math.floor(i / season) + 1);
  }
  return { mean, sd };
};

/**
 * Seasonal ARIMA fitted by least squares: the series is seasonally differenced (w_t = y_t − y_{t−m}; plain
 * first differences when there are fewer than three seasons), then w_t = c + Σφ_i w_{t−i} + Φ w_{t−m} + ε_t
 * (the seasonal term only when seasonally differenced), i.e. SARIMA(p,0,0)(1,1,0)_m with a constant, p in
 * 0..3 chosen by AIC. Forecasts are recursive; the error sd comes from the model's ψ-weights.
 */
export const seasonalArima: Model = (y, h, { seasonLength }) => {
  const n = y.length;
  const seasonal = seasonLength > 1 && n >= 3 * seasonLength + 8;
  const lag = seasonal ? seasonLength : 1;
  const w = new Float64Array(n - lag);
  for (let t = lag; t < n; t++) w[t - lag] = y[t]! - y[t - lag]!;
  let best: { coef: Float64Array; p: number; sigma2: number; aic: number } | null = null;
  for (let p = 0; p <= 3; p++) {
    const lags: number[] = [];
    for (let i = 1; i <= p; i++) lags.push(i);
    if (seasonal && seasonLength > p) lags.push(seasonLength);
    const start = lags.length > 0 ? Math.max(...lags) : 0;
    const rows = w.length - start;
    const cols = 1 + lags.length;
    if (rows < cols + 4) continue;
    const X = new Matrix(rows, cols);
    const Y = new Matrix(rows, 1);
    for (let r = 0; r < rows; r++) {
      const t = start + r;
      X.set(r, 0, 1);
      for (let j = 0; j < lags.length; j++) X.set(r, j + 1, w[t - lags[j]!]!);
      Y.set(r, 0, w[t]!);
    }
    let beta: Matrix;
    try {
      beta = solve(X, Y, true);
    } catch {
      continue;
    }
    let rss = 0;
    for (let r = 0; r < rows; r++) {
      let fit = 0;
      for (let j = 0; j < cols; j++) fit += X.get(r, j) * beta.get(j, 0);
      const e = Y.get(r, 0) - fit;
      rss += e * e;
    }
    const sigma2 = Math.max(rss / rows, 1e-12);
    const aic = rows * Math.log(sigma2) + 2 * (cols + 1);
    // Full coefficient vector over lags 1..maxLag (index 0 = constant).
    const maxLag = seasonal ? Math.max(seasonLength, p) : p;
    const coef = new Float64Array(maxLag + 1);
    coef[0] = beta.get(0, 0);
    for (let j = 0; j < lags.length; j++) coef[lags[j]!] = coef[lags[j]!]! + beta.get(j + 1, 0);
    // Least squares does not keep the AR part stationary; an explosive fit's recursive forecast runs off to
    // ±billions within a few years while its backtest (a handful of steps) looks fine. Such fits are not candidates.
    if (!isStationary(coef.subarray(1))) continue;
    if (!best || aic < best.aic) best = { coef, p, sigma2, aic };
  }
  if (!best) return seasonalNaive(y, h, { seasonLength, frequency: 'day', trainTimes: new Float64Array(0), futureTimes: new Float64Array(0) });
  const { coef, sigma2 } = best;
  const maxLag = coef.length - 1;
  // Forecast w recursively, then integrate back to y.
  const wAll = new Float64Array(w.length + h);
  wAll.set(w);
  const yAll = new Float64Array(n + h);
  yAll.set(y);
  for (let i = 0; i < h; i++) {
    const t = w.length + i;
    let v = coef[0]!;
    for (let l = 1; l <= maxLag; l++) if (coef[l] !== 0 && t - l >= 0) v += coef[l]! * wAll[t - l]!;
    wAll[t] = v;
    yAll[n + i] = yAll[n + i - lag]! + v;
  }
  // ψ-weights: response of y to a unit shock.
  const psiW = new Float64Array(h);
  const psiY = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let v = j === 0 ? 1 : 0;
    for (let l = 1; l <= Math.min(maxLag, j); l++) v += coef[l]! * psiW[j - l]!;
    psiW[j] = v;
    psiY[j] = v + (j >= lag ? psiY[j - lag]! : 0);
  }
  const mean = yAll.slice(n);
  const sd = new Float64Array(h);
  let acc = 0;
  for (let j = 0; j < h; j++) {
    acc += psiY[j]! * psiY[j]!;
    sd[j] = Math.sqrt(sigma2 * acc);
  }
  return { mean, sd };
};

/**
 * Whether x_t = Σ φ_l x_{t−l} + ε_t (φ[0] is lag 1) is stationary: every root of 1 − Σ φ_l z^l lies outside the unit
 * circle. Durbin–Levinson's step-down: the order-k polynomial is stationary exactly when its last coefficient (the
 * k-th partial autocorrelation) is inside (−1, 1) and the order-(k−1) polynomial φ'_i = (φ_i + φ_k φ_{k−i}) / (1 − φ_k²)
 * is stationary too.
 */
export function isStationary(phi: ArrayLike<number>): boolean {
  let a = Array.from(phi);
  while (a.length > 0 && a[a.length - 1] === 0) a.pop();
  for (let k = a.length; k > 0; k--) {
    const last = a[k - 1]!;
    if (!Number.isFinite(last) || Math.abs(last) >= 1) return false;
    const d = 1 - last * last;
    const next = new Array<number>(k - 1);
    for (let i = 0; i < k - 1; i++) next[i] = (a[i]! + last * a[k - 2 - i]!) / d;
    a = next;
  }
  return true;
}

function fromIntervals(point: ArrayLike<number>, lower: ArrayLike<number> | undefined, upper: ArrayLike<number> | undefined, h: number): ModelForecast {
  const mean = new Float64Array(h);
  const sd = new Float64Array(h);
  for (let i = 0; i < h; i++) {
    mean[i] = point[i]!;
    sd[i] = lower && upper ? Math.max(0, (upper[i]! - lower[i]!) / (2 * Z95)) : 0;
  }
  return { mean, sd };
}

/**
 * ETS through augurs: MSTL (seasonal-trend decomposition by Loess for the season, an automatically chosen
 * ETS model for the rest) when there are at least two seasons, otherwise a non-seasonal AutoETS.
 */
export const etsModel: Model = (y, h, { seasonLength }) => {
  const { mstl, ets } = requireAugurs('ETS');
  if (seasonLength > 1 && y.length >= 2 * seasonLength + 2) {
    const model = mstl.MSTL.ets([seasonLength]);
    try {
      model.fit(y);
      const f = model.predict(h, 0.95);
      return fromIntervals(f.point, f.intervals?.lower, f.intervals?.upper, h);
    } finally {
      model.free();
    }
  }
  const model = new ets.AutoETS(1, 'ZZN');
  try {
    model.fit(y);
    const f = model.predict(h, 0.95);
    return fromIntervals(f.point, f.intervals?.lower, f.intervals?.upper, h);
  } finally {
    model.free();
  }
};

/**
 * Prophet through augurs, with linear trend and additive seasonalities (yearly when the history spans two
 * years, weekly for daily data), fitted by this module's MAP optimizer. Its own error sd is the
 * fitted observation noise σ (no trend simulation: that is slow and random); calibration widens it.
 */
export const prophetModel: Model = (y, h, { trainTimes, futureTimes, frequency }) => {
  const { prophet, optimizer } = requireAugurs('Prophet');
  const spanDays = (trainTimes[trainTimes.length - 1]! - trainTimes[0]!) / 86_400;
  // The optimizer's σ is on augurs' scaled data (y ÷ max|y|, its default "absMax" scaling).
  let scaledSigma = NaN;
  const fitOptimizer = {
    optimize: (init: unknown, data: string, opts: unknown) => {
      const out = optimizer.optimize(init, data, opts) as { params: { sigmaObs: number } };
      scaledSigma = out.params.sigmaObs;
      return out;
    },
  };
  let absMax = 0;
  for (let i = 0; i < y.length; i++) absMax = Math.max(absMax, Math.abs(y[i]!));
  const model = new prophet.Prophet({
    optimizer: fitOptimizer as ConstructorParameters<typeof prophet.Prophet>[0]['optimizer'],
    uncertaintySamples: 0,
    yearlySeasonality: spanDays >= 730 ? { type: 'fourier', order: frequency === 'month' ? 5 : 10 } : { type: 'manual', enabled: false },
    weeklySeasonality: frequency === 'day' ? { type: 'fourier', order: 3 } : { type: 'manual', enabled: false },
    dailySeasonality: { type: 'manual', enabled: false },
  });
  try {
    model.fit({ ds: Array.from(trainTimes), y });
    const sigma = scaledSigma * (absMax > 0 ? absMax : 1);
    const f = model.predict({ ds: Array.from(futureTimes) });
    const mean = new Float64Array(h);
    const sd = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      mean[i] = f.yhat.point[i]!;
      sd[i] = sigma;
    }
    return { mean, sd };
  } finally {
    model.free();
  }
};
