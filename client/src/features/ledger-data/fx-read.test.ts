import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import type { Quote } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { openTestReplica } from '../../testing/test-replica.ts';
import { fxPairSeries, readLatestFxQuotes } from './fx-read.ts';

const quote = (kind: 'fx' | 'price', series: string, date: string, close: string): Quote => ({
  id: `${kind}:${series}:${date}`, hlc: '1764000000000:0000:server', kind, series, date, open: null, high: null, low: null, close, volume: null, currency: kind === 'fx' ? series.slice(4) : 'GBP', source: 'test',
});

describe('latest FX rates from the replica', () => {
  let db: ReplicaDatabase;
  beforeEach(async () => {
    db = await openTestReplica();
  });
  afterEach(async () => {
    await db.remove();
  });

  it('names both directions of every pair, once', () => {
    expect(fxPairSeries(['GBP', 'EUR', 'GBP', 'USD'])).toEqual(['EUR/GBP', 'EUR/USD', 'GBP/EUR', 'GBP/USD', 'USD/EUR', 'USD/GBP']);
    expect(fxPairSeries(['GBP'])).toEqual([]);
  });

  it('reads the newest quote of each pair between the currencies asked for, and nothing else', async () => {
    // Stored as the server stores them: one document per series and year.
    await db.quotes.bulkInsert(docsFromDailyQuotes([
      quote('fx', 'GBP/EUR', '2025-12-31', '1.19'),
      quote('fx', 'GBP/EUR', '2026-11-13', '1.15'),
      quote('fx', 'GBP/EUR', '2026-11-14', '1.14'),
      quote('fx', 'GBP/EUR', '2026-10-01', '1.30'),
      quote('fx', 'USD/GBP', '2026-11-12', '0.79'),
      quote('fx', 'GBP/JPY', '2026-11-14', '190.1'),
      quote('price', 'VWRL.L', '2026-11-14', '101.5'),
      quote('fx', 'USD/JPY', '2024-03-01', '150.2'),
    ]));
    const latest = await readLatestFxQuotes(db, ['GBP', 'EUR', 'USD']);
    expect(latest.map((q) => [q.series, q.date, q.close]).sort()).toEqual([
      ['GBP/EUR', '2026-11-14', '1.14'],
      ['USD/GBP', '2026-11-12', '0.79'],
    ]);
  });
});
