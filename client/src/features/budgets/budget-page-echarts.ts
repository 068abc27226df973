import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { registerEChartsThemes } from '../../themes/echarts-themes.ts';

/**
 * The parts of ECharts the budget screens use (gauges on the cards, bars and a line in the history chart),
 * registered once with the app's seven chart themes. SVG: a page of small gauges is lighter as SVG than as
 * one canvas each, and stays sharp when zoomed.
 */
echarts.use([GaugeChart, BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);
registerEChartsThemes(echarts);

export { echarts };
