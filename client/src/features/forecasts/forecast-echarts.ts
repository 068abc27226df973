import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { registerEChartsThemes } from '../../themes/echarts-themes.ts';
import type { ThemePalette } from '../../themes/themes.ts';

/**
 * The parts of ECharts the forecast charts use (lines and the bands of a fan), registered once with the app's
 * chart themes; and the fan's series: a band is an invisible lower line with the band's height stacked on it.
 */
echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);
registerEChartsThemes(echarts);

export { echarts };

/** Two stacked series drawing the area between `lower` and `upper` (stacked over negative values too). */
export function bandSeries(name: string, lower: readonly number[], upper: readonly number[], colour: string, opacity: number) {
  const stack = `band-${name}`;
  return [
    { name: `${name} lower`, type: 'line', stack, stackStrategy: 'all', data: lower, symbol: 'none', lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
    {
      name, type: 'line', stack, stackStrategy: 'all', data: upper.map((u, i) => u - lower[i]!), symbol: 'none', lineStyle: { opacity: 0 },
      areaStyle: { color: colour, opacity }, itemStyle: { color: colour, opacity: Math.min(1, opacity * 2.5) }, silent: true, tooltip: { show: false },
    },
  ];
}

export function lineSeries(name: string, data: readonly (number | null)[], colour: string, dashed = false) {
  return { name, type: 'line', data, symbol: 'none', lineStyle: { color: colour, width: 2, type: dashed ? 'dashed' : 'solid' }, itemStyle: { color: colour } };
}

export function seriesColour(palette: ThemePalette, i: number): string {
  return palette.series[i % palette.series.length]!;
}
