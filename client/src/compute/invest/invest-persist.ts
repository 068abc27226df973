import { INVEST_OBJECT_STORE, done, isStored, openSnapshotDatabase, request } from '../snapshot/snapshot-store.ts';
import type { StoredRecord } from '../snapshot/snapshot-store.ts';
import { INVEST_COLLECTIONS, InvestStore } from './invest-store.ts';
import type { InvestCheckpoints, QuoteKind, SeriesColumns } from './invest-store.ts';

/**
 * The investment store on disk: its own object store (`invest`) in the snapshot's IndexedDB database
 * (snapshot-store.ts, version 2), records sealed with AES-GCM under the same device key, the record's key as
 * additional data. Records:
 * - `meta`: format version, each collection's checkpoint and the list of series records;
 * - `docs`: the investment transactions and assets (small);
 * - `series:<kind>:<series>`: one per price or FX series — its days delta-encoded, its closes as text and each
 *   day's open/high/low/volume as the store's packed text (empty for a day without them).
 * Format 2 added the open/high/low/volume; format 3 is read from the replica's year documents (quotes version 1:
 * same records). A format-1 or format-2 store loads its transactions, assets and their checkpoints; its quotes
 * are dropped (their old records removed at the next write) and the quotes checkpoint cleared, so the feed
 * reads the quotes again from the start — a few hundred year documents.
 * A write puts the meta record, the docs when they changed and only the series that changed, in one
 * transaction, so a new day's quotes rewrite a few small records. Anything that fails to open (GCM, JSON, a
 * missing record, another format version) loads as nothing: the feed then reads the three collections again.
 */

export const INVEST_FORMAT_VERSION = 3;
/**
 * Formats whose quotes are read again: 1 kept closes only; 2 was read from the replica's one-document-per-day
 * quotes (quotes version 0), whose checkpoint names documents the replica no longer has once its quotes are
 * year documents (version 1). The series layout itself is unchanged.
 */
const REREAD_QUOTES_FORMATS: readonly number[] = [1, 2];
const META = 'meta';
const DOCS = 'docs';
const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const aad = (key: string) => encoder.encode(`mymidas-invest:${key}`);

interface MetaRecord {
  readonly version: number;
  readonly checkpoints: InvestCheckpoints;
  readonly series: readonly string[];
}

interface SeriesRecord {
  readonly kind: QuoteKind;
  readonly series: string;
  readonly currency: string;
  /** First day, then differences. */
  readonly days: readonly number[];
  /** Closes joined by '\n'. */
  readonly closes: string;
  /** Packed open/high/low/volume joined by '\n' (a day without them empty). */
  readonly extras: string;
}

export interface InvestLoad {
  readonly store: InvestStore;
  /** Why nothing was loaded, when nothing was. */
  readonly emptyReason: string | null;
}

export interface InvestPersistence {
  load(): Promise<InvestLoad>;
  /** Writes what changed since the last write (the store's dirty marks), then clears the marks. */
  save(store: InvestStore): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

export class InvestRecordError extends Error {
  override readonly name = 'InvestRecordError';
}

function seriesRecord(s: SeriesColumns): SeriesRecord {
  const days: number[] = new Array<number>(s.days.length);
  let prev = 0;
  for (let i = 0; i < s.days.length; i++) {
    days[i] = s.days[i]! - prev;
    prev = s.days[i]!;
  }
  return { kind: s.kind, series: s.series, currency: s.currency, days, closes: s.closes.join('\n'), extras: s.extras.map((e) => e ?? '').join('\n') };
}

function columnsOf(r: SeriesRecord, key: string): SeriesColumns {
  if ((r.kind !== 'price' && r.kind !== 'fx') || typeof r.series !== 'string' || !Array.isArray(r.days) || typeof r.closes !== 'string' || typeof r.extras !== 'string') {
    throw new InvestRecordError(`investment record ${key} is not a series`);
  }
  const days = new Int32Array(r.days.length);
  let day = 0;
  for (let i = 0; i < r.days.length; i++) {
    day += r.days[i]!;
    days[i] = day;
    if (i > 0 && days[i]! <= days[i - 1]!) throw new InvestRecordError(`investment record ${key}: days out of order`);
  }
  const closes = r.days.length === 0 ? [] : r.closes.split('\n');
  if (closes.length !== days.length) throw new InvestRecordError(`investment record ${key}: ${closes.length} closes for ${days.length} days`);
  const extras = r.days.length === 0 ? [] : r.extras.split('\n').map((e) => (e === '' ? null : e));
  if (extras.length !== days.length) throw new InvestRecordError(`investment record ${key}: ${extras.length} candles for ${days.length} days`);
  return { kind: r.kind, series: r.series, currency: r.currency, days, closes, extras };
}

/** The store built from opened (decrypted) records; throws InvestRecordError when they do not fit together. */
export function storeFromRecords(records: ReadonlyMap<string, unknown>): InvestStore {
  const meta = records.get(META) as MetaRecord | undefined;
  if (!meta) throw new InvestRecordError('no meta record');
  if (meta.version !== INVEST_FORMAT_VERSION && !REREAD_QUOTES_FORMATS.includes(meta.version)) {
    throw new InvestRecordError(`format version ${String(meta.version)}, expected ${INVEST_FORMAT_VERSION}`);
  }
  const docs = records.get(DOCS) as { transactions?: unknown; assets?: unknown } | undefined;
  if (!docs || !Array.isArray(docs.transactions) || !Array.isArray(docs.assets)) throw new InvestRecordError('no docs record');
  const store = new InvestStore();
  for (const c of INVEST_COLLECTIONS) store.checkpoints[c] = meta.checkpoints[c] ?? null;
  for (const t of docs.transactions as { id: string }[]) store.transactions.set(t.id, t as never);
  for (const a of docs.assets as { id: string }[]) store.assets.set(a.id, a as never);
  if (REREAD_QUOTES_FORMATS.includes(meta.version)) {
    // The quotes are read again (from the year documents, with their candles); the old series records go at the next write.
    store.checkpoints.quotes = null;
    for (const key of meta.series) store.droppedSeries.add(key);
    store.revision += 1;
    return store;
  }
  for (const key of meta.series) {
    const r = records.get(`series:${key}`) as SeriesRecord | undefined;
    if (!r) throw new InvestRecordError(`series ${key} is listed but not stored`);
    store.series.set(key, columnsOf(r, key));
  }
  return store;
}

/** The records a store writes: every one (`all`) or only what its dirty marks name. */
export function recordsOf(store: InvestStore, all: boolean): { put: Map<string, unknown>; remove: string[] } {
  const put = new Map<string, unknown>();
  const meta: MetaRecord = { version: INVEST_FORMAT_VERSION, checkpoints: { ...store.checkpoints }, series: [...store.series.keys()] };
  put.set(META, meta);
  if (all || store.docsDirty) put.set(DOCS, { transactions: [...store.transactions.values()], assets: [...store.assets.values()] });
  for (const key of all ? store.series.keys() : store.dirtySeries) {
    const s = store.series.get(key);
    if (s) put.set(`series:${key}`, seriesRecord(s));
  }
  return { put, remove: [...store.droppedSeries].filter((k) => !store.series.has(k)).map((k) => `series:${k}`) };
}

export function clearDirty(store: InvestStore): void {
  store.dirtySeries.clear();
  store.droppedSeries.clear();
  store.docsDirty = false;
}

export async function openInvestPersistence(databaseName: string, key: CryptoKey): Promise<InvestPersistence> {
  if (!(key instanceof CryptoKey) || key.algorithm.name !== 'AES-GCM') throw new TypeError('the investment store needs an AES-GCM CryptoKey');
  const db = await openSnapshotDatabase(databaseName);
  let written = false;

  async function seal(recordKey: string, value: unknown): Promise<StoredRecord> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(recordKey) }, key, encoder.encode(JSON.stringify(value)));
    return { iv, data };
  }

  async function unseal(recordKey: string, stored: unknown): Promise<unknown> {
    if (!isStored(stored)) throw new InvestRecordError(`investment record ${recordKey} is not a sealed record`);
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: stored.iv, additionalData: aad(recordKey) }, key, stored.data);
    } catch {
      throw new InvestRecordError(`investment record ${recordKey} fails AES-GCM authentication (damaged, or sealed under another key)`);
    }
    try {
      return JSON.parse(decoder.decode(plain)) as unknown;
    } catch {
      throw new InvestRecordError(`investment record ${recordKey} is not JSON`);
    }
  }

  return {
    async load() {
      const tx = db.transaction(INVEST_OBJECT_STORE, 'readonly');
      const os = tx.objectStore(INVEST_OBJECT_STORE);
      const [keys, values] = await Promise.all([request(os.getAllKeys()), request(os.getAll())]);
      if (keys.length === 0) return { store: new InvestStore(), emptyReason: 'no stored investment data' };
      try {
        const opened = await Promise.all(keys.map((k, i) => unseal(String(k), values[i])));
        const store = storeFromRecords(new Map(keys.map((k, i) => [String(k), opened[i]])));
        written = true;
        return { store, emptyReason: null };
      } catch (error) {
        if (error instanceof InvestRecordError) return { store: new InvestStore(), emptyReason: error.message };
        throw error;
      }
    },
    async save(store) {
      // Until a load found whole records, a write replaces everything (after damage, nothing stale stays).
      const all = !written;
      const { put, remove } = recordsOf(store, all);
      const sealed = await Promise.all([...put].map(async ([k, v]) => [k, await seal(k, v)] as const));
      const tx = db.transaction(INVEST_OBJECT_STORE, 'readwrite');
      const os = tx.objectStore(INVEST_OBJECT_STORE);
      if (all) os.clear();
      for (const k of remove) os.delete(k);
      for (const [k, v] of sealed) os.put(v, k);
      await done(tx);
      written = true;
      clearDirty(store);
    },
    async clear() {
      const tx = db.transaction(INVEST_OBJECT_STORE, 'readwrite');
      tx.objectStore(INVEST_OBJECT_STORE).clear();
      await done(tx);
    },
    close() {
      db.close();
    },
  };
}
