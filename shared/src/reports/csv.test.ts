import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CsvInputError, toCsv } from './csv.ts';

/** Issue 23 acceptance: toCsv — RFC 4180 quoting, numbers kept numeric, OWASP CSV-injection neutralisation. */

/** Parsed back as a spreadsheet import would: numbers typed, empty fields null. */
function parse(csv: string): unknown[][] {
  const result = Papa.parse<unknown[]>(csv, { delimiter: ',', newline: '\r\n', dynamicTyping: true, skipEmptyLines: false });
  expect(result.errors).toEqual([]);
  // The CRLF after the last record leaves one empty line at the end.
  expect(result.data[result.data.length - 1]).toEqual([null]);
  return result.data.slice(0, -1);
}

describe('toCsv', () => {
  it('writes CRLF records, quoting fields with commas, quotes, CR or LF and doubling the quotes', () => {
    const csv = toCsv(['Payee', 'Note'], [
      ['Smith, J', 'said "hi"'],
      ['two\nlines', 'carriage\rreturn'],
      ['plain', 'crlf\r\ninside'],
    ]);
    expect(csv).toBe('Payee,Note\r\n"Smith, J","said ""hi"""\r\n"two\nlines","carriage\rreturn"\r\nplain,"crlf\r\ninside"\r\n');
  });

  it('keeps non-ASCII text as it is', () => {
    const csv = toCsv(['Payee', 'Amount'], [['Café Zürich — 東京 😀', 1250], ['Ünïcödé, ñ', -3]]);
    expect(csv).toBe('Payee,Amount\r\nCafé Zürich — 東京 😀,1250\r\n"Ünïcödé, ñ",-3\r\n');
  });

  it('writes numbers as numbers — a negative amount given as a number is not neutralised — and null as an empty field', () => {
    const csv = toCsv(['Date', 'Amount', 'Rate', 'Memo'], [['2025-01-05', -12000, 0.25, null], ['2025-01-06', 0, -0, '']]);
    expect(csv).toBe('Date,Amount,Rate,Memo\r\n2025-01-05,-12000,0.25,\r\n2025-01-06,0,0,\r\n');
    expect(parse(csv)).toEqual([['Date', 'Amount', 'Rate', 'Memo'], ['2025-01-05', -12000, 0.25, null], ['2025-01-06', 0, 0, null]]);
  });

  it('neutralises text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) with a leading quote', () => {
    const csv = toCsv(['Payee'], [
      ['=HYPERLINK("http://evil.example","click")'], ['+1+1'], ['-2+3'], ['@SUM(A1:A2)'], ['\tindent'], ['\rcr'], ['a=b is fine'], ['-12000'],
    ]);
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      '"\'=HYPERLINK(""http://evil.example"",""click"")"', "'+1+1", "'-2+3", "'@SUM(A1:A2)", "'\tindent", '"\'\rcr"', 'a=b is fine', "'-12000",
    ]);
    // A number-looking text cell (a payee named "-12000") is text, so it is neutralised too.
    expect(parse(csv).slice(1).map((r) => r[0])).toEqual([
      '\'=HYPERLINK("http://evil.example","click")', "'+1+1", "'-2+3", "'@SUM(A1:A2)", "'\tindent", "'\rcr", 'a=b is fine', "'-12000",
    ]);
  });

  it('refuses a ragged row, a non-finite number and a header-less table, naming the place', () => {
    expect(() => toCsv(['a', 'b'], [['x']])).toThrow(CsvInputError);
    expect(() => toCsv(['a'], [[Number.NaN]])).toThrow(/row 1, column 1/);
    expect(() => toCsv([], [])).toThrow(CsvInputError);
  });

  it('parses back with papaparse to the table it was made from (numbers numbers, text text, formulas neutralised)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const cell = fc.oneof(text, fc.integer({ min: -1e12, max: 1e12 }), fc.constant(null));
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }).chain((width) => fc.tuple(
      fc.array(text.map((t) => `h${t}`), { minLength: width, maxLength: width }),
      fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 8 }),
    )), ([header, rows]) => {
      const back = Papa.parse<string[]>(toCsv(header, rows), { delimiter: ',', newline: '\r\n', skipEmptyLines: false }).data.slice(0, -1);
      const shown = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
      expect(back).toEqual([header.map(shown), ...rows.map((r) => r.map(shown))]);
    }), { numRuns: 150 });
  }, 60_000);
});
