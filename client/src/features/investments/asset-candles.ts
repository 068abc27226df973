import Decimal from 'decimal.js';

/**
 * The asset page's candlestick chart, worked out from the worker's OHLCV columns (investPriceSeries): the
 * ECharts option (pure, so it is tested without a browser) and the text summary that stands in for the picture.
 *
 * - A day whose quote has no open takes the previous day's close (or its own close on the first day); a missing
 *   high or low is the larger or smaller of open and close. The candle is "up" when close ≥ open.
 * - Volume bars sit in a second grid below, coloured like their day's candle; a day without volume has no bar.
 * - Range presets (1M … All) set the zoom window over the whole loaded series; the summary covers that window.
 * - Chart positions are plotted from numbers (display only); the summary's figures are worked out in decimal.js
 *   from the decimal text.
 */

export interface OhlcvColumns {
  readonly dates: readonly string[];
  readonly opens: readonly (string | null)[];
  readonly highs: readonly (string | null)[];
  readonly lows: readonly (string | null)[];
  readonly closes: readonly string[];
  readonly volumes: readonly (string | null)[];
}

export interface CandleColours {
  readonly up: string;
  readonly down: string;
  readonly text: string;
  readonly muted: string;
  readonly border: string;
}

export const RANGE_PRESETS = ['1M', '3M', '6M', '1Y', '5Y', 'All'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const PRESET_MONTHS: Readonly<Record<Exclude<RangePreset, 'All'>, number>> = { '1M': 1, '3M': 3, '6M': 6, '1Y': 12, '5Y': 60 };

/** One day's candle as decimal text: open, high, low, close, and whether it closed at or above its open. */
export interface Candle {
  readonly date: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string | null;
  readonly up: boolean;
}

export function candles(s: OhlcvColumns): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < s.dates.length; i++) {
    const close = s.closes[i]!;
    const open = s.opens[i] ?? (i > 0 ? s.closes[i - 1]! : close);
    const o = new Decimal(open);
    const c = new Decimal(close);
    const high = s.highs[i] ?? Decimal.max(o, c).toString();
    const low = s.lows[i] ?? Decimal.min(o, c).toString();
    out.push({ date: s.dates[i]!, open, high, low, close, volume: s.volumes[i] ?? null, up: c.gte(o) });
  }
  return out;
}

/** Adds months to a YYYY-MM-DD date, clamping the day to the month's end (31 Mar − 1 month → 29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The window a preset shows, ending at the last date with a price; null for an empty series. */
export function presetWindow(dates: readonly string[], preset: RangePreset): { from: string; to: string } | null {
  if (dates.length === 0) return null;
  const to = dates[dates.length - 1]!;
  if (preset === 'All') return { from: dates[0]!, to };
  const from = addMonths(to, -PRESET_MONTHS[preset]);
  return { from: from < dates[0]! ? dates[0]! : from, to };
}

/** Index range [start, end] of the dates inside a window (inclusive), or null when none fall in it. */
function windowIndexes(dates: readonly string[], window: { from: string; to: string }): [number, number] | null {
  let start = 0;
  while (start < dates.length && dates[start]! < window.from) start++;
  let end = dates.length - 1;
  while (end >= 0 && dates[end]! > window.to) end--;
  return start <= end ? [start, end] : null;
}

export interface CandleSummary {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly high: string;
  readonly highDate: string;
  readonly low: string;
  readonly lowDate: string;
  readonly firstClose: string;
  readonly lastClose: string;
  /** lastClose − firstClose, decimal text. */
  readonly change: string;
  /** change ÷ firstClose as a fraction (decimal text, 6 places); null when the first close is zero. */
  readonly changeFraction: string | null;
}

/** Range, high, low and change of the candles inside a window (or all of them). */
export function summarise(all: readonly Candle[], window?: { from: string; to: string }): CandleSummary | null {
  const idx = window ? windowIndexes(all.map((c) => c.date), window) : all.length > 0 ? [0, all.length - 1] as [number, number] : null;
  if (!idx) return null;
  const [start, end] = idx;
  let high = new Decimal(all[start]!.high);
  let highDate = all[start]!.date;
  let low = new Decimal(all[start]!.low);
  let lowDate = all[start]!.date;
  for (let i = start + 1; i <= end; i++) {
    const c = all[i]!;
    if (new Decimal(c.high).gt(high)) {
      high = new Decimal(c.high);
      highDate = c.date;
    }
    if (new Decimal(c.low).lt(low)) {
      low = new Decimal(c.low);
      lowDate = c.date;
    }
  }
  const first = new Decimal(all[start]!.close);
  const last = new Decimal(all[end]!.close);
  const change = last.minus(first);
  return {
    from: all[start]!.date, to: all[end]!.date, days: end - start + 1,
    high: high.toString(), highDate, low: low.toString(), lowDate,
    firstClose: first.toString(), lastClose: last.toString(), change: change.toString(),
    changeFraction: first.isZero() ? null : change.div(first).toDecimalPlaces(6).toString(),
  };
}

/** The ECharts option: candles over volume, sharing one zoomable date axis, the window set by `window`. */
export function candleOption(all: readonly Candle[], colours: CandleColours, window: { from: string; to: string } | null, currency: string) {
  const dates = all.map((c) => c.date);
  // The window as category indexes (ECharts takes an index for a category axis' startValue/endValue).
  const idx = window ? windowIndexes(dates, window) : null;
  const zoom = idx ? { startValue: idx[0], endValue: idx[1] } : { start: 0, end: 100 };
  const axisCommon = {
    type: 'category' as const,
    data: dates,
    boundaryGap: true,
    axisLine: { lineStyle: { color: colours.border } },
    axisLabel: { color: colours.muted },
  };
  return {
    animation: false,
    // Read aloud as a text summary beside the chart instead (the picture is aria-hidden).
    aria: { enabled: false },
    tooltip: { trigger: 'axis', axisPointer: { type: 'cross' } },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: [
      { left: 56, right: 16, top: 16, height: '58%' },
      { left: 56, right: 16, top: '74%', height: '14%' },
    ],
    xAxis: [
      { ...axisCommon, gridIndex: 0, axisLabel: { show: false } },
      { ...axisCommon, gridIndex: 1 },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, scale: true, name: currency, nameTextStyle: { color: colours.muted }, axisLabel: { color: colours.muted } },
      { type: 'value', gridIndex: 1, scale: true, splitNumber: 2, axisLabel: { show: false }, splitLine: { show: false } },
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: [0, 1], ...zoom },
      { type: 'slider', xAxisIndex: [0, 1], bottom: 4, height: 20, ...zoom, textStyle: { color: colours.muted } },
    ],
    series: [
      {
        name: 'Price',
        type: 'candlestick',
        xAxisIndex: 0,
        yAxisIndex: 0,
        // ECharts' candle order: open, close, low, high.
        data: all.map((c) => [Number(c.open), Number(c.close), Number(c.low), Number(c.high)]),
        itemStyle: { color: colours.up, color0: colours.down, borderColor: colours.up, borderColor0: colours.down },
      },
      {
        name: 'Volume',
        type: 'bar',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: all.map((c) => (c.volume === null ? '-' : { value: Number(c.volume), itemStyle: { color: c.up ? colours.up : colours.down } })),
      },
    ],
  };
}
