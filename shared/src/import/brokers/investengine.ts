import type { CsvRow } from '../csv.ts';
import { RowProblem, asset, calendarDate, collect, decimalText, isinOrNull, minorOf, required, rowReader } from './common.ts';
import type { BrokerParseResult, Row } from './common.ts';
import type { ParsedTrade, SkippedRow } from './types.ts';

/**
 * InvestEngine's trading statement: one row per executed ETF trade, `Security / ISIN` as
 * "<fund name> / ISIN <isin>", prices and values in pounds with a `£`, `Trade Date/Time` as `DD/MM/YY HH:MM:SS`
 * in UK local time (the date is taken as written). InvestEngine charges no dealing fee, so `fee` is 0 and the
 * cash effect is the trade value. Dividends and the platform fee are on its separate cash statement.
 */
export const INVESTENGINE_SIGNATURE = ['security / isin', 'transaction type', 'quantity', 'share price', 'total trade value', 'trade date/time'];

export function parseInvestEngine(header: readonly string[], rows: readonly CsvRow[]): BrokerParseResult {
  return collect('investengine', rows.map((r) => rowReader(header, r)), parseRow);
}

function parseRow(row: Row): ParsedTrade | SkippedRow {
  const type = required(row, 'Transaction Type').toLowerCase();
  if (type !== 'buy' && type !== 'sell') throw new RowProblem('Transaction Type', `Unknown transaction type "${type.slice(0, 30)}"`);
  const security = required(row, 'Security / ISIN');
  const m = /^(.*?)\s*\/\s*ISIN[:\s]*([A-Z0-9]{12})$/i.exec(security);
  const isin = m ? isinOrNull(m[2] ?? '') : null;
  if (!m || !isin) throw new RowProblem('Security / ISIN', `"${security.slice(0, 60)}" does not end in "/ ISIN" and an ISIN`);
  const stamp = required(row, 'Trade Date/Time');
  const date = calendarDate(stamp.split(/\s+/)[0] ?? '', 'DD/MM/YYYY', 'Trade Date/Time');
  const value = Math.abs(minorOf(required(row, 'Total Trade Value'), 'GBP', 'Total Trade Value'));
  return {
    line: row.line,
    kind: type,
    date,
    quantity: decimalText(required(row, 'Quantity'), 'Quantity'),
    unitPrice: decimalText(required(row, 'Share Price'), 'Share Price'),
    amount: type === 'buy' ? -value : value,
    fee: 0,
    currency: 'GBP',
    splitRatio: null,
    notes: null,
    asset: asset(null, isin, m[1] ?? '', 'GBP'),
    reference: null,
  };
}
