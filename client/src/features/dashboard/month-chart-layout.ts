import type { CategoryRow } from './dashboard-model.ts';

/**
 * The dashboard's spending-by-category bars as plain geometry: which bars (the largest spending categories,
 * the rest summed into one), the value axis' round ticks and where each bar and label sits in a box of the
 * given size. No DOM: DashboardMonthChart.vue draws it on a canvas, and tests read it as numbers.
 */

/** Categories drawn on their own; the rest are summed into "Everything else". */
export const TOP_CATEGORIES = 8;

export interface MonthBar {
  readonly name: string;
  /** Spending as a positive amount in minor units (a refund-heavy category can be negative). */
  readonly value: number;
}

/** The largest spending first; then "Everything else" when more categories have spending. */
export function monthBars(rows: readonly CategoryRow[], top = TOP_CATEGORIES): MonthBar[] {
  const sorted = [...rows].sort((a, b) => a.total - b.total);
  const rest = sorted.slice(top).reduce((s, r) => s + r.total, 0);
  return [...sorted.slice(0, top).map((r) => ({ name: r.name, value: -r.total })), ...(rest !== 0 ? [{ name: 'Everything else', value: -rest }] : [])];
}

/** Round tick values (1, 2 or 5 × a power of ten apart) covering [min, max], about `count` of them, 0 included. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  if (hi === lo) return [0];
  const rough = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  // The finest round step that keeps to about `count` intervals (one more at most).
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => (hi - lo) / s <= count + 1) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= Math.ceil(hi / step) * step + step / 2; t += step) ticks.push(Math.round(t));
  return ticks;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedBar extends MonthBar {
  /** The bar itself (zero width for a zero amount). */
  readonly bar: Box;
  /** The band of its row: where a pointer counts as on this bar. */
  readonly band: Box;
  /** Its label's right edge and middle line. */
  readonly labelX: number;
  readonly labelY: number;
}

export interface MonthChartLayout {
  readonly bars: PlacedBar[];
  /** Each tick's value and x. */
  readonly ticks: { readonly value: number; readonly x: number }[];
  /** The plot area (bars and grid lines). */
  readonly plot: Box;
}

export interface LayoutOptions {
  /** Widest label, px (labels are cut to it). */
  readonly labelWidth: number;
  /** Height of the tick labels under the plot, px. */
  readonly axisHeight: number;
  readonly barMaxHeight?: number;
  readonly padding?: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
}

/** Bars top to bottom in the order given, scaled on round ticks, in a width × height box. */
export function layoutMonthChart(bars: readonly MonthBar[], width: number, height: number, options: LayoutOptions): MonthChartLayout {
  const pad = options.padding ?? { top: 8, right: 16, bottom: 8, left: 8 };
  const gap = 8;
  const plot: Box = {
    x: pad.left + options.labelWidth + gap,
    y: pad.top,
    width: Math.max(1, width - pad.left - options.labelWidth - gap - pad.right),
    height: Math.max(1, height - pad.top - pad.bottom - options.axisHeight),
  };
  const values = bars.map((b) => b.value);
  const tickValues = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
  const lo = tickValues[0]!;
  const hi = tickValues[tickValues.length - 1]!;
  const xOf = (v: number) => plot.x + (hi === lo ? 0 : ((v - lo) / (hi - lo)) * plot.width);
  const bandHeight = bars.length > 0 ? plot.height / bars.length : plot.height;
  const barHeight = Math.min(options.barMaxHeight ?? 22, bandHeight * 0.6);
  const zero = xOf(0);
  return {
    plot,
    ticks: tickValues.map((value) => ({ value, x: xOf(value) })),
    bars: bars.map((b, i) => {
      const top = plot.y + i * bandHeight;
      const end = xOf(b.value);
      return {
        ...b,
        band: { x: plot.x, y: top, width: plot.width, height: bandHeight },
        bar: { x: Math.min(zero, end), y: top + (bandHeight - barHeight) / 2, width: Math.abs(end - zero), height: barHeight },
        labelX: plot.x - gap,
        labelY: top + bandHeight / 2,
      };
    }),
  };
}

/** The bar whose row band (within the plot) holds the point, or null. */
export function barAt(layout: MonthChartLayout, x: number, y: number): PlacedBar | null {
  return layout.bars.find((b) => y >= b.band.y && y < b.band.y + b.band.height && x >= b.band.x && x <= b.band.x + b.band.width) ?? null;
}
