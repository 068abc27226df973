import { beforeAll, describe, expect, it } from 'vitest';
import { spendingForecast } from './spending.ts';
import { initForecasting } from './wasm.ts';
import { augursWasmFromNodeModules } from './__fixtures__/wasm.ts';
import { addDays, daysBetween } from '../date/date.ts';
import type { RecurringRule } from '../schema/registry.ts';

/*
 * A category whose day-to-day spending repeats every week (Mon 10.00, Thu 5.00, Sat 20.00, Sun 30.00) and
 * a £500.00 bill on the 1st of each month, posted up to 1 March 2026. Today is Monday 9 March 2026.
 */
const TODAY = '2026-03-09';
const START = '2026-01-05'; // a Monday, 9 weeks + 1 day before today
const WEEK = [1_000, 0, 0, 500, 0, 2_000, 3_000];
const CATEGORY = '01939a6e-0000-7000-8000-0000000000ca';

const bill: RecurringRule = {
  id: '01939a6e-0000-7000-8000-0000000000b1', hlc: '1764000000000:0000:device-a', name: 'Rent', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
  startDate: '2025-06-01', endDate: null, accountId: '01939a6e-0000-7000-8000-0000000000c1', amount: -50_000, currency: 'GBP',
  categoryId: CATEGORY, payee: null, autoPost: true, lastPostedDate: '2026-03-01', skippedDates: [],
};

function history() {
  const n = daysBetween(START, TODAY) + 1;
  return Array.from({ length: n }, (_, i) => {
    const date = addDays(START, i);
    return { date, value: WEEK[i % 7]! + (date.endsWith('-01') ? 50_000 : 0) };
  });
}

describe('spendingForecast', () => {
  beforeAll(async () => {
    initForecasting(await augursWasmFromNodeModules());
  });

  it('takes the posted bill out of the history, forecasts the weekly pattern and adds the bill back on its dates', async () => {
    const progress: string[] = [];
    const [result] = await spendingForecast({
      today: TODAY, rules: [bill], method: 'seasonal-naive',
      categories: [{ categoryId: CATEGORY, currency: 'GBP', daily: history() }],
      onProgress: (done, total, label) => progress.push(`${done}/${total} ${label}`),
    });
    expect(progress).toEqual(['1/1 fitted 1 of 1 categories']);
    expect(result!.days).toHaveLength(90);
    expect(result!.days[0]!.date).toBe('2026-03-10'); // a Tuesday
    // Seasonal naive on the cleaned history: Tue 0, Wed 0, Thu 5.00, Fri 0, Sat 20.00, Sun 30.00, Mon 10.00.
    expect(result!.days.slice(0, 7).map((d) => d.expected - d.scheduled)).toEqual([0, 0, 500, 0, 2_000, 3_000, 1_000]);
    expect(result!.bills.map((b) => b.date)).toEqual(['2026-04-01', '2026-05-01', '2026-06-01']);
    const april1 = result!.days.find((d) => d.date === '2026-04-01')!;
    expect(april1.scheduled).toBe(50_000);
    expect(april1.expected).toBe(50_000); // a Wednesday: no day-to-day spending
    // A perfectly weekly history: seasonal naive's errors are 0, so the bands collapse on the expected values.
    expect(april1.lower95).toBe(50_000);
    expect(april1.upper95).toBe(50_000);
    const [s30, s60, s90] = result!.summaries;
    expect(s30!.days).toBe(30);
    // 30 days from Tue 10 March: 4 full weeks (4 × 65.00) + Tue, Wed (0) + the April bill.
    expect(s30!.expected).toBe(4 * 6_500 + 50_000);
    expect(s60!.expected).toBe(result!.days.slice(0, 60).reduce((a, d) => a + d.expected, 0));
    expect(s90!.scheduled).toBe(150_000);
    for (const s of result!.summaries) for (const v of [s.expected, s.lower80, s.upper80, s.lower95, s.upper95]) expect(Number.isInteger(v)).toBe(true);
  });

  it('with noisy spending the bands widen with the window and every output is whole minor units', async () => {
    let seed = 12345;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const daily = history().map((p) => ({ date: p.date, value: Math.round(p.value * (0.5 + random())) }));
    const [result] = await spendingForecast({ today: TODAY, rules: [bill], categories: [{ categoryId: CATEGORY, currency: 'GBP', daily }] });
    for (const d of result!.days) {
      for (const v of [d.expected, d.lower80, d.upper80, d.lower95, d.upper95]) expect(Number.isInteger(v)).toBe(true);
      expect(d.lower95).toBeGreaterThanOrEqual(d.scheduled);
      expect(d.lower95).toBeLessThanOrEqual(d.lower80);
      expect(d.upper80).toBeLessThanOrEqual(d.upper95);
    }
    const widths = result!.summaries.map((s) => s.upper95 - s.lower95);
    expect(widths[1]!).toBeGreaterThan(widths[0]!);
    expect(widths[2]!).toBeGreaterThan(widths[1]!);
    expect(Number.isFinite(result!.backtest.mase)).toBe(true);
  }, 120_000);

  it('stops between categories when cancelled, and refuses a history that does not end today', async () => {
    const controller = new AbortController();
    const categories = [1, 2, 3].map((k) => ({ categoryId: `${CATEGORY.slice(0, -1)}${k}`, currency: 'GBP', daily: history() }));
    const run = spendingForecast({ today: TODAY, rules: [], categories, method: 'seasonal-naive', signal: controller.signal, onProgress: (done) => { if (done === 1) controller.abort(new Error('stop')); } });
    await expect(run).rejects.toThrow('stop');
    await expect(spendingForecast({ today: '2026-03-10', rules: [], categories: categories.slice(0, 1) })).rejects.toThrow(/must end on today/);
  });
});
