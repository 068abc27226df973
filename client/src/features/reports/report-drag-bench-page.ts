import type { NetWorthPoint, NetWorthResult } from '@mymidas/shared/reports';
import { dateOfDay, dayNumber } from '@mymidas/shared/date';
import { echartsThemeName } from '../../themes/echarts-themes.ts';
import { THEMES } from '../../themes/themes.ts';
import { netWorthChart } from './report-charts.ts';
import { echarts } from './report-echarts.ts';

/**
 * The page of the `reports-net-worth-drag` bench suite (bench/suites/reports-drag.ts, issue 23 bullet 4), kept
 * beside the chart it draws so it is type-checked with the client. Not part of the app: nothing imports it.
 *
 * The net worth chart as the report shows it — the option from `netWorthChart` (report-charts.ts), the ECharts
 * parts and themes of report-echarts.ts, the init and update options of ReportChart.vue (canvas, `notMerge`), a
 * box of the report's size at 1440 px — over ten years of daily points (3,653, the demo household's all-time
 * range; `?points=` for another count), so the bench can drag its time slider with the mouse and count the frames.
 */

export const DRAG_PAGE_GLOBAL = '__netWorthDragPage';

export interface DragPage {
  /** Points drawn. */
  readonly points: number;
  /** The chart's box on the page, CSS pixels. */
  box(): { x: number; y: number; width: number; height: number };
  /** The zoom window now, percent. */
  zoom(): { start: number; end: number };
  /** Puts the zoom window back where the report opens it (the latest 40 %). */
  reset(): void;
  /**
   * ECharts' own work per zoom step, ms: `steps` moves of the window (40 % wide, from the latest 40 % towards the
   * start) dispatched as the slider does and drawn at once (`flush`), each timed; the window is then put back.
   */
  stepWork(steps: number): number[];
  /** Starts recording the time between animation frames (and the main thread's long tasks). */
  record(): void;
  /** Stops recording: each gap between consecutive frames, ms, and each long task's duration. */
  stop(): { gaps: number[]; longTasks: number[] };
}

/** A deterministic ten-year daily net worth: a cash walk with pay days, a mortgage paid down, investments. */
function tenYears(from: string, days: number): NetWorthResult {
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const start = dayNumber(from);
  const points: NetWorthPoint[] = [];
  let cash = 1_250_000;
  let investments = 2_000_000;
  let liabilities = -18_000_000;
  for (let d = 0; d < days; d++) {
    const date = dateOfDay(start + d);
    if (date.endsWith('-25')) cash += 320_000;
    cash -= Math.round(random() * 18_000);
    investments = Math.round(investments * (1 + (random() - 0.48) * 0.02));
    if (date.endsWith('-01')) liabilities += 95_000;
    const assets = cash + investments + 30_000_000;
    points.push({ date, assets, liabilities, net: assets + liabilities, investments });
  }
  return {
    range: { preset: 'all-time', from, to: points[points.length - 1]!.date }, baseCurrency: 'GBP', missingRates: [], granularity: 'day',
    points, accounts: [], holdings: [], investmentsIncluded: true,
  };
}

function start(): void {
  const host = document.createElement('div');
  // ReportChart.vue: full width of the report's column, 22rem high; the page at 1440 px leaves about 1,100 px.
  host.style.cssText = 'width: 1100px; height: 22rem; margin: 24px;';
  document.body.style.margin = '0';
  document.body.appendChild(host);
  const asked = Number(new URLSearchParams(location.search).get('points'));
  const result = tenYears('2016-11-01', Number.isInteger(asked) && asked > 1 ? asked : 3653);
  const chart = echarts.init(host, echartsThemeName('obsidian'), { renderer: 'canvas' });
  chart.setOption(netWorthChart(result, THEMES.obsidian.palette, { slider: true }), { notMerge: true });
  const zoomTo = (start: number, end: number) => chart.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, start, end }, { flush: true });
  const page: DragPage = {
    ...frameRecorder(),
    points: result.points.length,
    box: () => {
      const r = host.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    },
    reset: () => zoomTo(60, 100),
    stepWork: (steps) => {
      const times: number[] = [];
      for (let k = 0; k < steps; k++) {
        const from = 60 - (50 * k) / steps;
        const t = performance.now();
        zoomTo(from, from + 40);
        times.push(performance.now() - t);
      }
      zoomTo(60, 100);
      return times;
    },
    zoom: () => {
      const z = (chart.getOption() as { dataZoom: { start: number; end: number }[] }).dataZoom[0]!;
      return { start: z.start, end: z.end };
    },
  };
  (globalThis as Record<string, unknown>)[DRAG_PAGE_GLOBAL] = page;
}

/** The frame clock as the page sees it: requestAnimationFrame's timestamps, one gap per frame. */
function frameRecorder(): Pick<DragPage, 'record' | 'stop'> {
  let gaps: number[] = [];
  let longTasks: number[] = [];
  let on = false;
  let last = 0;
  const tick = (t: number) => {
    if (!on) return;
    if (last > 0) gaps.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  new PerformanceObserver((list) => {
    if (on) for (const e of list.getEntries()) longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
  return {
    record() {
      gaps = [];
      longTasks = [];
      last = 0;
      on = true;
      requestAnimationFrame(tick);
    },
    stop() {
      on = false;
      return { gaps, longTasks };
    },
  };
}

start();
