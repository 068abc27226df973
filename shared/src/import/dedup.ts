import type { ParsedTransaction } from './types.ts';

/**
 * Import hashes decide whether a statement row was imported before.
 *
 * Normalisation (each field, then joined with U+001F, the unit separator, which no field can contain):
 *   1. account id, trimmed;
 *   2. date as `YYYY-MM-DD`;
 *   3. amount as the decimal integer of minor units (e.g. `-1234`) and the ISO currency code, upper case;
 *   4. description: Unicode NFKC, upper case, every run of characters other than letters and digits
 *      replaced by one space, trimmed (so `Tesco  Stores,` and `TESCO STORES` are the same);
 *   5. the bank's reference (FITID, transaction id) trimmed, or the empty string when there is none;
 *   6. the occurrence index: how many earlier rows of the same file had identical fields 1–5 (0, 1, 2…).
 * The hash is SHA-256 of the UTF-8 bytes, as lower-case hex. Pending, balance, payee and fee are left out,
 * so a row that was pending in one download and booked in the next is still the same row.
 *
 * The occurrence index lets two genuinely identical coffees on one day both import (indexes 0 and 1),
 * while a later statement that overlaps the day produces the same two hashes and imports neither again.
 */
export function normaliseForHash(accountId: string, tx: ParsedTransaction): string {
  const description = tx.description
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return [accountId.trim(), tx.date, String(tx.amount), tx.currency.toUpperCase(), description, (tx.reference ?? '').trim()].join('\u001f');
}

/** SHA-256 as lower-case hex, via Web Crypto (browser, worker and Node 20 alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** One import hash per transaction, in file order. */
export async function importHashes(accountId: string, transactions: readonly ParsedTransaction[]): Promise<string[]> {
  const seen = new Map<string, number>();
  const keys = transactions.map((tx) => {
    const key = normaliseForHash(accountId, tx);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return `${key}\u001f${occurrence}`;
  });
  return Promise.all(keys.map(sha256Hex));
}

export interface DedupRow {
  /** Position in the parsed file. */
  index: number;
  hash: string;
  transaction: ParsedTransaction;
}

export interface DedupOutcome {
  /** Rows never imported into the account before: these are the ones to add (with their hash). */
  fresh: DedupRow[];
  /** Rows whose hash the account already holds. */
  duplicates: DedupRow[];
}

/** Splits a parsed statement into new rows and rows the account already has, by import hash. */
export async function findNewRows(
  accountId: string,
  existingHashes: Iterable<string>,
  transactions: readonly ParsedTransaction[],
): Promise<DedupOutcome> {
  const existing = new Set(existingHashes);
  const hashes = await importHashes(accountId, transactions);
  const outcome: DedupOutcome = { fresh: [], duplicates: [] };
  transactions.forEach((transaction, index) => {
    const hash = hashes[index] ?? '';
    (existing.has(hash) ? outcome.duplicates : outcome.fresh).push({ index, hash, transaction });
  });
  return outcome;
}
