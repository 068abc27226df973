import type { ColumnMappingInput, ImportFormat } from '@mymidas/shared/import';
import { ColumnMappingSchema } from '@mymidas/shared/import';
import type { RxCollection } from 'rxdb';
import type { Account, CategorisationRule, Category, Transaction } from '@mymidas/shared/schema';
import { LedgerEditError, checkLedgerEdit } from '@mymidas/shared/ledger/edits';
import type { EditContext } from '@mymidas/shared/ledger/edits';
import type { ReplicaDatabase } from '../../db/database.ts';
import { bulkWriteChunked } from '../../sync/chunked-write.ts';
import { newId as uuidv7 } from '../../db/ids.ts';
import type { DeviceClock } from '../../sync/clock.ts';
import { mappingDocId } from './column-mapping.ts';
import type { ImportDraft } from './import-plan.ts';

/**
 * The import's reads and writes on the replica. A commit is one batch: its record (a device-only
 * local document listing every id it will insert) is written first, the transactions go in with
 * `bulkWriteChunked` (client/src/sync, chunks of 500, the event loop gets a turn between them), taken
 * from the worker ten chunks at a time, and a failure or a cancel part-way removes what was written,
 * so an import is all or nothing.
 * Undo removes exactly the batch's ids (each removal stamped with the HLC, so it replicates as an
 * edit) and forgets the record.
 */

export const WRITE_CHUNK = 500;
const BATCH_INDEX = 'import-batches';
export const batchDocId = (id: string) => `import-batch-${id}`;

export interface ImportBatchCounts {
  readonly written: number;
  readonly duplicates: number;
  readonly skipped: number;
}

export interface ImportBatchRecord {
  readonly id: string;
  readonly accountId: string;
  readonly fileName: string;
  readonly format: ImportFormat;
  /** ISO instant of the commit. */
  readonly createdAt: string;
  /** 'writing' while chunks go in; a record left in 'writing' (tab closed mid-write) can still be undone. */
  readonly state: 'writing' | 'done';
  readonly transactionIds: readonly string[];
  readonly counts: ImportBatchCounts;
  /** Where `transactionIds` live: bank rows (the default) or a broker statement's trades (import-invest-store.ts). */
  readonly collection?: 'transactions' | 'investment_transactions';
  /** Assets a broker import created; undo removes those no remaining trade refers to. */
  readonly assetIds?: readonly string[];
}

export type ImportBatchSummary = Omit<ImportBatchRecord, 'transactionIds'> & { readonly transactionCount: number };

export class ImportWriteError extends Error {
  override readonly name = 'ImportWriteError';
}

export class ImportCancelledError extends Error {
  override readonly name = 'ImportCancelledError';
  constructor() {
    super('The import was cancelled; nothing was kept.');
  }
}

/** Every import hash the account already holds (importHash is not encrypted, the filter is on accountId). */
export async function readExistingHashes(db: ReplicaDatabase, accountId: string): Promise<string[]> {
  const docs = await db.transactions.find({ selector: { accountId } }).exec();
  const out: string[] = [];
  for (const d of docs) if (d.importHash !== null) out.push(d.importHash);
  return out;
}

export async function readRules(db: ReplicaDatabase): Promise<CategorisationRule[]> {
  const docs = await db.rules.find().exec();
  return docs.map((d) => d.toMutableJSON() as CategorisationRule);
}

export async function readOpenAccounts(db: ReplicaDatabase): Promise<Account[]> {
  const docs = await db.accounts.find({ sort: [{ sortOrder: 'asc' }] }).exec();
  return docs.map((d) => d.toMutableJSON() as Account).filter((a) => !a.closed);
}

export async function loadMapping(db: ReplicaDatabase, accountId: string): Promise<ColumnMappingInput | null> {
  const doc = await db.getLocal<{ mapping: unknown }>(mappingDocId(accountId));
  if (!doc) return null;
  const checked = ColumnMappingSchema.safeParse((doc.toJSON().data as { mapping: unknown }).mapping);
  return checked.success ? (doc.toJSON().data as { mapping: ColumnMappingInput }).mapping : null;
}

export async function saveMapping(db: ReplicaDatabase, accountId: string, mapping: ColumnMappingInput): Promise<void> {
  await db.upsertLocal(mappingDocId(accountId), { mapping });
}

/**
 * What stamps an import's writes: the replica's device clock (`replicaClock(db)` in client/src/sync/clock.ts).
 * A removal observes the removed document's stamp first, so it sorts after it.
 */
export type ImportStamper = Pick<DeviceClock, 'nextStamp' | 'observe'>;

export async function readIndex(db: ReplicaDatabase): Promise<string[]> {
  const doc = await db.getLocal<{ ids: string[] }>(BATCH_INDEX);
  return doc ? [...(doc.toJSON().data as { ids: string[] }).ids] : [];
}

export async function writeIndex(db: ReplicaDatabase, ids: readonly string[]): Promise<void> {
  await db.upsertLocal(BATCH_INDEX, { ids: [...ids] });
}

export async function readBatch(db: ReplicaDatabase, batchId: string): Promise<ImportBatchRecord | null> {
  const doc = await db.getLocal<ImportBatchRecord>(batchDocId(batchId));
  return doc ? (doc.toJSON().data as ImportBatchRecord) : null;
}

/** Recent import batches on this device, newest first. */
export async function listBatches(db: ReplicaDatabase): Promise<ImportBatchSummary[]> {
  const out: ImportBatchSummary[] = [];
  for (const id of await readIndex(db)) {
    const record = await readBatch(db, id);
    if (!record) continue;
    const { transactionIds, ...rest } = record;
    out.push({ ...rest, transactionCount: transactionIds.length });
  }
  return out;
}

export interface CommitRequest {
  readonly accountId: string;
  readonly fileName: string;
  readonly format: ImportFormat;
  /** How many drafts `takeDrafts` will hand out in all. */
  readonly total: number;
  readonly duplicates: number;
  readonly skipped: number;
  /** The drafts `offset .. offset+count-1` (from the import worker). */
  takeDrafts(offset: number, count: number): Promise<ImportDraft[]>;
  readonly stamper: ImportStamper;
  readonly newId?: () => string;
  readonly now?: () => Date;
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (written: number, total: number) => void;
}

/** Collections an import writes to (and undo removes from). */
export type ImportedCollection = 'transactions' | 'investment_transactions' | 'assets';

export async function removeIds(
  db: ReplicaDatabase, ids: readonly string[], stamper: ImportStamper, chunkSize: number, onProgress?: (done: number, total: number) => void,
  collectionName: ImportedCollection = 'transactions',
): Promise<number> {
  // Every replicated document has an id and an HLC stamp; that is all removal needs of it.
  const collection = db[collectionName] as unknown as RxCollection<{ id: string; hlc: string }>;
  let removed = 0;
  for (let start = 0; start < ids.length; start += chunkSize) {
    const chunk = ids.slice(start, start + chunkSize);
    const found = await collection.findByIds(chunk).exec();
    const docs = [...found.values()];
    if (docs.length > 0) {
      // Stamp the removal so it replicates as this device's latest edit, then remove.
      const stamped = docs.map((d) => {
        const doc = d.toMutableJSON() as { id: string; hlc: string };
        stamper.observe(doc.hlc);
        return { ...doc, hlc: stamper.nextStamp() };
      });
      const up = await collection.bulkUpsert(stamped);
      if (up.error.length > 0) throw new ImportWriteError(`Could not remove ${up.error.length} transactions of the import`);
      const gone = await collection.bulkRemove(docs.map((d) => d.primary));
      if (gone.error.length > 0) throw new ImportWriteError(`Could not remove ${gone.error.length} transactions of the import`);
      removed += gone.success.length;
    }
    onProgress?.(Math.min(ids.length, start + chunk.length), ids.length);
  }
  return removed;
}

/**
 * Writes an import as one batch and returns its record. On a failed chunk or an abort, whatever was
 * written is removed again and the record forgotten, then ImportWriteError / ImportCancelledError.
 */
/**
 * Writes an import's drafts in pieces of ten chunks, each draft under its planned id with a fresh stamp, reporting
 * progress; `written.attempted` says how far it got (the caller removes that many ids when anything fails). A
 * cancel, or a piece the write skipped, ends it with ImportCancelledError; a refused row with ImportWriteError.
 */
export async function writeDraftsInPieces<D extends object, T>(
  collection: RxCollection<T>,
  o: {
    readonly ids: readonly string[];
    readonly total: number;
    readonly chunkSize: number;
    readonly takeDrafts: (offset: number, count: number) => Promise<readonly D[]>;
    readonly stamper: ImportStamper;
    readonly signal?: AbortSignal | undefined;
    readonly onProgress?: ((done: number, total: number) => void) | undefined;
    /** What the rows are called in messages ("rows", "trades"). */
    readonly rows: string;
    /** What a refused write is called ("transactions", "trades"). */
    readonly noun: string;
    /** Refuses a piece before it is written (throws ImportWriteError with the reason). */
    readonly check?: ((docs: readonly T[]) => void) | undefined;
  },
  written: { attempted: number },
): Promise<void> {
  const piece = o.chunkSize * 10;
  for (let offset = 0; offset < o.total; offset += piece) {
    if (o.signal?.aborted) throw new ImportCancelledError();
    const want = Math.min(piece, o.total - offset);
    const drafts = await o.takeDrafts(offset, want);
    if (drafts.length !== want) throw new ImportWriteError(`Expected ${want} ${o.rows} at ${offset}, got ${drafts.length}`);
    const docs = drafts.map((d, i) => ({ ...d, id: o.ids[offset + i] as string, hlc: o.stamper.nextStamp() }) as unknown as T);
    o.check?.(docs);
    written.attempted = offset + docs.length;
    const result = await bulkWriteChunked(collection, docs, {
      chunkSize: o.chunkSize,
      signal: o.signal,
      onProgress: (done) => o.onProgress?.(offset + done, o.total),
    });
    if (result.error.length > 0) {
      const first = result.error[0];
      throw new ImportWriteError(`${result.error.length} ${o.noun} could not be written (${first ? `status ${first.status}` : 'unknown'})`);
    }
    if (result.skipped > 0) throw new ImportCancelledError();
  }
}

/**
 * The ledger's own rules for what an import creates (`@mymidas/shared/ledger/edits`, as every other ledger write
 * checks them): an account that exists, is open and has the drafts' currency, and categories that exist. Read
 * once; each piece is checked before it is written, so a refused import is taken back whole.
 */
async function importLedgerCheck(db: ReplicaDatabase): Promise<(docs: readonly Transaction[]) => void> {
  const accounts = new Map((await db.accounts.find().exec()).map((d) => [d.id, d.toMutableJSON() as Account]));
  const categories = new Map((await db.categories.find().exec()).map((d) => [d.id, d.toMutableJSON() as Category]));
  const ctx: EditContext = { accounts, categories, stored: () => undefined };
  return (docs) => {
    try {
      checkLedgerEdit(docs.map((after) => ({ before: null, after })), ctx);
    } catch (error) {
      if (error instanceof LedgerEditError) throw new ImportWriteError(`Nothing was imported: ${error.message}`);
      throw error;
    }
  };
}

export async function commitImport(db: ReplicaDatabase, request: CommitRequest): Promise<ImportBatchRecord> {
  const chunkSize = request.chunkSize ?? WRITE_CHUNK;
  const check = await importLedgerCheck(db);
  const newId = request.newId ?? (() => uuidv7());
  const ids = Array.from({ length: request.total }, () => newId());
  const batchId = newId();
  const base: ImportBatchRecord = {
    id: batchId,
    accountId: request.accountId,
    fileName: request.fileName.slice(0, 255),
    format: request.format,
    createdAt: (request.now?.() ?? new Date()).toISOString(),
    state: 'writing',
    transactionIds: ids,
    counts: { written: request.total, duplicates: request.duplicates, skipped: request.skipped },
  };
  if (request.signal?.aborted) throw new ImportCancelledError();
  await db.upsertLocal(batchDocId(batchId), base);
  await writeIndex(db, [batchId, ...(await readIndex(db))]);
  const written = { attempted: 0 };
  try {
    await writeDraftsInPieces(db.transactions, { ...request, ids, chunkSize, rows: 'rows', noun: 'transactions', check }, written);
  } catch (error) {
    await removeIds(db, ids.slice(0, written.attempted), request.stamper, chunkSize);
    await forgetBatch(db, batchId);
    throw error;
  }
  const done: ImportBatchRecord = { ...base, state: 'done' };
  await db.upsertLocal(batchDocId(batchId), done);
  return done;
}

export async function forgetBatch(db: ReplicaDatabase, batchId: string): Promise<void> {
  const doc = await db.getLocal(batchDocId(batchId));
  if (doc) await doc.remove();
  await writeIndex(db, (await readIndex(db)).filter((id) => id !== batchId));
}

/** Undoes a whole import: removes exactly the transactions it inserted and forgets it. Returns how many were removed. */
export async function undoImport(
  db: ReplicaDatabase,
  batchId: string,
  stamper: ImportStamper,
  onProgress?: (done: number, total: number) => void,
  chunkSize = WRITE_CHUNK,
): Promise<number> {
  const record = await readBatch(db, batchId);
  if (!record) throw new ImportWriteError('That import is not on this device any more');
  const removed = await removeIds(db, record.transactionIds, stamper, chunkSize, onProgress, record.collection ?? 'transactions');
  if (record.assetIds && record.assetIds.length > 0) {
    // Assets the import created go too, unless a trade still refers to one (another import's, or typed in since).
    const still = await db.investment_transactions.find({ selector: { assetId: { $in: [...record.assetIds] } } }).exec();
    const inUse = new Set(still.map((d) => d.assetId));
    await removeIds(db, record.assetIds.filter((id) => !inUse.has(id)), stamper, chunkSize, undefined, 'assets');
  }
  await forgetBatch(db, batchId);
  return removed;
}
