import { minorToDecimalString } from '@mymidas/shared/money';
import { money } from '../ledger-data/format.ts';

/**
 * A report's table as data (issue 23): what the screen shows, what the CSV holds and what the PDF prints come
 * from this one model, so the three always carry the same numbers. A cell keeps its value (minor units and
 * currency, a fraction, a date), not its text; the text is made here once for screen and paper, and the CSV
 * takes the value as a number.
 */

export type ReportCell =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'date'; readonly date: string }
  | { readonly kind: 'money'; readonly minor: number; readonly currency: string }
  /** A fraction (0.125 = 12.50 %). */
  | { readonly kind: 'percent'; readonly fraction: number }
  | { readonly kind: 'count'; readonly value: number }
  /** No figure (a rate that is undefined, an amount with no rate). */
  | { readonly kind: 'none'; readonly why: string };

export interface ReportColumn {
  readonly label: string;
  /** Right-aligned figures. */
  readonly numeric: boolean;
}

export interface ReportTableModel {
  /** Stable id: the CSV file's name and the test's handle. */
  readonly id: string;
  readonly caption: string;
  readonly columns: readonly ReportColumn[];
  /** The first cell of each row is its header (a date, a category). */
  readonly rows: readonly (readonly ReportCell[])[];
  /** A total row under the rows, if any. */
  readonly footer?: readonly ReportCell[];
}

export const text = (t: string): ReportCell => ({ kind: 'text', text: t });
export const date = (d: string): ReportCell => ({ kind: 'date', date: d });
export const amount = (minor: number, currency: string): ReportCell => ({ kind: 'money', minor, currency });
export const percent = (fraction: number | null, why = 'not defined'): ReportCell => (fraction === null || !Number.isFinite(fraction) ? { kind: 'none', why } : { kind: 'percent', fraction });
export const count = (value: number): ReportCell => ({ kind: 'count', value });
export const none = (why: string): ReportCell => ({ kind: 'none', why });
export const money$ = (minor: number | null, currency: string, why = 'no rate'): ReportCell => (minor === null ? none(why) : amount(minor, currency));

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "7 Dec 2026" for a calendar date, read as a date (no time zone moves it). */
export function dayText(d: string): string {
  return DAY.format(new Date(`${d}T00:00:00Z`));
}

/** Percent with two decimals, the same digits on screen, on paper and in the CSV. */
function percentDigits(fraction: number): string {
  return (Math.round(fraction * 10_000) / 100).toFixed(2);
}

/** What the screen and the PDF show in a cell. */
export function cellText(cell: ReportCell): string {
  switch (cell.kind) {
    case 'text':
      return cell.text;
    case 'date':
      return dayText(cell.date);
    case 'money':
      return money(cell.minor, cell.currency);
    case 'percent':
      return `${percentDigits(cell.fraction)} %`;
    case 'count':
      return cell.value.toLocaleString('en-GB');
    case 'none':
      return '—';
  }
}

/** What the CSV holds: amounts and percentages as numbers (major units, percent points), dates ISO, blanks empty. */
export function cellCsv(cell: ReportCell): string | number | null {
  switch (cell.kind) {
    case 'text':
      return cell.text;
    case 'date':
      return cell.date;
    case 'money':
      return Number(minorToDecimalString(cell.minor, cell.currency));
    case 'percent':
      return Number(percentDigits(cell.fraction));
    case 'count':
      return cell.value;
    case 'none':
      return null;
  }
}

/** Header and rows for `toCsv`: the footer, if any, is the last row. */
export function tableCsvRows(table: ReportTableModel): { header: string[]; rows: Array<Array<string | number | null>> } {
  const rows = [...table.rows, ...(table.footer ? [table.footer] : [])];
  return { header: table.columns.map((c) => c.label), rows: rows.map((r) => r.map(cellCsv)) };
}

/** A file name from a title: lower case, words joined by hyphens, nothing a file system minds. */
export function fileSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'report' : slug.slice(0, 80);
}
