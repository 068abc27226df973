import { describe, expect, it } from 'vitest';
import { THEME_IDS, THEMES } from '../../themes/themes.ts';
import { contrastRatio } from '../../themes/contrast.ts';
import { addMonths, candleOption, candles, presetWindow, summarise } from './asset-candles.ts';
import type { OhlcvColumns } from './asset-candles.ts';

const COLOURS = { up: '#117733', down: '#aa2222', text: '#111111', muted: '#555555', border: '#cccccc' };

const SERIES: OhlcvColumns = {
  dates: ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
  opens: ['100', '104', null, '99.5'],
  highs: ['105', '106.25', null, '101'],
  lows: ['99', '101', null, '98'],
  closes: ['104', '102', '100.5', '100.75'],
  volumes: ['1200', '800', null, '0'],
};

describe('asset candles (option builder)', () => {
  it('makes one candle per day in ECharts\' open, close, low, high order, filling a missing open from the day before', () => {
    const all = candles(SERIES);
    const option = candleOption(all, COLOURS, null, 'GBP');
    const [price] = option.series;
    expect(option.xAxis[0]!.data).toEqual(SERIES.dates);
    expect(price!.data).toEqual([[100, 104, 99, 105], [104, 102, 101, 106.25], [102, 100.5, 100.5, 102], [99.5, 100.75, 98, 101]]);
    // Day 3 had only a close: open = the previous close 102, high/low = the larger/smaller of 102 and 100.5.
    expect(all[2]).toMatchObject({ open: '102', high: '102', low: '100.5', up: false });
    expect(all.map((c) => c.up)).toEqual([true, false, false, true]);
    expect(option.yAxis[0]!.name).toBe('GBP');
  });

  it('draws volume bars below, coloured like their candle, with no bar where the day has no volume', () => {
    const option = candleOption(candles(SERIES), COLOURS, null, 'GBP');
    const volume = option.series[1]!;
    expect(volume).toMatchObject({ type: 'bar', xAxisIndex: 1, yAxisIndex: 1 });
    expect(volume.data).toEqual([
      { value: 1200, itemStyle: { color: COLOURS.up } },
      { value: 800, itemStyle: { color: COLOURS.down } },
      '-',
      { value: 0, itemStyle: { color: COLOURS.up } },
    ]);
    expect(option.series[0]!.itemStyle).toEqual({ color: COLOURS.up, color0: COLOURS.down, borderColor: COLOURS.up, borderColor0: COLOURS.down });
    // One zoom drives both grids.
    expect(option.dataZoom.every((z) => z.xAxisIndex.join() === '0,1')).toBe(true);
  });

  it('sets the zoom window from a range preset ending at the last price, clamped to the first', () => {
    const dates = ['2019-03-29', '2023-06-30', '2024-03-28', '2024-03-29'];
    expect(presetWindow(dates, '1M')).toEqual({ from: '2024-02-29', to: '2024-03-29' });
    expect(presetWindow(dates, '1Y')).toEqual({ from: '2023-03-29', to: '2024-03-29' });
    expect(presetWindow(dates, '5Y')).toEqual({ from: '2019-03-29', to: '2024-03-29' });
    expect(presetWindow(['2024-03-01', '2024-03-29'], '6M')).toEqual({ from: '2024-03-01', to: '2024-03-29' });
    expect(presetWindow([], 'All')).toBeNull();
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-01-15', -13)).toBe('2022-12-15');
    const option = candleOption(candles(SERIES), COLOURS, { from: '2024-01-03', to: '2024-01-05' }, 'GBP');
    // As category indexes: 2024-01-03 is the second day, 2024-01-05 the fourth; no window shows everything.
    expect(option.dataZoom[0]).toMatchObject({ startValue: 1, endValue: 3 });
    expect(option.dataZoom[1]).toMatchObject({ startValue: 1, endValue: 3 });
    expect(candleOption(candles(SERIES), COLOURS, null, 'GBP').dataZoom[0]).toMatchObject({ start: 0, end: 100 });
  });

  it('summarises range, high, low and change in exact decimals over the window', () => {
    const all = candles(SERIES);
    expect(summarise(all)).toEqual({
      from: '2024-01-02', to: '2024-01-05', days: 4, high: '106.25', highDate: '2024-01-03', low: '98', lowDate: '2024-01-05',
      firstClose: '104', lastClose: '100.75', change: '-3.25', changeFraction: '-0.03125',
    });
    expect(summarise(all, { from: '2024-01-04', to: '2024-01-31' })).toMatchObject({ days: 2, high: '102', low: '98', change: '0.25' });
    expect(summarise(all, { from: '2025-01-01', to: '2025-02-01' })).toBeNull();
    expect(summarise([])).toBeNull();
  });

  it('uses up and down colours (the themes\' positive and negative) that stand out from the card surface in every theme', () => {
    for (const id of THEME_IDS) {
      const p = THEMES[id].palette;
      // WCAG 1.4.11: graphical objects at least 3:1 against what they sit on.
      expect(contrastRatio(p.positive, p.surface), `${id} up`).toBeGreaterThanOrEqual(3);
      expect(contrastRatio(p.negative, p.surface), `${id} down`).toBeGreaterThanOrEqual(3);
    }
  });
});
