import type { CsvRow } from '../csv.ts';
import { RowProblem, asset, collect, currencyCode, decimalText, isinOrNull, minorOf, moneyText, optionalFee, priceInMajor, required, rowReader, ukDateOfUtc } from './common.ts';
import type { BrokerParseResult, Row } from './common.ts';
import type { ParsedTrade, SkippedRow } from './types.ts';

/**
 * Freetrade's activity export: one row per event, `Type` ORDER / FREESHARE_ORDER / DIVIDEND / TOP_UP /
 * WITHDRAWAL / INTEREST_FROM_CASH..., `Timestamp` ISO 8601 in UTC (taken to the UK calendar date), money in the
 * account currency (`Total Amount` is the cash effect: shares plus stamp duty plus the FX fee for a buy).
 * A free share is a `transfer_in` at the price the export gives it (no cash moved).
 */
export const FREETRADE_SIGNATURE = ['title', 'type', 'timestamp', 'account currency', 'total amount', 'buy / sell', 'isin'];

const CASH_TYPES: Record<string, string> = {
  TOP_UP: 'a top-up of cash',
  WITHDRAWAL: 'a withdrawal of cash',
  INTEREST_FROM_CASH: 'interest on cash',
  MONTHLY_STATEMENT: 'a statement marker',
  PLAN_FEE: 'the subscription fee (charged to the account, not an asset)',
};

export function parseFreetrade(header: readonly string[], rows: readonly CsvRow[]): BrokerParseResult {
  return collect('freetrade', rows.map((r) => rowReader(header, r)), parseRow);
}

function parseRow(row: Row): ParsedTrade | SkippedRow {
  const type = required(row, 'Type').toUpperCase();
  const cash = CASH_TYPES[type];
  if (cash) return { line: row.line, reason: `${type}: ${cash}, not an investment transaction` };
  if (type !== 'ORDER' && type !== 'FREESHARE_ORDER' && type !== 'DIVIDEND') throw new RowProblem('Type', `Unknown type "${type.slice(0, 40)}"`);
  const date = ukDateOfUtc(required(row, 'Timestamp'), 'Timestamp');
  const currency = currencyCode(required(row, 'Account Currency'), 'Account Currency');
  const total = Math.abs(minorOf(required(row, 'Total Amount'), currency, 'Total Amount'));
  const instrument = priceInMajor('0', row.get('Instrument Currency') || currency).currency;
  currencyCode(instrument, 'Instrument Currency');
  const isin = isinOrNull(required(row, 'ISIN'));
  if (!isin) throw new RowProblem('ISIN', `"${row.get('ISIN').slice(0, 20)}" is not an ISIN`);
  const named = asset(row.get('Ticker'), isin, row.get('Title'), instrument);
  const notes: string[] = [];
  if (type === 'DIVIDEND') {
    const quantity = decimalText(required(row, 'Dividend Eligible Quantity'), 'Dividend Eligible Quantity');
    const perShare = row.get('Dividend Amount Per Share');
    if (row.get('Dividend Withheld Tax Amount') !== '') {
      const tax = optionalFee(row, 'Dividend Withheld Tax Amount', currency);
      if (tax > 0) notes.push(`Withholding tax ${moneyText(tax, currency)} (${row.get('Dividend Withheld Tax Percentage') || '?'}%)`);
    }
    const unitPrice = perShare !== '' && instrument === currency ? decimalText(perShare, 'Dividend Amount Per Share') : null;
    if (perShare !== '' && instrument !== currency) notes.push(`Dividend ${perShare} ${instrument} per share`);
    return { line: row.line, kind: 'dividend', date, quantity, unitPrice, amount: total, fee: 0, currency, splitRatio: null, notes: notes.join('; ') || null, asset: named, reference: null };
  }
  const quantity = decimalText(required(row, 'Quantity'), 'Quantity');
  const unitPrice = decimalText(required(row, 'Price per Share in Account Currency'), 'Price per Share in Account Currency');
  if (instrument !== currency) notes.push(`Price ${row.get('Price per Share')} ${instrument}, FX rate ${row.get('FX Rate') || 'not given'}`);
  const reference = row.get('Order ID') || null;
  if (type === 'FREESHARE_ORDER') {
    notes.push('Free share');
    return { line: row.line, kind: 'transfer_in', date, quantity, unitPrice, amount: 0, fee: 0, currency, splitRatio: null, notes: notes.join('; '), asset: named, reference };
  }
  const side = required(row, 'Buy / Sell').toUpperCase();
  if (side !== 'BUY' && side !== 'SELL') throw new RowProblem('Buy / Sell', `"${side.slice(0, 20)}" is neither BUY nor SELL`);
  const fee = optionalFee(row, 'Stamp Duty', currency) + optionalFee(row, 'FX Fee Amount', currency);
  return {
    line: row.line, kind: side === 'BUY' ? 'buy' : 'sell', date, quantity, unitPrice, amount: side === 'BUY' ? -total : total, fee, currency,
    splitRatio: null, notes: notes.join('; ') || null, asset: named, reference,
  };
}
