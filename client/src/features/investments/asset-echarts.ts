import * as echarts from 'echarts/core';
import { BarChart, CandlestickChart } from 'echarts/charts';
import { AxisPointerComponent, DataZoomInsideComponent, DataZoomSliderComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { registerEChartsThemes } from '../../themes/echarts-themes.ts';

/**
 * The parts of ECharts the asset page uses: candles over volume bars in two grids, zoomed by dragging/wheel
 * (inside) and the slider, with the app's chart themes. Canvas: ten years of daily candles are thousands of
 * shapes, lighter drawn on one canvas than as SVG nodes.
 */
echarts.use([CandlestickChart, BarChart, GridComponent, TooltipComponent, AxisPointerComponent, DataZoomInsideComponent, DataZoomSliderComponent, CanvasRenderer]);
registerEChartsThemes(echarts);

export { echarts };
