import { Decimal } from '../../money/money.ts';
import type { CsvRow } from '../csv.ts';
import { RowProblem, asset, calendarDate, collect, decimalText, minorOf, required, rowReader } from './common.ts';
import type { BrokerParseResult, Row } from './common.ts';
import type { ParsedTrade, SkippedRow } from './types.ts';

/**
 * Hargreaves Lansdown's capital account download: a few client lines, then
 * `Trade date, Settle date, Reference, Description, Unit cost (p), Quantity, Value (£)`. Dates are UK calendar
 * days `DD/MM/YYYY` (the trade date is used); unit cost is in pence; `Value (£)` is the cash effect (negative
 * for a purchase) with the dealing charge and stamp duty folded in. A reference starting `B` is a purchase,
 * `S` a sale. The export has no separate fee column, so `fee` is derived as the difference between the value
 * and quantity × unit cost (half-even to the penny), and 0 if that difference goes the wrong way.
 * Holdings are named by description only (no ISIN or ticker).
 */
export const HL_SIGNATURE = ['trade date', 'settle date', 'reference', 'description', 'unit cost (p)', 'quantity', 'value (£)'];

const DIVIDEND_SUFFIX = /\s*(?:(?:interim|final|special|quarterly)\s+)?(?:dividend|distribution)\b.*$/i;

export function parseHargreavesLansdown(header: readonly string[], rows: readonly CsvRow[]): BrokerParseResult {
  return collect('hargreaves_lansdown', rows.map((r) => rowReader(header, r)), parseRow);
}

function parseRow(row: Row): ParsedTrade | SkippedRow {
  const reference = required(row, 'Reference');
  const description = required(row, 'Description');
  const date = calendarDate(required(row, 'Trade date'), 'DD/MM/YYYY', 'Trade date');
  const value = minorOf(required(row, 'Value (£)'), 'GBP', 'Value (£)');
  if (/^div/i.test(reference) || DIVIDEND_SUFFIX.test(description)) {
    if (value <= 0) throw new RowProblem('Value (£)', 'A dividend should be money in');
    const q = row.get('Quantity');
    return {
      line: row.line, kind: 'dividend', date, quantity: q === '' || /^n\/a$/i.test(q) ? '0' : decimalText(q, 'Quantity'), unitPrice: null, amount: value, fee: 0,
      currency: 'GBP', splitRatio: null, notes: null, asset: asset(null, null, description.replace(DIVIDEND_SUFFIX, ''), 'GBP'), reference,
    };
  }
  const kind = /^B\d/i.test(reference) ? 'buy' : /^S\d/i.test(reference) ? 'sell' : null;
  if (!kind) {
    if (/^n\/a$/i.test(row.get('Unit cost (p)')) || row.get('Unit cost (p)') === '') {
      return { line: row.line, reason: `"${description.slice(0, 60)}": a cash movement, not an investment transaction` };
    }
    throw new RowProblem('Reference', `Cannot tell whether "${reference.slice(0, 20)}" was a purchase or a sale`);
  }
  if (kind === 'buy' ? value >= 0 : value <= 0) throw new RowProblem('Value (£)', `A ${kind === 'buy' ? 'purchase' : 'sale'} with a value of the wrong sign`);
  const quantity = decimalText(required(row, 'Quantity'), 'Quantity');
  const pence = decimalText(required(row, 'Unit cost (p)'), 'Unit cost (p)');
  const unitPrice = new Decimal(pence).div(100).toFixed();
  const gross = new Decimal(quantity).times(pence).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();
  const fee = Math.max(0, kind === 'buy' ? -value - gross : gross - value);
  return { line: row.line, kind, date, quantity, unitPrice, amount: value, fee, currency: 'GBP', splitRatio: null, notes: null, asset: asset(null, null, description, 'GBP'), reference };
}
