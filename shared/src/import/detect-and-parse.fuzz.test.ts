import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './__fixtures__/fixtures.ts';
import { detectAndParse, IMPORT_FORMATS } from './detect-and-parse.ts';
import type { DetectOptions, ParseResult } from './detect-and-parse.ts';

const fixtures = Object.values(FIXTURES);

/** Calls the parser; the property fails if it throws or returns anything outside the contract. */
function checked(bytes: Uint8Array, fileName: string, options?: DetectOptions): ParseResult {
  const result = detectAndParse(bytes, fileName, options) as ParseResult;
  expect(IMPORT_FORMATS).toContain(result.format);
  for (const tx of result.transactions) {
    expect(Number.isSafeInteger(tx.amount)).toBe(true);
    expect(tx.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(tx.currency).toMatch(/^[A-Z]{3}$/);
    expect(typeof tx.pending).toBe('boolean');
    if (tx.balance !== undefined) expect(Number.isSafeInteger(tx.balance)).toBe(true);
    if (tx.fee !== undefined) expect(Number.isSafeInteger(tx.fee) && tx.fee >= 0).toBe(true);
  }
  for (const p of result.problems) {
    expect(Number.isInteger(p.line) && p.line >= 1).toBe(true);
    expect(typeof p.message).toBe('string');
    // The catch-all in detectAndParse is a last resort: reaching it means a parser crashed.
    expect(p.message).not.toMatch(/^Could not read the file/);
  }
  return result;
}

const fileName = fc.constantFrom('a.csv', 'a.ofx', 'a.qfx', 'a.qif', 'a.xml', 'a.txt', 'noext');
const fixture = fc.constantFrom(...fixtures);

describe('detectAndParse under fuzzing', () => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fileName, (bytes, name) => {
      checked(bytes, name);
    }), { numRuns: 300 });
  });

  it('never throws on fixtures truncated at any byte', () => {
    fc.assert(fc.property(fixture, fc.nat(), (f, cut) => {
      checked(f.bytes.subarray(0, cut % (f.bytes.length + 1)), f.fileName);
    }), { numRuns: 400 });
  });

  it('never throws on fixtures with random bytes overwritten', () => {
    fc.assert(fc.property(fixture, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), (f, edits) => {
      const bytes = f.bytes.slice();
      for (const [at, value] of edits) bytes[at % Math.max(1, bytes.length)] = value;
      checked(bytes, f.fileName);
    }), { numRuns: 300 });
  });

  it('still finds the same rows when a bank CSV has its columns shuffled', () => {
    const csvFixtures = fixtures.filter((f) => f.fileName.endsWith('.csv') && f !== FIXTURES.hsbc && f !== FIXTURES.generic && f !== FIXTURES.nationwide);
    fc.assert(fc.property(fc.constantFrom(...csvFixtures), fc.integer(), (f, seed) => {
      const original = checked(f.bytes, f.fileName);
      const text = new TextDecoder(f === FIXTURES.barclays ? 'utf-16le' : 'utf-8').decode(f.bytes).replace(/\r\n/g, '\n');
      const shuffled = shuffleColumns(text, seed);
      const result = checked(new TextEncoder().encode(shuffled), f.fileName);
      expect(result.format).toBe(original.format);
      expect(result.transactions).toEqual(original.transactions);
    }), { numRuns: 60 });
  });

  it('never throws on huge fields, and reads the rows around them', () => {
    fc.assert(fc.property(fc.integer({ min: 10_000, max: 300_000 }), fc.constantFrom('x', '9', '"', ',', '\n', '<'), (size, ch) => {
      const huge = ch.repeat(size);
      const csv = `Date,Counter Party,Reference,Type,Amount (GBP)\n01/04/2024,A,R,T,-1.00\n02/04/2024,"${huge.replace(/"/g, '""')}",R,T,${huge.slice(0, 5000)}\n`;
      checked(new TextEncoder().encode(csv), 'big.csv');
      const ofx = `OFXHEADER:100\n<OFX><STMTRS><CURDEF>GBP<STMTTRN><DTPOSTED>20240101<TRNAMT>${huge}<NAME>${huge}</STMTTRN></STMTRS></OFX>`;
      checked(new TextEncoder().encode(ofx), 'big.ofx');
    }), { numRuns: 15 });
  });

  it('never throws on arbitrary column mappings', () => {
    const column = fc.constantFrom('Posted', 'Details', 'Value', 'Ref', 'Nope', '');
    const mapping = fc.record({
      dateColumn: column, dateFormat: fc.constantFrom('DD/MM/YYYY', 'YYYY-MM-DD', 'bad'), amountColumn: fc.option(column, { nil: undefined }),
      paidOutColumn: fc.option(column, { nil: undefined }), descriptionColumn: column, currency: fc.constantFrom('GBP', 'JPY', 'xx'),
    });
    fc.assert(fc.property(mapping, (m) => {
      checked(FIXTURES.generic.bytes, 'export.csv', { mapping: m as DetectOptions['mapping'] });
    }), { numRuns: 200 });
  });
});

/** Permutes the columns of every record, read and written with papaparse so quoted newlines survive. */
function shuffleColumns(text: string, seed: number): string {
  const records = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
  const width = Math.max(...records.map((r) => r.length));
  const order = [...Array(width).keys()];
  let s = seed >>> 0;
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return Papa.unparse(records.map((r) => order.map((i) => r[i] ?? '')));
}
