import { dateIn } from '../../date/date.ts';
import { Decimal, currencyExponent, minorToDecimalString } from '../../money/money.ts';
import { headerKey } from '../csv.ts';
import type { CsvRow } from '../csv.ts';
import type { ParseProblem } from '../types.ts';
import { cleanText, isCurrency, parseAmount, parseDate } from '../values.ts';
import type { DateFormat } from '../types.ts';
import type { BrokerFormat, ParsedTrade, SkippedRow, TradeAsset } from './types.ts';

/**
 * What every broker parser shares: reading a row by header name, decimal text and money without floats,
 * dates with their time zone stated, and the all-or-nothing rule — a broker file with any row that cannot be
 * read yields no trades at all, only its problems (each with its line and column).
 */

export interface BrokerParseResult {
  readonly format: BrokerFormat;
  readonly trades: ParsedTrade[];
  readonly skipped: SkippedRow[];
  readonly problems: ParseProblem[];
}

/** Thrown inside one row's parse; the row loop turns it into a problem on that row's line. */
export class RowProblem extends Error {
  constructor(readonly column: string | undefined, message: string) {
    super(message);
  }
}

/** Cells of one row by header name (compared as `headerKey`: case and spacing do not matter). */
export interface Row {
  readonly line: number;
  /** The trimmed cell, '' when the column is missing or empty. */
  get(name: string): string;
  has(name: string): boolean;
}

export function rowReader(header: readonly string[], row: CsvRow): Row {
  const keys = header.map(headerKey);
  const at = (name: string) => keys.indexOf(headerKey(name));
  return {
    line: row.line,
    get: (name) => {
      const i = at(name);
      return i < 0 ? '' : cleanText(row.cells[i]);
    },
    has: (name) => at(name) >= 0,
  };
}

/** Runs each row's parse, collecting problems; any problem empties the trades (all or nothing). */
export function collect(
  format: BrokerFormat,
  rows: readonly Row[],
  parseRow: (row: Row) => ParsedTrade | SkippedRow | null,
  problems: ParseProblem[] = [],
): BrokerParseResult {
  const trades: ParsedTrade[] = [];
  const skipped: SkippedRow[] = [];
  for (const row of rows) {
    try {
      const out = parseRow(row);
      if (out === null) continue;
      if ('reason' in out) skipped.push(out);
      else trades.push(out);
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      problems.push({ line: row.line, ...(e.column ? { column: e.column } : {}), message: e.message });
    }
  }
  return finish(format, trades, skipped, problems);
}

export function finish(format: BrokerFormat, trades: ParsedTrade[], skipped: SkippedRow[], problems: ParseProblem[]): BrokerParseResult {
  problems.sort((a, b) => a.line - b.line);
  return { format, trades: problems.length > 0 ? [] : trades, skipped, problems };
}

export function required(row: Row, column: string): string {
  const value = row.get(column);
  if (value === '') throw new RowProblem(column, `${column} is empty`);
  return value;
}

/**
 * Decimal text as the file writes it, for quantities and prices: thousands separators, spaces and currency
 * symbols removed, a leading `.` given its `0`, the sign dropped (the kind says the direction). Never a float.
 */
export function decimalText(raw: string, column: string): string {
  let text = raw.replace(/[£$€\s\u00a0]/g, '').replace(/^[+-]/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  if (text.startsWith('.')) text = `0${text}`;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RowProblem(column, `"${raw.slice(0, 40)}" is not a number`);
  return text;
}

/** Whether decimal text is zero ("0", "0.000"). */
export function isZero(text: string): boolean {
  return /^0+(\.0+)?$/.test(text);
}

/** Money in minor units of `currency` (integer, through parseMinor), signed as written. */
export function minorOf(raw: string, currency: string, column: string): number {
  const parsed = parseAmount(raw, currency);
  if (!parsed.ok) throw new RowProblem(column, `${column}: ${parsed.error}`);
  return parsed.value;
}

/** Money that may be blank (no fee of that kind): 0 when empty, else its absolute value in minor units. */
export function optionalFee(row: Row, column: string, currency: string): number {
  const raw = row.get(column);
  return raw === '' ? 0 : Math.abs(minorOf(raw, currency, column));
}

export function currencyCode(raw: string, column: string): string {
  const code = raw.trim().toUpperCase();
  if (!isCurrency(code)) throw new RowProblem(column, `"${raw.slice(0, 12)}" is not a currency code`);
  return code;
}

/** A calendar date written without a time zone (the broker's own trade date), in the given field order. */
export function calendarDate(raw: string, format: DateFormat, column: string): string {
  const parsed = parseDate(raw, format);
  if (!parsed.ok) throw new RowProblem(column, `${column}: ${parsed.error}`);
  return parsed.value;
}

const UTC_STAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An instant written in UTC (`2024-03-29 23:30:00`, `2024-03-29T23:30:00.123Z`; an explicit offset is honoured)
 * to the calendar date in the UK (Europe/London): 23:30 UTC on a summer evening is already the next day in London.
 */
export function ukDateOfUtc(raw: string, column: string): string {
  const m = UTC_STAMP.exec(raw.trim());
  if (!m) throw new RowProblem(column, `"${raw.slice(0, 40)}" is not a date and time`);
  const zone = m[8] === undefined || m[8] === 'Z' ? 'Z' : m[8].length === 5 ? m[8] : `${m[8].slice(0, 3)}:${m[8].slice(3)}`;
  const instant = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`);
  if (Number.isNaN(instant.getTime()) || !parseDate(`${m[1]}-${m[2]}-${m[3]}`, 'YYYY-MM-DD').ok || Number(m[4]) > 23) {
    throw new RowProblem(column, `"${raw.slice(0, 40)}" is not a date and time`);
  }
  return dateIn('Europe/London', instant);
}

const ISIN = /^[A-Z]{2}[A-Z0-9]{9}\d$/;

export function isinOrNull(raw: string): string | null {
  const text = raw.trim().toUpperCase();
  return ISIN.test(text) ? text : null;
}

export function asset(symbol: string | null, isin: string | null, name: string, currency: string): TradeAsset {
  const s = symbol?.trim().toUpperCase() ?? '';
  return { symbol: s === '' ? null : s, isin, name: cleanText(name), currency };
}

/** Minor units as plain decimal text with the currency, for notes (no float on the way). */
export function moneyText(amount: number, currency: string): string {
  return `${minorToDecimalString(amount, currency)} ${currency}`;
}

/** Prices quoted in pence (`GBX`, `GBp`) become pounds by moving the point: exact, no float. */
export function priceInMajor(price: string, currency: string): { price: string; currency: string } {
  if (/^gbx$/i.test(currency) || currency === 'GBp') return { price: new Decimal(price).div(100).toFixed(), currency: 'GBP' };
  return { price, currency: currency.toUpperCase() };
}

/**
 * Money written with more decimals than the currency has (IB's commissions: `-1.0005`): rounded half-even to
 * minor units, as the broker settles it; `exact` says whether rounding was needed.
 */
export function minorRounded(raw: string, currency: string, column: string): { value: number; exact: boolean } {
  const text = raw.trim().replace(/,/g, '');
  if (!/^[+-]?\d+(\.\d+)?$/.test(text)) throw new RowProblem(column, `${column}: "${raw.slice(0, 40)}" is not an amount`);
  const exponent = currencyExponent(currency);
  const scaled = new Decimal(text).times(new Decimal(10).pow(exponent));
  const value = scaled.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return { value: value.toNumber(), exact: value.equals(scaled) };
}
