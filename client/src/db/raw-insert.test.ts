import type { IDBFactory } from 'fake-indexeddb';
import { fillWithDefaultSettings } from 'rxdb';
import type { RxDocumentData, RxJsonSchema, RxStorage } from 'rxdb';
import { compressDocumentData, getCompressionStateByRxJsonSchema } from 'rxdb/plugins/key-compression';
import { fromStorageToDexie, getBooleanIndexes, RxStorageInstanceDexie } from 'rxdb/plugins/storage-dexie';
import { collectHousehold } from '@mymidas/shared/demo';
import { COLLECTION_NAMES } from '@mymidas/shared/schema';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { describe, expect, it, vi } from 'vitest';
import { openNodeReplica } from '../sync/test-replica.ts';
import { openReplica, replicaSchemas, type Replica } from './database.ts';
import { storedSchema } from './encrypted-fields.ts';
import { ENVELOPE_FIELD } from './envelope-codec.ts';
import { replicaStorageExtras } from './encrypted-storage.ts';
import { ReplicaLockedError } from './errors.ts';
import { dexieRowBuilder } from './raw-insert.ts';

/**
 * insertIfAbsent (encrypted-storage.ts over raw-insert.ts): rows written straight into RxDB's Dexie table
 * must read back through RxDB exactly as if RxDB had written them — documents, index queries, counts,
 * change events — and stay sealed at rest. The memory storage checks the fallback through RxDB's bulkWrite.
 */

let n = 0;
function account(over: Record<string, unknown> = {}) {
  n++;
  return {
    id: `0196a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    hlc: `1750000000000:${String(n).padStart(4, '0')}:a`,
    name: `Secret account ${n}`,
    type: 'current',
    currency: 'GBP',
    institution: 'Hidden Bank plc',
    accountRef: null,
    openingBalance: 100 * n,
    openingDate: '2026-01-01',
    creditLimit: null,
    apr: null,
    closed: false,
    sortOrder: 1000 - n,
    notes: null,
    ...over,
  };
}

/** As the sync bootstrap writes them. */
const asStored = (doc: Record<string, unknown>, deleted = false) =>
  ({ ...doc, _deleted: deleted, _meta: { lwt: 1_750_000_000_000 + n, o: { _rev: 1, hash: 'h' }, bs: 1 }, _rev: '1-h', _attachments: {} }) as unknown as RxDocumentData<unknown>;

async function dumpIndexedDb(factory: IDBFactory): Promise<string> {
  const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  let out = '';
  for (const { name } of await factory.databases()) {
    if (!name) continue;
    const idb = await request(factory.open(name));
    for (const store of [...idb.objectStoreNames]) out += JSON.stringify(await request(idb.transaction(store, 'readonly').objectStore(store).getAll()));
    idb.close();
  }
  return out;
}

const stacks: [string, () => Promise<Replica & { indexedDB?: IDBFactory }>][] = [
  ['Dexie on fake-indexeddb (rows straight into the table)', () => openNodeReplica({ collections: ['accounts'] })],
  ['memory storage (RxDB bulkWrite fallback)', () => openReplica({ password: 'pw', name: `mem-${n}`, kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 }, collections: ['accounts'], baseStorage: getRxStorageMemory() as RxStorage<unknown, unknown> })],
];

describe.each(stacks)('insertIfAbsent on %s', (_label, open) => {
  it('stores new documents that RxDB then reads, queries, counts and announces like its own; existing ids are left alone', async () => {
    const replica = await open();
    try {
      const db = replica.db;
      const extras = replicaStorageExtras(db.accounts.storageInstance);
      expect(extras).not.toBeNull();
      const local = account({ name: 'Edited on this device' });
      await db.accounts.insert(local as never);
      const seen: string[] = [];
      const sub = db.accounts.find({ sort: [{ sortOrder: 'asc' }] }).$.subscribe((docs) => seen.push(docs.map((d) => d.name).join('|')));
      const fresh = [account(), account(), account()];
      const gone = account({ name: 'Deleted on the server' });
      const { skipped } = await extras!.insertIfAbsent([...fresh, { ...local, name: 'Server version' }, gone].map((d, i) => asStored(d, i === 4)), 'replication-downstream-test');
      expect(skipped).toEqual([local.id]);
      // The local edit is untouched; the deleted one is stored but not found.
      expect((await db.accounts.findOne(local.id).exec())?.name).toBe('Edited on this device');
      expect(await db.accounts.findOne(gone.id).exec()).toBeNull();
      const [stored] = await db.accounts.storageInstance.findDocumentsById([gone.id], true);
      expect(stored?._deleted).toBe(true);
      for (const doc of fresh) {
        const { _meta, _rev, _deleted, _attachments, ...data } = (await db.accounts.findOne(doc.id).exec())!.toJSON(true) as Record<string, unknown>;
        expect(data).toEqual(doc);
        expect(_meta).toMatchObject({ bs: 1, o: { _rev: 1, hash: 'h' } });
      }
      expect(await db.accounts.count().exec()).toBe(4);
      // An index query (sortOrder) and the live query both see them.
      const sorted = await db.accounts.find({ selector: { sortOrder: { $gte: 0 } }, sort: [{ sortOrder: 'asc' }] }).exec();
      expect(sorted.map((d) => d.id)).toEqual([...fresh].reverse().map((d) => d.id).concat(local.id));
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.at(-1)).toBe([...fresh].reverse().map((d) => d.name).concat('Edited on this device').join('|'));
      sub.unsubscribe();
      // An RxDB update over an inserted row works as over its own (revision and previous state match).
      await (await db.accounts.findOne(fresh[0]!.id).exec())!.incrementalPatch({ notes: 'patched' });
      expect((await db.accounts.findOne(fresh[0]!.id).exec())?.notes).toBe('patched');
      if (replica.indexedDB) {
        const raw = await dumpIndexedDb(replica.indexedDB);
        expect(raw).not.toContain('Secret account');
        expect(raw).not.toContain('Hidden Bank');
      }
    } finally {
      await replica.close();
    }
  });

  it('a locked replica refuses, and nothing is written', async () => {
    const replica = await open();
    const extras = replicaStorageExtras(replica.db.accounts.storageInstance)!;
    await replica.close();
    await expect(extras.insertIfAbsent([asStored(account())], 'replication-downstream-test')).rejects.toBeInstanceOf(ReplicaLockedError);
  });
});

describe('insertIfAbsent over Dexie', () => {
  it('goes straight to the table: RxDB\'s Dexie bulkWrite (which reads the batch first) is not called', async () => {
    const replica = await openNodeReplica({ collections: ['accounts'] });
    const spy = vi.spyOn(RxStorageInstanceDexie.prototype, 'bulkWrite');
    try {
      await replicaStorageExtras(replica.db.accounts.storageInstance)!.insertIfAbsent([asStored(account()), asStored(account())], 'replication-downstream-test');
      expect(spy).not.toHaveBeenCalled();
      expect(await replica.db.accounts.count().exec()).toBe(2);
      await replica.db.accounts.insert(account() as never);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      await replica.close();
    }
  });
});

describe('insertIfAbsent on Dexie: one transaction a batch', () => {
  it('a row IndexedDB refuses for another reason than an existing id writes nothing of its batch, and says so', async () => {
    const replica = await openNodeReplica({ collections: ['accounts'] });
    try {
      const extras = replicaStorageExtras(replica.db.accounts.storageInstance)!;
      const kept = account();
      const { id: _id, ...keyless } = account();
      await expect(extras.insertIfAbsent([asStored(kept), asStored(keyless)], 'replication-downstream-test')).rejects.toThrow();
      expect(await replica.db.accounts.count().exec()).toBe(0);
      // Existing ids alone are passed over, and the rest of their batch is written.
      await extras.insertIfAbsent([asStored(kept)], 'replication-downstream-test');
      const fresh = account();
      expect(await extras.insertIfAbsent([asStored(kept), asStored(fresh), asStored(kept)], 'replication-downstream-test')).toEqual({ skipped: [kept.id, kept.id] });
      expect(await replica.db.accounts.count().exec()).toBe(2);
    } finally {
      await replica.close();
    }
  });
});

describe('insertIfAbsent and other tabs', () => {
  it('another tab on the same IndexedDB hears of the rows by id only, reads them, and announces them decrypted', async () => {
    const replica = await openNodeReplica({ collections: ['accounts'] });
    const mine = replica.db.accounts.storageInstance;
    // A second tab: the same storage stack and key, the same database and collection, another instance token.
    const otherTab = await replica.db.storage.createStorageInstance({
      databaseName: mine.databaseName,
      collectionName: mine.collectionName,
      schema: mine.schema,
      options: {},
      multiInstance: true,
      devMode: false,
      databaseInstanceToken: 'other-tab',
    } as never);
    const spy = vi.spyOn(BroadcastChannel.prototype, 'postMessage');
    const heard: { id: string; name: unknown; operation: string }[] = [];
    const sub = otherTab.changeStream().subscribe((bulk) => {
      for (const e of bulk.events) heard.push({ id: e.documentId, name: (e.documentData as unknown as { name?: unknown }).name, operation: e.operation });
    });
    try {
      const fresh = [account(), account()];
      const gone = account();
      await replicaStorageExtras(mine)!.insertIfAbsent([...fresh, gone].map((d, i) => asStored(d, i === 2)), 'replication-downstream-test');
      await vi.waitFor(() => expect(heard).toHaveLength(2));
      expect(heard).toEqual(fresh.map((d) => ({ id: d.id, name: d.name, operation: 'INSERT' })));
      // What crossed to the other tab: ids, a checkpoint and the context; no row, sealed or not (every
      // stored row holds its hlc in the clear), and nothing about the deleted one.
      const messages = spy.mock.calls.map(([m]) => JSON.stringify(m));
      for (const m of messages) for (const doc of [...fresh, gone]) expect(m).not.toContain(doc.hlc);
      const ours = spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as BroadcastChannel).name.startsWith('mymidas-replica|')).map(([m]) => m as { ids: string[] });
      expect(ours.map((m) => m.ids)).toEqual([fresh.map((d) => d.id)]);
      // A notice the other tab fails to read is dropped with a warning; its stream goes on.
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const read = vi.spyOn(RxStorageInstanceDexie.prototype, 'findDocumentsById').mockRejectedValueOnce(new Error('closing'));
      const later = [account()];
      await replicaStorageExtras(mine)!.insertIfAbsent([asStored(later[0]!)], 'replication-downstream-test');
      await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1));
      read.mockRestore();
      warn.mockRestore();
      const last = account();
      await replicaStorageExtras(mine)!.insertIfAbsent([asStored(last)], 'replication-downstream-test');
      await vi.waitFor(() => expect(heard.at(-1)).toEqual({ id: last.id, name: last.name, operation: 'INSERT' }));
      expect(heard.map((h) => h.id)).not.toContain(later[0]!.id);
    } finally {
      spy.mockRestore();
      sub.unsubscribe();
      await otherTab.close();
      await replica.close();
    }
  });
});

/** Keys in order at every depth, and values: what `toEqual` leaves out (order, undefined-valued keys). */
const shape = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value === undefined ? '(undefined)' : value;
  if (Array.isArray(value)) return value.map(shape);
  return Object.entries(value).map(([k, v]) => [k, shape(v)]);
};

describe('dexieRowBuilder (the rows insertIfAbsent writes, built in one pass)', () => {
  const household = collectHousehold({ seed: 'raw-insert-rows', transactions: 700, years: 1 });
  // The collections a one-year demo household has documents of (transactions and quotes among them).
  const present = COLLECTION_NAMES.filter((name) => household[name].length > 0);

  it('has samples of the collections a first sync pulls most of', () => {
    expect(present).toEqual(expect.arrayContaining(['transactions', 'quotes', 'accounts', 'categories']));
  });

  it.each(present)('builds for %s exactly the row RxDB\'s path stores: sealed, key-compressed, converted for Dexie', (name) => {
    const schema = fillWithDefaultSettings(replicaSchemas(true, [name])[name].schema as unknown as RxJsonSchema<RxDocumentData<unknown>>);
    const encrypted = new Set(schema.encrypted ?? []);
    const inner = storedSchema(schema, name, [...encrypted]);
    const compression = getCompressionStateByRxJsonSchema(inner);
    const booleanIndexes = getBooleanIndexes(compression.compressedSchema);
    const build = dexieRowBuilder(compression, booleanIndexes, encrypted);
    const samples = (household[name] as unknown as Record<string, unknown>[]).slice(0, 25);
    const docs = samples.flatMap((d, i) => [
      asStored(d, i % 5 === 4),
      // Fields RxDB's path keeps whatever they hold: one undefined, one nested beyond the schema.
      { ...asStored(d), [Object.keys(d).at(-1)!]: undefined, extra: { list: [1, { deeper: null, sortOrder: [true] }], empty: {} } },
    ]);
    for (const [i, doc] of docs.entries()) {
      const envelope = `envelope-${i}`;
      const sealed: Record<string, unknown> = {};
      for (const field in doc) if (!encrypted.has(field)) sealed[field] = (doc as Record<string, unknown>)[field];
      sealed[ENVELOPE_FIELD] = envelope;
      const viaRxDb = fromStorageToDexie(booleanIndexes, compressDocumentData(compression, sealed as RxDocumentData<unknown>));
      expect(shape(build(doc as unknown as Record<string, unknown>, envelope))).toEqual(shape(viaRxDb));
    }
  });

  it('refuses a key that starts with the compression flag, as RxDB\'s key compression does', () => {
    const schema = fillWithDefaultSettings(replicaSchemas(true, ['accounts']).accounts.schema as unknown as RxJsonSchema<RxDocumentData<unknown>>);
    const compression = getCompressionStateByRxJsonSchema(storedSchema(schema, 'accounts', schema.encrypted ?? []));
    const build = dexieRowBuilder(compression, ['_deleted'], new Set(schema.encrypted ?? []));
    expect(() => build({ ...asStored(account()), '|a': 1 } as unknown as Record<string, unknown>, 'e')).toThrow(/compression-flag/);
  });
});
