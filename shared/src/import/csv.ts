import Papa from 'papaparse';
import { lineIndex } from './text.ts';
import { cleanText, isCurrency, parseAmount, parseDate } from './values.ts';
import type { ColumnMapping, DateFormat, ImportFormat, ParsedTransaction, ParseProblem, ParseResult } from './types.ts';

export interface CsvRow {
  cells: string[];
  line: number;
}

/** Parses CSV text with papaparse, keeping the line each record starts on (quoted newlines span lines). */
export function readCsv(text: string): { rows: CsvRow[]; problems: ParseProblem[] } {
  const toLine = lineIndex(text);
  const rows: CsvRow[] = [];
  const problems: ParseProblem[] = [];
  let start = 0;
  Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: false,
    newline: '\n',
    step(result) {
      const line = toLine(start);
      start = result.meta.cursor;
      for (const err of result.errors) {
        if (err.code === 'UndetectableDelimiter') continue;
        problems.push({ line, message: `CSV: ${err.message}` });
      }
      const cells = result.data.map((c) => String(c));
      if (cells.some((c) => c.trim() !== '')) rows.push({ cells, line });
    },
  });
  return { rows, problems };
}

/** Header cell in comparable form: case, surrounding spaces and quotes do not matter. */
export function headerKey(cell: string): string {
  return cell.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, ' ');
}

type Pick = (get: (name: string) => string) => string;

/** Where one format keeps each field. Column names are header keys. */
export interface CsvLayout {
  dateColumn: string;
  dateFormat: DateFormat;
  amountColumn?: string;
  paidOutColumn?: string;
  paidInColumn?: string;
  invertAmount?: boolean;
  description: Pick;
  payee?: Pick;
  referenceColumn?: string;
  balanceColumn?: string;
  feeColumn?: string;
  currencyColumn?: string;
  /** Fixed currency, or taken from a header such as `Amount (GBP)`. */
  currency?: string;
  /** `true` pending, `false` booked, or a reason the row is not a transaction at all (reported as a problem). */
  status?: (get: (name: string) => string) => boolean | string;
}

export interface BankProfile {
  format: ImportFormat;
  /** Header keys that must all be present. */
  signature: string[];
  layout: (header: string[]) => CsvLayout;
}

const col = (name: string): Pick => (get) => get(name);

function currencyFromHeader(header: string[], fallback: string): string {
  for (const h of header) {
    const m = /\(([A-Za-z]{3})\)/.exec(h);
    if (m && isCurrency((m[1] ?? '').toUpperCase())) return (m[1] ?? '').toUpperCase();
  }
  return fallback;
}

/** Header layouts as the banks' CSV exports write them. */
export const BANK_PROFILES: BankProfile[] = [
  {
    format: 'monzo',
    signature: ['transaction id', 'date', 'name', 'amount', 'currency', 'category'],
    layout: () => ({
      dateColumn: 'date',
      dateFormat: 'DD/MM/YYYY',
      amountColumn: 'amount',
      currencyColumn: 'currency',
      referenceColumn: 'transaction id',
      description: (get) => cleanText(get('description')) || cleanText(get('name')),
      payee: col('name'),
    }),
  },
  {
    format: 'revolut',
    signature: ['type', 'started date', 'completed date', 'description', 'amount', 'fee', 'currency', 'state'],
    layout: () => ({
      dateColumn: 'started date',
      dateFormat: 'YYYY-MM-DD',
      amountColumn: 'amount',
      feeColumn: 'fee',
      currencyColumn: 'currency',
      balanceColumn: 'balance',
      description: col('description'),
      status: (get) => {
        const state = get('state').trim().toUpperCase();
        if (state === 'COMPLETED') return false;
        if (state === 'PENDING') return true;
        return `${state || 'no'} state: not a settled transaction, left out`;
      },
    }),
  },
  {
    format: 'starling',
    signature: ['date', 'counter party', 'reference', 'type'],
    layout: (header) => {
      const amount = header.find((h) => h.startsWith('amount')) ?? 'amount';
      const balance = header.find((h) => h.startsWith('balance'));
      return {
        dateColumn: 'date',
        dateFormat: 'DD/MM/YYYY',
        amountColumn: amount,
        ...(balance ? { balanceColumn: balance } : {}),
        currency: currencyFromHeader(header, 'GBP'),
        description: (get) => [cleanText(get('counter party')), cleanText(get('reference'))].filter(Boolean).join(' - '),
        payee: col('counter party'),
      };
    },
  },
  {
    format: 'barclays',
    signature: ['number', 'date', 'account', 'amount', 'subcategory', 'memo'],
    layout: () => ({
      dateColumn: 'date',
      dateFormat: 'DD/MM/YYYY',
      amountColumn: 'amount',
      description: col('memo'),
    }),
  },
  {
    format: 'lloyds',
    signature: ['transaction date', 'transaction type', 'sort code', 'account number', 'transaction description', 'debit amount', 'credit amount'],
    layout: () => ({
      dateColumn: 'transaction date',
      dateFormat: 'DD/MM/YYYY',
      paidOutColumn: 'debit amount',
      paidInColumn: 'credit amount',
      balanceColumn: 'balance',
      description: col('transaction description'),
    }),
  },
  {
    format: 'natwest',
    signature: ['date', 'type', 'description', 'value', 'balance', 'account name', 'account number'],
    layout: () => ({
      dateColumn: 'date',
      dateFormat: 'DD/MM/YYYY',
      amountColumn: 'value',
      balanceColumn: 'balance',
      // NatWest prefixes descriptions with an apostrophe so spreadsheets keep them as text.
      description: (get) => cleanText(get('description')).replace(/^'/, ''),
    }),
  },
  {
    format: 'nationwide',
    signature: ['date', 'transaction type', 'description', 'paid out', 'paid in', 'balance'],
    layout: () => ({
      dateColumn: 'date',
      dateFormat: 'D MMM YYYY',
      paidOutColumn: 'paid out',
      paidInColumn: 'paid in',
      balanceColumn: 'balance',
      description: col('description'),
    }),
  },
];

/**
 * An undated row whose first cell reads like a footer (Total, Closing balance, Number of transactions…) is a
 * summary line, not a transaction, and is passed over. Any other undated row is reported as a problem.
 */
const SUMMARY = /^(total|totals|closing|opening|balance|summary|end of|statement|number of|count)\b/i;

export interface MappedRows {
  transactions: ParsedTransaction[];
  problems: ParseProblem[];
}

/** Applies a layout to the data rows below a header. */
export function mapRows(header: string[], rows: CsvRow[], layout: CsvLayout, defaultCurrency: string): MappedRows {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  const transactions: ParsedTransaction[] = [];
  const problems: ParseProblem[] = [];
  const fixedCurrency = layout.currency ?? defaultCurrency;
  // One `get` and one `report` over the row being read, not two new closures per row (100,000 rows).
  let row: CsvRow = { cells: [], line: 0 };
  const get = (name: string): string => {
    const i = index.get(name);
    return i === undefined ? '' : (row.cells[i] ?? '');
  };
  const report = (column: string, message: string): void => {
    problems.push({ line: row.line, column, message });
  };
  for (row of rows) {
    const dateText = get(layout.dateColumn);
    const date = parseDate(dateText, layout.dateFormat);
    if (!date.ok) {
      const first = row.cells.find((c) => c.trim() !== '') ?? '';
      if (SUMMARY.test(first.trim())) continue;
      report(layout.dateColumn, `date: ${date.error}`);
      continue;
    }
    let currency = fixedCurrency;
    if (layout.currencyColumn) {
      const c = get(layout.currencyColumn).trim().toUpperCase();
      if (c !== '') {
        if (!isCurrency(c)) {
          report(layout.currencyColumn, `"${c.slice(0, 10)}" is not a currency code`);
          continue;
        }
        currency = c;
      }
    }
    let amount: number;
    if (layout.amountColumn) {
      const a = parseAmount(get(layout.amountColumn), currency);
      if (!a.ok) {
        report(layout.amountColumn, `amount: ${a.error}`);
        continue;
      }
      amount = layout.invertAmount ? -a.value || 0 : a.value;
    } else {
      const outText = layout.paidOutColumn ? get(layout.paidOutColumn).trim() : '';
      const inText = layout.paidInColumn ? get(layout.paidInColumn).trim() : '';
      if (outText === '' && inText === '') {
        report(layout.paidOutColumn ?? layout.paidInColumn ?? '', 'neither paid out nor paid in has an amount');
        continue;
      }
      const out = outText === '' ? { ok: true as const, value: 0 } : parseAmount(outText, currency);
      const inn = inText === '' ? { ok: true as const, value: 0 } : parseAmount(inText, currency);
      if (!out.ok) {
        report(layout.paidOutColumn ?? '', `paid out: ${out.error}`);
        continue;
      }
      if (!inn.ok) {
        report(layout.paidInColumn ?? '', `paid in: ${inn.error}`);
        continue;
      }
      amount = Math.abs(inn.value) - Math.abs(out.value);
    }
    let pending = false;
    if (layout.status) {
      const s = layout.status(get);
      if (typeof s === 'string') {
        report('state', s);
        continue;
      }
      pending = s;
    }
    const tx: ParsedTransaction = { date: date.value, amount, currency, description: cleanText(layout.description(get)), pending };
    const payee = layout.payee ? cleanText(layout.payee(get)) : '';
    if (payee) tx.payee = payee;
    const reference = layout.referenceColumn ? cleanText(get(layout.referenceColumn)) : '';
    if (reference) tx.reference = reference;
    if (layout.balanceColumn && get(layout.balanceColumn).trim() !== '') {
      const b = parseAmount(get(layout.balanceColumn), currency);
      if (b.ok) tx.balance = b.value;
      else report(layout.balanceColumn, `balance: ${b.error}`);
    }
    if (layout.feeColumn && get(layout.feeColumn).trim() !== '') {
      const f = parseAmount(get(layout.feeColumn), currency);
      if (f.ok) {
        if (f.value !== 0) tx.fee = Math.abs(f.value);
      } else report(layout.feeColumn, `fee: ${f.error}`);
    }
    transactions.push(tx);
  }
  return { transactions, problems };
}


/** Turns a saved column mapping into a layout over header keys. */
export function layoutFromMapping(mapping: ColumnMapping): CsvLayout {
  const k = (name: string | undefined): string | undefined => (name === undefined ? undefined : headerKey(name));
  const desc = headerKey(mapping.descriptionColumn);
  const payee = k(mapping.payeeColumn);
  const layout: CsvLayout = {
    dateColumn: headerKey(mapping.dateColumn),
    dateFormat: mapping.dateFormat,
    invertAmount: mapping.invertAmount,
    description: (get) => get(desc),
    currency: mapping.currency,
  };
  const optional = {
    amountColumn: k(mapping.amountColumn),
    paidOutColumn: k(mapping.paidOutColumn),
    paidInColumn: k(mapping.paidInColumn),
    referenceColumn: k(mapping.referenceColumn),
    balanceColumn: k(mapping.balanceColumn),
    feeColumn: k(mapping.feeColumn),
    currencyColumn: k(mapping.currencyColumn),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (layout as unknown as Record<string, string>)[key] = value;
  }
  if (payee) layout.payee = (get) => get(payee);
  return layout;
}

/** HSBC's CSV export has no header row: date, description, signed amount. */
export const HSBC_LAYOUT: CsvLayout = {
  dateColumn: '0',
  dateFormat: 'DD/MM/YYYY',
  amountColumn: '2',
  description: (get) => get('1'),
};

export function looksLikeHsbc(rows: CsvRow[]): boolean {
  const sample = rows.slice(0, 5);
  if (sample.length === 0) return false;
  return sample.every((r) => {
    const cells = r.cells.filter((c, i) => i < 3 || c.trim() !== '');
    return cells.length === 3 && parseDate(cells[0] ?? '', 'DD/MM/YYYY').ok && parseAmount(cells[2] ?? '', 'GBP').ok;
  });
}

export type CsvOutcome = ParseResult;
