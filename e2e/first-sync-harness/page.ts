import { Dexie } from 'dexie';
import { openReplica } from '../../client/src/db/database.ts';
import { DeviceClock } from '../../client/src/sync/clock.ts';
import { createSyncEngine } from '../../client/src/sync/sync-engine.ts';
import type { BenchCollection, FirstSyncPage, PullOptions, PullTiming } from '../../bench/suites/first-sync-api.ts';

/**
 * Browser side of the first-sync benchmark (bench/suites/first-sync.ts), bundled with esbuild and served
 * from the sync server's own origin.
 *
 * - `pullIntoReplica`: a fresh device — a new encrypted replica (client/src/db/database.ts, the app's
 *   storage stack: AES-GCM encryption over key compression over Dexie) — pulls every transaction and quote from the
 *   server with the app's sync engine (client/src/sync/sync-engine.ts: RxDB replicateRxCollection over the
 *   pull endpoint, batches of 1000, the first pull's full pages stored by bootstrap.ts), until in sync.
 *   Timed from engine start to in sync.
 * - `rawDexie`: the floor — the same documents, already in memory, written with Dexie bulkPut in chunks of
 *   1000 into a fresh IndexedDB database with the replica's indexes (a table per collection).
 */

const documents: Record<BenchCollection, Record<string, unknown>[]> = { transactions: [], quotes: [] };
/** The replica's indexes of each collection, in Dexie's notation. */
const RAW_TABLES: Record<BenchCollection, string> = { transactions: 'id, date, [accountId+date], hlc', quotes: 'id, [series+period]' };

const api: FirstSyncPage = {
  /** Keeps the documents the server holds in page memory for the baseline (sent from Node, not timed). */
  addDocuments(collection: BenchCollection, docs: readonly Record<string, unknown>[]): Promise<number> {
    const list = documents[collection];
    for (const d of docs) list.push(d);
    return Promise.resolve(list.length);
  },

  async pullIntoReplica(o: PullOptions): Promise<PullTiming> {
    // Cheap KDF: making the device key is first-run set-up, not part of the sync being measured.
    const replica = await openReplica({ password: 'bench password', name: o.name, kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 } });
    let fetchMs = 0;
    let requests = 0;
    try {
      const timedFetch: typeof fetch = async (input, init) => {
        const t = performance.now();
        try {
          return await fetch(input, init);
        } finally {
          fetchMs += performance.now() - t;
          requests += 1;
        }
      };
      // The app's sync engine (client/src/sync), pulling only this collection, without the SSE stream.
      const engine = createSyncEngine({
        db: replica.db,
        clock: new DeviceClock({ node: replica.deviceId }),
        getAccessToken: () => o.token,
        collections: ['transactions', 'quotes'],
        live: false,
        waitForLeadership: false,
        online: { isOnline: () => true, subscribe: () => () => undefined },
        fetch: timedFetch,
      });
      const started = performance.now();
      await engine.start();
      await engine.awaitInSync();
      const ms = performance.now() - started;
      await engine.stop();
      const stored = { transactions: await replica.db.transactions.count().exec(), quotes: await replica.db.quotes.count().exec() };
      for (const c of ['transactions', 'quotes'] as const) {
        if (stored[c] !== o.expected[c]) throw new Error(`replica holds ${stored[c]} of ${o.expected[c]} ${c}`);
      }
      return { ms, fetchMs, requests, stored };
    } finally {
      await replica.db.remove().catch(() => undefined);
      await replica.close();
    }
  },

  async rawDexie(name: string, chunk: number): Promise<{ ms: number; stored: number }> {
    if (documents.transactions.length === 0) throw new Error('addDocuments first');
    const collections = Object.keys(RAW_TABLES) as BenchCollection[];
    const db = new Dexie(name);
    db.version(1).stores(RAW_TABLES);
    await db.open();
    try {
      const started = performance.now();
      for (const c of collections) {
        const list = documents[c];
        for (let i = 0; i < list.length; i += chunk) await db.table(c).bulkPut(list.slice(i, i + chunk));
      }
      const ms = performance.now() - started;
      let stored = 0;
      for (const c of collections) {
        const n = await db.table(c).count();
        if (n !== documents[c].length) throw new Error(`raw Dexie holds ${n} of ${documents[c].length} ${c}`);
        stored += n;
      }
      return { ms, stored };
    } finally {
      db.close();
      await Dexie.delete(name);
    }
  },
};

(globalThis as Record<string, unknown>).firstSync = api;
