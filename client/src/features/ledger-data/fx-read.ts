import type { Quote } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { readLatestDailyQuote } from '../../db/quotes-read.ts';

/**
 * The FX series worth reading for a set of currencies: every ordered pair ("EUR/GBP" and "GBP/EUR"), so
 * a rate quoted either way round is found. A household holds a handful of currencies, so a handful of
 * series.
 */
export function fxPairSeries(currencies: Iterable<string>): string[] {
  const list = [...new Set(currencies)].sort();
  const out: string[] = [];
  for (const a of list) for (const b of list) if (a !== b) out.push(`${a}/${b}`);
  return out;
}

/**
 * The latest quote of each FX series between these currencies, one indexed read per series (the quotes
 * collection's [series, period] index, newest year document first: db/quotes-read.ts). Never reads the
 * whole collection, and a live query of every FX quote re-ran on each synced page.
 */
export async function readLatestFxQuotes(db: ReplicaDatabase, currencies: Iterable<string>): Promise<Quote[]> {
  const out: Quote[] = [];
  for (const series of fxPairSeries(currencies)) {
    const quote = await readLatestDailyQuote(db, series);
    if (quote && quote.kind === 'fx') out.push(quote);
  }
  return out;
}
