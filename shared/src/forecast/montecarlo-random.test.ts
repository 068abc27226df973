import { describe, expect, it } from 'vitest';
import { createNormalFiller, createRandom } from './montecarlo-random.ts';

/*
 * The ziggurat normals against the standard normal distribution: moments, tail probabilities and a
 * chi-square test over 0.125-wide bins (which cross the edges of the ziggurat's layers, so a wrong table,
 * wedge or tail shows up as a lump or a hole).
 */

const SAMPLES = 2_000_000;

function draw(seed: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const fill = createNormalFiller(seed);
  // Several calls, so the state carried from one call to the next is part of what is tested.
  for (let at = 0; at < count; at += 100_000) fill(out.subarray(at, Math.min(count, at + 100_000)));
  return out;
}

/** P(Z > x) for a standard normal, by the continued fraction of erfc (|relative error| < 1e-12 for x ≥ 0). */
function upperTail(x: number): number {
  if (x < 0) return 1 - upperTail(-x);
  if (x < 2) {
    // Series of Φ(x) − ½ = φ(x)·Σ x^(2k+1) / (1·3·5···(2k+1)).
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (x * x) / (2 * k + 1);
      sum += term;
    }
    return 0.5 - (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * sum;
  }
  // Lentz's continued fraction for the Mills ratio.
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / f;
  return Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI) / f;
}

describe('createNormalFiller (ziggurat)', () => {
  const z = draw(20_261_207, SAMPLES);

  it('has mean 0, variance 1, skewness 0 and kurtosis 3', () => {
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (const v of z) {
      const v2 = v * v;
      s1 += v;
      s2 += v2;
      s3 += v2 * v;
      s4 += v2 * v2;
    }
    const n = z.length;
    // Standard errors: 1/√n, √(2/n), √(6/n), √(24/n) ≈ 0.0007, 0.001, 0.0017, 0.0035; limits at about 5 of them.
    expect(Math.abs(s1 / n)).toBeLessThan(0.0035);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.005);
    expect(Math.abs(s3 / n)).toBeLessThan(0.009);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.02);
  });

  it('puts the right share beyond 1, 2, 3, the tail start 3.44 and 4 standard deviations, on each side', () => {
    for (const x of [1, 2, 3, 3.442619855899, 4]) {
      let above = 0;
      let below = 0;
      for (const v of z) {
        if (v > x) above++;
        else if (v < -x) below++;
      }
      const p = upperTail(x);
      // Five binomial standard errors.
      const tolerance = 5 * Math.sqrt(p * (1 - p) * SAMPLES);
      expect(Math.abs(above - p * SAMPLES)).toBeLessThan(tolerance);
      expect(Math.abs(below - p * SAMPLES)).toBeLessThan(tolerance);
    }
  });

  it('fills 0.125-wide bins from −4 to 4 as the normal density says (chi-square)', () => {
    const edges = Array.from({ length: 65 }, (_, k) => -4 + k * 0.125);
    const counts = new Float64Array(66);
    for (const v of z) {
      const k = v < -4 ? 0 : v >= 4 ? 65 : 1 + Math.floor((v + 4) / 0.125);
      counts[k]!++;
    }
    let chi2 = 0;
    for (let k = 0; k < 66; k++) {
      const lo = k === 0 ? -Infinity : edges[k - 1]!;
      const hi = k === 65 ? Infinity : edges[k]!;
      const expected = SAMPLES * ((lo === -Infinity ? 1 : upperTail(lo)) - (hi === Infinity ? 0 : upperTail(hi)));
      chi2 += (counts[k]! - expected) ** 2 / expected;
    }
    // 65 degrees of freedom: mean 65, sd 11.4; 130 is beyond the 0.9999 quantile (about 118).
    expect(chi2).toBeLessThan(130);
  });

  it('draws successive normals independently (lag-1 and lag-2 correlation near 0)', () => {
    for (const lag of [1, 2]) {
      let s = 0;
      for (let i = lag; i < z.length; i++) s += z[i]! * z[i - lag]!;
      expect(Math.abs(s / (z.length - lag))).toBeLessThan(0.0035);
    }
  });

  it('is seeded: the same seed gives the same stream however it is split into calls, another seed another one', () => {
    const whole = new Float64Array(1001);
    createNormalFiller(5)(whole);
    const parts = new Float64Array(1001);
    const fill = createNormalFiller(5);
    fill(parts.subarray(0, 3));
    fill(parts.subarray(3, 500));
    fill(parts.subarray(500));
    expect(Array.from(parts)).toEqual(Array.from(whole));
    const other = new Float64Array(1001);
    createNormalFiller(6)(other);
    expect(Array.from(other)).not.toEqual(Array.from(whole));
  });
});

describe('createRandom', () => {
  it('gives seeded uniforms in [0, 1) with mean ½ and variance 1/12', () => {
    const random = createRandom(3);
    const again = createRandom(3);
    let s1 = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    const n = 200_000;
    let same = true;
    for (let i = 0; i < n; i++) {
      const u = random();
      if (again() !== u) same = false;
      s1 += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(same).toBe(true);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(s1 / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(s2 / n - (s1 / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    expect(() => createRandom(Number.NaN)).toThrow(/seed/);
  });
});
