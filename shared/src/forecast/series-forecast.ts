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
 * - Bands: the model's own error sd per step times a calibration factor per level: the factor makes the
 *   band cover the backtest errors at that level (never below 1, so a model's own band is never narrowed).
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
  /** The model-space sd per step (log space when `result.log`), already calibrated at 95 %/80 % by c95/c80. */
  readonly sd: Float64Array;
  /** Per origin, the model-space errors and sds of the chosen candidate (for window-sum calibration). */
  readonly originErrors: readonly { readonly errors: Float64Array; readonly sd: Float64Array }[];
}

interface Candidate {
  readonly method: ForecastMethod;
  readonly log: boolean;
}

interface Scored extends CandidateScore {
  readonly scaled: number[];
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
  const scaled: number[] = [];
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
        if (f.sd[i]! > 0) scaled.push(Math.abs(modelError) / f.sd[i]!);
        else scaled.push(modelError === 0 ? 0 : Infinity);
      }
      originErrors.push({ errors, sd: f.sd });
      maseSum += abs / hb / seasonalScale(y, cut, m);
    }
  } catch (error) {
    return { method: candidate.method, log: candidate.log, mase: NaN, mape: null, error: (error as Error).message, scaled: [], originErrors: [] };
  }
  return {
    method: candidate.method,
    log: candidate.log,
    mase: maseSum / cuts.length,
    mape: apeCount > 0 ? (100 * apeSum) / apeCount : null,
    scaled,
    originErrors,
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

/** The full forecast with the internals the other outputs reuse. */
export async function forecastDetailed(points: readonly SeriesPoint[], options: ForecastOptions): Promise<DetailedForecast> {
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

  const positive = y.every((v) => v > 0);
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
  const sortedScaled = chosen.scaled.filter(Number.isFinite).sort((a, b) => a - b);
  const c80 = Math.max(1, quantile(sortedScaled, 0.8) / Z80 || 1);
  const c95 = Math.max(1, quantile(sortedScaled, 0.95) / Z95 || 1);
  // A model whose own sd is 0 (a perfectly fitted history) takes the backtest's RMS error instead.
  let fallbackSd = 0;
  let count = 0;
  for (const o of chosen.originErrors) for (const e of o.errors) { fallbackSd += e * e; count++; }
  fallbackSd = count > 0 ? Math.sqrt(fallbackSd / count) : 0;
  const sd = final.sd.map((s) => (s > 0 ? s : fallbackSd));
  const clamp = options.nonNegative ? (v: number) => Math.max(0, v) : (v: number) => v;
  const back = chosen.log ? Math.exp : (v: number) => v;
  const out: ForecastPoint[] = futureDays.map((date, i) => {
    const mu = final.mean[i]!;
    const s = sd[i]!;
    return {
      date,
      mean: clamp(back(mu)),
      lower80: clamp(back(mu - Z80 * c80 * s)),
      upper80: clamp(back(mu + Z80 * c80 * s)),
      lower95: clamp(back(mu - Z95 * c95 * s)),
      upper95: clamp(back(mu + Z95 * c95 * s)),
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
