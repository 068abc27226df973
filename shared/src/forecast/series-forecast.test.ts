import { beforeAll, describe, expect, it } from 'vitest';
import { forecast } from './series-forecast.ts';
import { initForecasting } from './wasm.ts';
import { ForecastInputError } from './types.ts';
import type { ForecastResult, SeriesPoint } from './types.ts';
import { augursWasmFromNodeModules } from './__fixtures__/wasm.ts';
import { airPassengerPoints } from './__fixtures__/air-passengers.ts';
import { PEYTON_MANNING_LOG_VIEWS, PEYTON_MANNING_START } from './__fixtures__/peyton-manning.ts';
import { US_BIRTHS, US_BIRTHS_START } from './__fixtures__/us-births.ts';
import { addDays } from '../date/date.ts';

/*
 * Acceptance on public series with known seasonality: the last stretch of each is held out, forecast()
 * sees only what comes before, and the held-out points judge it. Seasonal naive's error on the same
 * held-out points is computed here from its definition (the value one season earlier), not by the module.
 */

function seasonalNaiveMae(train: readonly SeriesPoint[], test: readonly SeriesPoint[], m: number): number {
  let sum = 0;
  for (let i = 0; i < test.length; i++) sum += Math.abs(test[i]!.value - train[train.length - m + (i % m)]!.value);
  return sum / test.length;
}

function heldOut(result: ForecastResult, test: readonly SeriesPoint[]) {
  let abs = 0;
  let in95 = 0;
  let in80 = 0;
  result.points.forEach((p, i) => {
    const actual = test[i]!.value;
    expect(p.date).toBe(test[i]!.date);
    abs += Math.abs(actual - p.mean);
    if (actual >= p.lower95 && actual <= p.upper95) in95++;
    if (actual >= p.lower80 && actual <= p.upper80) in80++;
    expect(p.lower95).toBeLessThanOrEqual(p.lower80);
    expect(p.lower80).toBeLessThanOrEqual(p.mean);
    expect(p.mean).toBeLessThanOrEqual(p.upper80);
    expect(p.upper80).toBeLessThanOrEqual(p.upper95);
  });
  return { mae: abs / test.length, cover95: in95 / test.length, cover80: in80 / test.length };
}

describe('forecast on public benchmark series', () => {
  beforeAll(async () => {
    initForecasting(await augursWasmFromNodeModules());
  });

  it('airline passengers 1949–1960: trained to 1959, the chosen method beats seasonal naive on 1960 and its 95 % band covers ≥ 90 %', async () => {
    const all = airPassengerPoints();
    const train = all.slice(0, 132);
    const test = all.slice(132);
    const result = await forecast(train, { frequency: 'month', horizon: 12 });
    expect(result.points).toHaveLength(12);
    expect(result.method).not.toBe('seasonal-naive');
    const { mae, cover95 } = heldOut(result, test);
    const naive = seasonalNaiveMae(train, test, 12);
    expect(mae).toBeLessThan(naive);
    expect(cover95).toBeGreaterThanOrEqual(0.9);
    // The backtest said so too: the chosen candidate's MASE is below seasonal naive's.
    expect(result.backtest.mase).toBeLessThan(result.backtest.seasonalNaiveMase);
    expect(result.backtest.origins).toBe(3);
    expect(result.backtest.candidates.map((c) => c.method)).toEqual(expect.arrayContaining(['ets', 'arima', 'prophet', 'seasonal-naive']));
  }, 120_000);

  // Daily series: a walk-forward over the last 16 weeks, four forecasts of 4 weeks each from everything
  // before them, errors and coverage pooled over the 112 held-out days.
  for (const [name, values, start] of [
    ['US births 2013–2014 (weekly season, holiday dips)', US_BIRTHS, US_BIRTHS_START],
    ['Peyton Manning page views 2014–2016 (weekly season, spikes)', PEYTON_MANNING_LOG_VIEWS, PEYTON_MANNING_START],
  ] as const) {
    it(`${name}: the chosen methods beat seasonal naive on 16 held-out weeks and their 95 % bands cover ≥ 90 %`, async () => {
      const series: SeriesPoint[] = values.map((value, i) => ({ date: addDays(start, i), value }));
      let modelAbs = 0;
      let naiveAbs = 0;
      let covered = 0;
      let count = 0;
      for (let w = 4; w >= 1; w--) {
        const cut = series.length - w * 28;
        const train = series.slice(0, cut);
        const test = series.slice(cut, cut + 28);
        const result = await forecast(train, { frequency: 'day', horizon: 28 });
        const { mae, cover95 } = heldOut(result, test);
        modelAbs += mae * 28;
        naiveAbs += seasonalNaiveMae(train, test, 7) * 28;
        covered += cover95 * 28;
        count += 28;
      }
      expect(modelAbs / count).toBeLessThan(naiveAbs / count);
      expect(covered / count).toBeGreaterThanOrEqual(0.9);
    }, 300_000);
  }

  it('every explicit method forecasts the airline series with ordered bands and reports its backtest', async () => {
    const train = airPassengerPoints().slice(0, 120);
    for (const method of ['prophet', 'ets', 'arima', 'seasonal-naive'] as const) {
      const result = await forecast(train, { frequency: 'month', horizon: 6, method });
      expect(result.method).toBe(method);
      expect(result.points[0]!.date).toBe('1959-01-01');
      expect(result.points[5]!.date).toBe('1959-06-01');
      expect(Number.isFinite(result.backtest.mase)).toBe(true);
      expect(result.bandCalibration.c95).toBeGreaterThanOrEqual(1);
    }
  }, 120_000);

  it('seasonal naive repeats the last season exactly', async () => {
    const points = Array.from({ length: 21 }, (_, i) => ({ date: addDays('2026-01-05', i), value: [5, 1, 2, 3, 4, 9, 7][i % 7]! + (i >= 14 ? 1 : 0) }));
    const result = await forecast(points, { frequency: 'day', horizon: 9, method: 'seasonal-naive' });
    expect(result.points.map((p) => p.mean)).toEqual([6, 2, 3, 4, 5, 10, 8, 6, 2]);
    expect(result.points[0]!.date).toBe('2026-01-26');
  });

  it('Prophet on a history too short for it falls back to the seasonal ARIMA and says so', async () => {
    const points = airPassengerPoints().slice(0, 30);
    const result = await forecast(points, { frequency: 'month', horizon: 3, method: 'prophet' });
    expect(result.method).toBe('arima');
    expect(result.note).toMatch(/Prophet needs/);
  });
});

describe('forecast input checks', () => {
  const daily = (n: number) => Array.from({ length: n }, (_, i) => ({ date: addDays('2026-01-01', i), value: i % 7 }));

  it('refuses gaps, repeated dates, non-finite values and bad options with clear errors', async () => {
    const gap = daily(30).filter((_, i) => i !== 10);
    await expect(forecast(gap, { frequency: 'day', horizon: 5, method: 'seasonal-naive' })).rejects.toThrow(/not a regular daily series: 2026-01-12 follows 2026-01-10/);
    const nan = daily(30).map((p, i) => (i === 3 ? { ...p, value: Number.NaN } : p));
    await expect(forecast(nan, { frequency: 'day', horizon: 5, method: 'seasonal-naive' })).rejects.toThrow(ForecastInputError);
    await expect(forecast(daily(30), { frequency: 'day', horizon: 0 })).rejects.toThrow(/horizon must be a whole number/);
    await expect(forecast(daily(30), { frequency: 'week' as 'day', horizon: 3 })).rejects.toThrow(/frequency/);
    await expect(forecast(daily(5), { frequency: 'day', horizon: 3, method: 'seasonal-naive' })).rejects.toThrow(/needs at least 10 points/);
    await expect(forecast([{ date: '2026-02-30', value: 1 }], { frequency: 'day', horizon: 3 })).rejects.toThrow(/calendar date/);
    const months = [{ date: '2026-01-31', value: 1 }, { date: '2026-02-28', value: 2 }, { date: '2026-04-30', value: 3 }];
    await expect(forecast(months, { frequency: 'month', horizon: 1 })).rejects.toThrow(/not a regular monthly series/);
  });

  it('month-end series step month-end to month-end', async () => {
    const ends = ['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31', '2025-06-30', '2025-07-31', '2025-08-31', '2025-09-30', '2025-10-31', '2025-11-30', '2025-12-31', '2026-01-31', '2026-02-28', '2026-03-31'];
    const result = await forecast(ends.map((date, i) => ({ date, value: 100 + i })), { frequency: 'month', horizon: 3, method: 'seasonal-naive' });
    expect(result.points.map((p) => p.date)).toEqual(['2026-04-30', '2026-05-31', '2026-06-30']);
  });
});
