import type { RxDocumentData, RxJsonSchema, RxStorageInstance } from 'rxdb';
import { compressDocumentData, getCompressionStateByRxJsonSchema } from 'rxdb/plugins/key-compression';
import { fromStorageToDexie } from 'rxdb/plugins/storage-dexie';

/**
 * Insert-if-absent straight into the Dexie table under RxDB's key-compression and Dexie storage, for a
 * new device's first pull (client/src/sync/bootstrap.ts). RxDB's own bulkWrite first reads every id in
 * the batch to detect conflicts, builds a write plan per row and copies each document twice; here the
 * rows go to IndexedDB with `add` (an id that exists fails alone, with a ConstraintError, and is reported
 * back). No change event is emitted here: encrypted-storage.ts emits one, in plaintext, above the key
 * compression (nothing to decompress or decrypt) and tells other tabs through its own channel (RxDB's
 * would carry every sealed row to every tab).
 *
 * The documents are in storage form already (sealed by encrypted-storage.ts, with `_meta`, `_rev`,
 * `_attachments`, `_deleted`). Returns the positions that were not inserted because the id exists.
 *
 * It relies on RxDB 17's Dexie layout (internals `{ dexieDb, dexieTable, booleanIndexes }`, documents
 * converted by `fromStorageToDexie`): `rawInserterFor` returns null when the instance does not look like
 * that, and the caller falls back to RxDB's bulkWrite. The Node tests run this path on fake-indexeddb and
 * read the rows back through RxDB (client/src/db/raw-insert.test.ts), so a layout change in RxDB fails a
 * test instead of corrupting data.
 */

type Doc = Record<string, unknown>;

/** Inserts; `failed` are the positions whose id exists. */
export type RawInserter = (docs: readonly Doc[]) => Promise<{ failed: ReadonlySet<number> }>;

interface DexieTableLike {
  bulkAdd(rows: readonly unknown[]): Promise<unknown>;
}
interface DexieInternalsLike {
  dexieDb: { transaction(mode: 'rw', table: DexieTableLike, scope: () => Promise<void>): Promise<void> };
  dexieTable: DexieTableLike;
  booleanIndexes: string[];
}
interface DexieInstanceLike {
  internals: Promise<DexieInternalsLike> | DexieInternalsLike;
}

function isDexieInternals(v: unknown): v is DexieInternalsLike {
  const o = v as Partial<DexieInternalsLike> | null;
  return !!o && typeof o.dexieTable?.bulkAdd === 'function' && typeof o.dexieDb?.transaction === 'function' && Array.isArray(o.booleanIndexes);
}

/**
 * `instance` is what encrypted-storage.ts wraps: RxDB's key-compression wrapper around a Dexie instance
 * (then `compressedFrom` is the schema that wrapper was created with), or a Dexie instance itself.
 */
export async function rawInserterFor(
  instance: RxStorageInstance<unknown, unknown, unknown>,
  compressedFrom: RxJsonSchema<RxDocumentData<unknown>> | null,
): Promise<RawInserter | null> {
  const original = (instance as { originalStorageInstance?: unknown }).originalStorageInstance;
  const dexie = (compressedFrom ? original : instance) as DexieInstanceLike | undefined;
  if (!dexie?.internals) return null;
  const internals = await dexie.internals;
  if (!isDexieInternals(internals)) return null;
  const compression = compressedFrom ? getCompressionStateByRxJsonSchema(compressedFrom) : null;

  return async (docs) => {
    const stored = compression ? docs.map((d) => compressDocumentData(compression, d as RxDocumentData<unknown>) as Doc) : docs;
    const rows = stored.map((d) => fromStorageToDexie(internals.booleanIndexes, d as RxDocumentData<unknown>) as unknown);
    const failed = new Set<number>();
    await internals.dexieDb.transaction('rw', internals.dexieTable, async () => {
      try {
        await internals.dexieTable.bulkAdd(rows);
      } catch (error) {
        // Dexie reports the rows that failed and keeps the others when the error is caught in the transaction.
        const failures = (error as { name?: string; failuresByPos?: Record<string, { name?: string }> }).failuresByPos;
        if ((error as { name?: string }).name !== 'BulkError' || !failures) throw error;
        for (const [pos, failure] of Object.entries(failures)) {
          if (failure?.name !== 'ConstraintError') throw error;
          failed.add(Number(pos));
        }
      }
    });
    return { failed };
  };
}
