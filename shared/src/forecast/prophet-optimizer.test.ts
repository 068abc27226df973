import { describe, expect, it } from 'vitest';
import { optimizeProphet, ProphetOptimizerError } from './prophet-optimizer.ts';

/*
 * The optimizer must return the posterior mode of Prophet's model. At the mode (σ fixed at its returned
 * value) the gradient of the negative log posterior is 0 for k, m and β, and for each trend change δ_j
 * either δ_j = 0 with |∂/∂δ_j of the smooth part| ≤ 1/τ, or the smooth gradient equals −sign(δ_j)/τ.
 */

function problem(seed: number) {
  let s = seed;
  const random = () => (s = (s * 16_807) % 2_147_483_647) / 2_147_483_647;
  const T = 200;
  const S = 8;
  const K = 4;
  const t = Array.from({ length: T }, (_, i) => i / (T - 1));
  const tChange = Array.from({ length: S }, (_, j) => (j + 1) / (S + 2));
  const X = t.map((ti) => [Math.sin(2 * Math.PI * 6 * ti), Math.cos(2 * Math.PI * 6 * ti), Math.sin(4 * Math.PI * 6 * ti), Math.cos(4 * Math.PI * 6 * ti)]);
  const y = t.map((ti, i) => 0.3 + 0.2 * ti + (ti > 0.5 ? 0.4 * (ti - 0.5) : 0) + 0.1 * X[i]![0]! + 0.05 * (random() - 0.5));
  return { T, S, K, t, t_change: tChange, X, y, trend_indicator: 0, cap: t.map(() => 0), s_a: [1, 1, 1, 1], s_m: [0, 0, 0, 0], sigmas: [10, 10, 10, 10], tau: 0.05 };
}

describe('optimizeProphet', () => {
  it('returns a point where the optimality conditions of the MAP problem hold', () => {
    const data = problem(5);
    const { params } = optimizeProphet({ k: 0, m: 0, delta: new Float64Array(data.S), beta: new Float64Array(data.K), sigmaObs: 1 }, JSON.stringify(data));
    const sigma2 = params.sigmaObs ** 2;
    const residual = data.t.map((ti, i) => {
      let trend = params.m + params.k * ti;
      data.t_change.forEach((tc, j) => { if (ti >= tc) trend += params.delta[j]! * (ti - tc); });
      let seasonal = 0;
      for (let j = 0; j < data.K; j++) seasonal += data.X[i]![j]! * params.beta[j]!;
      expect(params.trend[i]).toBeCloseTo(trend, 9);
      return data.y[i]! - trend - seasonal;
    });
    // Gradient g and curvature h of RSS/(2σ²) + priors along each linear parameter; |g|/h is the size of
    // the Newton step still available along it, which must be below 1e-6 (the data are scaled to ~1).
    const along = (column: (i: number) => number, prior: number, value: number) => {
      let g = prior * value;
      let h = prior;
      residual.forEach((r, i) => {
        const c = column(i);
        g -= (r * c) / sigma2;
        h += (c * c) / sigma2;
      });
      return { g, h };
    };
    const step = ({ g, h }: { g: number; h: number }) => Math.abs(g) / h;
    expect(step(along(() => 1, 1 / 25, params.m))).toBeLessThan(1e-6);
    expect(step(along((i) => data.t[i]!, 1 / 25, params.k))).toBeLessThan(1e-6);
    for (let j = 0; j < data.K; j++) expect(step(along((i) => data.X[i]![j]!, 1 / 100, params.beta[j]!))).toBeLessThan(1e-6);
    const lambda = 1 / data.tau;
    let nonZero = 0;
    data.t_change.forEach((tc, j) => {
      const { g, h } = along((i) => (data.t[i]! >= tc ? data.t[i]! - tc : 0), 0, 0);
      const d = params.delta[j]!;
      if (d === 0) expect(Math.abs(g)).toBeLessThanOrEqual(lambda + 1e-6 * h);
      else {
        nonZero++;
        expect(Math.abs(g + Math.sign(d) * lambda) / h).toBeLessThan(1e-6);
      }
    });
    // The slope change at t = 0.5 is found by at least one changepoint.
    expect(nonZero).toBeGreaterThan(0);
    // The noise is uniform on ±0.025 (sd 0.0144); σ's prior pulls it very little.
    expect(params.sigmaObs).toBeGreaterThan(0.01);
    expect(params.sigmaObs).toBeLessThan(0.02);
  });

  it('refuses logistic growth and multiplicative features', () => {
    const data = problem(6);
    const init = { k: 0, m: 0, delta: new Float64Array(data.S), beta: new Float64Array(data.K), sigmaObs: 1 };
    expect(() => optimizeProphet(init, JSON.stringify({ ...data, trend_indicator: 1 }))).toThrow(ProphetOptimizerError);
    expect(() => optimizeProphet(init, JSON.stringify({ ...data, s_m: [1, 0, 0, 0] }))).toThrow(/multiplicative/);
  });
});
