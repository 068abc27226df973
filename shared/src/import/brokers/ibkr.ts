import type { CsvRow } from '../csv.ts';
import type { ParseProblem } from '../types.ts';
import { RowProblem, asset, calendarDate, collect, currencyCode, decimalText, isZero, minorOf, minorRounded, moneyText, required, rowReader } from './common.ts';
import type { BrokerParseResult, Row } from './common.ts';
import type { ParsedTrade, SkippedRow, TradeAsset } from './types.ts';

/**
 * Interactive Brokers' activity statement in CSV: every line starts with its section name and a row type
 * (`Header`, `Data`, `SubTotal`, `Total`, `Notes`); a section's `Header` line names the columns of the `Data`
 * lines after it. Used here:
 *  - `Trades` (`DataDiscriminator` = `Order`): `Date/Time` is "YYYY-MM-DD, HH:MM:SS" in the time zone of the
 *    statement (the account's, usually US/Eastern) and its date part is IB's trade date, taken as written;
 *    `Proceeds` is signed (negative for a buy), `Comm/Fee` is negative; the cash effect is their sum. Only
 *    `Stocks` (which covers ETFs) are imported; `Forex` lines are currency exchanges (skipped) and other asset
 *    categories (options, futures...) are skipped with their name.
 *  - `Dividends` and `Withholding Tax`: matched by currency, date and the `SYMBOL(ISIN)` at the start of the
 *    description; the dividend's amount is net of its withholding tax (the cash effect) and the tax is noted.
 *  - `Financial Instrument Information`: the ISIN and name of each symbol.
 * A commission written to more decimals than the currency has is rounded half-even to minor units (noted).
 * SubTotal and Total lines are sums of the rows above and are passed over; other sections are not trades.
 */
const SECTION_TRADES = 'Trades';

interface Section {
  header: string[];
  rows: Row[];
}

export function looksLikeIbkr(rows: readonly CsvRow[]): boolean {
  const first = rows[0]?.cells ?? [];
  return first[0]?.trim() === 'Statement' && first[1]?.trim() === 'Header' && rows.some((r) => r.cells[0] === SECTION_TRADES && r.cells[1] === 'Header');
}

export function parseIbkr(rows: readonly CsvRow[]): BrokerParseResult {
  const sections = new Map<string, Section[]>();
  const problems: ParseProblem[] = [];
  const current = new Map<string, Section>();
  for (const r of rows) {
    const [name = '', type = '', ...cells] = r.cells.map((c) => c.trim());
    if (type === 'Header') {
      const section = { header: cells, rows: [] };
      current.set(name, section);
      sections.set(name, [...(sections.get(name) ?? []), section]);
    } else if (type === 'Data') {
      const section = current.get(name);
      if (!section) problems.push({ line: r.line, message: `A "${name}" data line before its header` });
      else section.rows.push(rowReader(section.header, { line: r.line, cells }));
    }
  }
  const all = (name: string) => (sections.get(name) ?? []).flatMap((s) => s.rows);

  const instruments = new Map<string, { isin: string | null; name: string }>();
  for (const row of all('Financial Instrument Information')) {
    const symbol = row.get('Symbol');
    const isin = row.get('Security ID');
    if (symbol !== '') instruments.set(symbol.toUpperCase(), { isin: /^[A-Z]{2}[A-Z0-9]{9}\d$/.test(isin) ? isin : null, name: row.get('Description') || symbol });
  }
  const assetOf = (symbol: string, currency: string, isin: string | null = null): TradeAsset => {
    const known = instruments.get(symbol.toUpperCase());
    return asset(symbol, isin ?? known?.isin ?? null, known?.name ?? symbol, currency);
  };

  const taxes = new Map<string, { amount: number; lines: number[] }>();
  const taxProblems: ParseProblem[] = [];
  for (const row of all('Withholding Tax')) {
    const currency = row.get('Currency');
    if (/^total/i.test(currency)) continue;
    try {
      const c = currencyCode(currency, 'Currency');
      const key = dividendKey(c, calendarDate(required(row, 'Date'), 'YYYY-MM-DD', 'Date'), required(row, 'Description'));
      const held = taxes.get(key) ?? { amount: 0, lines: [] };
      taxes.set(key, { amount: held.amount + minorOf(required(row, 'Amount'), c, 'Amount'), lines: [...held.lines, row.line] });
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      taxProblems.push({ line: row.line, ...(e.column ? { column: e.column } : {}), message: `Withholding Tax: ${e.message}` });
    }
  }

  const tradeRows = all(SECTION_TRADES);
  const dividendRows = all('Dividends');
  const kinds = new Map<Row, 'trade' | 'dividend'>([...tradeRows.map((r) => [r, 'trade'] as const), ...dividendRows.map((r) => [r, 'dividend'] as const)]);
  const parsed = collect('ibkr', [...tradeRows, ...dividendRows].sort((a, b) => a.line - b.line), (row) => {
    if (kinds.get(row) === 'trade') return tradeRow(row, assetOf);
    return dividendRow(row, taxes, assetOf);
  }, [...problems, ...taxProblems]);
  // Tax lines with no dividend of theirs in this statement (IB's corrections of earlier periods) are not lost silently.
  const unmatched = [...taxes.values()].flatMap((t) => t.lines.map((line) => ({ line, reason: 'Withholding tax with no dividend of its own in this statement (a correction?): not imported' })));
  return { ...parsed, skipped: [...parsed.skipped, ...unmatched].sort((a, b) => a.line - b.line) };
}

function tradeRow(row: Row, assetOf: (symbol: string, currency: string) => TradeAsset): ParsedTrade | SkippedRow | null {
  const discriminator = row.get('DataDiscriminator');
  if (discriminator !== '' && discriminator !== 'Order' && discriminator !== 'Trade') return null;
  const category = required(row, 'Asset Category');
  const symbol = required(row, 'Symbol');
  if (/^forex$/i.test(category)) return { line: row.line, reason: `${symbol}: a currency exchange, not an investment transaction` };
  if (!/^stocks$/i.test(category)) return { line: row.line, reason: `${symbol}: ${category} are not imported (only stocks and ETFs)` };
  const currency = currencyCode(required(row, 'Currency'), 'Currency');
  const dateTime = required(row, 'Date/Time');
  const date = calendarDate(dateTime.split(/[,\s]/)[0] ?? '', 'YYYY-MM-DD', 'Date/Time');
  const quantityText = required(row, 'Quantity');
  const quantity = decimalText(quantityText, 'Quantity');
  if (isZero(quantity)) throw new RowProblem('Quantity', 'A trade of zero units');
  const sell = quantityText.trim().startsWith('-');
  const proceeds = minorOf(required(row, 'Proceeds'), currency, 'Proceeds');
  const rounded = row.get('Comm/Fee') === '' ? { value: 0, exact: true } : minorRounded(row.get('Comm/Fee'), currency, 'Comm/Fee');
  const commission = rounded.value;
  if (sell ? proceeds < 0 : proceeds > 0) throw new RowProblem('Proceeds', `Proceeds of the wrong sign for a ${sell ? 'sale' : 'purchase'}`);
  return {
    line: row.line,
    kind: sell ? 'sell' : 'buy',
    date,
    quantity,
    unitPrice: decimalText(required(row, 'T. Price'), 'T. Price'),
    amount: proceeds + commission,
    fee: Math.abs(commission),
    currency,
    splitRatio: null,
    notes: rounded.exact ? null : `Commission ${row.get('Comm/Fee')} ${currency}, rounded half-even to ${moneyText(commission, currency)}`,
    asset: assetOf(symbol, currency),
    reference: null,
  };
}

const DIVIDEND_SUBJECT = /^([A-Z0-9.]+)\s*\(([A-Z]{2}[A-Z0-9]{9}\d)\)/;

function dividendKey(currency: string, date: string, description: string): string {
  const subject = DIVIDEND_SUBJECT.exec(description);
  return `${currency}|${date}|${subject ? subject[1] : description}`;
}

function dividendRow(row: Row, taxes: Map<string, { amount: number; lines: number[] }>, assetOf: (symbol: string, currency: string, isin?: string | null) => TradeAsset): ParsedTrade | null {
  const currencyCell = row.get('Currency');
  if (/^total/i.test(currencyCell)) return null;
  const currency = currencyCode(currencyCell, 'Currency');
  const date = calendarDate(required(row, 'Date'), 'YYYY-MM-DD', 'Date');
  const description = required(row, 'Description');
  const subject = DIVIDEND_SUBJECT.exec(description);
  if (!subject) throw new RowProblem('Description', `"${description.slice(0, 40)}" does not start with SYMBOL(ISIN)`);
  const gross = minorOf(required(row, 'Amount'), currency, 'Amount');
  // The tax goes with the first dividend of its symbol and day (taken once, never subtracted twice).
  const key = dividendKey(currency, date, description);
  const tax = taxes.get(key)?.amount ?? 0;
  taxes.delete(key);
  const perShare = /\b[A-Z]{3}\s+(\d+(?:\.\d+)?)\s+per share/i.exec(description)?.[1] ?? null;
  return {
    line: row.line,
    kind: 'dividend',
    date,
    quantity: '0',
    unitPrice: perShare,
    amount: gross + tax,
    fee: 0,
    currency,
    splitRatio: null,
    notes: tax !== 0 ? `Gross ${moneyText(gross, currency)}, withholding tax ${moneyText(Math.abs(tax), currency)}` : null,
    asset: assetOf(subject[1] ?? '', currency, subject[2] ?? null),
    reference: null,
  };
}
