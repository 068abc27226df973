import { describe, expect, it } from 'vitest';
import { FIXTURES } from './__fixtures__/fixtures.ts';
import { findNewRows, importHashes, normaliseForHash, sha256Hex } from './dedup.ts';
import { detectAndParse } from './detect-and-parse.ts';
import type { ParsedTransaction, ParseResult } from './detect-and-parse.ts';

const ACCOUNT = 'acc-current';

function csv(lines: string[]): Uint8Array {
  return new TextEncoder().encode(['Date,Counter Party,Reference,Type,Amount (GBP)', ...lines].join('\n'));
}

function rows(bytes: Uint8Array): ParsedTransaction[] {
  return (detectAndParse(bytes, 'statement.csv') as ParseResult).transactions;
}

/** A stand-in for the account's stored import hashes: what an import commits. */
async function importInto(store: Set<string>, transactions: ParsedTransaction[]): Promise<number> {
  const { fresh } = await findNewRows(ACCOUNT, store, transactions);
  for (const row of fresh) store.add(row.hash);
  return fresh.length;
}

const coffee = '01/03/2024,Costa,COSTA 123,CONTACTLESS,-3.10';

describe('import hashes', () => {
  it('is SHA-256 (checked against the FIPS 180-2 "abc" vector)', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('normalises case, punctuation and spacing of the description but keeps amount, date and reference apart', () => {
    const base: ParsedTransaction = { date: '2024-03-01', amount: -310, currency: 'GBP', description: 'Costa  Coffee, Bristol', pending: false };
    expect(normaliseForHash(' acc ', base)).toBe(['acc', '2024-03-01', '-310', 'GBP', 'COSTA COFFEE BRISTOL', ''].join('\u001f'));
    expect(normaliseForHash('acc', { ...base, description: 'COSTA COFFEE BRISTOL' })).toBe(normaliseForHash('acc', base));
    expect(normaliseForHash('acc', { ...base, amount: -311 })).not.toBe(normaliseForHash('acc', base));
    expect(normaliseForHash('acc', { ...base, reference: 'X1' })).not.toBe(normaliseForHash('acc', base));
    expect(normaliseForHash('other', base)).not.toBe(normaliseForHash('acc', base));
  });

  it('gives two identical same-day rows different hashes through the occurrence index', async () => {
    const hashes = await importHashes(ACCOUNT, rows(csv([coffee, coffee])));
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
  });

  it('does not depend on pending, balance or fee, so a row that settles is the same row', async () => {
    const tx: ParsedTransaction = { date: '2024-03-05', amount: -780, currency: 'GBP', description: "Sainsbury's", pending: true };
    const [pending] = await importHashes(ACCOUNT, [tx]);
    const [settled] = await importHashes(ACCOUNT, [{ ...tx, pending: false, balance: 100, fee: 0 }]);
    expect(settled).toBe(pending);
  });
});

describe('findNewRows', () => {
  it('imports two identical coffees on one day, both, once', async () => {
    const store = new Set<string>();
    expect(await importInto(store, rows(csv([coffee, coffee])))).toBe(2);
    expect(await importInto(store, rows(csv([coffee, coffee])))).toBe(0);
  });

  it('adds nothing when the same fixture file is imported twice', async () => {
    for (const [name, { bytes, fileName }] of Object.entries(FIXTURES)) {
      if (name === 'generic') continue;
      const store = new Set<string>();
      const parsed = (detectAndParse(bytes, fileName) as ParseResult).transactions;
      expect(await importInto(store, parsed), name).toBe(parsed.length);
      const again = await findNewRows(ACCOUNT, store, (detectAndParse(bytes, fileName) as ParseResult).transactions);
      expect(again.fresh, name).toEqual([]);
      expect(again.duplicates.map((d) => d.index), name).toEqual(parsed.map((_, i) => i));
    }
  });

  it('adds only the new rows of an overlapping statement', async () => {
    const store = new Set<string>();
    const march = [coffee, coffee, '02/03/2024,Acme,SALARY,FASTER PAYMENT,2000.00', '03/03/2024,Tesco,TESCO,CONTACTLESS,-20.00'];
    const later = ['02/03/2024,Acme,SALARY,FASTER PAYMENT,2000.00', '03/03/2024,Tesco,TESCO,CONTACTLESS,-20.00', '04/03/2024,Tesco,TESCO,CONTACTLESS,-20.00', '05/03/2024,Greggs,GREGGS,CONTACTLESS,-1.50'];
    expect(await importInto(store, rows(csv(march)))).toBe(4);
    const outcome = await findNewRows(ACCOUNT, store, rows(csv(later)));
    expect(outcome.fresh.map((r) => [r.transaction.date, r.transaction.amount])).toEqual([['2024-03-04', -2000], ['2024-03-05', -150]]);
    expect(outcome.duplicates.map((r) => r.index)).toEqual([0, 1]);
  });

  it('adds the third coffee when a later statement shows one more on the same day', async () => {
    const store = new Set<string>();
    await importInto(store, rows(csv([coffee, coffee])));
    const outcome = await findNewRows(ACCOUNT, store, rows(csv([coffee, coffee, coffee])));
    expect(outcome.fresh.map((r) => r.index)).toEqual([2]);
  });

  it('keeps accounts apart: the same row in another account is new', async () => {
    const store = new Set(await importHashes('acc-a', rows(csv([coffee]))));
    expect((await findNewRows('acc-b', store, rows(csv([coffee])))).fresh).toHaveLength(1);
  });
});
