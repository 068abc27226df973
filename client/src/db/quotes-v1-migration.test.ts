import type { RxCollection } from 'rxdb';
import { getAllCollectionDocuments } from 'rxdb';
import { afterEach, describe, expect, it } from 'vitest';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import { quoteSchemaV0, type Quote } from '@mymidas/shared/schema';
import { openNodeReplica } from '../sync/test-replica.ts';
import { FakeServer, previousRxSchema, replicateOnce, wire, type Wire } from './migration-test-kit.ts';

/**
 * Issue 22, item 6: quotes schema version 0 → 1 on a device. A replica the previous version made — its
 * one-document-per-day quotes, RxDB's replication state of them (checkpoint, server states) and the first
 * sync's saved bootstrap progress — opens with this version holding no quotes and no replication state of
 * them, by itself; its next sync pulls the year documents from the start (the server's migration 011 made
 * them), so it ends with exactly what the server holds and none of the day documents.
 */

/** The quotes server after 011_quotes_v1.sql: year documents inserted (new seqs), the day rows deleted outright. */
class QuotesServer extends FakeServer {
  migrate(): void {
    const days = [...this.rows.values()].map((r) => r.doc).filter((d) => 'date' in d);
    for (const d of days) this.rows.delete(d.id);
    for (const doc of docsFromDailyQuotes(days.map(({ _deleted, ...q }) => q as unknown as Quote))) this.put({ ...doc, _deleted: false });
  }
}

const version0Schema = () => previousRxSchema('quotes', quoteSchemaV0, 0, [['series', 'date']]);
/** One pull-only run of the device's replication of quotes, under one identifier as the engine keeps it. */
const pullOnce = (collection: RxCollection, server: FakeServer) => replicateOnce(collection, server, { identifier: 'mymidas-sync:test:quotes', batchSize: 3, push: false });

function day(kind: 'price' | 'fx', series: string, date: string, close: string): Wire {
  return {
    id: `${kind}:${series}:${date}`, hlc: `${String(Date.parse(`${date}T22:00:00Z`))}:0000:demo`, kind, series, date,
    open: null, high: null, low: null, close, volume: null, currency: kind === 'fx' ? 'USD' : 'GBP', source: 'test', _deleted: false,
  };
}

describe('a replica holding version-0 quotes opens with version 1', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  for (const pulledAfterServerMigrated of [false, true]) {
    it(`drops the day documents and their replication state, then pulls the year documents from the start${pulledAfterServerMigrated ? ' (the previous app had already pulled some of them)' : ''}`, async () => {
      const server = new QuotesServer();
      for (const date of ['2025-12-30', '2025-12-31', '2026-01-02', '2026-01-05']) {
        server.put(day('price', 'VWRL.L', date, `${date.slice(8)}.5`));
        server.put(day('fx', 'GBP/USD', date, '1.27'));
      }
      const old = await openNodeReplica({ name: 'quotes-upgrading', collections: [] });
      await old.db.addCollections({ quotes: { schema: version0Schema() } });
      const oldQuotes = old.db.quotes as unknown as RxCollection;
      expect(await pullOnce(oldQuotes, server)).toBe(8);
      if (pulledAfterServerMigrated) {
        // The server upgraded while the previous app ran: it pulled the year documents into its old schema,
        // and its checkpoint is past them.
        server.migrate();
        expect(await pullOnce(oldQuotes, server)).toBe(4);
      }
      expect(await oldQuotes.count().exec()).toBeGreaterThan(0);
      // A first sync's bootstrap progress, for quotes and for another collection.
      await old.db.upsertLocal('sync-bootstrap', { progress: { 'mymidas-sync:test:quotes': { seq: 8, id: 'fx:GBP/USD:2026-01-05' }, 'mymidas-sync:test:transactions': { seq: 3, id: 'x' } } });
      const indexedDB = old.indexedDB;
      await old.close();
      if (!pulledAfterServerMigrated) server.migrate();

      const upgraded = await openNodeReplica({ name: 'quotes-upgrading', indexedDB, collections: ['quotes'] });
      closers.push(() => upgraded.close());
      expect(upgraded.db.quotes.schema.version).toBe(1);
      // Nothing of version 0 is left: no documents, no replication meta storage, no bootstrap progress for quotes.
      expect(await upgraded.db.quotes.count().exec()).toBe(0);
      const collections = await getAllCollectionDocuments(upgraded.db.internalStore);
      expect(collections.filter((c) => c.data.name === 'quotes').map((c) => c.data.schema.version)).toEqual([1]);
      expect(collections.find((c) => c.data.name === 'quotes')!.data.connectedStorages).toEqual([]);
      const progress = (await upgraded.db.getLocal<{ progress: Record<string, unknown> }>('sync-bootstrap'))!.toJSON().data.progress;
      expect(Object.keys(progress)).toEqual(['mymidas-sync:test:transactions']);

      // The next sync pulls from the start: exactly the server's year documents.
      expect(await pullOnce(upgraded.db.quotes as unknown as RxCollection, server)).toBe(4);
      const onDevice = (await upgraded.db.quotes.find().exec()).map((d) => wire(d.toJSON(true)));
      expect(onDevice.sort((a, b) => a.id.localeCompare(b.id))).toEqual(server.docs());
      expect(onDevice.map((d) => d.period).sort()).toEqual(['2025', '2025', '2026', '2026']);

      // Opening again changes nothing (the drop happens once).
      await upgraded.close();
      closers.pop();
      const again = await openNodeReplica({ name: 'quotes-upgrading', indexedDB, collections: ['quotes'] });
      closers.push(() => again.close());
      expect(await again.db.quotes.count().exec()).toBe(4);
      expect(await pullOnce(again.db.quotes as unknown as RxCollection, server)).toBe(0);
    });
  }
});
