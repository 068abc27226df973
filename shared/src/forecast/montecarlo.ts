import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { dayNumber, isCalendarDate } from '../date/date.ts';
import { createNormalFiller } from './montecarlo-random.ts';
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
 *   correlating the normals; the twin's e^(o − s) is e^(2o) / e^(o + s), a division instead of a second
 *   exponential;
 * - random numbers (montecarlo-random.ts): sfc32 seeded through splitmix32, ziggurat normals. The same seed
 *   gives the same numbers on every JavaScript engine;
 * - percentiles per month-end by quickselect over that month's column of path values.
 * Speed (5,000 paths × 60 months × 40 assets; docs/forecasts.md): the pairs go eight at a time, so each
 * entry of L is loaded once for eight paths' sums; e^x is computed inline (fastExp) rather than by a call;
 * the ziggurat takes well under half the polar method's time per normal.
 */

export { createNormalFiller, createRandom } from './montecarlo-random.ts';

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

/** Antithetic pairs simulated together: each element of L loaded once serves all of them. */
const BLOCK = 8;

/**
 * The percentiles `qs` (ascending, in [0, 1]) of `column`, linearly interpolated as over the sorted column,
 * written to `out[q][index]`. Reorders `column`. Quickselect finds the lower rank of each percentile (the
 * middle one first, then each side within its part); the next rank up is the smallest value between that
 * rank and the next one selected. A column holding NaN is sorted instead (NaN last, as the typed-array sort puts it).
 */
export function columnPercentiles(column: Float64Array, qs: readonly number[], out: readonly Float64Array[], index: number): void {
  const size = column.length;
  let nan = false;
  for (let i = 0; i < size; i++) if (column[i] !== column[i]) { nan = true; break; }
  if (nan) {
    column.sort();
    for (let k = 0; k < qs.length; k++) {
      const pos = (size - 1) * qs[k]!;
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, size - 1);
      out[k]![index] = column[lo]! + (column[hi]! - column[lo]!) * (pos - lo);
    }
    return;
  }
  const ranks = qs.map((q) => Math.floor((size - 1) * q));
  selectRanks(column, 0, size - 1, ranks, 0, ranks.length - 1);
  for (let k = 0; k < qs.length; k++) {
    const pos = (size - 1) * qs[k]!;
    const lo = ranks[k]!;
    const low = column[lo]!;
    let high = low;
    if (lo + 1 < size && pos > lo) {
      // Everything after lo up to the next selected rank (inclusive) lies between them: its minimum is rank lo + 1.
      let next = k + 1;
      while (next < ranks.length && ranks[next]! <= lo) next++;
      const until = next < ranks.length ? ranks[next]! : size - 1;
      high = column[lo + 1]!;
      for (let i = lo + 2; i <= until; i++) if (column[i]! < high) high = column[i]!;
    }
    out[k]![index] = low + (high - low) * (pos - lo);
  }
}

/** Places ranks[first..last] (ascending) of a[lo..hi] at their sorted positions, each part between them unsorted. */
function selectRanks(a: Float64Array, lo: number, hi: number, ranks: readonly number[], first: number, last: number): void {
  if (first > last || lo >= hi) return;
  const mid = (first + last) >> 1;
  const k = ranks[mid]!;
  quickselect(a, lo, hi, k);
  selectRanks(a, lo, k - 1, ranks, first, mid - 1);
  selectRanks(a, k + 1, hi, ranks, mid + 1, last);
}

/** Hoare-partition quickselect with a median-of-three pivot: afterwards a[k] is rank k of a[lo..hi], smaller before, larger after. */
function quickselect(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    if (hi - lo < 16) {
      // Insertion sort of a short part.
      for (let i = lo + 1; i <= hi; i++) {
        const x = a[i]!;
        let j = i - 1;
        while (j >= lo && a[j]! > x) {
          a[j + 1] = a[j]!;
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    const m = (lo + hi) >> 1;
    // Median of a[lo], a[m], a[hi] to a[m], with a[lo] ≤ a[m] ≤ a[hi] (sentinels for the scans below).
    if (a[m]! < a[lo]!) swap(a, m, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[m]!) swap(a, hi, m);
    const pivot = a[m]!;
    let i = lo;
    let j = hi;
    // Stops on values equal to the pivot on both sides, so runs of equal values split evenly.
    for (;;) {
      do i++; while (a[i]! < pivot);
      do j--; while (a[j]! > pivot);
      if (i >= j) break;
      swap(a, i, j);
    }
    // a[lo..j] ≤ pivot ≤ a[j+1..hi].
    if (k <= j) hi = j;
    else lo = j + 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

// e^x without a call (Math.exp is a call into C): x = (k + j/64)·ln2 + r with |r| ≤ ln2/128, so
// e^x = 2^k · 2^(j/64) · e^r, e^r by its Taylor series to r⁵ (error below 4e-17). Within 2 ulp of Math.exp.
const EXP_ROUND = 6755399441055744; // 1.5·2^52: x + EXP_ROUND − EXP_ROUND rounds x to a whole number
const EXP_PER_LN2 = 64 / Math.LN2;
// ln2/64 in two parts: the first has 21 significant bits, so k·EXP_LN2_HI is exact for |k| < 2^32.
const EXP_LN2_HI = 0.010830417275428772;
const EXP_LN2_LO = 7.420820373486988e-9;
const EXP_FRACTION = new Float64Array(64);
for (let j = 0; j < 64; j++) EXP_FRACTION[j] = 2 ** (j / 64);
const EXP_POWER_OFFSET = 1100;
const EXP_POWER = new Float64Array(2 * EXP_POWER_OFFSET);
for (let k = -1022; k <= 1023; k++) EXP_POWER[k + EXP_POWER_OFFSET] = 2 ** k;

/** e^x, as Math.exp but inlinable (|x| < 700; beyond, Math.exp). */
export function fastExp(x: number): number {
  if (!(x > -700 && x < 700)) return Math.exp(x);
  const kd = x * EXP_PER_LN2 + EXP_ROUND - EXP_ROUND;
  const k = kd | 0;
  const r = x - kd * EXP_LN2_HI - kd * EXP_LN2_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return EXP_POWER[(k >> 6) + EXP_POWER_OFFSET]! * EXP_FRACTION[k & 63]! * p;
}

/** The model's tables, in typed arrays for the simulation's loops (see monteCarlo). */
interface Kernel {
  /** Assets with a weight (the others never enter the growth). */
  readonly count: number;
  /** Row a of L (its entries L[i][0..i], i the a-th asset with a weight) is packed[rowStart[a] .. rowStart[a + 1]). */
  readonly packed: Float64Array;
  readonly rowStart: Int32Array;
  /** sigma/√12 per asset with a weight. */
  readonly shockScale: Float64Array;
  /** ln(weight) + monthly drift, so weight·e^(drift + shock) = e^(offset + shock). */
  readonly offset: Float64Array;
  /** e^(2·offset), for the twin's e^(offset − shock) = e^(2·offset) / e^(offset + shock); −1 where that underflows. */
  readonly offset2: Float64Array;
}

/**
 * The shocks scale·(L·z)_i of the BLOCK pairs for one month, shock[a·BLOCK + b], from the block's normals
 * z[base + j·BLOCK + b]: one pass over each row of L serves the BLOCK pairs (eight sums at once).
 */
function monthShocks(kernel: Kernel, z: Float64Array, base: number, shock: Float64Array): void {
  const { count, packed, rowStart, shockScale } = kernel;
  for (let a = 0; a < count; a++) {
    let x0 = 0;
    let x1 = 0;
    let x2 = 0;
    let x3 = 0;
    let x4 = 0;
    let x5 = 0;
    let x6 = 0;
    let x7 = 0;
    const end = rowStart[a + 1]!;
    for (let k = rowStart[a]!, q = base; k < end; k++, q += BLOCK) {
      const l = packed[k]!;
      x0 += l * z[q]!;
      x1 += l * z[q + 1]!;
      x2 += l * z[q + 2]!;
      x3 += l * z[q + 3]!;
      x4 += l * z[q + 4]!;
      x5 += l * z[q + 5]!;
      x6 += l * z[q + 6]!;
      x7 += l * z[q + 7]!;
    }
    const c = shockScale[a]!;
    const at = a * BLOCK;
    shock[at] = c * x0;
    shock[at + 1] = c * x1;
    shock[at + 2] = c * x2;
    shock[at + 3] = c * x3;
    shock[at + 4] = c * x4;
    shock[at + 5] = c * x5;
    shock[at + 6] = c * x6;
    shock[at + 7] = c * x7;
  }
}

/**
 * The month's growth factor Σ weight·e^(drift + shock) of each of the BLOCK pairs' paths (growth[b]) and of
 * its antithetic twin, Σ weight·e^(drift − shock) (growth[BLOCK + b]).
 */
function monthGrowth(kernel: Kernel, shock: Float64Array, growth: Float64Array): void {
  const { count, offset, offset2 } = kernel;
  for (let b = 0; b < BLOCK; b++) {
    let g = 0;
    let h = 0;
    for (let a = 0, at = b; a < count; a++, at += BLOCK) {
      const o = offset[a]!;
      const s = shock[at]!;
      const e = fastExp(o + s);
      g += e;
      const e2 = offset2[a]!;
      // The twin by a division where that is exact enough (e2 a normal number, e neither tiny nor huge).
      h += e2 > 0 && e > 1e-280 && e < 1e280 ? e2 / e : fastExp(o - s);
    }
    growth[b] = g;
    growth[BLOCK + b] = h;
  }
}

function buildKernel(prepared: Prepared): Kernel {
  const { n, weights, drift, scale, L } = prepared;
  const active: number[] = [];
  for (let i = 0; i < n; i++) if (weights[i]! > 0) active.push(i);
  const count = active.length;
  const rowStart = new Int32Array(count + 1);
  const shockScale = new Float64Array(count);
  const offset = new Float64Array(count);
  const offset2 = new Float64Array(count);
  active.forEach((i, a) => {
    rowStart[a + 1] = rowStart[a]! + i + 1;
    shockScale[a] = scale[i]!;
    offset[a] = Math.log(weights[i]!) + drift[i]!;
    offset2[a] = offset[a]! > -300 ? Math.exp(2 * offset[a]!) : -1;
  });
  const packed = new Float64Array(rowStart[count]!);
  active.forEach((i, a) => {
    for (let j = 0; j <= i; j++) packed[rowStart[a]! + j] = L[i * n + j]!;
  });
  return { count, packed, rowStart, shockScale, offset, offset2 };
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
  const kernel = buildKernel(prepare(input.assets, input.correlation));
  // Normals per month: one per asset up to the last with a weight (those after it need none).
  const width = kernel.rowStart[kernel.count]! - kernel.rowStart[kernel.count - 1]!;
  const fill = createNormalFiller(input.seed);
  // A block's normals, month by month, asset by asset, pair by pair: z[((t − 1)·width + j)·BLOCK + b].
  const z = new Float64Array(months * width * BLOCK);
  const shock = new Float64Array(kernel.count * BLOCK);
  const growth = new Float64Array(2 * BLOCK);
  // The block's paths: value[2b] is pair b's path, value[2b + 1] its twin.
  const value = new Float64Array(2 * BLOCK);
  const hit = new Uint8Array(2 * BLOCK);
  // values[t * paths + path]: month-major, so each month's column is contiguous for the percentiles.
  const values = new Float64Array((months + 1) * paths);
  values.fill(initial, 0, paths);
  const pairs = Math.ceil(paths / 2);
  let reached = 0;
  // Paths come in antithetic pairs: path 2q uses the normals z, path 2q + 1 uses −z (so x = L·z is computed
  // once for both). Each path is exactly GBM; pairing only makes the percentile estimates steadier. Pairs
  // go BLOCK at a time (the last block's extra pairs are simulated and dropped).
  for (let first = 0; first < pairs; first += BLOCK) {
    fill(z);
    value.fill(initial);
    hit.fill(targetMonth > 0 && initial >= targetValue ? 1 : 0);
    const kept = Math.min(2 * BLOCK, paths - 2 * first);
    for (let t = 1; t <= months; t++) {
      monthShocks(kernel, z, (t - 1) * width * BLOCK, shock);
      monthGrowth(kernel, shock, growth);
      const row = t * paths + 2 * first;
      for (let b = 0; b < BLOCK; b++) {
        const v = value[2 * b]! * growth[b]! + contribution;
        const w = value[2 * b + 1]! * growth[BLOCK + b]! + contribution;
        value[2 * b] = v;
        value[2 * b + 1] = w;
        if (t <= targetMonth) {
          if (v >= targetValue) hit[2 * b] = 1;
          if (w >= targetValue) hit[2 * b + 1] = 1;
        }
      }
      if (kept === 2 * BLOCK) values.set(value, row);
      else values.set(value.subarray(0, kept), row);
    }
    for (let b = 0; b < kept; b++) reached += hit[b]!;
  }
  const qs = [0.1, 0.25, 0.5, 0.75, 0.9];
  const out = qs.map(() => new Float64Array(months + 1));
  for (let t = 0; t <= months; t++) columnPercentiles(values.subarray(t * paths, (t + 1) * paths), qs, out, t);
  const [p10, p25, p50, p75, p90] = out as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
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
