/**
 * A Prophet optimizer written here, so Prophet runs offline in Node and in the worker without the
 * separate Stan-in-WASM package. It finds the same thing Stan's optimizer is asked for: the posterior
 * mode (MAP) of Prophet's model for linear or flat trend with additive features —
 *   y ~ Normal(trend(k, m, δ) + X·β, σ),  k, m ~ Normal(0, 5),  δ ~ Laplace(0, τ),  β_j ~ Normal(0, sigmas_j),
 *   σ ~ Normal⁺(0, 0.5).
 * For a fixed σ the mean is linear in θ = (k, m, δ, β), so the mode is a penalised least squares problem
 * with an L1 penalty on δ. It is solved by coordinate descent (a soft-threshold step for each δ), with σ
 * updated in closed form between sweeps (the positive root of 4σ⁴ + Tσ² − RSS = 0, RSS the residual sum
 * of squares). Each step lowers the objective, which is convex in θ for a fixed σ.
 * Logistic trend and multiplicative features are refused with an error (this module never asks for them).
 */

interface StanData {
  T: number;
  y: number[];
  t: number[];
  S: number;
  t_change: number[];
  trend_indicator: number;
  K: number;
  s_a: number[];
  s_m: number[];
  X: number[][] | number[];
  sigmas: number[];
  tau: number;
}

interface InitParams {
  k: number;
  m: number;
  delta: Float64Array | number[];
  beta: Float64Array | number[];
  sigmaObs: number;
}

const EMPTY_LOGS = { debug: '', info: '', warn: '', error: '', fatal: '' };
const MAX_SWEEPS = 5000;
/** On the scaled data augurs hands over (y ÷ max|y|, t in [0, 1]). */
const TOLERANCE = 1e-7;

export class ProphetOptimizerError extends Error {
  override readonly name = 'ProphetOptimizerError';
}

function xAt(data: StanData, i: number, j: number): number {
  const X = data.X;
  const row = X[i];
  return Array.isArray(row) ? (row[j] ?? 0) : (X as number[])[i * data.K + j] ?? 0;
}

export function optimizeProphet(init: InitParams, dataJson: string): {
  logs: typeof EMPTY_LOGS;
  params: { k: number; m: number; sigmaObs: number; delta: Float64Array; beta: Float64Array; trend: Float64Array };
} {
  const data = JSON.parse(dataJson) as StanData;
  if (data.trend_indicator === 1) throw new ProphetOptimizerError('logistic growth is not supported by this optimizer');
  for (let j = 0; j < data.K; j++) {
    if ((data.s_m[j] ?? 0) !== 0) throw new ProphetOptimizerError('multiplicative features are not supported by this optimizer');
  }
  const T = data.T;
  const linear = data.trend_indicator === 0;
  const S = linear ? data.S : 0;
  const K = data.K;
  // Columns: [m, k?, δ_1..S, β_1..K].
  const kCol = linear ? 1 : -1;
  const dStart = linear ? 2 : 1;
  const bStart = dStart + S;
  const p = bStart + K;
  const row = new Float64Array(p);
  const ZtZ = new Float64Array(p * p);
  const Zty = new Float64Array(p);
  let yy = 0;
  const fillRow = (i: number) => {
    const t = data.t[i]!;
    row[0] = 1;
    if (linear) {
      row[kCol] = t;
      for (let j = 0; j < S; j++) {
        const tc = data.t_change[j]!;
        row[dStart + j] = t >= tc ? t - tc : 0;
      }
    }
    for (let j = 0; j < K; j++) row[bStart + j] = (data.s_a[j] ?? 0) !== 0 ? xAt(data, i, j) : 0;
  };
  for (let i = 0; i < T; i++) {
    fillRow(i);
    const y = data.y[i]!;
    yy += y * y;
    for (let a = 0; a < p; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      Zty[a]! += ra * y;
      const base = a * p;
      for (let b = a; b < p; b++) ZtZ[base + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) ZtZ[a * p + b] = ZtZ[b * p + a]!;

  const priorPrecision = new Float64Array(p);
  priorPrecision[0] = 1 / 25;
  if (linear) priorPrecision[kCol] = 1 / 25;
  for (let j = 0; j < K; j++) {
    const s = data.sigmas[j]!;
    priorPrecision[bStart + j] = 1 / (s * s);
  }
  const tau = data.tau > 0 ? data.tau : 0.05;

  const theta = new Float64Array(p);
  theta[0] = init.m;
  if (linear) theta[kCol] = init.k;
  for (let j = 0; j < S; j++) theta[dStart + j] = init.delta[j] ?? 0;
  for (let j = 0; j < K; j++) theta[bStart + j] = init.beta[j] ?? 0;
  let sigma2 = Math.max(init.sigmaObs, 1e-3) ** 2;

  // Coordinate descent on the penalised least squares for the current σ (the Laplace term gives a
  // soft-threshold step), with σ² updated in closed form after every sweep. H·θ is kept up to date so a
  // coordinate step costs O(p) and a sweep O(p²).
  const Htheta = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let v = 0;
    for (let b = 0; b < p; b++) v += ZtZ[a * p + b]! * theta[b]!;
    Htheta[a] = v;
  }
  const rss = () => {
    let lin = 0;
    let quad = 0;
    for (let a = 0; a < p; a++) {
      lin += theta[a]! * Zty[a]!;
      quad += theta[a]! * Htheta[a]!;
    }
    return Math.max(yy - 2 * lin + quad, 0);
  };
  const isDelta = (a: number) => a >= dStart && a < bStart;
  const lambda = 1 / tau;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let maxStep = 0;
    for (let a = 0; a < p; a++) {
      const haa = ZtZ[a * p + a]!;
      const quadratic = haa / sigma2 + (isDelta(a) ? 0 : priorPrecision[a]!);
      if (quadratic <= 0) continue;
      const linear = (Zty[a]! - Htheta[a]! + haa * theta[a]!) / sigma2;
      let next: number;
      if (isDelta(a)) next = linear > lambda ? (linear - lambda) / quadratic : linear < -lambda ? (linear + lambda) / quadratic : 0;
      else next = linear / quadratic;
      const step = next - theta[a]!;
      if (step !== 0) {
        theta[a] = next;
        const col = a * p;
        for (let b = 0; b < p; b++) Htheta[b]! += step * ZtZ[col + b]!;
        const size = Math.abs(step);
        if (size > maxStep) maxStep = size;
      }
    }
    const r = rss();
    const next = Math.max((-T + Math.sqrt(T * T + 16 * r)) / 8, 1e-12);
    const sigmaStep = Math.abs(next - sigma2) / sigma2;
    sigma2 = next;
    if (maxStep < TOLERANCE && sigmaStep < TOLERANCE) break;
  }
  if (!theta.every(Number.isFinite)) throw new ProphetOptimizerError('the optimizer did not converge to finite parameters');

  const k = linear ? theta[kCol]! : 0;
  const m = theta[0]!;
  const delta = new Float64Array(data.S);
  for (let j = 0; j < S; j++) delta[j] = theta[dStart + j]!;
  const beta = new Float64Array(K);
  for (let j = 0; j < K; j++) beta[j] = theta[bStart + j]!;
  const trend = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const t = data.t[i]!;
    let v = m + k * t;
    for (let j = 0; j < S; j++) {
      const tc = data.t_change[j]!;
      if (t >= tc) v += delta[j]! * (t - tc);
    }
    trend[i] = v;
  }
  return { logs: EMPTY_LOGS, params: { k, m, sigmaObs: Math.sqrt(sigma2), delta, beta, trend } };
}

/** The optimizer object augurs' `Prophet` takes: `new Prophet({ optimizer: prophetOptimizer })`. */
export const prophetOptimizer = {
  optimize: (init: unknown, data: string, _opts: unknown) => optimizeProphet(init as InitParams, data),
};
