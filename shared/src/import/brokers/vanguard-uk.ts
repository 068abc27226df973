import { headerKey } from '../csv.ts';
import type { CsvRow } from '../csv.ts';
import type { ParseProblem } from '../types.ts';
import { RowProblem, asset, calendarDate, collect, decimalText, minorOf, required, rowReader } from './common.ts';
import type { BrokerParseResult, Row } from './common.ts';
import type { ParsedTrade, SkippedRow } from './types.ts';

/**
 * Vanguard UK Personal Investor's transaction download, saved as CSV: a "Cash Transactions" table
 * (`Date, Details, Amount, Balance`) and an "Investment Transactions" table
 * (`Date, InvestmentName, TransactionDetails, Quantity, Price, Cost`), each under its title line. Dates are
 * UK calendar days `DD/MM/YYYY`; money is pounds. The export names funds, with no ISIN or ticker.
 * Trades come from the investment table ("Bought …" / "Sold …"; Vanguard charges no dealing fee); from the
 * cash table only distributions ("Div: <fund>") are taken, as dividends whose unit count the export does not
 * give (quantity "0"); the other cash rows (deposits, the account fee, the cash legs of trades) are skipped.
 */
export const VANGUARD_INVESTMENT_HEADER = ['date', 'investmentname', 'transactiondetails', 'quantity', 'price', 'cost'];
const CASH_HEADER = ['date', 'details', 'amount', 'balance'];

const isHeader = (cells: readonly string[], want: readonly string[]) => want.every((w) => cells.map(headerKey).includes(w));

export function parseVanguardUk(rows: readonly CsvRow[]): BrokerParseResult {
  const readers: Array<{ row: Row; table: 'cash' | 'investment' }> = [];
  const problems: ParseProblem[] = [];
  let table: { header: string[]; kind: 'cash' | 'investment' } | null = null;
  let sawTable = false;
  for (const r of rows) {
    const kind = isHeader(r.cells, VANGUARD_INVESTMENT_HEADER) ? 'investment' : isHeader(r.cells, CASH_HEADER) ? 'cash' : null;
    if (kind) {
      table = { header: r.cells, kind };
      sawTable = true;
    } else if (r.cells.filter((c) => c.trim() !== '').length === 1 && /transactions$/i.test(r.cells[0]?.trim() ?? '')) {
      table = null;
    } else if (table) {
      readers.push({ row: rowReader(table.header, r), table: table.kind });
    } else if (sawTable) {
      problems.push({ line: r.line, message: 'A row outside the "Cash Transactions" and "Investment Transactions" tables' });
    }
    // Rows before the first table are the download's preamble (account name, dates): not transactions.
  }
  const kinds = new Map(readers.map((x) => [x.row, x.table]));
  return collect('vanguard_uk', readers.map((x) => x.row), (row) => (kinds.get(row) === 'cash' ? cashRow(row) : investmentRow(row)), problems);
}

function investmentRow(row: Row): ParsedTrade {
  const details = required(row, 'TransactionDetails');
  const kind = /^bought\b/i.test(details) ? 'buy' : /^sold\b/i.test(details) ? 'sell' : null;
  if (!kind) throw new RowProblem('TransactionDetails', `"${details.slice(0, 40)}" is neither "Bought" nor "Sold"`);
  const cost = Math.abs(minorOf(required(row, 'Cost'), 'GBP', 'Cost'));
  return {
    line: row.line,
    kind,
    date: calendarDate(required(row, 'Date'), 'DD/MM/YYYY', 'Date'),
    quantity: decimalText(required(row, 'Quantity'), 'Quantity'),
    unitPrice: decimalText(required(row, 'Price'), 'Price'),
    amount: kind === 'buy' ? -cost : cost,
    fee: 0,
    currency: 'GBP',
    splitRatio: null,
    notes: null,
    asset: asset(null, null, required(row, 'InvestmentName'), 'GBP'),
    reference: null,
  };
}

function cashRow(row: Row): ParsedTrade | SkippedRow {
  const details = required(row, 'Details');
  const div = /^div(?:idend)?:\s*(.+)$/i.exec(details);
  if (!div) {
    const leg = /^(bought|sold)\b/i.test(details);
    return { line: row.line, reason: `"${details.slice(0, 60)}": ${leg ? 'the cash side of a trade listed under Investment Transactions' : 'a cash movement, not an investment transaction'}` };
  }
  const amount = minorOf(required(row, 'Amount'), 'GBP', 'Amount');
  if (amount <= 0) throw new RowProblem('Amount', 'A distribution should be money in');
  return {
    line: row.line,
    kind: 'dividend',
    date: calendarDate(required(row, 'Date'), 'DD/MM/YYYY', 'Date'),
    quantity: '0',
    unitPrice: null,
    amount,
    fee: 0,
    currency: 'GBP',
    splitRatio: null,
    notes: 'Units held not given in the export',
    asset: asset(null, null, div[1] ?? '', 'GBP'),
    reference: null,
  };
}
