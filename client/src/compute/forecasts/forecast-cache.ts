import { done, isStored, request } from '../snapshot/snapshot-store.ts';
import type { StoredRecord } from '../snapshot/snapshot-store.ts';

/**
 * Where the forecasts area keeps its last results between sessions (issue 24): the same mechanism as the
 * snapshot and the investment store (compute/snapshot/snapshot-store.ts, compute/invest/invest-persist.ts) —
 * records in an IndexedDB database of the compute worker, each sealed with AES-GCM under the device key, the
 * record's key as additional data — in a database of its own (`<replica>-forecasts`), so neither the replica's
 * RxDB collections (12 of the open core's 13) nor the snapshot database's version change.
 *
 * One record is kept, named by the fingerprint of the engine inputs it was computed from (SHA-256 of their
 * JSON): a result is only ever read back for the very inputs it came from, so any change to the data they are
 * built from (a transaction, a rule, a price, the date) misses the cache and the forecasts are fitted again.
 * A record that fails to open (damaged, another key, another format) is a miss, never an error.
 */

export const FORECAST_CACHE_FORMAT = 1;
const STORE = 'records';
const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const aad = (key: string) => encoder.encode(`mymidas-forecasts:${FORECAST_CACHE_FORMAT}:${key}`);

export interface ForecastCache {
  /** The value stored under `fingerprint`, or null. */
  get(fingerprint: string): Promise<unknown>;
  /** Replaces whatever was stored with `value` under `fingerprint`. */
  put(fingerprint: string, value: unknown): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

/** SHA-256 (hex) of a value's JSON: the cache key of the inputs a result is computed from. */
export async function fingerprintOf(value: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(JSON.stringify(value)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A cache kept in memory only (before the page opens the sealed one, and in tests). */
export function memoryForecastCache(): ForecastCache {
  let entry: { fingerprint: string; json: string } | null = null;
  return {
    get: (fingerprint) => Promise.resolve(entry?.fingerprint === fingerprint ? (JSON.parse(entry.json) as unknown) : null),
    put(fingerprint, value) {
      entry = { fingerprint, json: JSON.stringify(value) };
      return Promise.resolve();
    },
    clear() {
      entry = null;
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

function openDatabase(name: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => {
      // "Erase this device" deletes every database: let go at once instead of blocking it.
      req.result.onversionchange = () => req.result.close();
      resolve(req.result);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`forecast cache ${name} is blocked by another connection`));
  });
}

export async function openForecastCache(databaseName: string, key: CryptoKey): Promise<ForecastCache> {
  if (!(key instanceof CryptoKey) || key.algorithm.name !== 'AES-GCM') throw new TypeError('the forecast cache needs an AES-GCM CryptoKey');
  const db = await openDatabase(databaseName);
  return {
    async get(fingerprint) {
      const tx = db.transaction(STORE, 'readonly');
      const stored = (await request(tx.objectStore(STORE).get(fingerprint))) as unknown;
      if (!isStored(stored)) return null;
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: stored.iv, additionalData: aad(fingerprint) }, key, stored.data);
        return JSON.parse(decoder.decode(plain)) as unknown;
      } catch {
        return null;
      }
    },
    async put(fingerprint, value) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(fingerprint) }, key, encoder.encode(JSON.stringify(value)));
      const record: StoredRecord = { iv, data };
      const tx = db.transaction(STORE, 'readwrite');
      const os = tx.objectStore(STORE);
      os.clear();
      os.put(record, fingerprint);
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
