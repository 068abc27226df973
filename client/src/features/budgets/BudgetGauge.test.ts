// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BudgetPeriodFigures } from '@mymidas/shared/budget';
import { THEMES } from '../../themes/themes.ts';
import { useThemeStore } from '../../stores/theme.ts';
import BudgetGauge from './BudgetGauge.vue';
import BudgetHistoryChart from './BudgetHistoryChart.vue';

const figures = (over: Partial<BudgetPeriodFigures> = {}): BudgetPeriodFigures => ({
  budgetId: 'b', categoryId: 'c', period: { start: '2026-11-01', end: '2026-11-30' }, amount: 20_000, carried: 0, spent: 5_000, pending: 0,
  available: 15_000, state: 'on-track', ...over,
});

type Series = { progress: { itemStyle: { color: string } }; data: { value: number }[]; detail: { formatter: () => string } };
let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

function gauge(row: BudgetPeriodFigures) {
  const w = mount(BudgetGauge, { props: { name: 'Fuel', row, currency: 'GBP' }, global: { plugins: [pinia] } });
  const series = (w.findComponent({ name: 'Echarts' }).props('option') as { series: Series[] }).series[0]!;
  return { w, series };
}

describe('BudgetGauge', () => {
  it('is one labelled image whose arc is coloured by state in the theme’s colours', () => {
    const { w, series } = gauge(figures());
    expect(w.attributes('role')).toBe('img');
    expect(w.attributes('aria-label')).toBe('Fuel: £50.00 spent of £200.00 (25%), on track, £150.00 left.');
    expect(series.progress.itemStyle.color).toBe(THEMES.obsidian.palette.positive);
    expect(series.data[0]!.value).toBe(25);
    expect(gauge(figures({ spent: 17_000, available: 3_000, state: 'over-threshold' })).series.progress.itemStyle.color).toBe(THEMES.obsidian.palette.warning);
    const over = gauge(figures({ spent: 30_000, available: -10_000, state: 'over' })).series;
    expect(over.progress.itemStyle.color).toBe(THEMES.obsidian.palette.negative);
    expect([over.data[0]!.value, over.detail.formatter()]).toEqual([100, '150%']);
    w.unmount();
  });

  it('follows the theme, and draws no arc when nothing is spent', async () => {
    useThemeStore().current = 'arctic';
    const { w, series } = gauge(figures({ spent: 0, available: 20_000 }));
    expect(series.progress.itemStyle.color).toBe('transparent');
    expect(w.findComponent({ name: 'Echarts' }).props('theme')).toBe('mymidas-arctic');
    w.unmount();
  });
});

describe('BudgetHistoryChart', () => {
  it('draws spent per period against the budget, with the same figures in a table', () => {
    const periods = [
      figures({ period: { start: '2026-10-01', end: '2026-10-31' }, carried: 1_000, spent: 22_000, available: -1_000, state: 'over' }),
      figures(),
    ];
    const w = mount(BudgetHistoryChart, { props: { name: 'Fuel', kind: 'monthly', currency: 'GBP', periods }, global: { plugins: [pinia] } });
    const option = w.findComponent({ name: 'Echarts' }).props('option') as { xAxis: { data: string[] }; series: { data: unknown[] }[] };
    expect(option.xAxis.data).toEqual(['Oct 26', 'Nov 26']);
    expect(option.series[0]!.data).toEqual([
      { value: 22_000, itemStyle: { color: THEMES.obsidian.palette.negative } },
      { value: 5_000, itemStyle: { color: THEMES.obsidian.palette.positive } },
    ]);
    expect(option.series[1]!.data).toEqual([21_000, 20_000]);
    expect(w.findAll('tbody tr').map((r) => r.findAll('th, td').map((c) => c.text()))).toEqual([
      ['October 2026', '£210.00', '£220.00', '-£10.00', 'Over budget'],
      ['November 2026', '£200.00', '£50.00', '£150.00', 'On track'],
    ]);
    expect(w.get('[role="img"]').attributes('aria-label')).toBe('Fuel: spent against budget over the last 2 months; over budget in 1 of them. The figures are in the table below.');
    w.unmount();
  });
});
