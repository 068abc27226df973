import { addDays, daysBetween } from '../date/date.ts';
import { occurrencesBetween } from '../ledger/recurring.ts';
import { billsFor } from './cashflow.ts';
import { checkSeries } from './series.ts';
import { forecastDetailed, Z80, Z95 } from './series-forecast.ts';
import { ForecastInputError } from './types.ts';
import type { CategorySpendingForecast, ScheduledBill, SpendingDay, SpendingForecastInput, SpendingSummary } from './types.ts';

/**
 * The spending forecast per expense category (docs/forecasts.md):
 * - the history is the category's daily spending (minor units, positive = money out) up to today;
 * - recurring bills of the category are taken out of that history on the days they were posted, so the
 *   model sees day-to-day spending only, and their unposted occurrences in the next `days` are added back
 *   as known amounts (a due, unposted one on the first day);
 * - the day-to-day part is forecast by `forecast` (auto by default, weekly season, never below 0);
 * - 30/60/90-day sums: expected = the sum of the days; their band = the z-value × √(Σ daily sd²) × a
 *   factor ≥ 1 measured on the backtest (the root mean square of the windows' summed errors over what
 *   independence would predict), so days that err together widen the band. Bills carry no uncertainty.
 * Everything leaving the function is integer minor units.
 */

const SUMMARY_WINDOWS = [30, 60, 90] as const;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('The spending forecast was cancelled');
}

export async function spendingForecast(input: SpendingForecastInput): Promise<CategorySpendingForecast[]> {
  if (!input || typeof input !== 'object') throw new ForecastInputError('spendingForecast needs { today, categories, rules }');
  const days = input.days ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new ForecastInputError(`days must be a whole number from 1 to 366, not ${String(days)}`);
  if (!Array.isArray(input.categories)) throw new ForecastInputError('categories must be an array');
  if (!Array.isArray(input.rules)) throw new ForecastInputError('rules must be an array');
  const { today } = input;
  const until = addDays(today, days);
  const out: CategorySpendingForecast[] = [];
  let done = 0;
  for (const category of input.categories) {
    throwIfAborted(input.signal);
    const label = `category ${category?.categoryId}`;
    const series = checkSeries(category?.daily ?? [], 'day', label);
    if (series.dates[series.dates.length - 1] !== today) throw new ForecastInputError(`${label}: the daily history must end on today (${today}), not ${series.dates[series.dates.length - 1]}`);
    const first = series.dates[0]!;
    const history = Float64Array.from(series.values);
    history.forEach((v, i) => {
      if (v < 0) throw new ForecastInputError(`${label}: spending on ${series.dates[i]} is negative (${v}); give money out as positive amounts`);
    });
    const rules = input.rules.filter((r) => r.categoryId === category.categoryId && r.currency === category.currency && r.amount < 0);
    const bills: ScheduledBill[] = [];
    for (const rule of rules) {
      const options = input.expandOptions ? input.expandOptions(rule) : {};
      // Posted occurrences are part of the history: take them out so the model sees day-to-day spending only.
      if (rule.lastPostedDate !== null && rule.lastPostedDate >= first) {
        const to = rule.lastPostedDate < today ? rule.lastPostedDate : today;
        for (const o of occurrencesBetween(rule, first, to, { ...options })) {
          const i = daysBetween(first, o.date);
          history[i] = Math.max(0, history[i]! + rule.amount);
        }
      }
      for (const bill of billsFor(rule, today, until, input.expandOptions)) bills.push(bill);
    }
    const scheduled = new Float64Array(days);
    for (const b of bills) {
      const i = Math.max(0, daysBetween(today, b.date) - 1);
      scheduled[i]! += -b.amount;
    }
    const detailed = await forecastDetailed(
      series.dates.map((date, i) => ({ date, value: history[i]! })),
      { frequency: 'day', horizon: days, method: input.method ?? 'auto', nonNegative: true, ...(input.origins === undefined ? {} : { origins: input.origins }) },
    );
    const { result } = detailed;
    const dayRows: SpendingDay[] = result.points.map((p, i) => {
      const s = scheduled[i]!;
      return {
        date: p.date,
        expected: Math.round(p.mean + s),
        scheduled: Math.round(s),
        lower80: Math.round(p.lower80 + s),
        upper80: Math.round(p.upper80 + s),
        lower95: Math.round(p.lower95 + s),
        upper95: Math.round(p.upper95 + s),
      };
    });
    // Per-day sd in money, read back from the calibrated 95 % band's upper half-width (the lower one may be cut at 0).
    const daySd = result.points.map((p) => (p.upper95 - p.mean) / Z95);
    const summaries: SpendingSummary[] = SUMMARY_WINDOWS.filter((w) => w <= days).map((w) => {
      let expected = 0;
      let sched = 0;
      let meanSum = 0;
      let variance = 0;
      for (let i = 0; i < w; i++) {
        expected += dayRows[i]!.expected;
        sched += dayRows[i]!.scheduled;
        meanSum += result.points[i]!.mean;
        variance += daySd[i]! ** 2;
      }
      const factor = result.log ? 1 : windowFactor(detailed.originErrors, w);
      const sd = Math.sqrt(variance) * factor;
      const c80 = result.bandCalibration.c80 / result.bandCalibration.c95;
      return {
        days: w,
        expected,
        scheduled: sched,
        lower80: Math.round(sched + Math.max(0, meanSum - Z80 * c80 * sd)),
        upper80: Math.round(sched + meanSum + Z80 * c80 * sd),
        lower95: Math.round(sched + Math.max(0, meanSum - Z95 * sd)),
        upper95: Math.round(sched + meanSum + Z95 * sd),
      };
    });
    out.push({
      categoryId: category.categoryId,
      currency: category.currency,
      method: result.method,
      backtest: result.backtest,
      note: result.note,
      days: dayRows,
      bills: bills.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
      summaries,
    });
    done++;
    input.onProgress?.(done, input.categories.length, `fitted ${done} of ${input.categories.length} categories`);
    // Let a worker's message loop run (progress, cancel) between categories.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  return out;
}

/**
 * How much the backtest's summed errors over a window exceed what independent days would give: the root
 * mean square over origins of (Σ errors) ÷ √(Σ sd²), never below 1. Windows longer than the backtest use
 * its full length.
 */
function windowFactor(origins: readonly { readonly errors: Float64Array; readonly sd: Float64Array }[], window: number): number {
  let sum = 0;
  let count = 0;
  for (const o of origins) {
    const w = Math.min(window, o.errors.length);
    let e = 0;
    let v = 0;
    for (let i = 0; i < w; i++) {
      e += o.errors[i]!;
      v += o.sd[i]! ** 2;
    }
    if (v > 0) {
      sum += (e * e) / v;
      count++;
    }
  }
  return count > 0 ? Math.max(1, Math.sqrt(sum / count)) : 1;
}
