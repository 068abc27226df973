import { beforeAll, describe, expect, it } from 'vitest';
import { projectNetWorth } from './networth.ts';
import { initForecasting } from './wasm.ts';
import { augursWasmFromNodeModules } from './__fixtures__/wasm.ts';
import { addMonths } from '../date/date.ts';

const month = (i: number) => `${addMonths('2016-01', i)}-01`;

describe('projectNetWorth when the contributions do not explain the net worth', () => {
  beforeAll(async () => {
    initForecasting(await augursWasmFromNodeModules());
  });

  it('a smoothly rising net worth with erratic recorded contributions keeps a sane fan (the growth model must beat seasonal naive, or naive is used)', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    // Ten years: net worth rises £2,000 a month with a little noise; the recorded monthly net income swings by
    // ±£30,000 (bonuses, one-off sales, transfers the ledger cannot see), so net worth minus their running total
    // is a wild series.
    const history = Array.from({ length: 120 }, (_, i) => ({ date: month(i), value: Math.round(10_000_000 + 200_000 * i + 50_000 * (random() - 0.5)) }));
    const contributions = history.map((h) => ({ date: h.date, value: Math.round(3_000_000 * (random() - 0.5)) }));
    const result = await projectNetWorth({ currency: 'GBP', history, contributions, months: 60 });
    expect(result.backtest.mase).toBeLessThanOrEqual(result.backtest.seasonalNaiveMase + 1e-9);
    const last = history.at(-1)!.value;
    const [conservative] = result.scenarios;
    // A year on, the 95 % fan must not reach below zero from a £34,000 net worth that never fell.
    expect(result.fan[11]!.lower95).toBeGreaterThan(0);
    expect(conservative!.at[0]!.value).toBeGreaterThan(last * 0.5);
  }, 300_000);
});
