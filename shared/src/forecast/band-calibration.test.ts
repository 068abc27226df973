import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Z80, Z95, bandSd, calibrate, forecast } from './series-forecast.ts';
import { initForecasting } from './wasm.ts';
import { augursWasmFromNodeModules } from './__fixtures__/wasm.ts';
import { addMonths } from '../date/date.ts';
import type { ForecastResult } from './types.ts';

/*
 * The bands' shape and calibration (series-forecast.ts, `bandSd` and `calibrate`). The stated bound: a band
 * never narrows as the horizon grows, is never narrower than the model's own at the backtested steps, and
 * beyond the backtest's last step hb its half-width at h is between √(h/hb) and h/hb times the one at hb.
 */

const month = (i: number) => `${addMonths('2016-01', i)}-01`;

/** Half-widths of the 95 % band in the model's space (log space when the model was fitted on logs). */
function halfWidths95(result: ForecastResult): number[] {
  return result.points.map((p) => (result.log ? (Math.log(p.upper95) - Math.log(p.lower95)) / 2 : (p.upper95 - p.lower95) / 2));
}

describe('band shape and calibration', () => {
  beforeAll(async () => {
    initForecasting(await augursWasmFromNodeModules());
  });

  it('for any model sd and backtest errors: widths never shrink, 95 % ⊇ 80 % ⊇ the model\'s own band, and beyond the backtest they grow between √h and h', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 2, maxLength: 80 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.double({ min: -5000, max: 5000, noNaN: true }), { minLength: 40, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        (raw, hbWanted, errors) => {
          const hb = Math.min(hbWanted, raw.length);
          const sd = bandSd(Float64Array.from(raw), hb);
          const { hw80, hw95 } = calibrate(errors.map((e) => ({ errors: Float64Array.from(e.slice(0, hb)) })), sd, hb);
          const tol = 1e-9;
          for (let i = 0; i < sd.length; i++) {
            expect(hw95[i]!).toBeGreaterThanOrEqual(hw80[i]! - tol);
            if (i > 0) {
              expect(sd[i]!).toBeGreaterThanOrEqual(sd[i - 1]! - tol);
              expect(hw80[i]!).toBeGreaterThanOrEqual(hw80[i - 1]! - tol);
              expect(hw95[i]!).toBeGreaterThanOrEqual(hw95[i - 1]! - tol);
            }
            if (i < hb) {
              // Never narrower than the model's own band at the backtested steps.
              expect(hw80[i]!).toBeGreaterThanOrEqual(Z80 * raw[i]! * (1 - tol));
              expect(hw95[i]!).toBeGreaterThanOrEqual(Z95 * raw[i]! * (1 - tol));
            } else {
              const r = (i + 1) / hb;
              for (const hw of [hw80, hw95]) {
                expect(hw[i]!).toBeLessThanOrEqual(hw[hb - 1]! * r * (1 + tol));
                expect(hw[i]!).toBeGreaterThanOrEqual(hw[hb - 1]! * Math.sqrt(r) * (1 - tol));
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the calibrated bands cover the backtest errors at their levels, each step sized by the errors near it', () => {
    // Three origins whose errors grow like a random walk's; the model claims a flat sd of 1.
    const walk = [1, -1.5, 2, -0.5].map((k) => ({ errors: Float64Array.from({ length: 12 }, (_, i) => k * 3 * Math.sqrt(i + 1)) }));
    const flat = calibrate(walk, new Float64Array(12).fill(1), 12);
    let in80 = 0;
    let in95 = 0;
    for (const { errors } of walk) {
      errors.forEach((e, i) => {
        if (Math.abs(e) <= flat.hw80[i]!) in80++;
        if (Math.abs(e) <= flat.hw95[i]!) in95++;
      });
    }
    expect(in80 / 48).toBeGreaterThanOrEqual(0.75);
    expect(in95 / 48).toBeGreaterThanOrEqual(0.9);
    // A level shift the model missed: the same error of 10 at every step while its sd grows like √h. One factor
    // for every step would take step 1's ratio (10) to step 12 (10·√12 ≈ 35); here step 12 stays near 10.
    const shift = [{ errors: new Float64Array(12).fill(10) }, { errors: new Float64Array(12).fill(-1) }, { errors: new Float64Array(12).fill(2) }];
    const { hw95 } = calibrate(shift, Float64Array.from({ length: 12 }, (_, i) => Math.sqrt(i + 1)), 12);
    expect(hw95[0]!).toBeGreaterThan(9);
    expect(hw95[11]!).toBeLessThan(15);
  });

  it('for generated monthly histories (drift, noise, a jump the model cannot see coming) the forecast\'s bands keep the bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 30, max: 72 }),
        fc.double({ min: -500, max: 3000, noNaN: true }),
        fc.double({ min: 10, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -80_000, max: 80_000, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.constantFrom('arima' as const, 'seasonal-naive' as const),
        async (n, drift, noise, jumpAt, jump, seed, method) => {
          let s = seed;
          const random = () => (s = (s * 16_807) % 2_147_483_647) / 2_147_483_647;
          const at = Math.floor(jumpAt * n);
          const points = Array.from({ length: n }, (_, i) => ({ date: month(i), value: Math.round(100_000 + drift * i + noise * (random() - 0.5) + (i >= at ? jump : 0)) }));
          const result = await forecast(points, { frequency: 'month', horizon: 60, method });
          const hb = result.backtest.horizon;
          const hw = halfWidths95(result);
          for (let i = 0; i < 60; i++) {
            const p = result.points[i]!;
            expect(p.lower95).toBeLessThanOrEqual(p.lower80);
            expect(p.lower80).toBeLessThanOrEqual(p.mean);
            expect(p.mean).toBeLessThanOrEqual(p.upper80);
            expect(p.upper80).toBeLessThanOrEqual(p.upper95);
            if (i > 0) expect(hw[i]!).toBeGreaterThanOrEqual(hw[i - 1]! * (1 - 1e-9));
            if (i >= hb) expect(hw[i]!).toBeLessThanOrEqual(hw[hb - 1]! * ((i + 1) / hb) * (1 + 1e-9));
          }
        },
      ),
      // The first example is the history whose explosive AR fit once swung the mean to −54 billion (models.test.ts).
      { numRuns: 40, examples: [[30, 0, 10, 0.9, -120.24230220902975, 558_184_004, 'arima']] },
    );
  }, 300_000);

  it('a quiet stretch and then a step the model could not see: the year-ahead band is sized by the step, not by the quiet stretch\'s tiny sd', async () => {
    // Four years of a smoothly rising series (±£2 of noise) with one £650 step in month 15, as the demo
    // household's net worth minus what was put in. One backtest origin is fitted on the quiet months alone.
    let seed = 5;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const points = Array.from({ length: 49 }, (_, i) => ({ date: month(i), value: Math.round(27_000 + 60 * i + 200 * (random() - 0.5) + (i >= 14 ? 65_000 : 0)) }));
    for (const method of ['auto', 'arima', 'ets'] as const) {
      const result = await forecast(points, { frequency: 'month', horizon: 60, method, seasonLength: 12 });
      const year = result.points[11]!;
      // The backtest's worst miss was the step itself (£650): the 95 % band a year ahead stays within a few steps.
      expect(year.upper95 - year.lower95, method).toBeLessThan(6 * 65_000);
      expect(year.lower95, method).toBeGreaterThan(0);
    }
  }, 120_000);
});
