import { describe, expect, it } from 'vitest';
import type { CategoryRow } from './dashboard-model.ts';
import { barAt, layoutMonthChart, monthBars, niceTicks } from './month-chart-layout.ts';

const row = (name: string, total: number): CategoryRow => ({ categoryId: name, name, total, count: 1 });

describe('the month chart as geometry', () => {
  it('draws the eight largest spending categories, largest first, and sums the rest into one bar', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(`c${i}`, -(i + 1) * 1_000));
    const bars = monthBars(rows);
    expect(bars.map((b) => b.name)).toEqual(['c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3', 'c2', 'Everything else']);
    expect(bars[0]!.value).toBe(10_000);
    expect(bars[8]!.value).toBe(3_000);
    expect(monthBars(rows.slice(0, 3)).map((b) => b.name)).toEqual(['c2', 'c1', 'c0']);
  });

  it('puts the value axis on round figures that cover the bars, zero included', () => {
    expect(niceTicks(0, 93_000)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(niceTicks(-1_500, 4_000)).toEqual([-2_000, 0, 2_000, 4_000]);
    expect(niceTicks(0, 0)).toEqual([0]);
  });

  it('scales each bar on the ticks inside the plot, one row band each, and finds the bar under a point', () => {
    const layout = layoutMonthChart([{ name: 'Rent', value: 80_000 }, { name: 'Food', value: 20_000 }], 400, 120, { labelWidth: 60, axisHeight: 20 });
    const [rent, food] = layout.bars;
    const last = layout.ticks[layout.ticks.length - 1]!;
    expect(last.value).toBe(80_000);
    expect(rent!.bar.x).toBeCloseTo(layout.plot.x);
    expect(rent!.bar.width).toBeCloseTo(layout.plot.width);
    expect(food!.bar.width).toBeCloseTo(layout.plot.width / 4);
    expect(rent!.band.y + rent!.band.height).toBeCloseTo(food!.band.y);
    expect(layout.plot.x + layout.plot.width).toBeLessThanOrEqual(400);
    expect(barAt(layout, layout.plot.x + 5, food!.labelY)?.name).toBe('Food');
    expect(barAt(layout, layout.plot.x + 5, 119)).toBeNull();
  });
});
