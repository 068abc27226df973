import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/** The parts of ECharts the dashboard uses, so the chunk stays small. Loaded lazily by the chart. */
echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
