/**
 * CSV export of a report's table (issue 23, bullet 3): RFC 4180 — fields separated by commas, records by CRLF, a
 * field holding a comma, a double quote, CR or LF enclosed in double quotes with its quotes doubled — plus the
 * OWASP guidance on CSV injection: a text cell a spreadsheet would read as a formula (first character `=`, `+`,
 * `-`, `@`, tab or CR) is prefixed with a single quote, so a payee named `=HYPERLINK(...)` stays text. A cell
 * given as a number is written as that number (a negative amount stays a number, not neutralised); null is an
 * empty field. Every record has the header's width.
 */

export class CsvInputError extends Error {
  override readonly name = 'CsvInputError';
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

function field(value: string | number | null, row: number, column: number): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CsvInputError(`row ${row}, column ${column}: ${String(value)} is not a number a spreadsheet can read`);
    // Plain decimal notation (no exponent) for every finite number a report holds.
    const text = Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
    return text === '-0' ? '0' : text;
  }
  if (typeof value !== 'string') throw new CsvInputError(`row ${row}, column ${column}: a cell is text, a number or null`);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table as CSV text (CRLF after every record, the last included). CsvInputError for a ragged row or bad cell. */
export function toCsv(header: string[], rows: Array<Array<string | number | null>>): string {
  if (!Array.isArray(header) || header.length === 0) throw new CsvInputError('a CSV needs a header');
  const lines: string[] = [header.map((h, c) => field(h, 0, c + 1)).join(',')];
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== header.length) throw new CsvInputError(`row ${i + 1} has ${Array.isArray(r) ? r.length : 0} cells, the header ${header.length}`);
    lines.push(r.map((v, c) => field(v, i + 1, c + 1)).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
