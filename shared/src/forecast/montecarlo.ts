import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { dayNumber, isCalendarDate } from '../date/date.ts';
import { ForecastInputError } from './types.ts';
import type { EstimatedAssets, MonteCarloInput, MonteCarloResult, PriceSeries } from './types.ts';

/**
 * Monte Carlo of a portfolio (docs/forecasts.md):
 * - each asset follows geometric Brownian motion: over a month (dt = 1/12 year) its log return is
 *   (mu − sigma²/2)·dt + sigma·√dt·x, so its mean value grows as e^(mu·t) and its median as e^((mu − sigma²/2)·t);
 * - the x of the assets are standard normals with the given correlation: x = L·z, L the Cholesky factor
 *   of the correlation matrix (ml-matrix), z independent standard normals;
 * - the portfolio is rebalanced to its weights every month, and the month's contribution is added at the
 *   end of the month;
 * - paths come in antithetic pairs (z and −z), a standard variance reduction that also halves the work of
 *   correlating the normals;
 * - random numbers: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state, 32-bit
 *   output) seeded through splitmix32 from the seed, and Marsaglia's polar method for normals. The same
 *   seed gives the same numbers on every JavaScript engine (integer arithmetic via Math.imul and >>> 0).
 */

/** A seeded uniform generator in [0, 1) (sfc32 seeded by splitmix32). */
export function createRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new ForecastInputError(`seed must be a finite number, not ${String(seed)}`);
  let s = Math.trunc(seed) >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/**
 * Fills `out` with independent standard normals (Marsaglia's polar method, both values of each pair used).
 * The generator's state lives in locals of the fill loop (the same sfc32 as createRandom, inlined for speed).
 */
export function createNormalFiller(seed: number): (out: Float64Array) => void {
  const state = new Uint32Array(4);
  const seedRandom = createRandom(seed);
  // Draw the initial state from the seeded generator so both share one definition of the seed.
  for (let i = 0; i < 4; i++) state[i] = Math.floor(seedRandom() * 4294967296) >>> 0;
  let spare = 0;
  let hasSpare = false;
  return (out: Float64Array) => {
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    const n = out.length;
    let i = 0;
    if (hasSpare && n > 0) {
      out[i++] = spare;
      hasSpare = false;
    }
    while (i < n) {
      let t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((c << 21) | (c >>> 11)) >>> 0;
      c = (c + t) >>> 0;
      const u = (2 * t) / 4294967296 - 1;
      t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((c << 21) | (c >>> 11)) >>> 0;
      c = (c + t) >>> 0;
      const v = (2 * t) / 4294967296 - 1;
      const q = u * u + v * v;
      if (q >= 1 || q === 0) continue;
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      out[i++] = u * f;
      if (i < n) out[i++] = v * f;
      else {
        spare = v * f;
        hasSpare = true;
      }
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
  };
}

function checkCorrelation(correlation: readonly (readonly number[])[], n: number): Float64Array {
  if (!Array.isArray(correlation) || correlation.length !== n) throw new ForecastInputError(`correlation must be a ${n} × ${n} matrix (one row per asset)`);
  for (let i = 0; i < n; i++) {
    const row = correlation[i];
    if (!Array.isArray(row) || row.length !== n) throw new ForecastInputError(`correlation row ${i} must have ${n} entries`);
    for (let j = 0; j < n; j++) {
      const c = row[j]!;
      if (typeof c !== 'number' || !Number.isFinite(c) || c < -1 - 1e-12 || c > 1 + 1e-12) throw new ForecastInputError(`correlation[${i}][${j}] must be a number from −1 to 1, not ${String(c)}`);
      if (i === j && Math.abs(c - 1) > 1e-9) throw new ForecastInputError(`correlation[${i}][${i}] must be 1 (an asset is perfectly correlated with itself), not ${c}`);
      if (Math.abs(c - correlation[j]![i]!) > 1e-9) throw new ForecastInputError(`correlation is not symmetric: [${i}][${j}] = ${c} but [${j}][${i}] = ${correlation[j]![i]}`);
    }
  }
  const matrix = new Matrix(correlation.map((r) => [...r]));
  if (n > 1) {
    const eigen = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
    const smallest = Math.min(...eigen.realEigenvalues);
    if (smallest < -1e-9) throw new ForecastInputError(`correlation is not positive semi-definite (smallest eigenvalue ${smallest.toPrecision(3)}): these correlations cannot all hold at once`);
  }
  // Positive semi-definite but singular (e.g. two assets correlated exactly 1): a tiny ridge lets Cholesky through.
  let chol = new CholeskyDecomposition(matrix);
  for (let jitter = 1e-12; !chol.isPositiveDefinite() && jitter <= 1e-6; jitter *= 100) {
    chol = new CholeskyDecomposition(Matrix.add(matrix, Matrix.eye(n, n, jitter)));
  }
  if (!chol.isPositiveDefinite()) throw new ForecastInputError('correlation could not be factorised (Cholesky failed)');
  const L = chol.lowerTriangularMatrix;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * n + j] = L.get(i, j);
  return out;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ForecastInputError(`${name} must be a finite number, not ${String(value)}`);
  return value;
}

function wholeNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ForecastInputError(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  return value;
}

interface Prepared {
  readonly n: number;
  readonly weights: Float64Array;
  /** Monthly drift of the log return, (mu − sigma²/2)/12, and its scale sigma/√12. */
  readonly drift: Float64Array;
  readonly scale: Float64Array;
  readonly L: Float64Array;
}

function prepare(assets: MonteCarloInput['assets'], correlation: MonteCarloInput['correlation']): Prepared {
  if (!Array.isArray(assets) || assets.length === 0 || assets.length > 500) throw new ForecastInputError('assets must list 1 to 500 assets');
  const n = assets.length;
  const weights = new Float64Array(n);
  const drift = new Float64Array(n);
  const scale = new Float64Array(n);
  let total = 0;
  assets.forEach((a, i) => {
    const w = finite(a?.weight, `assets[${i}].weight`);
    if (w < 0) throw new ForecastInputError(`assets[${i}].weight must not be negative`);
    const mu = finite(a.mu, `assets[${i}].mu`);
    const sigma = finite(a.sigma, `assets[${i}].sigma`);
    if (sigma < 0) throw new ForecastInputError(`assets[${i}].sigma must not be negative`);
    weights[i] = w;
    total += w;
    drift[i] = (mu - (sigma * sigma) / 2) / 12;
    scale[i] = sigma / Math.sqrt(12);
  });
  if (!(total > 0)) throw new ForecastInputError('the asset weights must add up to more than 0');
  for (let i = 0; i < n; i++) weights[i] = weights[i]! / total;
  return { n, weights, drift, scale, L: checkCorrelation(correlation, n) };
}

/** Correlated monthly log returns of the assets: `samples` rows of `assets.length` values, row-major (what the simulation draws each month). */
export function sampleMonthlyLogReturns(input: { seed: number; samples: number; assets: MonteCarloInput['assets']; correlation: MonteCarloInput['correlation'] }): Float64Array {
  const samples = wholeNumber(input.samples, 'samples', 1, 10_000_000);
  const { n, drift, scale, L } = prepare(input.assets, input.correlation);
  const fill = createNormalFiller(input.seed);
  const z = new Float64Array(n);
  const out = new Float64Array(samples * n);
  for (let s = 0; s < samples; s++) {
    fill(z);
    for (let i = 0; i < n; i++) {
      let x = 0;
      const row = i * n;
      for (let j = 0; j <= i; j++) x += L[row + j]! * z[j]!;
      out[s * n + i] = drift[i]! + scale[i]! * x;
    }
  }
  return out;
}

/** Linear-interpolated percentile of a sorted array (q in [0, 1]). */
function percentileOfSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Simulates `paths` portfolio paths month by month (see the file comment) and returns the percentile paths. */
export function monteCarlo(input: MonteCarloInput): MonteCarloResult {
  if (!input || typeof input !== 'object') throw new ForecastInputError('monteCarlo needs { seed, paths, months, initial, monthlyContribution, assets, correlation }');
  const paths = wholeNumber(input.paths, 'paths', 1, 100_000);
  const months = wholeNumber(input.months, 'months', 1, 1200);
  const initial = finite(input.initial, 'initial');
  const contribution = finite(input.monthlyContribution, 'monthlyContribution');
  finite(input.seed, 'seed');
  let targetValue = NaN;
  let targetMonth = 0;
  if (input.target !== undefined) {
    targetValue = finite(input.target?.value, 'target.value');
    targetMonth = wholeNumber(input.target.month, 'target.month', 1, months);
  }
  const { n, weights, drift, scale, L } = prepare(input.assets, input.correlation);
  // Per asset: weight·e^(drift + scale·x) = e^(logWeight + drift + scale·x).
  const offset = new Float64Array(n);
  for (let i = 0; i < n; i++) offset[i] = weights[i]! > 0 ? Math.log(weights[i]!) + drift[i]! : -Infinity;
  // The packed lower triangle of L, row by row: row i holds L[i][0..i] from packedStart(i) = i(i+1)/2.
  const packed = new Float64Array((n * (n + 1)) / 2);
  for (let i = 0, k = 0; i < n; i++) for (let j = 0; j <= i; j++) packed[k++] = L[i * n + j]!;
  const fill = createNormalFiller(input.seed);
  // One path's normals at a time (months × assets), drawn in one call.
  const z = new Float64Array(months * n);
  // values[t * paths + p]: month-major, so each month's column is contiguous for the percentiles.
  const values = new Float64Array((months + 1) * paths);
  let reached = 0;
  // Paths come in antithetic pairs: path p uses the normals z, path p + 1 uses −z (so x = L·z is computed
  // once for both). Each path is exactly GBM; pairing only makes the percentile estimates steadier.
  for (let p = 0; p < paths; p += 2) {
    const twin = p + 1 < paths;
    fill(z);
    let v = initial;
    let w = initial;
    values[p] = v;
    if (twin) values[p + 1] = w;
    let hit = targetMonth > 0 && v >= targetValue;
    let hitTwin = hit;
    for (let t = 1; t <= months; t++) {
      const base = (t - 1) * n;
      let growth = 0;
      let growthTwin = 0;
      let k = 0;
      for (let i = 0; i < n; i++) {
        // x = (L·z)_i with four partial sums, so the additions do not wait on one another.
        let x0 = 0;
        let x1 = 0;
        let x2 = 0;
        let x3 = 0;
        const len = i + 1;
        let j = 0;
        for (; j + 3 < len; j += 4) {
          x0 += packed[k + j]! * z[base + j]!;
          x1 += packed[k + j + 1]! * z[base + j + 1]!;
          x2 += packed[k + j + 2]! * z[base + j + 2]!;
          x3 += packed[k + j + 3]! * z[base + j + 3]!;
        }
        for (; j < len; j++) x0 += packed[k + j]! * z[base + j]!;
        k += len;
        const shock = scale[i]! * (x0 + x1 + (x2 + x3));
        growth += Math.exp(offset[i]! + shock);
        if (twin) growthTwin += Math.exp(offset[i]! - shock);
      }
      v = v * growth + contribution;
      values[t * paths + p] = v;
      if (!hit && t <= targetMonth && v >= targetValue) hit = true;
      if (twin) {
        w = w * growthTwin + contribution;
        values[t * paths + p + 1] = w;
        if (!hitTwin && t <= targetMonth && w >= targetValue) hitTwin = true;
      }
    }
    if (hit) reached++;
    if (twin && hitTwin) reached++;
  }
  const p10 = new Float64Array(months + 1);
  const p25 = new Float64Array(months + 1);
  const p50 = new Float64Array(months + 1);
  const p75 = new Float64Array(months + 1);
  const p90 = new Float64Array(months + 1);
  for (let t = 0; t <= months; t++) {
    const column = values.subarray(t * paths, (t + 1) * paths).sort();
    p10[t] = percentileOfSorted(column, 0.1);
    p25[t] = percentileOfSorted(column, 0.25);
    p50[t] = percentileOfSorted(column, 0.5);
    p75[t] = percentileOfSorted(column, 0.75);
    p90[t] = percentileOfSorted(column, 0.9);
  }
  return { percentiles: { p10, p25, p50, p75, p90 }, probabilityOfTarget: targetMonth > 0 ? reached / paths : null };
}

/**
 * mu, sigma and correlation of assets from their daily prices: only dates on which every asset has a
 * price are used; log returns between consecutive common dates; annualised by the number of returns per
 * year the dates' span implies (about 252 for trading days). mu = annual mean log return + sigma²/2, so
 * that monteCarlo's mean value grows as the history did on average.
 */
export function estimateAssets(series: readonly PriceSeries[]): EstimatedAssets {
  if (!Array.isArray(series) || series.length === 0) throw new ForecastInputError('estimateAssets needs at least one price series');
  const maps = series.map((s, k) => {
    if (typeof s?.id !== 'string' || !Array.isArray(s.prices)) throw new ForecastInputError(`series ${k} needs an id and a prices array`);
    const map = new Map<string, number>();
    for (const p of s.prices) {
      if (typeof p?.date !== 'string' || !isCalendarDate(p.date)) throw new ForecastInputError(`${s.id}: ${JSON.stringify(p?.date)} is not a calendar date (YYYY-MM-DD)`);
      if (typeof p.price !== 'number' || !Number.isFinite(p.price) || p.price <= 0) throw new ForecastInputError(`${s.id}: the price on ${p.date} must be a positive number, not ${String(p.price)}`);
      if (map.has(p.date)) throw new ForecastInputError(`${s.id}: two prices on ${p.date}`);
      map.set(p.date, p.price);
    }
    return map;
  });
  const common = [...maps[0]!.keys()].filter((d) => maps.every((m) => m.has(d))).sort();
  if (common.length < 3) throw new ForecastInputError(`the price series share ${common.length} dates; at least 3 are needed`);
  const n = series.length;
  const T = common.length - 1;
  const returns = series.map((_, k) => {
    const r = new Float64Array(T);
    for (let t = 0; t < T; t++) r[t] = Math.log(maps[k]!.get(common[t + 1]!)! / maps[k]!.get(common[t]!)!);
    return r;
  });
  const spanYears = (dayNumber(common[common.length - 1]!) - dayNumber(common[0]!)) / 365.25;
  const perYear = T / spanYears;
  const means = returns.map((r) => r.reduce((a, b) => a + b, 0) / T);
  const cov = (a: number, b: number) => {
    let s = 0;
    for (let t = 0; t < T; t++) s += (returns[a]![t]! - means[a]!) * (returns[b]![t]! - means[b]!);
    return s / (T - 1);
  };
  const variance = returns.map((_, k) => cov(k, k));
  const sigma = variance.map((v) => Math.sqrt(v * perYear));
  const mu = means.map((m, k) => m * perYear + (sigma[k]! * sigma[k]!) / 2);
  const correlation = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    if (i === j) return 1;
    const d = Math.sqrt(variance[i]! * variance[j]!);
    return d > 0 ? Math.max(-1, Math.min(1, cov(i, j) / d)) : 0;
  }));
  return { ids: series.map((s) => s.id), mu, sigma, correlation, observations: T, perYear };
}
