import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { registerEChartsThemes } from '../../themes/echarts-themes.ts';

/**
 * The parts of ECharts the reports use (issue 23): lines and areas, bars, a pie, a custom series for the cash
 * flow waterfall, the time slider (dataZoom), registered once with the app's chart themes. Canvas: the net
 * worth report draws up to ten years of daily points, and a slider drag redraws them on every step; the PDF
 * takes each chart as a PNG drawn in the light theme.
 */
echarts.use([LineChart, BarChart, PieChart, CustomChart, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
registerEChartsThemes(echarts);

export { echarts };
