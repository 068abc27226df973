import { checkSeries, checkWholeNumber, futureDates, timestamps } from './series.ts';
import type { CheckedSeries } from './series.ts';
import { etsModel, prophetModel, seasonalArima, seasonalNaive } from './models.ts';
import type { Model, ModelForecast } from './models.ts';
import { isForecastingReady } from './wasm.ts';
import { ForecastInputError, ForecastNotInitialisedError } from './types.ts';
import type { Backtest, CandidateScore, ForecastMethod, ForecastOptions, ForecastPoint, ForecastResult, SeriesPoint } from './types.ts';

/**
 * forecast(points, options): fit, backtest, choose, calibrate (docs/forecasts.md).
 * - Backtest: rolling origin. The last `origins` blocks of `horizon` points (fewer when the history is
 *   short) are held back one at a time; each candidate is fitted on what comes before and scored on the
 *   block by MASE (against the in-sample seasonal naive MAE) and MAPE.
 * - Choice (auto): the candidate with the lowest MASE that is strictly below seasonal naive's, else
 *   seasonal naive itself. Candidates: ETS/MSTL, seasonal ARIMA and Prophet, each on the values and, for
 *   all-positive series, on their logs.
 * - Bands: the final model's own error sd per step, shaped (never shrinking with the horizon; beyond the
 *   backtested steps, growing at least like √h and at most like h: see `bandSd`), times a calibration factor
 *   per level and step. The factor makes the final band cover the backtest errors at that level near that step:
 *   each origin's error at step j is measured against the final band's sd at step j (`calibrate`; never below
 *   1, so a model's own band is never narrowed). Measuring it against the sd each origin's own fit claimed
 *   instead multiplied two things: a quiet stretch before a jump gives a tiny sd and a huge ratio, and that
 *   ratio then multiplied the final model's sd, which has seen the jump already — bands dozens of times wider
 *   than any error ever seen.
 */

export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

const MODELS: Record<ForecastMethod, Model> = {
  'seasonal-naive': seasonalNaive,
  ets: etsModel,
  arima: seasonalArima,
  prophet: prophetModel,
};
const METHODS = new Set<string>(['auto', 'prophet', 'ets', 'arima', 'seasonal-naive']);

/** What the spending forecast needs beyond the public result: the per-step sd and the backtest's own errors. */
export interface DetailedForecast {
  readonly result: ForecastResult;
  /** The model-space sd per step (log space when `result.log`) the bands are built on (`bandSd`), before c80/c95. */
  readonly sd: Float64Array;
  /** Per origin, the model-space errors and sds of the chosen candidate (for window-sum calibration). */
  readonly originErrors: readonly { readonly errors: Float64Array; readonly sd: Float64Array }[];
}

interface Candidate {
  readonly method: ForecastMethod;
  readonly log: boolean;
}

interface Scored extends CandidateScore {
  readonly originErrors: { errors: Float64Array; sd: Float64Array }[];
}

function seasonalScale(y: Float64Array, end: number, m: number): number {
  let sum = 0;
  let count = 0;
  const lag = end > m ? m : 1;
  for (let t = lag; t < end; t++) {
    sum += Math.abs(y[t]! - y[t - lag]!);
    count++;
  }
  const scale = count > 0 ? sum / count : 0;
  return scale > 0 ? scale : 1e-9;
}

function timesFor(series: CheckedSeries, from: number, to: number): Float64Array {
  return timestamps(series.dates.slice(from, to));
}

function runModel(candidate: Candidate, y: Float64Array, h: number, series: CheckedSeries, m: number, trainTimes: Float64Array, futureTimes: Float64Array): ModelForecast {
  const input = candidate.log ? y.map(Math.log) : y;
  const out = MODELS[candidate.method](input, h, { frequency: series.frequency, seasonLength: m, trainTimes, futureTimes });
  for (let i = 0; i < h; i++) {
    if (!Number.isFinite(out.mean[i]!) || !Number.isFinite(out.sd[i]!)) throw new Error(`${candidate.method} produced a non-finite forecast`);
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function score(candidate: Candidate, series: CheckedSeries, m: number, cuts: readonly number[], hb: number): Scored {
  const y = series.values;
  let maseSum = 0;
  let apeSum = 0;
  let apeCount = 0;
  const originErrors: { errors: Float64Array; sd: Float64Array }[] = [];
  try {
    for (const cut of cuts) {
      const train = y.subarray(0, cut);
      const f = runModel(candidate, train, hb, series, m, timesFor(series, 0, cut), timesFor(series, cut, cut + hb));
      let abs = 0;
      const errors = new Float64Array(hb);
      for (let i = 0; i < hb; i++) {
        const actual = y[cut + i]!;
        const point = candidate.log ? Math.exp(f.mean[i]!) : f.mean[i]!;
        const e = actual - point;
        abs += Math.abs(e);
        if (actual !== 0) {
          apeSum += Math.abs(e / actual);
          apeCount++;
        }
        const modelError = candidate.log ? Math.log(actual) - f.mean[i]! : e;
        errors[i] = modelError;
      }
      originErrors.push({ errors, sd: f.sd });
      maseSum += abs / hb / seasonalScale(y, cut, m);
    }
  } catch (error) {
    return { method: candidate.method, log: candidate.log, mase: NaN, mape: null, error: (error as Error).message, originErrors: [] };
  }
  return {
    method: candidate.method,
    log: candidate.log,
    mase: maseSum / cuts.length,
    mape: apeCount > 0 ? (100 * apeSum) / apeCount : null,
    originErrors,
  };
}

/**
 * The sd per step the bands are built on, from the model's own: never shrinking as the horizon grows, and beyond
 * the `hb` backtested steps (where no error was measured) following the model's growth but kept between a
 * random walk's, √(h/hb), and proportion to the horizon, h/hb, times the sd at step hb. So a band h steps ahead
 * is never more than h/hb times as wide as at the backtest's horizon: a model whose error compounds (a trend
 * fitted on a short history) cannot fan out faster than a straight line, and one that claims no growth at all
 * (Prophet's constant σ) still widens like a random walk where nothing was tested.
 */
export function bandSd(sd: Float64Array, hb: number): Float64Array {
  const out = new Float64Array(sd.length);
  let max = 0;
  for (let i = 0; i < sd.length; i++) {
    max = Math.max(max, sd[i]!);
    out[i] = max;
  }
  const last = Math.min(hb, sd.length);
  const base = out[last - 1]!;
  for (let i = last; i < sd.length; i++) {
    const ratio = (i + 1) / last;
    out[i] = Math.min(Math.max(out[i]!, base * Math.sqrt(ratio)), base * ratio);
  }
  return out;
}

/** Half-widths per step at 80 % and 95 %, in model space, and the factors they came to at the backtest's last step. */
export interface Calibrated {
  readonly hw80: Float64Array;
  readonly hw95: Float64Array;
  readonly c80: number;
  readonly c95: number;
}

/**
 * The bands' half-widths. At each backtested step h the factor is the 80th (95th) percentile of
 * |backtest error| ÷ the final band's sd, over every origin's steps within a factor of two of h (h/2 … 2h),
 * divided by z80 (z95) and never below 1; the half-width is z × factor × sd at h. A level shift the model missed
 * errs by the same amount at every step while the sd grows, so one factor for all steps would size the far
 * steps by the near ones' ratio and make them far wider than any error seen there. Then: half-widths never
 * shrink with h, the 95 % one is never narrower than the 80 % one, and beyond the backtest they keep the last
 * backtested step's half-width in proportion to `sd` (so between √ and linear growth: `bandSd`).
 */
export function calibrate(originErrors: readonly { readonly errors: Float64Array }[], sd: Float64Array, hb: number): Calibrated {
  const n = sd.length;
  const last = Math.max(1, Math.min(hb, n));
  const hw80 = new Float64Array(n);
  const hw95 = new Float64Array(n);
  let max80 = 0;
  let max95 = 0;
  for (let i = 0; i < last; i++) {
    const step = i + 1;
    const scaled: number[] = [];
    for (const { errors } of originErrors) {
      for (let j = Math.ceil(step / 2); j <= Math.min(errors.length, last, 2 * step); j++) {
        const e = errors[j - 1]!;
        const s = sd[j - 1]!;
        if (s > 0) scaled.push(Math.abs(e) / s);
        else if (e === 0) scaled.push(0);
      }
    }
    scaled.sort((a, b) => a - b);
    const c80 = Math.max(1, quantile(scaled, 0.8) / Z80 || 1);
    const c95 = Math.max(1, quantile(scaled, 0.95) / Z95 || 1);
    max80 = Math.max(max80, Z80 * c80 * sd[i]!);
    max95 = Math.max(max95, Z95 * c95 * sd[i]!, max80);
    hw80[i] = max80;
    hw95[i] = max95;
  }
  const base = sd[last - 1]!;
  for (let i = last; i < n; i++) {
    const ratio = base > 0 ? sd[i]! / base : 1;
    hw80[i] = hw80[last - 1]! * ratio;
    hw95[i] = hw95[last - 1]! * ratio;
  }
  return {
    hw80,
    hw95,
    c80: base > 0 ? hw80[last - 1]! / (Z80 * base) : 1,
    c95: base > 0 ? hw95[last - 1]! / (Z95 * base) : 1,
  };
}

function checkOptions(options: ForecastOptions): { horizon: number; method: string; m: number; origins: number } {
  if (!options || typeof options !== 'object') throw new ForecastInputError('options are required: { frequency, horizon }');
  const horizon = checkWholeNumber(options.horizon, 'horizon', 1, 1000);
  const method = options.method ?? 'auto';
  if (!METHODS.has(method)) throw new ForecastInputError(`method must be one of auto, prophet, ets, arima, seasonal-naive, not ${JSON.stringify(method)}`);
  const m = checkWholeNumber(options.seasonLength ?? (options.frequency === 'month' ? 12 : 7), 'seasonLength', 1, 400);
  const origins = checkWholeNumber(options.origins ?? 3, 'origins', 1, 20);
  return { horizon, method, m, origins };
}

/** What the other outputs may ask beyond the public options. */
export interface DetailedOptions {
  /** Try candidates on the logarithms of all-positive series (default true). Off, bands are in the series' own units. */
  readonly logCandidates?: boolean;
}

/** The full forecast with the internals the other outputs reuse. */
export async function forecastDetailed(points: readonly SeriesPoint[], options: ForecastOptions, detailed: DetailedOptions = {}): Promise<DetailedForecast> {
  const { horizon, method, m, origins: wantedOrigins } = checkOptions(options);
  const series = checkSeries(points, options.frequency);
  const y = series.values;
  const n = y.length;
  const minTrain = m + 2;
  if (n < minTrain + 1) throw new ForecastInputError(`a ${options.frequency === 'day' ? 'daily' : 'monthly'} series with season ${m} needs at least ${minTrain + 1} points to be forecast and backtested; it has ${n}`);
  // Origins one season apart, the latest `hb` points before the end (the last seasons of the history).
  let origins = wantedOrigins;
  let hb = Math.min(horizon, n - minTrain - (origins - 1) * m);
  if (hb < 1) {
    origins = Math.max(1, Math.min(origins, Math.floor((n - minTrain - 1) / m) + 1));
    hb = Math.max(1, Math.min(horizon, n - minTrain - (origins - 1) * m));
  }
  const cuts: number[] = [];
  for (let k = 0; k < origins; k++) cuts.push(n - hb - k * m);
  if (cuts[cuts.length - 1]! < minTrain) throw new ForecastInputError(`the series is too short for ${origins} backtest origins: it has ${n} points`);

  const positive = detailed.logCandidates !== false && y.every((v) => v > 0);
  const wanted: ForecastMethod[] = method === 'auto' ? ['ets', 'arima', 'prophet'] : [method as ForecastMethod];
  if (wanted.some((w) => w === 'ets' || w === 'prophet') && !isForecastingReady()) {
    throw new ForecastNotInitialisedError('forecast needs the augurs WASM modules for ETS and Prophet: call initForecasting({ prophet, mstl, ets }) first');
  }
  let note: string | null = null;
  const prophetMin = Math.max(2 * m, 14);
  const candidates: Candidate[] = [];
  for (const w of wanted) {
    if (w === 'prophet' && cuts[cuts.length - 1]! < prophetMin) {
      note = `Prophet needs at least ${prophetMin} points before the earliest backtest origin; the seasonal ARIMA was used instead`;
      if (method === 'prophet') candidates.push({ method: 'arima', log: false }, ...(positive ? [{ method: 'arima' as const, log: true }] : []));
      continue;
    }
    candidates.push({ method: w, log: false });
    if (positive && w !== 'seasonal-naive') candidates.push({ method: w, log: true });
  }
  const floor = score({ method: 'seasonal-naive', log: false }, series, m, cuts, hb);
  let scored = candidates.map((c) => (c.method === 'seasonal-naive' && !c.log ? floor : score(c, series, m, cuts, hb)));
  if (method === 'prophet' && scored.every((s) => s.error !== undefined)) {
    note = `Prophet failed (${scored[0]?.error ?? 'unknown error'}); the seasonal ARIMA was used instead`;
    scored = [score({ method: 'arima', log: false }, series, m, cuts, hb)];
  }
  const usable = scored.filter((s) => Number.isFinite(s.mase));
  usable.sort((a, b) => a.mase - b.mase);
  let chosen: Scored;
  if (method === 'auto') {
    const best = usable[0];
    chosen = best && best.mase < floor.mase ? best : floor;
    if (chosen === floor) note = note ?? 'No model beat the seasonal naive forecast on the backtest, so it is used';
  } else {
    const best = usable[0];
    if (!best) throw new ForecastInputError(`${method} could not be fitted: ${scored[0]?.error ?? 'no usable fit'}`);
    chosen = best;
  }

  const futureDays = futureDates(series, horizon);
  const final = runModel(chosen, y, horizon, series, m, timestamps(series.dates), timestamps(futureDays));
  // A model whose own sd is 0 (a perfectly fitted history) takes the backtest's RMS error instead.
  let fallbackSd = 0;
  let count = 0;
  for (const o of chosen.originErrors) for (const e of o.errors) { fallbackSd += e * e; count++; }
  fallbackSd = count > 0 ? Math.sqrt(fallbackSd / count) : 0;
  const sd = bandSd(final.sd.map((s) => (s > 0 ? s : fallbackSd)), hb);
  const { hw80, hw95, c80, c95 } = calibrate(chosen.originErrors, sd, hb);
  const clamp = options.nonNegative ? (v: number) => Math.max(0, v) : (v: number) => v;
  const back = chosen.log ? Math.exp : (v: number) => v;
  const out: ForecastPoint[] = futureDays.map((date, i) => {
    const mu = final.mean[i]!;
    return {
      date,
      mean: clamp(back(mu)),
      lower80: clamp(back(mu - hw80[i]!)),
      upper80: clamp(back(mu + hw80[i]!)),
      lower95: clamp(back(mu - hw95[i]!)),
      upper95: clamp(back(mu + hw95[i]!)),
    };
  });
  const candidatesOut: CandidateScore[] = [floor, ...scored.filter((s) => s !== floor)]
    .map(({ method: mt, log, mase, mape, error }) => (error === undefined ? { method: mt, log, mase, mape } : { method: mt, log, mase, mape, error }))
    .sort((a, b) => (Number.isFinite(a.mase) ? a.mase : Infinity) - (Number.isFinite(b.mase) ? b.mase : Infinity));
  const backtest: Backtest = {
    mape: chosen.mape,
    mase: chosen.mase,
    origins: cuts.length,
    horizon: hb,
    seasonalNaiveMase: floor.mase,
    candidates: candidatesOut,
  };
  return {
    result: { method: chosen.method, log: chosen.log, seasonLength: m, points: out, backtest, bandCalibration: { c80, c95 }, note },
    sd,
    originErrors: chosen.originErrors,
  };
}

/** Forecasts a regular daily or monthly series `horizon` steps ahead with 80 % and 95 % bands (see the file comment). */
export async function forecast(points: readonly SeriesPoint[], options: ForecastOptions): Promise<ForecastResult> {
  return (await forecastDetailed(points, options)).result;
}
