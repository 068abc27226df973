import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { createWebHashHistory } from 'vue-router';
import type { Account, Category, Transaction } from '@mymidas/shared/schema';
import App from '../../client/src/app/App.vue';
import { createApiClient } from '../../client/src/app/api.ts';
import { API_CLIENT, REPLICA_PORT } from '../../client/src/app/injection.ts';
import { createIndexedDbReplica } from '../../client/src/app/replica-adapter.ts';
import { createAppRouter } from '../../client/src/app/router.ts';
import { useSessionStore } from '../../client/src/stores/session.ts';
import { replicaClock, setDeviceClock } from '../../client/src/sync/clock.ts';
import { createSyncEngine } from '../../client/src/sync/sync-engine.ts';
import { openAttachmentCache } from '../../client/src/features/attachments/attachment-cache.ts';
import { ATTACHMENT_DEPS } from '../../client/src/features/attachments/attachment-deps.ts';
import { uploadPending } from '../../client/src/features/attachments/attachment-service.ts';
import type { SyncEngine } from '../../client/src/sync/sync-engine.ts';
import { applyTheme, readStoredTheme } from '../../client/src/stores/theme.ts';
import '../../client/src/themes/base.css';
import '../../client/src/themes/themes.css';

/**
 * The real app, unlocked at start with a test password (the first unlock creates the device replica,
 * as a first sign-in does), routed by hash. window.ledgerHarness seeds data directly into the replica
 * for the benchmark and reads raw IndexedDB for its baseline; the browser test drives the UI itself.
 */

export interface LedgerHarness {
  ready: boolean;
  /** Writes documents straight into the replica (through the encryption layer), in chunks. */
  seed(docs: { accounts?: Account[]; categories?: Category[]; transactions?: Transaction[] }): Promise<{ ms: number }>;
  /** Reads every stored row of a collection with plain IndexedDB (no RxDB, no Dexie): the baseline. */
  rawRead(collection: string, limit?: number): Promise<{ ms: number; rows: number }>;
  count(collection: 'accounts' | 'transactions' | 'categories' | 'attachments'): Promise<number>;
  /** Documents as the replica holds them (decrypted), for assertions. */
  dump(collection: 'accounts' | 'transactions' | 'categories' | 'attachments'): Promise<Record<string, unknown>[]>;
  /**
   * Signs in to the sync server this page is served by (registering first when asked) and starts
   * client/src/sync's engine on the replica with the device clock installed, as the session does.
   */
  startSync(email: string, password: string, register: boolean): Promise<void>;
  /** Resolves when every collection has pushed and pulled everything. */
  awaitInSync(): Promise<void>;
  /** Loads every lazy page chunk now, as the service worker's precache does in the app (the harness has none). */
  precache(): Promise<number>;
  /** Uploads receipts added while offline (what the app does when it comes back online). */
  uploadAttachments(): Promise<{ uploaded: number; waiting: number }>;
}

declare global {
  interface Window {
    ledgerHarness: LedgerHarness;
  }
}

const PASSWORD = 'ledger-harness-password';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function main() {
  applyTheme(readStoredTheme(globalThis.localStorage));
  const port = createIndexedDbReplica();
  await port.unlock(PASSWORD);
  const db = port.database();
  if (!db) throw new Error('the replica did not open');

  let token: string | null = null;
  const attachmentDeps = { cache: openAttachmentCache(), getAccessToken: () => token };
  const app = createApp(App);
  app.provide(ATTACHMENT_DEPS, attachmentDeps);
  const pinia = createPinia();
  app.use(pinia);
  app.provide(API_CLIENT, createApiClient({ getAccessToken: () => useSessionStore(pinia).accessToken }));
  app.provide(REPLICA_PORT, port);
  const router = createAppRouter(pinia, createWebHashHistory());
  app.use(router);
  await router.isReady();
  app.mount('#app');

  const api = createApiClient({ getAccessToken: () => token });
  let engine: SyncEngine | null = null;

  window.ledgerHarness = {
    ready: true,
    async startSync(email, password, register) {
      if (register) await api.register(email, password);
      const login = await api.login(email, password);
      if (login.kind !== 'signed-in') throw new Error(`sign-in did not complete: ${login.kind}`);
      token = login.accessToken;
      // The replica's one clock, the same the ledger screens stamp with (as session-sync.ts installs it).
      const clock = await replicaClock(db);
      setDeviceClock(clock);
      engine = createSyncEngine({ db, clock, getAccessToken: () => token, waitForLeadership: false });
      await engine.start();
    },
    async precache() {
      let n = 0;
      for (const r of router.getRoutes()) {
        const c = r.components?.default;
        if (typeof c === 'function') {
          await (c as () => Promise<unknown>)();
          n += 1;
        }
      }
      await import('../../client/src/features/attachments/index.ts');
      return n + 1;
    },
    async uploadAttachments() {
      const r = await uploadPending(db, attachmentDeps);
      return { uploaded: r.uploaded, waiting: r.waiting };
    },
    async awaitInSync() {
      if (!engine) throw new Error('sync was not started');
      await engine.awaitInSync();
    },
    async seed(docs) {
      const t0 = performance.now();
      if (docs.accounts?.length) await db.accounts.bulkInsert(docs.accounts);
      if (docs.categories?.length) await db.categories.bulkInsert(docs.categories);
      const list = docs.transactions ?? [];
      for (let i = 0; i < list.length; i += 5000) {
        const res = await db.transactions.bulkInsert(list.slice(i, i + 5000));
        if (res.error.length) throw new Error(`seed: ${res.error.length} errors, first ${JSON.stringify(res.error[0]?.status)}`);
      }
      return { ms: performance.now() - t0 };
    },
    async rawRead(collection, limit) {
      const info = (await indexedDB.databases()).find((d) => d.name?.endsWith(`--${collection}`));
      if (!info?.name) throw new Error(`no IndexedDB database for ${collection}`);
      const t0 = performance.now();
      const idb = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      let rows = 0;
      try {
        const tx = idb.transaction(Array.from(idb.objectStoreNames), 'readonly');
        // RxDB's Dexie layout: one "docs" store holds the documents.
        const store = tx.objectStore(Array.from(idb.objectStoreNames).find((n) => n === 'docs') ?? idb.objectStoreNames[0]!);
        const all = await request(limit === undefined ? store.getAll() : store.getAll(null, limit));
        rows = all.length;
      } finally {
        idb.close();
      }
      return { ms: performance.now() - t0, rows };
    },
    async count(collection) {
      return db[collection].count().exec();
    },
    async dump(collection) {
      const docs = await db[collection].find().exec();
      return docs.map((d) => d.toMutableJSON() as unknown as Record<string, unknown>);
    },
  };
}

void main().catch((error: unknown) => {
  document.body.dataset.harnessError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(error);
});
