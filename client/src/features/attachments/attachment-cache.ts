/**
 * Attachment bytes kept on this device for offline viewing and for uploads that wait for the
 * network. They live in their own IndexedDB database (so "erase this device", which deletes every
 * IndexedDB database of the origin, removes them too — Cache Storage would survive it), sealed with
 * AES-256-GCM with a fresh 12-byte IV per file and `mymidas/v1/attachment/<id>` as additional data,
 * so sealed bytes cannot be swapped between attachments.
 *
 * The key: in the app, the replica's own data key (`deviceDataKey` of client/src/db/database.ts —
 * the password-wrapped device key), so cached receipts are exactly as protected as the replica and
 * unreadable while the device is locked. Without a key provider (tests, harness pages) the cache
 * makes its own non-extractable key on first use and stores it as a CryptoKey object.
 */

export const ATTACHMENT_CACHE_DB = 'mymidas-attachments';
const VERSION = 1;
const BLOBS = 'blobs';
const META = 'meta';
const KEY_ID = 'cache-key';
const IV_BYTES = 12;

interface SealedRecord {
  readonly id: string;
  readonly mimeType: string;
  readonly size: number;
  readonly iv: Uint8Array;
  readonly sealed: ArrayBuffer;
  readonly storedAt: string;
}

export interface CachedFile {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly mimeType: string;
}

export interface AttachmentCache {
  put(id: string, bytes: Uint8Array, mimeType: string): Promise<void>;
  /** The bytes, or null when this device has none (or they no longer open: then they are dropped). */
  get(id: string): Promise<CachedFile | null>;
  has(id: string): Promise<boolean>;
  delete(id: string): Promise<void>;
  close(): void;
}

export interface AttachmentCacheOptions {
  readonly indexedDB?: IDBFactory;
  readonly name?: string;
  readonly crypto?: Crypto;
  /** The key to seal with, asked for on every use (it goes away when the device locks). */
  readonly key?: () => CryptoKey | Promise<CryptoKey>;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function openDb(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = factory.open(name, VERSION);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(BLOBS)) db.createObjectStore(BLOBS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error(`Could not open ${name}`));
    r.onblocked = () => reject(new Error(`${name} is blocked by another tab`));
  });
}

const aad = (id: string) => new TextEncoder().encode(`mymidas/v1/attachment/${id}`);

export function openAttachmentCache(options: AttachmentCacheOptions = {}): AttachmentCache {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  const name = options.name ?? ATTACHMENT_CACHE_DB;
  const subtle = (options.crypto ?? globalThis.crypto).subtle;
  const random = (n: number) => (options.crypto ?? globalThis.crypto).getRandomValues(new Uint8Array(n));
  let dbPromise: Promise<IDBDatabase> | null = null;
  let keyPromise: Promise<CryptoKey> | null = null;

  const db = () => (dbPromise ??= openDb(factory, name).catch((e: unknown) => {
    dbPromise = null;
    throw e;
  }));

  async function loadKey(): Promise<CryptoKey> {
    const d = await db();
    const existing = await request(d.transaction(META, 'readonly').objectStore(META).get(KEY_ID)) as CryptoKey | undefined;
    if (existing) return existing;
    const fresh = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    // add(), not put(): when another tab stored a key first, keep theirs.
    const tx = d.transaction(META, 'readwrite');
    tx.objectStore(META).add(fresh, KEY_ID);
    try {
      await done(tx);
      return fresh;
    } catch {
      const stored = await request(d.transaction(META, 'readonly').objectStore(META).get(KEY_ID)) as CryptoKey | undefined;
      if (!stored) throw new Error('The attachment cache key could not be stored.');
      return stored;
    }
  }
  const provided = options.key;
  const key = (): Promise<CryptoKey> => (provided ? Promise.resolve(provided()) : (keyPromise ??= loadKey().catch((e: unknown) => {
    keyPromise = null;
    throw e;
  })));

  async function read(id: string): Promise<SealedRecord | undefined> {
    const d = await db();
    return request(d.transaction(BLOBS, 'readonly').objectStore(BLOBS).get(id)) as Promise<SealedRecord | undefined>;
  }

  async function remove(id: string): Promise<void> {
    const d = await db();
    const tx = d.transaction(BLOBS, 'readwrite');
    tx.objectStore(BLOBS).delete(id);
    await done(tx);
  }

  return {
    async put(id, bytes, mimeType) {
      const k = await key();
      const iv = random(IV_BYTES);
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(id) }, k, bytes as Uint8Array<ArrayBuffer>);
      const record: SealedRecord = { id, mimeType, size: bytes.length, iv, sealed, storedAt: new Date().toISOString() };
      const d = await db();
      const tx = d.transaction(BLOBS, 'readwrite');
      tx.objectStore(BLOBS).put(record);
      await done(tx);
    },
    async get(id) {
      const record = await read(id);
      if (!record) return null;
      // Outside the try: a locked device (no key) is an error, not a reason to drop the bytes.
      const k = await key();
      try {
        const plain = await subtle.decrypt({ name: 'AES-GCM', iv: record.iv as Uint8Array<ArrayBuffer>, additionalData: aad(id) }, k, record.sealed);
        return { bytes: new Uint8Array(plain), mimeType: record.mimeType };
      } catch {
        // Sealed under a key this cache no longer has, or damaged: forget it; it can be downloaded again.
        await remove(id);
        return null;
      }
    },
    async has(id) {
      const d = await db();
      const count = await request(d.transaction(BLOBS, 'readonly').objectStore(BLOBS).count(id));
      return count > 0;
    },
    delete: remove,
    close() {
      void dbPromise?.then((d) => d.close(), () => undefined);
      dbPromise = null;
      keyPromise = null;
    },
  };
}
