import type { Quote } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';

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
 * collection's [series, date] index, newest first, one row). Never reads the whole collection: the demo
 * household holds over 100,000 quotes, and a live query of every FX quote re-ran on each synced page.
 */
export async function readLatestFxQuotes(db: ReplicaDatabase, currencies: Iterable<string>): Promise<Quote[]> {
  const out: Quote[] = [];
  for (const series of fxPairSeries(currencies)) {
    const doc = await db.quotes.findOne({ selector: { series }, sort: [{ series: 'desc' }, { date: 'desc' }] }).exec();
    if (doc && doc.kind === 'fx') out.push(doc.toMutableJSON() as Quote);
  }
  return out;
}
