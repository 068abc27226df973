import { describe, expect, it } from 'vitest';
import { columnPercentiles, createRandom, estimateAssets, fastExp, monteCarlo, sampleMonthlyLogReturns } from './montecarlo.ts';
import { addDays } from '../date/date.ts';

/*
 * Monte Carlo against closed forms. For GBM with annual mu and sigma, ln(V_T / V_0) is normal with mean
 * (mu − sigma²/2)·T and sd sigma·√T, so the terminal percentiles are V_0·exp(mean + z_q·sd).
 */

const Z10 = -1.2815515655446004;

function pearson(xs: Float64Array, ys: Float64Array): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) { mx += xs[i]!; my += ys[i]!; }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('monteCarlo', () => {
  it('one asset: the terminal P10, median and P90 match the log-normal distribution of GBM within 3 %', () => {
    const mu = 0.07;
    const sigma = 0.18;
    const years = 5;
    const result = monteCarlo({ seed: 20_261_207, paths: 20_000, months: 60, initial: 10_000, monthlyContribution: 0, assets: [{ weight: 1, mu, sigma }], correlation: [[1]] });
    const mean = (mu - (sigma * sigma) / 2) * years;
    const sd = sigma * Math.sqrt(years);
    const { p10, p50, p90 } = result.percentiles;
    expect(p50).toHaveLength(61);
    expect(p50[0]).toBe(10_000);
    expect(Math.abs(p50[60]! / (10_000 * Math.exp(mean)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(p10[60]! / (10_000 * Math.exp(mean + Z10 * sd)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(p90[60]! / (10_000 * Math.exp(mean - Z10 * sd)) - 1)).toBeLessThan(0.03);
    // And one year in (month 12).
    expect(Math.abs(p50[12]! / (10_000 * Math.exp(mu - (sigma * sigma) / 2)) - 1)).toBeLessThan(0.03);
  });

  it('two assets: the sampled monthly returns have the input correlation, sigma and drift', () => {
    const assets = [{ weight: 0.5, mu: 0.06, sigma: 0.15 }, { weight: 0.5, mu: 0.03, sigma: 0.3 }];
    for (const rho of [0.6, -0.4]) {
      const samples = 40_000;
      const draws = sampleMonthlyLogReturns({ seed: 7, samples, assets, correlation: [[1, rho], [rho, 1]] });
      const a = new Float64Array(samples);
      const b = new Float64Array(samples);
      for (let s = 0; s < samples; s++) { a[s] = draws[2 * s]!; b[s] = draws[2 * s + 1]!; }
      expect(Math.abs(pearson(a, b) - rho)).toBeLessThan(0.02);
      const sdB = Math.sqrt(b.reduce((acc, v) => acc + v * v, 0) / samples - (b.reduce((x, y) => x + y, 0) / samples) ** 2);
      expect(Math.abs(sdB / (0.3 / Math.sqrt(12)) - 1)).toBeLessThan(0.02);
    }
  });

  it('two assets: the portfolio spread follows the correlation (rebalanced monthly ≈ GBM with wᵀΣw)', () => {
    const assets = [{ weight: 0.5, mu: 0.05, sigma: 0.2 }, { weight: 0.5, mu: 0.05, sigma: 0.2 }];
    const spread = (rho: number) => {
      const r = monteCarlo({ seed: 3, paths: 20_000, months: 36, initial: 1, monthlyContribution: 0, assets, correlation: [[1, rho], [rho, 1]] });
      return Math.log(r.percentiles.p90[36]! / r.percentiles.p10[36]!);
    };
    for (const rho of [-0.5, 0.3, 0.9]) {
      const sigmaP = Math.sqrt(0.5 * 0.04 * (1 + rho));
      const expected = 2 * -Z10 * sigmaP * Math.sqrt(3);
      expect(Math.abs(spread(rho) / expected - 1)).toBeLessThan(0.05);
    }
  });

  it('the same seed gives the same result and another seed a different one', () => {
    const input = { paths: 500, months: 24, initial: 5000, monthlyContribution: 100, assets: [{ weight: 2, mu: 0.08, sigma: 0.25 }, { weight: 1, mu: 0.02, sigma: 0.05 }], correlation: [[1, 0.2], [0.2, 1]] };
    const a = monteCarlo({ ...input, seed: 42 });
    const b = monteCarlo({ ...input, seed: 42 });
    const c = monteCarlo({ ...input, seed: 43 });
    expect(Array.from(a.percentiles.p50)).toEqual(Array.from(b.percentiles.p50));
    expect(Array.from(a.percentiles.p10)).toEqual(Array.from(b.percentiles.p10));
    expect(Array.from(a.percentiles.p50)).not.toEqual(Array.from(c.percentiles.p50));
    expect(createRandom(1)()).toBe(createRandom(1)());
  });

  it('without volatility the path is deterministic: growth e^(mu/12) a month, then the contribution', () => {
    const r = monteCarlo({ seed: 1, paths: 10, months: 3, initial: 1000, monthlyContribution: 100, assets: [{ weight: 1, mu: 0.12, sigma: 0 }], correlation: [[1]], target: { value: 1300, month: 3 } });
    const g = Math.exp(0.01);
    const expected = [1000, 1000 * g + 100, (1000 * g + 100) * g + 100, ((1000 * g + 100) * g + 100) * g + 100];
    expected.forEach((v, t) => {
      expect(r.percentiles.p10[t]).toBeCloseTo(v, 9);
      expect(r.percentiles.p90[t]).toBeCloseTo(v, 9);
    });
    expect(r.probabilityOfTarget).toBe(1); // 1330.3 ≥ 1300 by month 3
    const never = monteCarlo({ seed: 1, paths: 10, months: 3, initial: 1000, monthlyContribution: 100, assets: [{ weight: 1, mu: 0.12, sigma: 0 }], correlation: [[1]], target: { value: 1300, month: 2 } });
    expect(never.probabilityOfTarget).toBe(0); // 1220.1 < 1300 at month 2
  });

  it('the probability of reaching a target by a month lies between P(ending above it) and the reflection-principle bound', () => {
    // Reaching at any month-end by month 60 is at least as likely as ending above the target.
    const r = monteCarlo({ seed: 9, paths: 20_000, months: 60, initial: 100, monthlyContribution: 0, assets: [{ weight: 1, mu: 0.06, sigma: 0.2 }], correlation: [[1]], target: { value: 150, month: 60 } });
    const mean = (0.06 - 0.02) * 5;
    const sd = 0.2 * Math.sqrt(5);
    const z = (Math.log(1.5) - mean) / sd;
    const endAbove = 0.5 * (1 - erf(z / Math.SQRT2));
    expect(r.probabilityOfTarget!).toBeGreaterThan(endAbove);
    expect(r.probabilityOfTarget!).toBeLessThan(Math.min(1, 2 * endAbove + 0.02)); // reflection principle bound
  });

  it('refuses a correlation matrix that is not symmetric, not unit-diagonal or not positive semi-definite', () => {
    const base = { seed: 1, paths: 10, months: 2, initial: 1, monthlyContribution: 0 };
    const three = [{ weight: 1, mu: 0, sigma: 0.1 }, { weight: 1, mu: 0, sigma: 0.1 }, { weight: 1, mu: 0, sigma: 0.1 }];
    expect(() => monteCarlo({ ...base, assets: three.slice(0, 2), correlation: [[1, 0.5], [0.4, 1]] })).toThrow(/not symmetric/);
    expect(() => monteCarlo({ ...base, assets: three.slice(0, 2), correlation: [[1, 0.5], [0.5, 0.9]] })).toThrow(/must be 1/);
    expect(() => monteCarlo({ ...base, assets: three, correlation: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]] })).toThrow(/not positive semi-definite/);
    expect(() => monteCarlo({ ...base, assets: three, correlation: [[1, 0], [0, 1]] })).toThrow(/3 × 3/);
    expect(() => monteCarlo({ ...base, assets: three.slice(0, 1), correlation: [[1]], paths: 0 })).toThrow(/paths/);
    expect(() => monteCarlo({ ...base, assets: [{ weight: 1, mu: 0, sigma: -0.1 }], correlation: [[1]] })).toThrow(/sigma/);
    // Perfect correlation is positive semi-definite and accepted.
    expect(monteCarlo({ ...base, assets: three.slice(0, 2), correlation: [[1, 1], [1, 1]] }).percentiles.p50).toHaveLength(3);
  });
});

describe('monteCarlo internals', () => {
  it('fastExp is within 2 ulp of Math.exp, and is Math.exp beyond ±700', () => {
    const random = createRandom(17);
    const bits = new Float64Array(2);
    const ints = new BigInt64Array(bits.buffer);
    let worst = 0n;
    for (let i = 0; i < 200_000; i++) {
      const x = i % 2 === 0 ? -700 + 1400 * random() : -3 + 4 * random();
      bits[0] = fastExp(x);
      bits[1] = Math.exp(x);
      const ulps = ints[0]! > ints[1]! ? ints[0]! - ints[1]! : ints[1]! - ints[0]!;
      if (ulps > worst) worst = ulps;
    }
    expect(worst).toBeLessThanOrEqual(2n);
    for (const x of [0, -0, 1, -1, 700, -700, 709, -745, 800, -800, Infinity, -Infinity]) expect(fastExp(x)).toBe(Math.exp(x));
    expect(fastExp(Number.NaN)).toBeNaN();
  });

  it('columnPercentiles (quickselect) gives exactly the interpolated percentiles of the sorted column, ties and NaN included', () => {
    const random = createRandom(99);
    const qs = [0.1, 0.25, 0.5, 0.75, 0.9];
    const sortedPercentile = (sorted: Float64Array, q: number) => {
      const pos = (sorted.length - 1) * q;
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, sorted.length - 1);
      return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
    };
    const columns: Float64Array[] = [];
    for (const size of [1, 2, 3, 4, 5, 7, 10, 11, 16, 17, 31, 100, 1001, 5000]) {
      columns.push(Float64Array.from({ length: size }, () => random() * 100 - 50)); // distinct
      columns.push(Float64Array.from({ length: size }, () => Math.floor(random() * 4))); // many ties
      columns.push(new Float64Array(size).fill(7)); // all equal
      columns.push(Float64Array.from({ length: size }, (_, i) => size - i)); // descending
    }
    columns.push(Float64Array.from([3, Number.NaN, 1, 2, Number.NaN, 5]));
    for (const column of columns) {
      const sorted = column.slice().sort();
      const out = qs.map(() => new Float64Array(1));
      columnPercentiles(column.slice(), qs, out, 0);
      qs.forEach((q, k) => expect(out[k]![0]).toBe(sortedPercentile(sorted, q)));
    }
  });

  it('counts every path once whatever the number of paths (blocks of pairs, an odd last path)', () => {
    for (const paths of [1, 2, 3, 15, 16, 17, 33]) {
      // Zero volatility: every path is the same, so each percentile is the path and the target is reached by all or none.
      const r = monteCarlo({ seed: 4, paths, months: 2, initial: 100, monthlyContribution: 10, assets: [{ weight: 1, mu: 0.12, sigma: 0 }], correlation: [[1]], target: { value: 111, month: 2 } });
      const g = Math.exp(0.01);
      expect(r.percentiles.p10[2]).toBeCloseTo((100 * g + 10) * g + 10, 9);
      expect(r.probabilityOfTarget).toBe(1);
      const s = monteCarlo({ seed: 4, paths, months: 12, initial: 100, monthlyContribution: 0, assets: [{ weight: 1, mu: 0.05, sigma: 0.3 }], correlation: [[1]], target: { value: 100, month: 12 } });
      expect(s.percentiles.p90.every(Number.isFinite)).toBe(true);
      // Starting at the target, every path has reached it.
      expect(s.probabilityOfTarget).toBe(1);
    }
  });

  it('an asset without weight after the others changes nothing; a negligible weight stays finite', () => {
    const base = { seed: 12, paths: 1000, months: 24, initial: 1000, monthlyContribution: 20 };
    const two = [{ weight: 0.6, mu: 0.06, sigma: 0.2 }, { weight: 0.4, mu: 0.02, sigma: 0.05 }];
    const a = monteCarlo({ ...base, assets: two, correlation: [[1, 0.3], [0.3, 1]] });
    const b = monteCarlo({ ...base, assets: [...two, { weight: 0, mu: 0.5, sigma: 3 }], correlation: [[1, 0.3, 0.1], [0.3, 1, 0.2], [0.1, 0.2, 1]] });
    expect(Array.from(b.percentiles.p50)).toEqual(Array.from(a.percentiles.p50));
    expect(Array.from(b.percentiles.p10)).toEqual(Array.from(a.percentiles.p10));
    const tiny = monteCarlo({ ...base, assets: [{ weight: 1e-200, mu: 0.05, sigma: 40 }, ...two], correlation: [[1, 0, 0], [0, 1, 0.3], [0, 0.3, 1]] });
    for (const p of Object.values(tiny.percentiles)) expect(p.every(Number.isFinite)).toBe(true);
    expect(Math.abs(tiny.percentiles.p50[24]! / a.percentiles.p50[24]! - 1)).toBeLessThan(0.03);
  });
});

describe('estimateAssets', () => {
  it('recovers mu, sigma and correlation from price histories sampled from known parameters', () => {
    const assets = [{ weight: 1, mu: 0.08, sigma: 0.2 }, { weight: 1, mu: 0.03, sigma: 0.1 }];
    const rho = 0.5;
    // Monthly draws used as if they were daily steps of 1/12 year: 4,000 "days" spaced 30.4375 days apart.
    const samples = 4000;
    const draws = sampleMonthlyLogReturns({ seed: 11, samples, assets, correlation: [[1, rho], [rho, 1]] });
    const prices = [[100], [50]];
    for (let s = 0; s < samples; s++) for (let k = 0; k < 2; k++) prices[k]!.push(prices[k]![s]! * Math.exp(draws[2 * s + k]!));
    const dates = Array.from({ length: samples + 1 }, (_, i) => addDays('1700-01-01', Math.round(i * 30.4375)));
    const est = estimateAssets(prices.map((p, k) => ({ id: `a${k}`, prices: p.map((price, i) => ({ date: dates[i]!, price })) })));
    expect(est.perYear).toBeCloseTo(12, 2);
    expect(Math.abs(est.sigma[0]! / 0.2 - 1)).toBeLessThan(0.04);
    expect(Math.abs(est.sigma[1]! / 0.1 - 1)).toBeLessThan(0.04);
    expect(Math.abs(est.correlation[0]![1]! - rho)).toBeLessThan(0.04);
    expect(est.correlation[1]![0]).toBe(est.correlation[0]![1]);
    // mu's standard error over 333 years is sigma/√333 ≈ 0.011.
    expect(Math.abs(est.mu[0]! - 0.08)).toBeLessThan(0.035);
  });

  it('uses only the dates every asset has and refuses bad prices', () => {
    const est = estimateAssets([
      { id: 'x', prices: [{ date: '2026-01-05', price: 10 }, { date: '2026-01-06', price: 11 }, { date: '2026-01-07', price: 12.1 }, { date: '2026-01-08', price: 99 }] },
      { id: 'y', prices: [{ date: '2026-01-07', price: 4 }, { date: '2026-01-05', price: 2 }, { date: '2026-01-06', price: 3 }] },
    ]);
    expect(est.observations).toBe(2);
    expect(est.sigma[0]).toBeCloseTo(0, 12); // 10 → 11 → 12.1: constant log return
    expect(() => estimateAssets([{ id: 'x', prices: [{ date: '2026-01-05', price: 0 }] }])).toThrow(/positive number/);
    expect(() => estimateAssets([{ id: 'x', prices: [{ date: '2026-01-05', price: 1 }, { date: '2026-01-06', price: 1 }] }])).toThrow(/at least 3/);
  });
});

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
