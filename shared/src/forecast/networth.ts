import { formatMoney } from '../money/money.ts';
import { checkSeries } from './series.ts';
import { forecastDetailed } from './series-forecast.ts';
import { ForecastInputError } from './types.ts';
import type { ForecastPoint, NetWorthInput, NetWorthProjection, ScenarioPath } from './types.ts';

/**
 * Net worth projection (docs/forecasts.md). Net worth is split into what was put in (the cumulative
 * monthly contributions, income − spending) and everything else (market growth, interest, revaluations):
 *   growth_t = netWorth_t − Σ_{k≤t} contribution_k.
 * The growth part is forecast by the best model that beats seasonal naive on the backtest (`auto`: ETS/MSTL,
 * ARIMA or Prophet; a yearly season from three years of history) with its calibrated bands — and when none
 * beats it, the net worth as a whole is forecast the same way and the scenarios move it by their
 * contributions' difference from the trend; the contributions follow their own trend (a robust
 * Theil–Sen line through the last 24 months — one odd month, such as the current month to date, barely
 * moves it — followed for 12 months and then held level).
 * The bands are those `forecast` calibrates on the series' own rolling-origin backtest (series-forecast.ts),
 * in money: no model is fitted on logarithms here (the growth part is no compounding quantity, it can be
 * negative, and a log band widening linearly would fan out geometrically in money). Beyond the backtested
 * months they widen at least like √h and at most in proportion to h.
 * Three scenarios, each saying what it assumes:
 * - conservative: contributions at the lower quartile of the last 24 months (or the trend, if lower),
 *   growth at the low edge of the 80 % band;
 * - base: contributions on their trend, growth at the forecast mean;
 * - optimistic: contributions at the upper quartile (or the trend, if higher), growth at the high edge of the
 *   80 % band.
 * So conservative ≤ base ≤ optimistic at every month. The fan is the growth bands (80 % and 95 %) plus the
 * base contributions. Minor units throughout.
 */

const CONTRIBUTION_WINDOW = 24;
const TREND_MONTHS = 12;

function quartile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Theil–Sen line through the values (slope: the median of the pairwise slopes; intercept: the median of
 * y − slope·x); returns the fitted value at the last point and the slope. A least-squares line let one month
 * swing it: the history's last month is the current one to date, its net income often far below a whole month's.
 */
function trend(values: readonly number[]): { level: number; slope: number } {
  const n = values.length;
  if (n === 1) return { level: values[0]!, slope: 0 };
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes.push((values[j]! - values[i]!) / (j - i));
  const slope = quartile(slopes, 0.5);
  const intercept = quartile(values.map((y, x) => y - slope * x), 0.5);
  return { level: intercept + slope * (n - 1), slope };
}

export async function projectNetWorth(input: NetWorthInput): Promise<NetWorthProjection> {
  if (!input || typeof input !== 'object') throw new ForecastInputError('projectNetWorth needs { currency, history }');
  const months = input.months ?? 60;
  if (!Number.isInteger(months) || months < 1 || months > 600) throw new ForecastInputError(`months must be a whole number from 1 to 600, not ${String(months)}`);
  const history = checkSeries(input.history ?? [], 'month', 'net worth history');
  history.values.forEach((v, i) => {
    if (!Number.isSafeInteger(v)) throw new ForecastInputError(`net worth history: ${history.dates[i]} is not a whole number of minor units`);
  });
  const n = history.values.length;
  const contributions = new Float64Array(n);
  if (input.contributions !== undefined) {
    const c = checkSeries(input.contributions, 'month', 'contributions');
    if (c.dates.length !== n || c.dates.some((d, i) => d !== history.dates[i])) throw new ForecastInputError('contributions must have one value for each month of the history, on the same dates');
    c.values.forEach((v, i) => {
      if (!Number.isSafeInteger(v)) throw new ForecastInputError(`contributions: ${c.dates[i]} is not a whole number of minor units`);
      contributions[i] = v;
    });
  }
  let cumulative = 0;
  const growth = history.dates.map((date, i) => {
    cumulative += contributions[i]!;
    return { date, value: history.values[i]! - cumulative };
  });
  const seasonLength = n >= 36 ? 12 : 1;
  if (n < seasonLength + 3) throw new ForecastInputError(`the net worth projection needs at least ${seasonLength + 3} months of history; there are ${n}`);
  const growthFit = (await forecastDetailed(growth, { frequency: 'month', horizon: months, method: 'auto', seasonLength }, { logCandidates: false })).result;
  // When no model forecasts the growth part better than repeating last year (the recorded contributions do not
  // explain the net worth: flows the ledger cannot see), the net worth is forecast as a whole instead, its
  // trend standing in for the contributions; the scenarios then move it by their contributions' difference
  // from the trend.
  let direct: typeof growthFit | null = null;
  if (growthFit.method === 'seasonal-naive') {
    const whole = (await forecastDetailed(history.dates.map((date, i) => ({ date, value: history.values[i]! })), { frequency: 'month', horizon: months, method: 'auto', seasonLength }, { logCandidates: false })).result;
    if (whole.method !== 'seasonal-naive') direct = whole;
  }
  const result = direct ?? growthFit;

  const recent = Array.from(contributions.slice(Math.max(0, n - CONTRIBUTION_WINDOW)));
  const { level, slope } = trend(recent);
  const baseAt = (h: number) => level + slope * Math.min(h, TREND_MONTHS);
  // The trend is a line held level after a year, so its lowest and highest months are the first and the twelfth.
  const trendLow = Math.min(baseAt(1), baseAt(TREND_MONTHS));
  const trendHigh = Math.max(baseAt(1), baseAt(TREND_MONTHS));
  const lowQuartile = quartile(recent, 0.25);
  const highQuartile = quartile(recent, 0.75);
  const low = Math.min(lowQuartile, trendLow);
  const high = Math.max(highQuartile, trendHigh);
  const money = (v: number) => formatMoney(Math.round(v), input.currency);
  const span = `the last ${recent.length} month${recent.length === 1 ? '' : 's'}`;

  // What is added to the model's value h months ahead: all contributions (growth model), or only the
  // scenario's difference from the contribution trend (whole net worth model, whose trend holds them).
  const addedBy = (contribution: (h: number) => number) => {
    let added = direct ? 0 : cumulative;
    return result.points.map((_, i) => (added += contribution(i + 1) - (direct ? baseAt(i + 1) : 0)));
  };
  const path = (contribution: (h: number) => number, growthAt: (p: ForecastPoint) => number) => {
    const added = addedBy(contribution);
    return result.points.map((p, i) => ({ date: p.date, value: Math.round(growthAt(p) + added[i]!) }));
  };
  const at = (values: readonly { date: string; value: number }[]) => [1, 3, 5].filter((y) => y * 12 <= months).map((years) => ({ years, ...values[years * 12 - 1]! }));
  const scenario = (name: ScenarioPath['name'], assumes: string, monthly: number, contribution: (h: number) => number, growthAt: (p: ForecastPoint) => number): ScenarioPath => {
    const values = path(contribution, growthAt);
    return { name, assumes, monthlyContribution: Math.round(monthly), values, at: at(values) };
  };
  const trendWords = Math.abs(slope) < 0.5
    ? `${money(level)} a month, the level of ${span}`
    : `${money(level)} a month, changing by ${money(slope)} a month for a year as over ${span} and then level`;
  const scenarios: NetWorthProjection['scenarios'] = [
    scenario('conservative', `You put in ${money(low)} a month (${low < lowQuartile ? `the lowest month of the trend, below the lower quartile of ${span}` : `a lower-quartile month of ${span}`}), and investments and other assets grow as slowly as the low edge of the 80 % band: about a 1-in-10 poor outcome for them.`, low, () => low, (p) => p.lower80),
    scenario('base', direct
      ? `You put in ${trendWords}, and net worth follows the ${result.method.toUpperCase()} forecast of its own history (what you put in did not explain its past moves well enough to forecast the rest apart).`
      : `You put in ${trendWords}, and investments and other assets follow the ${result.method.toUpperCase()} forecast of their own history.`, baseAt(1), baseAt, (p) => p.mean),
    scenario('optimistic', `You put in ${money(high)} a month (${high > highQuartile ? `the highest month of the trend, above the upper quartile of ${span}` : `an upper-quartile month of ${span}`}), and investments and other assets grow as fast as the high edge of the 80 % band: about a 1-in-10 good outcome for them.`, high, () => high, (p) => p.upper80),
  ];
  const baseAdded = addedBy(baseAt);
  const fan: ForecastPoint[] = result.points.map((p, i) => {
    const added = baseAdded[i]!;
    return {
      date: p.date,
      mean: Math.round(p.mean + added),
      lower80: Math.round(p.lower80 + added),
      upper80: Math.round(p.upper80 + added),
      lower95: Math.round(p.lower95 + added),
      upper95: Math.round(p.upper95 + added),
    };
  });
  return { currency: input.currency, method: result.method, backtest: result.backtest, note: result.note, fan, scenarios };
}
