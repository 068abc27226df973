import { THEME_IDS, THEMES, type ThemeDefinition, type ThemeId } from './themes.ts';

/**
 * ECharts theme objects (the shape `echarts.registerTheme(name, theme)` takes), one per app theme
 * and built from the same palette, so charts change with the rest of the page. Charts draw on a
 * surface (cards), so the chart background is transparent and the card colour shows through.
 */
export interface EChartsThemeObject {
  color: string[];
  backgroundColor: string;
  textStyle: { color: string; fontFamily: string };
  title: { textStyle: { color: string; fontFamily: string }; subtextStyle: { color: string } };
  legend: { textStyle: { color: string } };
  tooltip: { backgroundColor: string; borderColor: string; textStyle: { color: string } };
  categoryAxis: AxisStyle;
  valueAxis: AxisStyle;
  timeAxis: AxisStyle;
  line: { symbol: string; smooth: boolean };
}

interface AxisStyle {
  axisLine: { lineStyle: { color: string } };
  axisTick: { lineStyle: { color: string } };
  axisLabel: { color: string };
  splitLine: { lineStyle: { color: string[] } };
}

export function echartsTheme(theme: ThemeDefinition): EChartsThemeObject {
  const p = theme.palette;
  const axis: AxisStyle = {
    axisLine: { lineStyle: { color: p.border } },
    axisTick: { lineStyle: { color: p.border } },
    axisLabel: { color: p.muted },
    splitLine: { lineStyle: { color: [p.raised] } },
  };
  return {
    color: [...p.series],
    backgroundColor: 'transparent',
    textStyle: { color: p.text, fontFamily: theme.fonts.body },
    title: { textStyle: { color: p.text, fontFamily: theme.fonts.heading }, subtextStyle: { color: p.muted } },
    legend: { textStyle: { color: p.text } },
    tooltip: { backgroundColor: p.surface, borderColor: p.border, textStyle: { color: p.text } },
    categoryAxis: axis,
    valueAxis: axis,
    timeAxis: axis,
    line: { symbol: 'circle', smooth: false },
  };
}

export const ECHARTS_THEMES: Readonly<Record<ThemeId, EChartsThemeObject>> = Object.fromEntries(
  THEME_IDS.map((id) => [id, echartsTheme(THEMES[id])]),
) as Record<ThemeId, EChartsThemeObject>;

/** The name a chart passes to `echarts.init(el, name)` after `registerEChartsThemes`. */
export function echartsThemeName(id: ThemeId): string {
  return `mymidas-${id}`;
}

/** Registers all seven with an ECharts instance (passed in so the shell does not load ECharts). */
export function registerEChartsThemes(echarts: { registerTheme(name: string, theme: object): void }): void {
  for (const id of THEME_IDS) echarts.registerTheme(echartsThemeName(id), ECHARTS_THEMES[id]);
}
