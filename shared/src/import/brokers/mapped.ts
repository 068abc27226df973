import { z } from 'zod';
import { valueOf } from '../../money/money.ts';
import { headerKey, readCsv } from '../csv.ts';
import type { CsvRow } from '../csv.ts';
import { decodeStatement } from '../text.ts';
import type { ParseProblem, ParseResult } from '../types.ts';
import { DATE_FORMATS } from '../types.ts';
import { isCurrency } from '../values.ts';
import { RowProblem, asset, calendarDate, currencyCode, decimalText, isZero, isinOrNull, minorOf, optionalFee, rowReader } from './common.ts';
import type { Row } from './common.ts';
import type { ParsedTrade, SkippedRow } from './types.ts';

/**
 * A broker export in a layout no parser here knows, read with a column mapping the user chose (the import
 * flow's mapping step): which column holds the date, the action, the asset (symbol, ISIN or name — at least one),
 * the quantity, unit price, total, fee, currency and notes, and what each action word means. The result is the
 * same as a known broker's: investment transaction drafts in the conventions of shared/src/invest/types.ts, rows
 * that are not trades skipped with a reason, and — all or nothing — no trades at all when any row cannot be read,
 * each problem with its line and column.
 *
 * Cash effect (`amount`, fee included): with a total column, its absolute value is the cash moved — or, when
 * `totalIncludesFee` is false, the value before the fee, so the fee is added for a buy and taken off for a sale or
 * dividend; without a total (or a blank cell) it is quantity × unit price rounded half-even to the minor unit, the
 * fee applied the same way. Signs come from the kind, never from the file: buy and fee negative, sell and dividend
 * positive, a transfer costs only its fee, a split moves no cash.
 */

export const TRADE_KINDS = ['buy', 'sell', 'dividend', 'fee', 'split', 'transfer_in', 'transfer_out'] as const;
export type TradeKind = (typeof TRADE_KINDS)[number];
/** What an action word can mean: a kind, or "not a trade" (a deposit, interest...), skipped with a reason. */
export type ActionMeaning = TradeKind | 'skip';

const column = z.string().trim().min(1).max(200);

export const TradeMappingSchema = z.object({
  dateColumn: column,
  dateFormat: z.enum(DATE_FORMATS),
  kindColumn: column,
  /** Action word (compared by `actionKey`) → meaning; words not listed are read by `guessAction`. */
  kindValues: z.record(z.string().max(200), z.enum([...TRADE_KINDS, 'skip'])).default({}),
  symbolColumn: column.optional(),
  isinColumn: column.optional(),
  nameColumn: column.optional(),
  quantityColumn: column.optional(),
  unitPriceColumn: column.optional(),
  totalColumn: column.optional(),
  /** Whether the total column already holds the fee (the cash that moved). */
  totalIncludesFee: z.boolean().default(true),
  feeColumn: column.optional(),
  splitRatioColumn: column.optional(),
  currencyColumn: column.optional(),
  /** The currency when there is no currency column, or its cell is blank. */
  currency: z.string().regex(/^[A-Z]{3}$/).default('GBP'),
  notesColumn: column.optional(),
  referenceColumn: column.optional(),
}).refine((m) => m.symbolColumn !== undefined || m.isinColumn !== undefined || m.nameColumn !== undefined, {
  message: 'choose the symbol, ISIN or name column (at least one)', path: ['symbolColumn'],
}).refine((m) => m.totalColumn !== undefined || (m.quantityColumn !== undefined && m.unitPriceColumn !== undefined), {
  message: 'choose the total column, or the quantity and unit price columns', path: ['totalColumn'],
});
export type TradeMapping = z.output<typeof TradeMappingSchema>;
export type TradeMappingInput = z.input<typeof TradeMappingSchema>;

/** The columns a mapping names, for checking them against a file's header. */
export function tradeMappingColumns(m: TradeMappingInput): string[] {
  return [m.dateColumn, m.kindColumn, m.symbolColumn, m.isinColumn, m.nameColumn, m.quantityColumn, m.unitPriceColumn, m.totalColumn,
    m.feeColumn, m.splitRatioColumn, m.currencyColumn, m.notesColumn, m.referenceColumn].filter((c): c is string => c !== undefined);
}

/** An action word as the mapping compares it: lower case, runs of other characters than letters and digits one space. */
export function actionKey(raw: string): string {
  return raw.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const GUESSES: ReadonlyArray<[RegExp, ActionMeaning]> = [
  [/^(transfer|transferred|stock transfer|shares?) in$|^(transfer in|in specie in|receive|received|deliver in)$/, 'transfer_in'],
  [/^(transfer|transferred|stock transfer|shares?) out$|^(transfer out|in specie out|deliver out)$/, 'transfer_out'],
  [/^((market|limit|stop|regular|recurring|auto) )?(buy|bought|purchase|purchased|b)( order)?$/, 'buy'],
  [/^((market|limit|stop) )?(sell|sold|sale|s)( order)?$/, 'sell'],
  [/^(div|dividends?|dividend (payment|paid|received)|distribution|cash dividend)$/, 'dividend'],
  [/^(fees?|charge|charges|commission|management fee|platform fee|account fee|custody fee)$/, 'fee'],
  [/^((stock|share) )?(split|consolidation|reverse split)$/, 'split'],
  [/^(deposit|withdrawal|top up|cash (in|out|deposit|withdrawal)|interest|cash interest|fx|currency exchange|conversion)$/, 'skip'],
];

/** The meaning of a common action word, or null when it is not one this guesses (the user says what it means). */
export function guessAction(raw: string): ActionMeaning | null {
  const k = actionKey(raw);
  return GUESSES.find(([re]) => re.test(k))?.[1] ?? null;
}

const KIND_WORDS: Record<TradeKind, string> = {
  buy: 'a buy', sell: 'a sale', dividend: 'a dividend', fee: 'a fee', split: 'a split', transfer_in: 'a transfer in', transfer_out: 'a transfer out',
};

/** How far down the file the header row may sit. */
const HEADER_SEARCH_ROWS = 30;

/** The header row: the first within 30 records with two or more cells, as the generic bank path finds it. */
export function findHeader(rows: readonly CsvRow[]): number {
  return rows.findIndex((r, i) => i < HEADER_SEARCH_ROWS && r.cells.filter((c) => c.trim() !== '').length >= 2);
}

/** Reads a CSV's bytes with a trade mapping. Never throws: what is wrong comes back in `problems`. */
export function parseMappedTradesCsv(bytes: Uint8Array, mapping: TradeMappingInput): ParseResult {
  try {
    const { text } = decodeStatement(bytes);
    const { rows, problems } = readCsv(text);
    const result = parseMappedTrades(rows, mapping);
    const all = [...problems, ...result.problems];
    return { ...result, trades: all.length > 0 ? [] : result.trades ?? [], problems: all };
  } catch (e) {
    return { format: 'generic', transactions: [], trades: [], skipped: [], problems: [{ line: 1, message: `Could not read the file: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

/** Reads CSV rows with a trade mapping (format `generic`, trades and skipped rows, all or nothing). */
export function parseMappedTrades(rows: readonly CsvRow[], input: TradeMappingInput): ParseResult {
  const none = (problems: ParseProblem[]): ParseResult => ({ format: 'generic', transactions: [], trades: [], skipped: [], problems });
  const headerAt = findHeader(rows);
  const headerRow = rows[headerAt];
  if (!headerRow) return none([{ line: 1, message: 'No header row with two or more columns was found' }]);
  const checked = TradeMappingSchema.safeParse(input);
  if (!checked.success) {
    return none(checked.error.issues.map((i) => ({ line: headerRow.line, message: `Column mapping: ${i.path.join('.') || 'mapping'}: ${i.message}` })));
  }
  const mapping = checked.data;
  const header = headerRow.cells.map(headerKey);
  const missing = tradeMappingColumns(mapping).filter((c) => !header.includes(headerKey(c)));
  if (missing.length > 0) return none(missing.map((c) => ({ line: headerRow.line, column: c, message: `Column "${c}" is not in the header` })));
  const meanings = new Map(Object.entries(mapping.kindValues).map(([k, v]) => [actionKey(k), v] as const));

  const trades: ParsedTrade[] = [];
  const skipped: SkippedRow[] = [];
  const problems: ParseProblem[] = [];
  for (const csvRow of rows.slice(headerAt + 1)) {
    if (csvRow.cells.every((c) => c.trim() === '')) continue;
    const row = rowReader(headerRow.cells, csvRow);
    try {
      const out = readRow(row, mapping, meanings);
      if ('reason' in out) skipped.push(out);
      else trades.push(out);
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      problems.push({ line: row.line, ...(e.column ? { column: e.column } : {}), message: e.message });
    }
  }
  return { format: 'generic', transactions: [], trades: problems.length > 0 ? [] : trades, skipped, problems };
}

function cell(row: Row, name: string | undefined): string {
  return name === undefined ? '' : row.get(name);
}

function need(row: Row, name: string | undefined, what: string, kind: TradeKind): string {
  const value = cell(row, name);
  if (value === '') throw new RowProblem(name, name === undefined ? `${KIND_WORDS[kind]} needs ${what}, and no column is chosen for it` : `${name} is empty: ${KIND_WORDS[kind]} needs ${what}`);
  return value;
}

function readRow(row: Row, m: TradeMapping, meanings: ReadonlyMap<string, ActionMeaning>): ParsedTrade | SkippedRow {
  const action = row.get(m.kindColumn);
  if (action === '') throw new RowProblem(m.kindColumn, `${m.kindColumn} is empty: say whether the row is a buy, sale, dividend…`);
  const meaning = meanings.get(actionKey(action)) ?? guessAction(action);
  if (meaning === null) throw new RowProblem(m.kindColumn, `"${action.slice(0, 40)}" in ${m.kindColumn} is not an action the mapping knows: choose what it means`);
  if (meaning === 'skip') return { line: row.line, reason: `"${action.slice(0, 40)}": not a trade (as the mapping says)` };
  const kind = meaning;

  const date = calendarDate(need(row, m.dateColumn, 'a date', kind), m.dateFormat, m.dateColumn);
  const currencyCell = cell(row, m.currencyColumn);
  const currency = currencyCell === '' ? m.currency : currencyCode(currencyCell, m.currencyColumn ?? 'Currency');
  if (!isCurrency(currency)) throw new RowProblem(m.currencyColumn, `"${currency}" is not a currency code`);

  const symbol = cell(row, m.symbolColumn);
  const isinCell = cell(row, m.isinColumn);
  const isin = isinCell === '' ? null : isinOrNull(isinCell);
  if (isinCell !== '' && isin === null) throw new RowProblem(m.isinColumn, `"${isinCell.slice(0, 20)}" is not an ISIN (two letters, nine letters or digits, a check digit)`);
  const name = cell(row, m.nameColumn);
  if (symbol === '' && isin === null && name === '') {
    const cols = [m.symbolColumn, m.isinColumn, m.nameColumn].filter((c): c is string => c !== undefined);
    throw new RowProblem(cols[0], `no asset: ${cols.join(', ')} ${cols.length > 1 ? 'are all' : 'is'} empty`);
  }
  const named = asset(symbol, isin, name !== '' ? name : symbol !== '' ? symbol.toUpperCase() : isin ?? '', currency);

  const quantityCell = cell(row, m.quantityColumn);
  const wantsUnits = kind === 'buy' || kind === 'sell' || kind === 'transfer_in' || kind === 'transfer_out';
  const quantity = wantsUnits
    ? decimalText(need(row, m.quantityColumn, 'a quantity', kind), m.quantityColumn ?? 'Quantity')
    : quantityCell === '' ? '0' : decimalText(quantityCell, m.quantityColumn ?? 'Quantity');
  if (wantsUnits && isZero(quantity)) throw new RowProblem(m.quantityColumn, `${m.quantityColumn} is 0: ${KIND_WORDS[kind]} needs the units`);

  const priceCell = kind === 'transfer_in' ? need(row, m.unitPriceColumn, 'the cost carried over per unit in the unit price (0 for free shares)', kind) : cell(row, m.unitPriceColumn);
  const unitPrice = priceCell === '' || kind === 'fee' || kind === 'split' || kind === 'transfer_out' ? null : decimalText(priceCell, m.unitPriceColumn ?? 'Unit price');
  const fee = m.feeColumn === undefined ? 0 : optionalFee(row, m.feeColumn, currency);
  const splitRatio = kind === 'split' ? decimalText(need(row, m.splitRatioColumn, 'its ratio (new units per old)', kind), m.splitRatioColumn ?? 'Ratio') : null;
  if (splitRatio !== null && (isZero(splitRatio) || /^1(\.0+)?$/.test(splitRatio))) throw new RowProblem(m.splitRatioColumn, `a split ratio of ${splitRatio} changes nothing`);

  const totalCell = cell(row, m.totalColumn);
  let amount = 0;
  if (kind === 'buy' || kind === 'sell' || kind === 'dividend' || kind === 'fee') {
    let gross: number;
    if (totalCell !== '') gross = Math.abs(minorOf(totalCell, currency, m.totalColumn ?? 'Total'));
    else if (kind === 'fee') gross = fee;
    else if (unitPrice !== null && !isZero(quantity)) gross = valueOf(quantity, unitPrice, currency);
    else throw new RowProblem(m.totalColumn ?? m.unitPriceColumn, `${KIND_WORDS[kind]} needs its total, or a quantity and unit price`);
    if (!Number.isSafeInteger(gross)) throw new RowProblem(m.totalColumn ?? m.quantityColumn, 'the amount is too large');
    const included = totalCell !== '' && m.totalIncludesFee;
    if (kind === 'buy') {
      if (included && gross < fee) throw new RowProblem(m.totalColumn, `the total (${m.totalColumn}) is less than the fee, though it should include it`);
      amount = -(included ? gross : gross + fee);
    }
    else if (kind === 'fee') amount = -gross;
    else {
      amount = included ? gross : gross - fee;
      if (amount < 0) throw new RowProblem(m.feeColumn, `the fee is more than ${KIND_WORDS[kind]}'s value`);
    }
    if (kind === 'fee' && gross === 0) throw new RowProblem(m.totalColumn ?? m.feeColumn, 'a fee of 0: enter the fee charged');
  } else if (kind === 'transfer_in' || kind === 'transfer_out') amount = fee > 0 ? -fee : 0;

  return {
    line: row.line, kind, date, quantity, unitPrice, amount, fee: kind === 'fee' ? -amount : kind === 'split' ? 0 : fee, currency, splitRatio,
    notes: cell(row, m.notesColumn) || null, asset: named, reference: cell(row, m.referenceColumn) || null,
  };
}

/**
 * The distinct cells of one column (by header name) below the header, in file order, at most `limit`: the action
 * words the mapping step asks the meaning of. Empty when the column is not in the header.
 */
export function distinctColumnValues(bytes: Uint8Array, columnName: string, limit = 40): string[] {
  const { rows } = readCsv(decodeStatement(bytes).text);
  const headerAt = findHeader(rows);
  const headerRow = rows[headerAt];
  if (!headerRow) return [];
  const at = headerRow.cells.map(headerKey).indexOf(headerKey(columnName));
  if (at < 0) return [];
  const seen = new Map<string, string>();
  for (const row of rows.slice(headerAt + 1)) {
    const value = (row.cells[at] ?? '').trim();
    if (value === '' || seen.has(actionKey(value))) continue;
    seen.set(actionKey(value), value);
    if (seen.size >= limit) break;
  }
  return [...seen.values()];
}
