import { addRxPlugin, createRevision, createRxDatabase, getAllCollectionDocuments, getPrimaryKeyOfInternalDocument, hasEncryption, INTERNAL_CONTEXT_COLLECTION, isBulkWriteConflictError, now, removeCollectionStorages, writeSingle } from 'rxdb';
import type { InternalStoreCollectionDocType, MigrationStrategies, RxCollection, RxDatabase, RxDocumentData, RxJsonSchema, RxStorage } from 'rxdb';
import { wrappedKeyCompressionStorage } from 'rxdb/plugins/key-compression';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { budgetToV1 } from '@mymidas/shared/budget/migrate-v0';
import { COLLECTION_NAMES, COLLECTIONS, toRxJsonSchema } from '@mymidas/shared/schema';
import type { CollectionName, DocOf } from '@mymidas/shared/schema';
import { DataKeyHolder, encryptedStorage } from './encrypted-storage.ts';
import type { EncryptionCounters } from './encrypted-storage.ts';
import { fromBase64, randomBytes, toBase64 } from './bytes.ts';
import { ReplicaError, ReplicaLockedError } from './errors.ts';
import { createDataKey, parseWrappedDataKey, rewrapDataKey, unlockDataKey } from './keys.ts';
import type { KdfParams, WrappedDataKey } from './keys.ts';
import { getLeanDexieStorage, type LeanDexieSettings } from './lean-dexie.ts';
import { forgetBootstrapProgress } from '../sync/bootstrap.ts';

/**
 * The device replica: one RxDB database on IndexedDB (Dexie) holding the 12 replicated collections,
 * stacked as encryption(keyCompression(dexie)). Device-only state — the wrapped data key and this
 * device's id — lives in RxDB local documents, which never replicate.
 *
 * Opening is unlocking: the database is created with no collections, the wrapped key is read from its
 * local document and unwrapped with the password, and only then are the collections added. A wrong
 * password closes it again with nothing changed.
 */

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

export const DEFAULT_DATABASE_NAME = 'mymidas';

export type ReplicaCollections = { [N in CollectionName]: RxCollection<DocOf<N>> };
export type ReplicaDatabase = RxDatabase<ReplicaCollections>;

/** Device-only state kept in local documents, by id. */
export interface DeviceState {
  'device-key': WrappedDataKey;
  device: { deviceId: string; createdAt: string };
}
export type DeviceStateId = keyof DeviceState;

export interface OpenReplicaOptions {
  readonly password: string;
  readonly name?: string;
  /** Argon2id cost when this call creates the device key (first run). Stored with the key. */
  readonly kdf?: KdfParams;
  /** Compress field names below the encryption layer. Default true. */
  readonly keyCompression?: boolean;
  /** The bottom storage; Dexie on the global IndexedDB unless a test passes another. */
  readonly baseStorage?: RxStorage<unknown, unknown>;
  readonly counters?: EncryptionCounters;
  /**
   * Open only these collections (default: all). For tests that run several replicas in one process:
   * RxDB's open core opens at most 13 collections per JavaScript realm.
   */
  readonly collections?: readonly CollectionName[];
}

export interface Replica {
  readonly db: ReplicaDatabase;
  readonly deviceId: string;
  /** True when this open made the device key (first run on this device). */
  readonly created: boolean;
  /** Re-wraps the one data key under the new password; documents are not touched. */
  changePassword(oldPassword: string, newPassword: string, kdf?: KdfParams): Promise<void>;
  /** Forgets the key and closes the database: reopen with openReplica and the password. */
  close(): Promise<void>;
}

/**
 * Schema indexes the replica's IndexedDB tables leave out (lean-dexie.ts): no query of the client orders
 * or filters transactions by `hlc` (the device clock observes the stamps of the documents it edits), and
 * the index would otherwise be one
 * more record written with each of a new device's 100,000 transactions.
 */
export const REPLICA_UNINDEXED = { transactions: [['hlc']] } as const satisfies LeanDexieSettings['unindexed'];

/** encryption(keyCompression(base)) — the order matters: see encrypted-storage.ts. The base is RxDB's Dexie storage with the lean table layout (lean-dexie.ts). */
export function createReplicaStorage(keys: DataKeyHolder, options: Pick<OpenReplicaOptions, 'baseStorage' | 'counters'> = {}): RxStorage<unknown, unknown> {
  const base = options.baseStorage ?? (getLeanDexieStorage({ unindexed: REPLICA_UNINDEXED }) as RxStorage<unknown, unknown>);
  return encryptedStorage({ storage: wrappedKeyCompressionStorage({ storage: base }), keys, counters: options.counters });
}

/** A version whose only change is more fields in `pii`: the document is the same; RxDB's migration rewrites it through the storage, which seals them. */
const sealMoreFields = <T>(doc: T): T => doc;

/**
 * RxDB migration strategies: entry `n` turns a document of version n-1 into one of version n. RxDB keeps a
 * collection's schema (its `encrypted` list included) with its data, so a field joining `pii` bumps the
 * version. Version 1 (issue 19) sealed transactions' tags, split lines and import hash, categories' name
 * and icon, rules' name, assets' name and ISIN, and attachments' content hash. Budgets version 1 (issue 20)
 * changed shape: each month budget becomes a monthly budget for that month, by the conversion the server's
 * migration 009 also makes (budgetToV1, @mymidas/shared/budget/migrate-v0); RxDB runs it on the documents and
 * on the server states kept in the replication meta alike. docs/schema-migrations.md is the pattern.
 */
export const REPLICA_MIGRATIONS: { readonly [N in CollectionName]?: MigrationStrategies } = {
  transactions: { 1: sealMoreFields },
  categories: { 1: sealMoreFields },
  rules: { 1: sealMoreFields },
  assets: { 1: sealMoreFields },
  attachments: { 1: sealMoreFields },
  budgets: { 1: (doc: object) => budgetToV1(doc) },
  // Quotes version 1 (issue 22): a previous version's quotes are dropped and pulled again before the
  // collection opens (REPULLED_WHEN_OUTDATED); should any reach RxDB's migration all the same, they go.
  quotes: { 1: () => null },
};

/**
 * Pull-only collections whose documents from an older schema version are not converted one by one but
 * dropped, with their replication state, and pulled again. Quotes version 1 (issue 22) stores a series' year
 * in one document where version 0 stored a day per document: the demo household's 116,359 day documents
 * become about 500, and the server (migration 011) already holds them so. Converting on the device would
 * mean reading and deleting every one of the 116,359 (minutes on a phone); dropping the storages takes
 * one IndexedDB deletion, and the next sync's pull (a first sync for this collection: no checkpoint, no
 * bootstrap progress) brings the few hundred year documents. Nothing is lost: a device never writes quotes.
 * docs/schema-migrations.md, "Quotes 0 → 1".
 */
export const REPULLED_WHEN_OUTDATED: readonly CollectionName[] = ['quotes'];

async function dropOutdatedPulledCollections(db: ReplicaDatabase, names: readonly CollectionName[]): Promise<void> {
  const wanted = names.filter((n) => REPULLED_WHEN_OUTDATED.includes(n) && COLLECTIONS[n].serverOwned);
  if (wanted.length === 0) return;
  const stored = await getAllCollectionDocuments(db.internalStore);
  for (const name of wanted) {
    if (!stored.some((d) => d.data.name === name && d.data.schema.version < COLLECTIONS[name].version)) continue;
    await removeCollectionStorages(db.storage, db.internalStore, db.token, db.name, name, db.multiInstance, db.password as string | undefined, db.hashFunction);
    await forgetBootstrapProgress(db, name);
  }
}

/** Documents per batch when a replica migrates (RxDB's default, 10, makes 100,000 transactions crawl). */
const MIGRATION_BATCH_SIZE = 500;

type ReplicaCollectionCreators = { [N in CollectionName]: { schema: RxJsonSchema<DocOf<N>>; migrationStrategies: MigrationStrategies; autoMigrate: boolean } };

/**
 * The RxDB schema of each collection, derived from the shared zod model, with its migration strategies.
 * `autoMigrate: false` leaves an older replica's migration to the caller (openReplica runs it in larger batches).
 */
export function replicaSchemas(keyCompression: boolean, names: readonly CollectionName[] = COLLECTION_NAMES, autoMigrate = true): ReplicaCollectionCreators {
  const out: Record<string, { schema: RxJsonSchema<unknown>; migrationStrategies: MigrationStrategies; autoMigrate: boolean }> = {};
  for (const name of names) {
    out[name] = { schema: { ...toRxJsonSchema(name), keyCompression } as unknown as RxJsonSchema<unknown>, migrationStrategies: { ...REPLICA_MIGRATIONS[name] }, autoMigrate };
  }
  return out as ReplicaCollectionCreators;
}

/**
 * RxDB migrates a collection's replication meta storages (the server state each document was last synced
 * from) with the encryption they had. A collection that had no sealed field kept them in clear, and would
 * keep them so: the names they hold would stay readable, and the replication, which seals them now, could
 * not read them. So, before such a collection migrates, they are removed. Nothing in them is the only copy
 * of anything: the next sync pulls that collection again (categories and assets are small) and RxDB stores
 * them anew; a document edited before that is pushed without a base and merged (docs/sync-protocol.md).
 */
async function dropClearReplicationMeta(db: ReplicaDatabase, names: readonly CollectionName[]): Promise<void> {
  for (const name of names) {
    if (COLLECTIONS[name].pii.length === 0) continue;
    for (let version = 0; version < COLLECTIONS[name].version; version++) {
      const id = getPrimaryKeyOfInternalDocument(`${name}-${version}`, INTERNAL_CONTEXT_COLLECTION);
      for (;;) {
        const [stored] = (await db.internalStore.findDocumentsById([id], false)) as unknown as RxDocumentData<InternalStoreCollectionDocType>[];
        const clear = stored?.data.connectedStorages.filter((c) => !hasEncryption(c.schema)) ?? [];
        if (!stored || clear.length === 0) break;
        for (const c of clear) {
          const instance = await db.storage.createStorageInstance({
            databaseName: db.name, collectionName: c.collectionName, schema: c.schema, options: {},
            multiInstance: db.multiInstance, databaseInstanceToken: db.token, devMode: false,
          });
          await instance.remove();
        }
        const next: RxDocumentData<InternalStoreCollectionDocType> = {
          ...stored,
          data: { ...stored.data, connectedStorages: stored.data.connectedStorages.filter((c) => hasEncryption(c.schema)) },
          _rev: createRevision(db.token, stored),
          _meta: { ...stored._meta, lwt: now() },
        };
        try {
          await writeSingle(db.internalStore, { previous: stored, document: next }, 'mymidas-drop-clear-replication-meta');
          break;
        } catch (error) {
          // Another tab changed the record meanwhile: read it again.
          if (!isBulkWriteConflictError(error)) throw error;
        }
      }
    }
  }
}

export async function readDeviceState<K extends DeviceStateId>(db: ReplicaDatabase, id: K): Promise<DeviceState[K] | null> {
  const doc = await db.getLocal<DeviceState[K]>(id);
  return doc ? (doc.toJSON().data as DeviceState[K]) : null;
}

export async function writeDeviceState<K extends DeviceStateId>(db: ReplicaDatabase, id: K, value: DeviceState[K]): Promise<void> {
  await db.upsertLocal<DeviceState[K]>(id, value);
}

/** The data key of each open replica, for device-only values that must be sealed (see sealDeviceValue). */
const deviceKeys = new WeakMap<object, DataKeyHolder>();

/**
 * Seals a JSON value with the replica's data key (AES-GCM, `purpose` bound as additional data), for
 * device-only records kept in local documents that may hold PII — e.g. the sync conflict log. Local
 * documents are not covered by the storage wrapper, so such values must go through this.
 */
export async function sealDeviceValue(db: object, purpose: string, value: unknown): Promise<string> {
  const keys = deviceKeys.get(db);
  if (!keys) throw new ReplicaLockedError();
  const iv = randomBytes(12);
  const plain = new TextEncoder().encode(JSON.stringify(value === undefined ? null : { v: value }));
  const sealed = await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`mymidas/v1/local/${purpose}`) }, keys.get(), plain);
  const out = new Uint8Array(iv.length + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), iv.length);
  return toBase64(out);
}

/**
 * The open replica's data key (non-extractable AES-GCM), for the compute worker, which seals its
 * snapshot records with it (ARCHITECTURE decision 8). Throws ReplicaLockedError once the replica is locked.
 */
export function deviceDataKey(db: object): CryptoKey {
  const keys = deviceKeys.get(db);
  if (!keys) throw new ReplicaLockedError();
  return keys.get();
}

/** Opens a value sealed by sealDeviceValue with the same purpose. */
export async function openDeviceValue(db: object, purpose: string, text: string): Promise<unknown> {
  const keys = deviceKeys.get(db);
  if (!keys) throw new ReplicaLockedError();
  const bytes = fromBase64(text);
  const plain = await globalThis.crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: new TextEncoder().encode(`mymidas/v1/local/${purpose}`) },
    keys.get(),
    bytes.subarray(12),
  );
  const parsed = JSON.parse(new TextDecoder().decode(plain)) as { v: unknown } | null;
  return parsed === null ? undefined : parsed.v;
}

/**
 * Opens (first run: creates) this device's replica and unlocks it with the password. Throws
 * WrongPasswordError when the password does not unwrap the stored key; nothing is changed then.
 */
export async function openReplica(options: OpenReplicaOptions): Promise<Replica> {
  const keys = new DataKeyHolder();
  const keyCompression = options.keyCompression ?? true;
  const db = await createRxDatabase<ReplicaCollections>({
    name: options.name ?? DEFAULT_DATABASE_NAME,
    storage: createReplicaStorage(keys, options),
    localDocuments: true,
    multiInstance: true,
    eventReduce: true,
  });
  let created = false;
  let deviceId: string;
  try {
    let stored = await readDeviceState(db, 'device-key');
    if (stored === null) {
      const fresh = await createDataKey(options.password, { kdf: options.kdf });
      // insertLocal, not upsert: when another tab got there first, its records win and these are dropped.
      await db.insertLocal('device', { deviceId: globalThis.crypto.randomUUID(), createdAt: new Date().toISOString() }).catch(() => undefined);
      created = await db.insertLocal('device-key', fresh.record).then(() => true, () => false);
      if (created) keys.set(fresh.key);
      else {
        stored = await readDeviceState(db, 'device-key');
        if (stored === null) throw new ReplicaError('KEY_RECORD_INVALID', 'The device key could not be stored.');
      }
    }
    if (!created) keys.set(await unlockDataKey(options.password, stored));
    const device = await readDeviceState(db, 'device');
    if (!device) throw new ReplicaError('KEY_RECORD_INVALID', 'The device record is missing although a device key exists.');
    deviceId = device.deviceId;
    const names = options.collections ?? COLLECTION_NAMES;
    await dropClearReplicationMeta(db, names);
    await dropOutdatedPulledCollections(db, names);
    // Migrated here rather than by addCollections, in batches large enough for 100,000 transactions.
    await db.addCollections(replicaSchemas(keyCompression, names, false));
    await Promise.all(Object.values(db.collections).map((c: RxCollection) => c.migratePromise(MIGRATION_BATCH_SIZE)));
    deviceKeys.set(db, keys);
  } catch (error) {
    try {
      await db.close();
    } finally {
      keys.clear();
    }
    throw error;
  }

  return {
    db,
    deviceId,
    created,
    async changePassword(oldPassword, newPassword, kdf) {
      if (db.closed) throw new ReplicaLockedError();
      const current = parseWrappedDataKey(await readDeviceState(db, 'device-key'));
      const next = await rewrapDataKey(oldPassword, newPassword, current, { kdf });
      await writeDeviceState(db, 'device-key', next);
    },
    async close() {
      try {
        if (!db.closed) await db.close();
      } finally {
        keys.clear();
      }
    },
  };
}

export interface EraseOptions {
  /** An open replica to close first, so its connections do not block the deletion. */
  readonly replica?: Replica;
  readonly indexedDB?: IDBFactory;
  /** How long to wait for other tabs to let go of a database before failing. Default 10 s. */
  readonly blockedTimeoutMs?: number;
}

function deleteDatabase(factory: IDBFactory, name: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    let timer: ReturnType<typeof setTimeout> | undefined;
    request.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    request.onerror = () => {
      clearTimeout(timer);
      reject(new ReplicaError('ERASE_FAILED', `Could not delete the local database "${name}".`, { cause: request.error }));
    };
    request.onblocked = () => {
      timer ??= setTimeout(
        () => reject(new ReplicaError('ERASE_FAILED', `The local database "${name}" is still open in another tab; close it and retry.`)),
        timeoutMs,
      );
    };
  });
}

/**
 * "Sign out and erase this device": closes the replica and deletes every IndexedDB database of this
 * origin (the replica, its local documents, and anything else such as snapshots). Returns the names
 * deleted; throws if any database is left behind.
 */
export async function eraseDevice(options: EraseOptions = {}): Promise<string[]> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (options.replica) await options.replica.close();
  const names = (await factory.databases()).map((d) => d.name).filter((n): n is string => typeof n === 'string');
  await Promise.all(names.map((name) => deleteDatabase(factory, name, options.blockedTimeoutMs ?? 10_000)));
  const left = (await factory.databases()).map((d) => d.name);
  if (left.length > 0) throw new ReplicaError('ERASE_FAILED', `Local databases remain after erasing: ${left.join(', ')}`);
  return names;
}
