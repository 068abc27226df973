import Decimal from 'decimal.js';
import type { InvestmentTransaction } from '@mymidas/shared/schema';
import { addDays, dateIn, dateLabel } from '@mymidas/shared/date';
import type { CandleSummary } from './asset-candles.ts';

/**
 * The asset page's words: prices (decimal text, up to four places, in the asset's currency), the chart's text
 * summary, and the transaction kinds. Pure.
 */

const priceFormats = new Map<string, Intl.NumberFormat | null>();

/** A price as money text: "£1,234.5678" (two to four decimal places); unknown currency codes as "1234.5 XYZ". */
export function priceText(text: string, currency: string): string {
  let f = priceFormats.get(currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 4 });
    } catch {
      f = null;
    }
    priceFormats.set(currency, f);
  }
  // Display only: Intl formats a number; the figure itself stays decimal text everywhere else.
  return f ? f.format(Number(text)) : `${text} ${currency}`;
}

/** A fraction as a signed percentage with two places: "+5.23%", "−3.13%". */
export function percentText(fraction: string): string {
  const p = new Decimal(fraction).times(100).toDecimalPlaces(2);
  return `${p.isNegative() ? '−' : p.isZero() ? '' : '+'}${p.abs().toFixed(2)}%`;
}

/** The chart in one paragraph, for screen readers and anyone who prefers text. */
export function summaryText(s: CandleSummary, currency: string): string {
  const day = (d: string) => dateLabel(d);
  const direction = new Decimal(s.change).isZero() ? 'unchanged' : new Decimal(s.change).isNegative() ? 'down' : 'up';
  const change = direction === 'unchanged'
    ? 'unchanged'
    : `${direction} ${priceText(new Decimal(s.change).abs().toString(), currency)}${s.changeFraction === null ? '' : ` (${percentText(s.changeFraction)})`}`;
  return `From ${day(s.from)} to ${day(s.to)} (${s.days} ${s.days === 1 ? 'price' : 'prices'}): high ${priceText(s.high, currency)} on ${day(s.highDate)}, `
    + `low ${priceText(s.low, currency)} on ${day(s.lowDate)}; closed at ${priceText(s.lastClose, currency)}, ${change} from ${priceText(s.firstClose, currency)}.`;
}

export const TRANSACTION_KINDS: Readonly<Record<InvestmentTransaction['kind'], string>> = {
  buy: 'Buy', sell: 'Sell', dividend: 'Dividend', split: 'Split', fee: 'Fee', transfer_in: 'Transfer in', transfer_out: 'Transfer out',
};

/** What a trade moved, after its kind: "5 units at £120.00", "2 units added" (a split); empty for a dividend or fee. */
export function tradeDetail(t: Pick<InvestmentTransaction, 'kind' | 'quantity' | 'unitPrice' | 'currency'>): string {
  if (t.kind === 'dividend' || t.kind === 'fee') return '';
  if (t.kind === 'split') return `${t.quantity} units added`;
  return t.unitPrice ? `${t.quantity} units at ${priceText(t.unitPrice, t.currency)}` : `${t.quantity} units`;
}

/** The intraday latest price beside the last close, in words (see `latestPriceLine`). */
export interface LatestPriceLine {
  /** The price as money text. */
  readonly price: string;
  /** When, in the user's time zone: "at 16:30 today", "at 09:05 yesterday", "at 16:30 on 3 Dec 2026". */
  readonly when: string;
  /** The move since the last close before it: "+0.84% on the close of 3 Dec 2026"; null when there is no earlier close. */
  readonly change: string | null;
  readonly source: string;
}

/**
 * The latest (intraday) price a feed stored for the asset, when it is newer than the last daily close: the price,
 * when it was taken and the move since the last close. Null when the last close is as new or newer (the close then
 * says it all) or the instant cannot be read.
 */
export function latestPriceLine(
  latest: { readonly price: string; readonly asOf: string; readonly source: string },
  lastClose: { readonly price: string; readonly date: string } | null,
  currency: string,
  timeZone: string,
  now: Date,
): LatestPriceLine | null {
  const at = new Date(latest.asOf);
  if (Number.isNaN(at.getTime())) return null;
  const day = dateIn(timeZone, at);
  if (lastClose && lastClose.date >= day) return null;
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const today = dateIn(timeZone, now);
  const when = day === today ? `at ${time} today` : day === addDays(today, -1) ? `at ${time} yesterday` : `at ${time} on ${dateLabel(day)}`;
  let change: string | null = null;
  if (lastClose && !new Decimal(lastClose.price).isZero()) {
    const fraction = new Decimal(latest.price).minus(lastClose.price).div(lastClose.price);
    change = `${percentText(fraction.toString())} on the close of ${dateLabel(lastClose.date)}`;
  }
  return { price: priceText(latest.price, currency), when, change, source: latest.source };
}
