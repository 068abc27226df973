import type { EChartsCoreOption } from 'echarts/core';
import type {
  BudgetVsActualResult, CashFlowResult, CategoryBreakdownResult, IncomeExpenseResult, InvestmentPerformanceResult, NetWorthResult,
  SpendingTrendsResult,
} from '@mymidas/shared/reports';
import { minorToDecimalString } from '@mymidas/shared/money';
import type { ThemePalette } from '../../themes/themes.ts';
import { money } from '../ledger-data/format.ts';
import { periodText, stepLabel } from './report-tables.ts';
import type { NameBook } from './report-tables.ts';

/**
 * Each report's chart as an ECharts option (issue 23), from the engine's answer and a palette: the screen's
 * theme on screen, the light theme for the PDF. Figures stay minor units in the series (the axis and tooltip
 * format them), so nothing is converted to a float but the axis labels. Options are built once per answer:
 * nothing here runs while the net worth slider is dragged (ECharts zooms the data it has).
 */

export type ChartOption = EChartsCoreOption;

const axisMoney = (currency: string) => (v: number) => {
  const whole = minorToDecimalString(Math.round(v), currency).replace(/\.\d+$/, '');
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
};
/** Tooltips are HTML: category names are the user's text. */
export function escapeHtml(t: string): string {
  return t.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const pct = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 100);
const base = (currency: string) => ({
  animation: false,
  tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: unknown) => (typeof v === 'number' ? money(v, currency) : '—') },
  legend: { top: 0, type: 'scroll' },
  grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
});

/** How often, at most, the net worth chart redraws while its time slider is dragged: 20 times a second. */
export const DRAG_THROTTLE_MS = 50;

/** An option with its zoom windows (dataZoom start and end, in percent) set to `zoom`, if one was chosen. */
export function withZoom(option: ChartOption, zoom: { start: number; end: number } | null): ChartOption {
  const zooms = (option as { dataZoom?: unknown }).dataZoom;
  if (zoom === null || !Array.isArray(zooms) || zooms.length === 0) return option;
  return { ...option, dataZoom: zooms.map((z: object) => ({ ...z, start: zoom.start, end: zoom.end })) };
}

export function netWorthChart(r: NetWorthResult, p: ThemePalette, opts: { slider: boolean }): ChartOption {
  const dates = r.points.map((x) => x.date);
  const sampling = r.points.length > 800 ? 'lttb' : undefined;
  const area = (name: string, colour: string, values: number[]) => ({
    name, type: 'line', data: values, showSymbol: false, sampling, lineStyle: { width: 1.5, color: colour }, itemStyle: { color: colour },
    areaStyle: { color: colour, opacity: 0.18 }, emphasis: { disabled: true },
  });
  return {
    ...base(r.baseCurrency),
    grid: { left: 8, right: 16, top: 40, bottom: opts.slider ? 64 : 8, containLabel: true },
    // No hideOverlap here: it lays out every label again on each step of a slider drag; the automatic interval suffices.
    xAxis: { type: 'category', data: dates, boundaryGap: false },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney(r.baseCurrency) } },
    dataZoom: opts.slider
      ? [
          // Opens on the latest 40 % of the range; drag the window or its handles to move through time.
          // The chart follows a drag at most every DRAG_THROTTLE_MS (the slider's handles every frame): each update
          // lays out and draws ten years of daily points again (5–8 ms of main thread on a two-core machine), so every
          // frame redrawn left no room to spare, and a loaded machine dropped frames (bench: reports-net-worth-drag).
          // The slider draws on its own canvas (zlevel 1): a frame that only moves its handles repaints that alone.
          { type: 'slider', xAxisIndex: 0, left: 60, right: 40, bottom: 12, height: 28, start: 60, end: 100, realtime: true, throttle: DRAG_THROTTLE_MS, zlevel: 1, showDataShadow: true, labelFormatter: (_: number, v: string) => v },
          { type: 'inside', xAxisIndex: 0, start: 60, end: 100, throttle: DRAG_THROTTLE_MS },
        ]
      : [],
    series: [
      area('Assets', p.positive, r.points.map((x) => x.assets)),
      area('Liabilities', p.negative, r.points.map((x) => x.liabilities)),
      { name: 'Net worth', type: 'line', data: r.points.map((x) => x.net), showSymbol: false, sampling, lineStyle: { width: 2.5, color: p.accent }, itemStyle: { color: p.accent }, emphasis: { disabled: true } },
    ],
  };
}

export function incomeExpenseChart(r: IncomeExpenseResult, p: ThemePalette): ChartOption {
  return {
    ...base(r.baseCurrency),
    xAxis: { type: 'category', data: r.periods.map((x) => periodText(x.start, x.end)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney(r.baseCurrency) } },
    series: [
      { name: 'Income', type: 'bar', barMaxWidth: 26, data: r.periods.map((x) => x.income), itemStyle: { color: p.positive } },
      { name: 'Expense', type: 'bar', barMaxWidth: 26, data: r.periods.map((x) => x.expense), itemStyle: { color: p.negative } },
      { name: 'Net', type: 'line', data: r.periods.map((x) => x.net), symbolSize: 6, lineStyle: { width: 2, color: p.accent }, itemStyle: { color: p.accent } },
    ],
  };
}

interface WaterfallBar {
  readonly label: string;
  readonly from: number;
  readonly to: number;
  readonly colour: string;
}

/** The waterfall's bars: the opening from zero, each step from its before to its after, the closing from zero. */
export function waterfallBars(r: CashFlowResult, p: ThemePalette, names: NameBook): WaterfallBar[] {
  return [
    { label: 'Opening', from: 0, to: r.opening, colour: p.muted },
    ...r.steps.map((s) => ({ label: stepLabel(s, names), from: s.before, to: s.after, colour: s.amount >= 0 ? p.positive : p.negative })),
    { label: 'Closing', from: 0, to: r.closing, colour: p.accent },
  ];
}

/**
 * The waterfall's value axis: around the balances (a month's steps are small beside the balance), zero included
 * only when it is near; the opening and closing bars then start at the axis floor, and the chart's label says so.
 */
export function waterfallAxis(bars: readonly WaterfallBar[]): { min: number; max: number; fromZero: boolean } {
  const values = bars.flatMap((b, i) => (i === 0 || i === bars.length - 1 ? [b.to] : [b.from, b.to]));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = Math.max(hi - lo, Math.abs(hi) * 0.01, 100);
  // Round outwards to a step of the span's order, so the axis's end labels are round figures.
  const step = 10 ** Math.floor(Math.log10(span / 2));
  const min = Math.floor((lo - span * 0.25) / step) * step;
  const max = Math.ceil((hi + span * 0.15) / step) * step;
  if (min <= 0 || lo - span * 1.5 <= 0) return { min: Math.min(0, min), max: Math.max(0, max), fromZero: true };
  return { min, max, fromZero: false };
}

export function cashFlowChart(r: CashFlowResult, p: ThemePalette, names: NameBook): ChartOption {
  const bars = waterfallBars(r, p, names);
  const c = r.baseCurrency;
  const axis = waterfallAxis(bars);
  const floor = (v: number) => (axis.fromZero ? v : Math.max(v, axis.min));
  return {
    ...base(c),
    legend: { show: false },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (x: { dataIndex: number }) => {
        const b = bars[x.dataIndex]!;
        const first = x.dataIndex === 0 || x.dataIndex === bars.length - 1;
        return escapeHtml(first ? `${b.label}: ${money(b.to, c)}` : `${b.label}: ${money(b.to - b.from, c)} → ${money(b.to, c)}`);
      },
    },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: bars.map((b) => b.label), axisLabel: { interval: 0, rotate: bars.length > 6 ? 40 : 0, width: 110, overflow: 'truncate' } },
    yAxis: { type: 'value', min: Math.floor(axis.min), max: Math.ceil(axis.max), scale: !axis.fromZero, axisLabel: { formatter: axisMoney(c) } },
    series: [{
      type: 'custom',
      name: 'Cash flow',
      clip: true,
      data: bars.map((b, i) => [i, floor(b.from), b.to]),
      encode: { x: 0, y: [1, 2] },
      renderItem: (_params: unknown, api: { value(i: number): number; coord(v: [number, number]): [number, number]; size(v: [number, number]): [number, number] }) => {
        const i = api.value(0);
        const a = api.coord([i, api.value(1)]);
        const b = api.coord([i, api.value(2)]);
        const width = Math.min(api.size([1, 0])[0] * 0.6, 56);
        const bar = bars[i]!;
        return { type: 'rect', shape: { x: a[0] - width / 2, y: Math.min(a[1], b[1]), width, height: Math.max(Math.abs(a[1] - b[1]), 2) }, style: { fill: bar.colour } };
      },
    }],
  };
}

export interface PieSlice {
  /** The category id, '' for uncategorised (ECharts keeps names as text). */
  readonly key: string;
  readonly name: string;
  readonly value: number;
}

export function breakdownSlices(r: CategoryBreakdownResult, names: NameBook, group: string | null | undefined): PieSlice[] {
  const entries = group === undefined ? r.groups : (r.groups.find((g) => g.categoryId === group)?.categories ?? []);
  return entries.filter((e) => e.total > 0).map((e) => ({ key: e.categoryId ?? '', name: names.category(e.categoryId), value: e.total }));
}

export function breakdownChart(r: CategoryBreakdownResult, p: ThemePalette, slices: readonly PieSlice[]): ChartOption {
  const c = r.baseCurrency;
  return {
    animation: false,
    color: [...p.series],
    tooltip: { trigger: 'item', confine: true, valueFormatter: (v: unknown) => (typeof v === 'number' ? money(v, c) : '—') },
    legend: { show: false },
    series: [{
      name: r.kind === 'expense' ? 'Spending' : 'Income',
      type: 'pie',
      radius: ['40%', '72%'],
      center: ['50%', '52%'],
      data: slices.map((s) => ({ name: s.name, value: s.value, key: s.key })),
      avoidLabelOverlap: true,
      minShowLabelAngle: 6,
      // Labels run to the chart's edges and are cut to the room there (a phone's chart is narrow).
      label: { color: p.text, formatter: '{b} {d}%', alignTo: 'edge', edgeDistance: 6, overflow: 'truncate' },
      labelLine: { lineStyle: { color: p.muted }, length: 10, length2: 8 },
      labelLayout: { hideOverlap: true },
      itemStyle: { borderColor: p.surface, borderWidth: 2 },
    }],
  };
}

/**
 * All budgets: each one's spending as a percentage of what it could spend (100 % = on budget), so a small budget
 * and a large one read alike; over budget in the negative colour. One budget: budgeted against spent by period.
 */
export function budgetChart(r: BudgetVsActualResult, p: ThemePalette, names: NameBook, one: string | null): ChartOption {
  const chosen = one === null ? undefined : r.budgets.find((b) => b.budgetId === one);
  if (!chosen) {
    const labels = r.budgets.map((b) => names.budget(b.budgetId));
    const share = r.budgets.map((b) => ({ value: b.budgeted > 0 ? Math.round((b.spent / b.budgeted) * 1000) / 10 : null, itemStyle: { color: b.variance < 0 ? p.negative : p.positive } }));
    return {
      animation: false,
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)} %` : '—') },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 5 ? 35 : 0, width: 110, overflow: 'truncate' } },
      yAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
      series: [
        { name: 'Spent, % of budget', type: 'bar', barMaxWidth: 28, data: share, itemStyle: { color: p.positive } },
        { name: 'Budget (100 %)', type: 'line', data: labels.map(() => 100), symbol: 'none', lineStyle: { color: p.text, width: 1.5, type: 'dashed' }, itemStyle: { color: p.text } },
      ],
    };
  }
  return {
    ...base(r.baseCurrency),
    xAxis: { type: 'category', data: chosen.periods.map((x) => periodText(x.start, x.end)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney(r.baseCurrency) } },
    series: [
      { name: 'Budgeted', type: 'bar', barMaxWidth: 24, data: chosen.periods.map((x) => x.budgeted), itemStyle: { color: p.muted } },
      { name: 'Spent', type: 'bar', barMaxWidth: 24, data: chosen.periods.map((x) => ({ value: x.spent, itemStyle: { color: x.over ? p.negative : p.positive } })), itemStyle: { color: p.positive } },
    ],
  };
}

export function investmentChart(r: InvestmentPerformanceResult, p: ThemePalette): ChartOption {
  const c = r.baseCurrency;
  const line = (name: string, colour: string, data: (number | null)[], yAxisIndex = 0, dashed = false) => ({
    name, type: 'line', yAxisIndex, data, showSymbol: false, connectNulls: false, lineStyle: { width: 2, color: colour, type: dashed ? 'dashed' : 'solid' }, itemStyle: { color: colour },
  });
  const series = [
    { ...line('Value', p.accent, r.points.map((x) => x.value)), areaStyle: { color: p.accent, opacity: 0.12 } },
    line('Put in to date', p.muted, r.points.map((x) => x.cumulativeContributions)),
    line('TWRR to date', p.positive, r.points.map((x) => pct(x.twrrToDate)), 1, true),
    line('MWRR to date', p.warning, r.points.map((x) => pct(x.mwrrToDate)), 1, true),
    ...(r.benchmark ? [line(r.benchmark.label, p.series[3] ?? p.text, r.points.map((x) => pct(x.benchmarkToDate)), 1, true)] : []),
  ];
  return {
    ...base(c),
    tooltip: { trigger: 'axis', confine: true },
    grid: { left: 8, right: 8, top: 48, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: r.points.map((x) => x.end), axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', axisLabel: { formatter: axisMoney(c) } },
      { type: 'value', axisLabel: { formatter: '{value} %' }, splitLine: { show: false } },
    ],
    series,
  };
}

export function trendsChart(r: SpendingTrendsResult, p: ThemePalette): ChartOption {
  return {
    ...base(r.baseCurrency),
    xAxis: { type: 'category', data: r.months.map((m) => periodText(m.start, m.end)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney(r.baseCurrency) } },
    series: [
      { name: 'Spent', type: 'bar', barMaxWidth: 20, data: r.months.map((m) => m.spent), itemStyle: { color: p.series[0] ?? p.accent } },
      { name: `${r.window}-month average`, type: 'line', data: r.months.map((m) => m.rollingAverage), showSymbol: false, lineStyle: { width: 2.5, color: p.accent }, itemStyle: { color: p.accent } },
      { name: 'A year before', type: 'line', data: r.months.map((m) => m.lastYear), showSymbol: false, lineStyle: { width: 1.5, type: 'dashed', color: p.muted }, itemStyle: { color: p.muted } },
    ],
  };
}
