import { Decimal, currencyExponent } from '../money/money.ts';
import type { Quote } from '../schema/registry.ts';
import { dateToUtc } from '../date/date.ts';

/**
 * FX rates as decimal text. A series "GBP/USD" with close "1.27" means 1 GBP = 1.27 USD, the way the
 * quotes collection stores it. Rates never pass through a float.
 */
export interface FxRate {
  readonly rate: string;
  readonly date: string;
}

/** Keyed "FROM/TO". */
export type FxRates = ReadonlyMap<string, FxRate>;

const SERIES = /^([A-Z]{3})\/([A-Z]{3})$/;

/** The latest rate per FX series on or before `asOf` (all dates when omitted). Price quotes are ignored. */
export function latestFxRates(quotes: Iterable<Quote>, asOf?: string): Map<string, FxRate> {
  if (asOf !== undefined) dateToUtc(asOf);
  const out = new Map<string, FxRate>();
  for (const q of quotes) {
    if (q.kind !== 'fx' || !SERIES.test(q.series)) continue;
    if (asOf !== undefined && q.date > asOf) continue;
    const rate = new Decimal(q.close);
    if (!rate.isFinite() || rate.lte(0)) continue;
    const seen = out.get(q.series);
    if (!seen || q.date > seen.date) out.set(q.series, { rate: q.close, date: q.date });
  }
  return out;
}

/**
 * The rate to turn `from` into `to`: direct, or the inverse of the opposite series (to 20 significant
 * digits). Null when neither is known; "1" for the same currency.
 */
export function lookupRate(rates: FxRates, from: string, to: string): FxRate | null {
  currencyExponent(from);
  currencyExponent(to);
  if (from === to) return { rate: '1', date: '0000-01-01' };
  const direct = rates.get(`${from}/${to}`);
  const inverse = rates.get(`${to}/${from}`);
  if (direct && (!inverse || direct.date >= inverse.date)) return direct;
  if (inverse) return { rate: new Decimal(1).div(inverse.rate).toSignificantDigits(20).toFixed(), date: inverse.date };
  return null;
}
