import { Dexie } from 'dexie';
import type { Transaction } from '@mymidas/shared/schema';
import { openReplica } from '../../client/src/db/database.ts';
import { DeviceClock } from '../../client/src/sync/clock.ts';
import { createSyncEngine } from '../../client/src/sync/sync-engine.ts';
import type { FirstSyncPage, PullOptions, PullTiming } from '../../bench/suites/first-sync-api.ts';

/**
 * Browser side of the first-sync benchmark (bench/suites/first-sync.ts), bundled with esbuild and served
 * from the sync server's own origin.
 *
 * - `pullIntoReplica`: a fresh device — a new encrypted replica (client/src/db/database.ts, the app's
 *   storage stack: AES-GCM encryption over key compression over Dexie) — pulls every transaction from the
 *   server with the app's sync engine (client/src/sync/sync-engine.ts: RxDB replicateRxCollection over the
 *   pull endpoint, batches of 1000), until in sync. Timed from engine start to in sync.
 * - `rawDexie`: the floor — the same documents, already in memory, written with Dexie bulkPut in chunks of
 *   1000 into a fresh IndexedDB database with the replica's indexes.
 */

let documents: Transaction[] = [];

async function pullPage(token: string, checkpoint: string | null, limit: number): Promise<{ documents: Record<string, unknown>[]; checkpoint: string | null }> {
  const q = new URLSearchParams({ limit: String(limit), ...(checkpoint ? { checkpoint } : {}) });
  const res = await fetch(`/api/v1/replication/transactions/pull?${q.toString()}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { documents: Record<string, unknown>[]; checkpoint: string | null };
}

const api: FirstSyncPage = {
  /** Keeps every transaction in page memory for the baseline (not timed). */
  async loadDocuments(token: string): Promise<number> {
    const all: Transaction[] = [];
    let checkpoint: string | null = null;
    for (;;) {
      const page = await pullPage(token, checkpoint, 1000);
      if (page.documents.length === 0) break;
      for (const d of page.documents) {
        const { _deleted: _, ...doc } = d;
        all.push(doc as Transaction);
      }
      checkpoint = page.checkpoint;
    }
    documents = all;
    return all.length;
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
        collections: ['transactions'],
        pullBatchSize: o.batchSize,
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
      const stored = await replica.db.transactions.count().exec();
      if (stored !== o.expected) throw new Error(`replica holds ${stored} of ${o.expected} transactions`);
      return { ms, fetchMs, requests, stored };
    } finally {
      await replica.db.remove().catch(() => undefined);
      await replica.close();
    }
  },

  async rawDexie(name: string, chunk: number): Promise<{ ms: number; stored: number }> {
    if (documents.length === 0) throw new Error('loadDocuments first');
    const db = new Dexie(name);
    db.version(1).stores({ tx: 'id, date, [accountId+date], hlc' });
    await db.open();
    try {
      const started = performance.now();
      for (let i = 0; i < documents.length; i += chunk) await db.table('tx').bulkPut(documents.slice(i, i + chunk));
      const ms = performance.now() - started;
      const stored = await db.table('tx').count();
      if (stored !== documents.length) throw new Error(`raw Dexie holds ${stored} of ${documents.length}`);
      return { ms, stored };
    } finally {
      db.close();
      await Dexie.delete(name);
    }
  },
};

(globalThis as Record<string, unknown>).firstSync = api;
