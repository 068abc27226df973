import * as echarts from 'echarts/core';
import { LineChart, TreemapChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { registerEChartsThemes } from '../../themes/echarts-themes.ts';

/**
 * The parts of ECharts the investment overview and allocation use (a value line with zoom, a treemap), registered
 * once with the app's chart themes. SVG, as the budget screens: sharp when zoomed, light for one chart a page.
 */
echarts.use([LineChart, TreemapChart, DataZoomComponent, GridComponent, TooltipComponent, SVGRenderer]);
registerEChartsThemes(echarts);

export { echarts };
