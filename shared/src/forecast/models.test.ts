import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { isStationary, seasonalArima } from './models.ts';

/** The largest modulus of the AR polynomial's inverse roots: the companion matrix's spectral radius. */
function spectralRadius(phi: readonly number[]): number {
  const p = phi.length;
  const companion = Matrix.zeros(p, p);
  for (let j = 0; j < p; j++) companion.set(0, j, phi[j]!);
  for (let i = 1; i < p; i++) companion.set(i, i - 1, 1);
  const eig = new EigenvalueDecomposition(companion);
  return Math.max(...eig.realEigenvalues.map((re, i) => Math.hypot(re, eig.imaginaryEigenvalues[i]!)));
}

describe('AR stationarity (Durbin–Levinson step-down)', () => {
  it('knows the textbook cases', () => {
    expect(isStationary([])).toBe(true);
    expect(isStationary([0.5])).toBe(true);
    expect(isStationary([1])).toBe(false);
    expect(isStationary([-1.2])).toBe(false);
    // AR(2)'s triangle: φ2 ∈ (−1, 1), φ1 + φ2 < 1, φ2 − φ1 < 1.
    expect(isStationary([0.5, 0.3])).toBe(true);
    expect(isStationary([0.8, 0.3])).toBe(false);
    expect(isStationary([-0.8, 0.3])).toBe(false);
    expect(isStationary([1.5, -0.9])).toBe(true);
    // A seasonal term alone at lag 12 (zeros between), and trailing zeros that do not change the polynomial.
    expect(isStationary([...new Array(11).fill(0), 0.6])).toBe(true);
    expect(isStationary([...new Array(11).fill(0), 1.01])).toBe(false);
    expect(isStationary([0.4, 0, 0])).toBe(true);
  });

  it('agrees with the companion matrix\'s eigenvalues for any AR polynomial up to order 13', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 13 }), (phi) => {
        const radius = spectralRadius(phi);
        fc.pre(Math.abs(radius - 1) > 1e-6);
        expect(isStationary(phi)).toBe(radius < 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('seasonal ARIMA', () => {
  it('a flat, noisy history with a small late drop does not forecast an explosion five years out (a least-squares fit can be explosive)', () => {
    // The series that found it: 30 months of 100,000 ± 5 with a 120 drop in month 27. The AR(p) fitted on its
    // differences was explosive, and the 60-month forecast swung to −54 billion while the band stayed ±3,000.
    let s = 558_184_004;
    const random = () => (s = (s * 16_807) % 2_147_483_647) / 2_147_483_647;
    const y = Float64Array.from({ length: 30 }, (_, i) => Math.round(100_000 + 10 * (random() - 0.5) + (i >= 27 ? -120.24 : 0)));
    const { mean, sd } = seasonalArima(y, 60, { frequency: 'month', seasonLength: 12, trainTimes: new Float64Array(0), futureTimes: new Float64Array(0) });
    for (let i = 0; i < 60; i++) {
      expect(Math.abs(mean[i]! - 100_000), `step ${i + 1}`).toBeLessThan(5_000);
      expect(Number.isFinite(sd[i]!)).toBe(true);
    }
  });

  it('for any history, the forecast\'s mean grows no faster than a straight line through the history\'s range', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 12, maxLength: 60 }),
        fc.constantFrom(1, 4, 12),
        (values, seasonLength) => {
          const y = Float64Array.from(values);
          const { mean } = seasonalArima(y, 60, { frequency: 'month', seasonLength, trainTimes: new Float64Array(0), futureTimes: new Float64Array(0) });
          const range = Math.max(...values) - Math.min(...values);
          const last = values[values.length - 1]!;
          // A stationary AR on the differences settles to the constant's drift; the worst honest drift is the
          // history's whole range per step, plus the transient of the AR part.
          for (let i = 0; i < 60; i++) expect(Math.abs(mean[i]! - last)).toBeLessThanOrEqual((range + 1) * (i + 1) * 4 + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
