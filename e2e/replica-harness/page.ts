import { createRxDatabase } from 'rxdb';
import type { RxJsonSchema } from 'rxdb';
import { wrappedKeyCompressionStorage } from 'rxdb/plugins/key-compression';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { toRxJsonSchema } from '@mymidas/shared/schema';
import { eraseDevice, openReplica, readDeviceState } from '../../client/src/db/database.ts';
import type { Replica } from '../../client/src/db/database.ts';
import { DataKeyHolder, ENVELOPE_FIELD, encryptedStorage } from '../../client/src/db/encrypted-storage.ts';
import type { EncryptionCounters } from '../../client/src/db/encrypted-storage.ts';
import { ReplicaError } from '../../client/src/db/errors.ts';
import { DEFAULT_KDF_PARAMS, createDataKey, unlockDataKey } from '../../client/src/db/keys.ts';
import type { DumpedDatabase, HarnessCollection, HarnessError, HarnessResult, ReplicaHarness } from '../lib/replica-harness-api.ts';

/** The browser side of the replica tests: a thin, JSON-only API over client/src/db. */

const replicas = new Map<string, Replica>();
const seenEvents = new Map<string, [string, string, unknown][]>();
const counters: EncryptionCounters = { encrypt: 0, decrypt: 0 };

function describeError(error: unknown): HarnessError {
  if (error instanceof ReplicaError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, code: (error as { code?: string }).code ?? null, message: error.message };
  return { name: 'unknown', code: null, message: String(error) };
}

async function attempt<T>(run: () => Promise<T>): Promise<HarnessResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

function replica(name: string): Replica {
  const found = replicas.get(name);
  if (!found) throw new Error(`replica ${name} is not open`);
  return found;
}

function collectionOf(name: string, collection: HarnessCollection) {
  return replica(name).db[collection];
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onupgradeneeded = () => reject(new Error(`database ${name} did not exist`));
  });
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof ArrayBuffer) return { binary: new Uint8Array(v).toString() };
    if (ArrayBuffer.isView(v)) return { binary: new Uint8Array(v.buffer, v.byteOffset, v.byteLength).toString() };
    return v;
  });
}

async function dumpIndexedDb(): Promise<DumpedDatabase[]> {
  const out: DumpedDatabase[] = [];
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    const db = await openRaw(info.name);
    try {
      const stores = [];
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const [keys, values] = await Promise.all([requestResult(store.getAllKeys()), requestResult(store.getAll())]);
        // Blobs (e.g. attachments) are read as text so a scan sees their bytes too.
        const readable = await Promise.all(values.map(async (v: unknown) => (v instanceof Blob ? { blob: await v.text() } : v)));
        stores.push({ name: storeName, count: values.length, json: toJson({ keys, values: readable }) });
      }
      out.push({ name: info.name, stores });
    } finally {
      db.close();
    }
  }
  return out;
}

/** Finds the raw record with primary key `id` in any object store keyed by `id`. */
async function tamperEnvelope(fromId: string, toId: string): Promise<void> {
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    const db = await openRaw(info.name);
    try {
      for (const storeName of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(storeName, 'readwrite');
        const store = tx.objectStore(storeName);
        if (store.keyPath !== 'id') continue;
        const from = (await requestResult(store.get(fromId))) as Record<string, unknown> | undefined;
        const to = (await requestResult(store.get(toId))) as Record<string, unknown> | undefined;
        if (!from || !to || typeof from[ENVELOPE_FIELD] !== 'string') continue;
        let envelope = from[ENVELOPE_FIELD];
        if (fromId === toId) {
          const bytes = Uint8Array.from(atob(envelope), (c) => c.charCodeAt(0));
          const last = bytes.length - 1;
          bytes[last] = (bytes[last] ?? 0) ^ 0x01;
          envelope = btoa(String.fromCharCode(...bytes));
        }
        await requestResult(store.put({ ...to, [ENVELOPE_FIELD]: envelope }));
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        return;
      }
    } finally {
      db.close();
    }
  }
  throw new Error(`no stored envelope for ${fromId} (open the replica with keyCompression: false)`);
}

const harness: ReplicaHarness = {
  open: (name, password, options = {}) =>
    attempt(async () => {
      const opened = await openReplica({ name, password, kdf: options.kdf, keyCompression: options.keyCompression, counters });
      replicas.set(name, opened);
      const events: [string, string, unknown][] = [];
      seenEvents.set(name, events);
      opened.db.transactions.$.subscribe((event) => {
        events.push([event.operation, event.documentId, (event.documentData as { merchant?: unknown }).merchant]);
      });
      return { created: opened.created, deviceId: opened.deviceId };
    }),
  insert: (name, collection, docs) =>
    attempt(async () => {
      const result = await collectionOf(name, collection).bulkInsert(docs as never[]);
      if (result.error.length > 0) throw new Error(`insert refused ${result.error.length} documents`);
      return result.success.length;
    }),
  readAll: (name, collection) =>
    attempt(async () => {
      const docs = await collectionOf(name, collection).find({ sort: [{ id: 'asc' }] }).exec();
      return docs.map((d) => d.toJSON() as Record<string, unknown>);
    }),
  patch: (name, id, patch) =>
    attempt(async () => {
      const doc = await replica(name).db.transactions.findOne(id).exec();
      if (!doc) throw new Error(`no transaction ${id}`);
      await doc.incrementalPatch(patch);
    }),
  remove: (name, id) =>
    attempt(async () => {
      const doc = await replica(name).db.transactions.findOne(id).exec();
      if (!doc) throw new Error(`no transaction ${id}`);
      await doc.remove();
    }),
  events: (name) => seenEvents.get(name) ?? [],
  findByEncryptedField: (name, merchant) =>
    attempt(async () => (await replica(name).db.transactions.find({ selector: { merchant } }).exec()).length),
  changePassword: (name, oldPassword, newPassword, kdf) => attempt(() => replica(name).changePassword(oldPassword, newPassword, kdf)),
  storedKey: (name) =>
    attempt(async () => {
      const record = await readDeviceState(replica(name).db, 'device-key');
      if (!record) throw new Error('no device key stored');
      return { params: record.kdf.params, wrappedKey: record.wrappedKey, salt: record.kdf.salt };
    }),
  async close(name) {
    await replicas.get(name)?.close();
    replicas.delete(name);
  },
  counters: () => ({ ...counters }),
  resetCounters() {
    counters.encrypt = 0;
    counters.decrypt = 0;
  },
  dumpIndexedDb,
  databaseNames: async () => (await indexedDB.databases()).map((d) => d.name ?? ''),
  tamperEnvelope: (fromId, toId) => attempt(() => tamperEnvelope(fromId, toId)),
  wrongStackOrder: () =>
    attempt(async () => {
      const keys = new DataKeyHolder();
      keys.set((await createDataKey('wrong-order-password', { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } })).key);
      const db = await createRxDatabase({
        name: 'wrong-order',
        storage: wrappedKeyCompressionStorage({ storage: encryptedStorage({ storage: getRxStorageDexie(), keys }) }),
      });
      try {
        const schema = { ...toRxJsonSchema('transactions'), keyCompression: true } as unknown as RxJsonSchema<unknown>;
        await db.addCollections({ transactions: { schema } });
      } finally {
        await db.remove();
      }
    }),
  defaultCostKey: (password) =>
    attempt(async () => {
      const t0 = performance.now();
      const made = await createDataKey(password);
      const t1 = performance.now();
      const again = await unlockDataKey(password, made.record);
      const t2 = performance.now();
      if (JSON.stringify(made.record.kdf.params) !== JSON.stringify(DEFAULT_KDF_PARAMS)) throw new Error('stored params differ from the defaults');
      return { params: made.record.kdf.params, createMs: t1 - t0, unlockMs: t2 - t1, extractable: made.key.extractable || again.extractable };
    }),
  erase: (name) =>
    attempt(async () => {
      const target = name ? replicas.get(name) : undefined;
      for (const [other, open] of replicas) if (other !== name) await open.close();
      replicas.clear();
      return eraseDevice({ replica: target });
    }),
};

window.replicaHarness = harness;
document.body.dataset.ready = 'true';
