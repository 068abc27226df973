import { beforeAll, describe, expect, it } from 'vitest';
import { projectNetWorth } from './networth.ts';
import { initForecasting } from './wasm.ts';
import { augursWasmFromNodeModules } from './__fixtures__/wasm.ts';
import { addMonths } from '../date/date.ts';

const month = (i: number) => `${addMonths('2022-01', i)}-01`;

describe('projectNetWorth', () => {
  beforeAll(async () => {
    initForecasting(await augursWasmFromNodeModules());
  });

  it('with flat investments, the base scenario adds the contribution trend month by month', async () => {
    // 48 months: £10,000 of investments that never move, plus £500.00 saved every month.
    const contributions = Array.from({ length: 48 }, (_, i) => ({ date: month(i), value: 50_000 }));
    let total = 1_000_000;
    const history = contributions.map((c) => ({ date: c.date, value: (total += c.value) }));
    const result = await projectNetWorth({ currency: 'GBP', history, contributions, months: 60 });
    const [conservative, base, optimistic] = result.scenarios;
    expect(base!.monthlyContribution).toBe(50_000);
    // The growth part is constant at £10,000, so base = last value + 500.00 × months ahead.
    expect(base!.values[0]!.date).toBe('2026-01-01');
    expect(base!.values[0]!.value).toBe(history[47]!.value + 50_000);
    expect(base!.at.map((a) => [a.years, a.value])).toEqual([[1, history[47]!.value + 12 * 50_000], [3, history[47]!.value + 36 * 50_000], [5, history[47]!.value + 60 * 50_000]]);
    expect(conservative!.values[59]!.value).toBeLessThanOrEqual(base!.values[59]!.value);
    expect(optimistic!.values[59]!.value).toBeGreaterThanOrEqual(base!.values[59]!.value);
    expect(base!.assumes).toMatch(/£500\.00 a month/);
    expect(conservative!.assumes).toMatch(/lower-quartile/);
    expect(result.fan).toHaveLength(60);
  }, 120_000);

  it('with volatile growth the scenarios and the fan spread out and widen with time', async () => {
    let seed = 99;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    let invest = 2_000_000;
    const contributions = Array.from({ length: 40 }, (_, i) => ({ date: month(i), value: Math.round(30_000 + 20_000 * random()) }));
    let put = 0;
    const history = contributions.map((c) => {
      invest *= 1 + 0.005 + 0.04 * (random() - 0.5);
      put += c.value;
      return { date: c.date, value: Math.round(invest + put) };
    });
    const result = await projectNetWorth({ currency: 'GBP', history, contributions });
    const [conservative, base, optimistic] = result.scenarios;
    for (const i of [11, 35, 59]) {
      expect(conservative!.values[i]!.value).toBeLessThan(base!.values[i]!.value);
      expect(base!.values[i]!.value).toBeLessThan(optimistic!.values[i]!.value);
    }
    const width = (i: number) => result.fan[i]!.upper95 - result.fan[i]!.lower95;
    expect(width(59)).toBeGreaterThan(width(11));
    // The growth part is forecast by whichever model beats seasonal naive on the backtest (ETS, ARIMA or Prophet).
    expect(['ets', 'arima', 'prophet']).toContain(result.method);
    expect(result.backtest.mase).toBeLessThan(result.backtest.seasonalNaiveMase);
    for (const p of result.fan) for (const v of [p.mean, p.lower80, p.upper80, p.lower95, p.upper95]) expect(Number.isInteger(v)).toBe(true);
  }, 120_000);

  it('refuses contributions on other months and too short a history', async () => {
    const history = Array.from({ length: 10 }, (_, i) => ({ date: month(i), value: 1000 * i }));
    await expect(projectNetWorth({ currency: 'GBP', history: history.slice(0, 3) })).rejects.toThrow(/at least 4 months/);
    await expect(projectNetWorth({ currency: 'GBP', history, contributions: history.slice(1) })).rejects.toThrow(/each month of the history/);
    await expect(projectNetWorth({ currency: 'GBP', history: [...history, { date: month(11), value: 5 }] })).rejects.toThrow(/not a regular monthly series/);
  });
});
