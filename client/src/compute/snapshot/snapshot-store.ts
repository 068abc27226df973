import { SnapshotCorruptError } from '@mymidas/shared/snapshot/codec';
import type { SnapshotRecords } from '@mymidas/shared/snapshot/codec';

/**
 * The snapshot's own IndexedDB database: one object store of records — "meta" and "year-YYYY" — each
 * sealed with AES-GCM under the device key handed in (one encrypt call per record; the record's key is
 * the additional data, so a record moved under another key fails to open). A record that fails GCM
 * authentication is reported as SnapshotCorruptError, like one that fails its own CRC.
 */

const STORE = 'records';
const META_KEY = 'meta';
const IV_BYTES = 12;
/** Version 2 added the object store of the compute worker's investment store (compute/invest/invest-persist.ts). */
export const SNAPSHOT_DB_VERSION = 2;
export const INVEST_OBJECT_STORE = 'invest';

export interface StoredRecord {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly data: ArrayBuffer;
}

export const yearKey = (year: number) => `year-${year}`;

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('snapshot write aborted'));
  });
}

const encoder = new TextEncoder();
const aad = (key: string) => encoder.encode(`mymidas-snapshot:${key}`);

export function isStored(value: unknown): value is StoredRecord {
  const v = value as StoredRecord | undefined;
  return !!v && v.iv instanceof Uint8Array && v.iv.byteLength === IV_BYTES && v.data instanceof ArrayBuffer;
}

export interface SnapshotStore {
  /** The stored records, or null when there are none; throws SnapshotCorruptError. */
  load(): Promise<SnapshotRecords | null>;
  /** Writes the meta record and the given year records, deletes the years listed, in one transaction. */
  write(meta: ArrayBuffer, years: ReadonlyMap<number, ArrayBuffer>, deleteYears: readonly number[], replaceAll?: boolean): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

/** Opens (creating or upgrading) the snapshot's database: its records and the investment store's. */
export async function openSnapshotDatabase(name: string): Promise<IDBDatabase> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, SNAPSHOT_DB_VERSION);
    req.onupgradeneeded = () => {
      const names = req.result.objectStoreNames;
      if (!names.contains(STORE)) req.result.createObjectStore(STORE);
      if (!names.contains(INVEST_OBJECT_STORE)) req.result.createObjectStore(INVEST_OBJECT_STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`snapshot database ${name} is blocked by another connection`));
  });
  // "Erase this device" deletes every database: let go at once instead of blocking it.
  db.onversionchange = () => db.close();
  return db;
}

export async function openSnapshotStore(name: string, key: CryptoKey): Promise<SnapshotStore> {
  if (!(key instanceof CryptoKey) || key.algorithm.name !== 'AES-GCM' || !key.usages.includes('encrypt') || !key.usages.includes('decrypt')) {
    throw new TypeError('the snapshot store needs an AES-GCM CryptoKey that can encrypt and decrypt');
  }
  const db = await openSnapshotDatabase(name);

  async function seal(recordKey: string, plain: ArrayBuffer): Promise<StoredRecord> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(recordKey) }, key, plain);
    return { iv, data };
  }

  async function unseal(recordKey: string, stored: unknown): Promise<ArrayBuffer> {
    if (!isStored(stored)) throw new SnapshotCorruptError(`snapshot record ${recordKey} is not a sealed record`);
    try {
      return await crypto.subtle.decrypt({ name: 'AES-GCM', iv: stored.iv, additionalData: aad(recordKey) }, key, stored.data);
    } catch {
      throw new SnapshotCorruptError(`snapshot record ${recordKey} fails AES-GCM authentication (damaged, or sealed under another key)`);
    }
  }

  return {
    async load() {
      const tx = db.transaction(STORE, 'readonly');
      const store = tx.objectStore(STORE);
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      if (keys.length === 0) return null;
      const byKey = new Map(keys.map((k, i) => [String(k), values[i]]));
      if (!byKey.has(META_KEY)) throw new SnapshotCorruptError('snapshot has year records but no meta record');
      const entries = [...byKey.entries()];
      const plains = await Promise.all(entries.map(([k, v]) => unseal(k, v)));
      const years = new Map<number, ArrayBuffer>();
      let meta: ArrayBuffer | null = null;
      entries.forEach(([k], i) => {
        if (k === META_KEY) meta = plains[i]!;
        else if (/^year--?\d+$/.test(k)) years.set(Number(k.slice(5)), plains[i]!);
        else throw new SnapshotCorruptError(`unexpected snapshot record ${k}`);
      });
      return { meta: meta!, years };
    },
    async write(meta, years, deleteYears, replaceAll = false) {
      const sealed = await Promise.all([...years].map(async ([y, b]) => [yearKey(y), await seal(yearKey(y), b)] as const));
      const sealedMeta = await seal(META_KEY, meta);
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      if (replaceAll) store.clear();
      for (const y of deleteYears) store.delete(yearKey(y));
      for (const [k, v] of sealed) store.put(v, k);
      store.put(sealedMeta, META_KEY);
      await done(tx);
    },
    async clear() {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).clear();
      await done(tx);
    },
    close() {
      db.close();
    },
  };
}
