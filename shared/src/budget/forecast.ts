import type { BudgetForecast } from './types.ts';

/**
 * The overspend forecast of a budget's current period (issue 20, bullet 3). Two figures:
 * - a velocity projection: what was spent so far apart from scheduled bills, per elapsed day, over the whole
 *   period, plus every bill of the period (paid or still to come);
 * - the probability of overspending: the total of the remaining days is taken as Normal(n·m, n·v), where m
 *   and v are the mean and (population) variance of daily spending over the last complete periods (6 to 12)
 *   with the scheduled bills taken out, and n the days from tomorrow to the period's end. The known upcoming
 *   bills are added as they are, not guessed.
 * Pure arithmetic on numbers the engine gathered from the snapshot.
 */

/** Fewest complete past periods a probability is given from; the most it learns from. */
export const HISTORY_MIN_PERIODS = 6;
export const HISTORY_MAX_PERIODS = 12;

const LN_SQRT_2PI = 0.9189385332046728; // ln √(2π)

/** Where the tails switch from the series to the continued fraction. */
const TAIL_FROM = 3;
const TAIL_TERMS = 200;

/**
 * The standard normal CDF Φ(x), accurate to about 1e-15 absolute (and relatively in the tails).
 * - |x| < 3: the series Φ(x) = ½ + φ(x)·Σ x^(2k+1)/(1·3·…·(2k+1)), every term of one sign, summed until a term
 *   no longer changes the sum;
 * - |x| ≥ 3: the upper tail Q(t) = φ(t) / (t + 1/(t + 2/(t + 3/(t + …)))) for t = |x|, a continued fraction
 *   evaluated from its 200th term back (it converges fast there), so a small tail probability keeps its
 *   relative precision instead of being the difference of two numbers near ½; Φ(x) = Q(−x) or 1 − Q(x).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('normalCdf of NaN');
  const t = Math.abs(x);
  if (t >= TAIL_FROM) {
    if (t > 40) return x < 0 ? 0 : 1;
    let f = t;
    for (let k = TAIL_TERMS; k >= 1; k--) f = t + k / f;
    const tail = Math.exp(-0.5 * t * t - LN_SQRT_2PI) / f;
    return x < 0 ? tail : 1 - tail;
  }
  const q = x * x;
  let sum = x;
  let term = x;
  let previous = 0;
  for (let i = 3; sum !== previous; i += 2) {
    previous = sum;
    term *= q / i;
    sum = previous + term;
  }
  return 0.5 + sum * Math.exp(-0.5 * q - LN_SQRT_2PI);
}

/** Mean and population variance of daily values (two passes, so large offsets lose nothing). */
export function dailyStats(values: ArrayLike<number>): { mean: number; variance: number } {
  const n = values.length;
  if (n === 0) throw new RangeError('daily statistics of no days');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares += d * d;
  }
  return { mean, variance: squares / n };
}

/**
 * P(spent + known + R > limit) where R ~ Normal(n·mean, n·variance) is the total of the n remaining days.
 * With no spread left (n = 0 or zero variance) the outcome is certain: 1 when it runs over, else 0.
 */
export function overspendProbability(o: { spent: number; knownUpcoming: number; limit: number; remainingDays: number; dailyMean: number; dailyVariance: number }): number {
  const mu = o.remainingDays * o.dailyMean;
  const sd = Math.sqrt(o.remainingDays * o.dailyVariance);
  const margin = o.spent + o.knownUpcoming + mu - o.limit;
  if (!(sd > 0)) return margin > 0 ? 1 : 0;
  return normalCdf(margin / sd);
}

/** (spent − bills already paid) / elapsed days × period days + every bill of the period, in whole minor units. */
export function velocityProjection(o: { spent: number; paidBills: number; knownUpcoming: number; elapsedDays: number; periodDays: number }): number {
  if (!(o.elapsedDays >= 1) || o.elapsedDays > o.periodDays) throw new RangeError(`elapsed days ${o.elapsedDays} outside the period of ${o.periodDays}`);
  const projected = Math.round(((o.spent - o.paidBills) / o.elapsedDays) * o.periodDays) + o.paidBills + o.knownUpcoming;
  return projected === 0 ? 0 : projected;
}

export interface ForecastFacts {
  /** Spent so far in the period (pending included), base minor units. */
  readonly spent: number;
  /** amount + carried. */
  readonly limit: number;
  readonly periodDays: number;
  /** Today included. */
  readonly elapsedDays: number;
  /** Tomorrow to the period's end. */
  readonly remainingDays: number;
  /** Scheduled bills dated from the period's start to today (spending positive). */
  readonly paidBills: number;
  /** Scheduled bills dated from tomorrow to the period's end (spending positive). */
  readonly knownUpcoming: number;
  /** Daily spending (bills taken out) of the complete past periods learned from, or null with fewer than the minimum. */
  readonly history: { readonly periods: number; readonly daily: ArrayLike<number> } | null;
}

export function budgetForecast(f: ForecastFacts): BudgetForecast {
  const projectedSpent = velocityProjection(f);
  if (f.history === null || f.history.periods < HISTORY_MIN_PERIODS || f.history.daily.length === 0) {
    return { projectedSpent, knownUpcoming: f.knownUpcoming, probabilityOver: null, basedOnPeriods: 0, dailyMean: null, dailyStdDev: null };
  }
  const { mean, variance } = dailyStats(f.history.daily);
  return {
    projectedSpent,
    knownUpcoming: f.knownUpcoming,
    probabilityOver: overspendProbability({ spent: f.spent, knownUpcoming: f.knownUpcoming, limit: f.limit, remainingDays: f.remainingDays, dailyMean: mean, dailyVariance: variance }),
    basedOnPeriods: f.history.periods,
    dailyMean: mean,
    dailyStdDev: Math.sqrt(variance),
  };
}
