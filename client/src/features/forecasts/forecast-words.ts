import type { Backtest, ForecastMethod } from '@mymidas/shared/forecast';
import type { PortfolioBacktest } from '../../compute/forecasts/portfolio-backtest.ts';

/** The forecasts page's sentences (issue 24): each output's method and how far off it has been, in plain words. */

export const METHOD_WORDS: Readonly<Record<ForecastMethod, string>> = {
  prophet: 'Prophet (a trend with weekly and yearly patterns)',
  ets: 'exponential smoothing (ETS), recent months weighing most',
  arima: 'seasonal ARIMA (each value from the ones before it and a season ago)',
  'seasonal-naive': 'seasonal naive (the same as one season before)',
};

const round = (n: number) => (n >= 10 ? Math.round(n) : Math.round(n * 10) / 10);

function span(steps: number, unit: 'day' | 'month'): string {
  return `${steps} ${unit}${steps === 1 ? '' : 's'}`;
}

/**
 * "Off by 12 % on average over the last 3 stretches of 90 days it was not shown; its errors were 0.8 times the
 * usual change from the same weekday a week before". The scaled error (MASE) divides by the history's own mean
 * change from one season to the next, not by the errors a seasonal-naive forecast made over the same stretches,
 * and the sentence says so. MAPE leaves out days with nothing spent; without any, the scaled error alone.
 */
export function backtestWords(b: Backtest, unit: 'day' | 'month', seasonWords: string): string {
  const held = `${b.origins === 1 ? 'the last stretch' : `the last ${b.origins} stretches`} of ${span(b.horizon, unit)} it was not shown`;
  const scaled = Number.isFinite(b.mase) ? `; its errors were ${round(b.mase)} times the usual change ${seasonWords} in the history` : '';
  if (b.mape === null) return `Tested on ${held}${scaled}.`;
  return `Off by ${round(b.mape)} % on average over ${held}${scaled}.`;
}

export function methodWords(method: ForecastMethod): string {
  return METHOD_WORDS[method];
}

export function portfolioBacktestWords(b: PortfolioBacktest | null): string {
  if (!b) return 'Not tested on the past: the price history is too short.';
  return `Started from ${b.origins} past month-ends with the prices known then, the median was off by ${round(b.medianErrorPercent)} % on average ${b.horizonMonths} months later; what happened fell between P10 and P90 in ${b.insideP10P90} of ${b.origins}.`;
}

export function probabilityWords(p: number | null, target: string, date: string): string {
  if (p === null) return '';
  const percent = Math.round(p * 100);
  return `${percent < 1 && p > 0 ? 'Under 1' : percent} % chance of reaching ${target} by ${date}.`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
export const shortDay = (date: string) => dayFormat.format(new Date(`${date}T00:00:00Z`));
export const shortMonth = (date: string) => monthFormat.format(new Date(`${date.slice(0, 7)}-01T00:00:00Z`));
