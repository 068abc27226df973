import { getProperty, setProperty } from 'rxdb';
import type { RxDocumentData, RxJsonSchema, RxStorageInstance } from 'rxdb';
import { compressDocumentData, getCompressionStateByRxJsonSchema } from 'rxdb/plugins/key-compression';
import { dexieReplaceIfStartsWithPipe } from 'rxdb/plugins/storage-dexie';
import { ENVELOPE_FIELD } from './envelope-codec.ts';

/**
 * Insert-if-absent straight into the Dexie table under RxDB's key-compression and Dexie storage, for a
 * new device's first pull (client/src/sync/bootstrap.ts). RxDB's own bulkWrite first reads every id in
 * the batch to detect conflicts, builds a write plan per row and copies each document twice; here the
 * rows go to IndexedDB with `add` on Dexie's connection (an id that exists fails alone, with a
 * ConstraintError, and is reported back). No change event is emitted here: encrypted-storage.ts emits one, in plaintext, above the key
 * compression (nothing to decompress or decrypt) and tells other tabs through its own channel (RxDB's
 * would carry every sealed row to every tab).
 *
 * The documents come in plaintext with their storage bookkeeping (`_meta`, `_rev`, `_attachments`,
 * `_deleted`), each with its sealed envelope (envelope-codec.ts); `dexieRowBuilder` turns them into Dexie
 * rows in one pass — the row RxDB's path makes by sealing, compressing the keys and converting for Dexie,
 * three copies of each document. Returns the positions that were not inserted because the id exists.
 *
 * It relies on RxDB 17's Dexie layout (internals `{ dexieDb, dexieTable, booleanIndexes }`, documents
 * converted by `fromStorageToDexie`): `rawInserterFor` returns null when the instance does not look like
 * that, and the caller falls back to RxDB's bulkWrite. The Node tests run this path on fake-indexeddb and
 * read the rows back through RxDB (client/src/db/raw-insert.test.ts), so a layout change in RxDB fails a
 * test instead of corrupting data.
 */

type Doc = Record<string, unknown>;

/** Inserts documents with their envelopes (same positions); `failed` are the positions whose id exists. */
export type RawInserter = (docs: readonly Doc[], envelopes: readonly string[]) => Promise<{ failed: ReadonlySet<number> }>;

type CompressionState = ReturnType<typeof getCompressionStateByRxJsonSchema>;

/** Keys remembered per collection: the schema's and RxDB's few, far below this unless a document carries free-form keys. */
const MAX_REMEMBERED_KEYS = 10_000;

/** A deep copy of a JSON value with every object key, at every depth, renamed by `rename`. */
function renamingKeys(rename: (key: string) => string): (value: unknown) => unknown {
  const copy = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(copy);
    const out: Doc = {};
    for (const key of Object.keys(value)) out[rename(key)] = copy((value as Doc)[key]);
    return out;
  };
  return copy;
}

/**
 * The Dexie row of a document and its envelope, in one pass, equal (key order included) to what RxDB's path
 * stores: the encrypted storage's sealed document (the fields outside `encrypted`, then the envelope field),
 * through key compression (`compressDocumentData`: every key at every depth renamed by the schema's table,
 * `_attachments` left as is and moved last) and Dexie's conversion (`fromStorageToDexie`: a leading `|`
 * becomes `__`, boolean indexes become '1'/'0'). Each key's stored name is worked out once, by RxDB's own
 * compression of a one-key object, and remembered. raw-insert.test.ts compares it with RxDB's path.
 */
export function dexieRowBuilder(compression: CompressionState | null, booleanIndexes: readonly string[], encrypted: ReadonlySet<string>): (doc: Doc, envelope: string) => Doc {
  const names = new Map<string, string>();
  /** A key's compressed name: the same table applies at every depth, so a key nested one level down is probed. */
  const compressedName = (key: string): string => {
    if (!compression) return key;
    const probe = compressDocumentData(compression, { _meta: { [key]: 0 } } as unknown as RxDocumentData<unknown>) as Doc;
    for (const value of Object.values(probe)) {
      if (value && typeof value === 'object') return Object.keys(value)[0] ?? key;
    }
    throw new Error(`raw insert: key compression dropped the key "${key}"`);
  };
  const storedName = (key: string): string => {
    let name = names.get(key);
    if (name === undefined) {
      name = dexieReplaceIfStartsWithPipe(compressedName(key));
      if (names.size < MAX_REMEMBERED_KEYS) names.set(key, name);
    }
    return name;
  };
  const stored = renamingKeys(storedName);
  /** `_attachments` is not compressed, only converted for Dexie. */
  const forDexie = renamingKeys(dexieReplaceIfStartsWithPipe);
  const envelopeName = storedName(ENVELOPE_FIELD);
  // RxDB reads each boolean index from the compressed document and writes it at its Dexie path: the same value.
  const booleans = booleanIndexes.map((path) => dexieReplaceIfStartsWithPipe(path));

  return (doc, envelope) => {
    const row: Doc = {};
    for (const key in doc) if (!encrypted.has(key) && key !== '_attachments') row[storedName(key)] = stored(doc[key]);
    row[envelopeName] = envelope;
    row._attachments = forDexie(doc._attachments);
    for (const path of booleans) {
      if (path.includes('.')) setProperty(row, path, getProperty(row, path) ? '1' : '0');
      else row[path] = row[path] ? '1' : '0';
    }
    return row;
  };
}

interface DexieInternalsLike {
  dexieDb: { backendDB(): IDBDatabase | null | undefined };
  dexieTable: { name: string };
  booleanIndexes: string[];
}
interface DexieInstanceLike {
  internals: Promise<DexieInternalsLike> | DexieInternalsLike;
}

function isDexieInternals(v: unknown): v is DexieInternalsLike {
  const o = v as Partial<DexieInternalsLike> | null;
  return !!o && typeof o.dexieTable?.name === 'string' && typeof o.dexieDb?.backendDB === 'function' && Array.isArray(o.booleanIndexes);
}

/**
 * Adds the rows in one IndexedDB transaction on Dexie's open connection, straight through the IndexedDB API:
 * Dexie's bulkAdd goes through its middleware and sets an error handler on every request; here one handler on
 * the transaction catches a ConstraintError (the id exists), keeps it from aborting the transaction, and
 * notes its position. Any other error aborts the transaction, and nothing of the batch is written.
 */
function addRows(idb: IDBDatabase, table: string, rows: readonly unknown[]): Promise<ReadonlySet<number>> {
  return new Promise((resolve, reject) => {
    const failed = new Set<number>();
    const tx = idb.transaction(table, 'readwrite');
    const store = tx.objectStore(table);
    const requests: IDBRequest[] = [];
    let positions: Map<IDBRequest, number> | null = null;
    tx.addEventListener('error', (event) => {
      const request = event.target as IDBRequest;
      if (request.error?.name !== 'ConstraintError' || request === (tx as unknown)) return;
      event.preventDefault();
      event.stopPropagation();
      positions ??= new Map(requests.map((r, i) => [r, i]));
      const at = positions.get(request);
      if (at !== undefined) failed.add(at);
    });
    tx.oncomplete = () => resolve(failed);
    tx.onabort = () => reject(tx.error ?? new DOMException('The raw insert was aborted.', 'AbortError'));
    try {
      for (const row of rows) requests.push(store.add(row));
    } catch (error) {
      // A row IndexedDB cannot take (e.g. no valid key): nothing of the batch is written.
      try {
        tx.abort();
      } catch {
        // already finished
      }
      reject(error as Error);
    }
  });
}

/**
 * `instance` is what encrypted-storage.ts wraps: RxDB's key-compression wrapper around a Dexie instance
 * (then `compressedFrom` is the schema that wrapper was created with), or a Dexie instance itself.
 */
export async function rawInserterFor(
  instance: RxStorageInstance<unknown, unknown, unknown>,
  compressedFrom: RxJsonSchema<RxDocumentData<unknown>> | null,
  encrypted: ReadonlySet<string>,
): Promise<RawInserter | null> {
  const original = (instance as { originalStorageInstance?: unknown }).originalStorageInstance;
  const dexie = (compressedFrom ? original : instance) as DexieInstanceLike | undefined;
  if (!dexie?.internals) return null;
  const internals = await dexie.internals;
  if (!isDexieInternals(internals)) return null;
  const compression = compressedFrom ? getCompressionStateByRxJsonSchema(compressedFrom) : null;

  const rowOf = dexieRowBuilder(compression, internals.booleanIndexes, encrypted);

  return async (docs, envelopes) => {
    const rows = docs.map((d, i) => rowOf(d, envelopes[i]!));
    const idb = internals.dexieDb.backendDB();
    if (!idb) throw new Error(`raw insert: the IndexedDB database of ${internals.dexieTable.name} is not open`);
    return { failed: await addRows(idb, internals.dexieTable.name, rows) };
  };
}
