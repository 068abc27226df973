import type { CsvRow } from '../csv.ts';
import { RowProblem, asset, collect, currencyCode, decimalText, isinOrNull, minorOf, moneyText, optionalFee, priceInMajor, required, rowReader, ukDateOfUtc } from './common.ts';
import type { BrokerParseResult, Row } from './common.ts';
import type { ParsedTrade, SkippedRow } from './types.ts';

/**
 * Trading 212's history export (Invest and Stocks ISA): one row per action, `Time` in UTC (taken to the UK
 * calendar date, Europe/London), `Total` in the account currency with every fee in it, price per share in
 * the instrument's currency (GBX for London lines) with the exchange rate between them. Optional columns
 * (stamp duty, conversion fee, withholding tax...) appear only when the period has them. Older exports name the
 * account currency in the header instead (`Total (GBP)`, `Stamp duty reserve tax (GBP)`, no `Currency (…)` columns).
 */
export const TRADING212_SIGNATURE = ['action', 'time', 'isin', 'ticker', 'no. of shares', 'price / share'];

/** Fee columns and the currency column beside each. */
const FEES = ['Stamp duty reserve tax', 'Currency conversion fee', 'Transaction fee', 'Finra fee', 'French transaction tax', 'Stamp duty'];

const CASH_ACTIONS: Array<[RegExp, string]> = [
  [/^deposit$/i, 'a deposit of cash'],
  [/^withdrawal$/i, 'a withdrawal of cash'],
  [/^interest on cash$/i, 'interest on cash'],
  [/^lending interest$/i, 'share lending interest'],
  [/^currency conversion$/i, 'a currency conversion'],
  [/^(spending )?cashback$/i, 'cashback'],
  [/^stock split (open|close)$/i, 'one leg of a share split: add the split by hand (the export has no ratio)'],
];

export function parseTrading212(header: readonly string[], rows: readonly CsvRow[]): BrokerParseResult {
  // The older layout: `Total (GBP)` etc. Read as the newer one, with the currency filled in from the header.
  const older = header.map((h) => /^\s*(.+?)\s*\(([A-Za-z]{3})\)\s*$/.exec(h)).find((m) => m && /^total$/i.test(m[1] ?? ''));
  if (older) {
    const currency = (older[2] ?? '').toUpperCase();
    const names = header.map((h) => h.replace(/\s*\([A-Za-z]{3}\)\s*$/, (m) => (/^\s*currency/i.test(h) ? m : '')));
    const extra = ['Currency (Total)', ...FEES.map((f) => `Currency (${f})`), 'Currency (Withholding tax)'];
    const withCurrency = rows.map((r) => ({ line: r.line, cells: [...r.cells, ...extra.map(() => currency)] }));
    return collect('trading212', withCurrency.map((r) => rowReader([...names, ...extra], r)), parseRow);
  }
  if (!header.some((h) => /^\s*total\s*$/i.test(h))) {
    return collect('trading212', [], parseRow, [{ line: rows[0] ? rows[0].line - 1 : 1, column: 'Total', message: 'No "Total" column in this Trading 212 export' }]);
  }
  return collect('trading212', rows.map((r) => rowReader(header, r)), parseRow);
}

function parseRow(row: Row): ParsedTrade | SkippedRow {
  const action = required(row, 'Action');
  const cash = CASH_ACTIONS.find(([re]) => re.test(action));
  if (cash) return { line: row.line, reason: `${action}: ${cash[1]}, not an investment transaction` };
  const kind = /\bbuy$/i.test(action) ? 'buy' : /\bsell$/i.test(action) ? 'sell' : /^dividend\b/i.test(action) ? 'dividend' : null;
  if (!kind) throw new RowProblem('Action', `Unknown action "${action.slice(0, 40)}"`);
  const date = ukDateOfUtc(required(row, 'Time'), 'Time');
  const currency = currencyCode(required(row, 'Currency (Total)'), 'Currency (Total)');
  const total = Math.abs(minorOf(required(row, 'Total'), currency, 'Total'));
  const quantity = decimalText(required(row, 'No. of shares'), 'No. of shares');
  const quoted = priceInMajor(decimalText(required(row, 'Price / share'), 'Price / share'), required(row, 'Currency (Price / share)'));
  currencyCode(quoted.currency, 'Currency (Price / share)');
  let fee = 0;
  for (const name of FEES) {
    if (!row.has(name) || row.get(name) === '') continue;
    const feeCurrency = currencyCode(row.get(`Currency (${name})`) || currency, `Currency (${name})`);
    if (feeCurrency !== currency) throw new RowProblem(name, `${name} is in ${feeCurrency} but the total is in ${currency}`);
    fee += optionalFee(row, name, currency);
  }
  const notes: string[] = [];
  const samePrice = quoted.currency === currency;
  if (!samePrice && kind === 'dividend') notes.push(`Dividend ${row.get('Price / share')} ${row.get('Currency (Price / share)')} per share`);
  else if (!samePrice) notes.push(`Price ${row.get('Price / share')} ${row.get('Currency (Price / share)')}, exchange rate ${row.get('Exchange rate') || 'not given'}`);
  if (row.get('Withholding tax') !== '') {
    const taxCurrency = currencyCode(row.get('Currency (Withholding tax)') || currency, 'Currency (Withholding tax)');
    const tax = Math.abs(minorOf(row.get('Withholding tax'), taxCurrency, 'Withholding tax'));
    if (tax > 0) notes.push(`Withholding tax ${moneyText(tax, taxCurrency)}`);
  }
  const isin = isinOrNull(row.get('ISIN'));
  if (row.get('ISIN') !== '' && !isin) throw new RowProblem('ISIN', `"${row.get('ISIN').slice(0, 20)}" is not an ISIN`);
  return {
    line: row.line,
    kind,
    date,
    quantity,
    unitPrice: samePrice ? quoted.price : null,
    amount: kind === 'buy' ? -total : total,
    fee: kind === 'dividend' ? 0 : fee,
    currency,
    splitRatio: null,
    notes: notes.length > 0 ? notes.join('; ') : null,
    asset: asset(row.get('Ticker'), isin, row.get('Name') || row.get('Ticker'), quoted.currency),
    reference: row.get('ID') || null,
  };
}
