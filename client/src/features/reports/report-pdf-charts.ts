import { echartsThemeName } from '../../themes/echarts-themes.ts';
import { THEMES } from '../../themes/themes.ts';
import type { ThemePalette } from '../../themes/themes.ts';
import type { ChartOption } from './report-charts.ts';
import type { ReportChartImage } from './report-export.ts';
import { echarts } from './report-echarts.ts';

/**
 * A report's chart for paper (issue 23): drawn again off screen in the light theme (Arctic), whatever theme the
 * screen is in, at A4 width and twice the pixels, and taken as a PNG with ECharts' getDataURL. The screen's chart
 * is left as it is.
 */

export const PAPER_THEME = 'arctic' as const;
const WIDTH = 900;
const HEIGHT = 420;

export interface PaperChart {
  readonly title: string;
  readonly build: (palette: ThemePalette) => ChartOption;
}

export function chartImage(chart: PaperChart, doc: Document = document): ReportChartImage {
  const box = doc.createElement('div');
  box.setAttribute('aria-hidden', 'true');
  box.style.cssText = `position:fixed;left:-20000px;top:0;width:${WIDTH}px;height:${HEIGHT}px;`;
  doc.body.append(box);
  const instance = echarts.init(box, echartsThemeName(PAPER_THEME), { renderer: 'canvas', width: WIDTH, height: HEIGHT });
  try {
    instance.setOption({ ...chart.build(THEMES[PAPER_THEME].palette), animation: false });
    const dataUrl = instance.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
    return { title: chart.title, dataUrl, aspect: WIDTH / HEIGHT };
  } finally {
    instance.dispose();
    box.remove();
  }
}
