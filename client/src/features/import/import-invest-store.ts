import type { KnownAsset, NewAsset } from '@mymidas/shared/import';
import type { Asset } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { newId as uuidv7 } from '../../db/ids.ts';
import { bulkWriteChunked } from '../../sync/chunked-write.ts';
import type { ExistingTrade, TradeDraft } from './import-invest-plan.ts';
import {
  ImportCancelledError, ImportWriteError, WRITE_CHUNK, batchDocId, forgetBatch, readIndex, removeIds, writeDraftsInPieces, writeIndex,
} from './import-store.ts';
import type { ImportBatchRecord, ImportStamper } from './import-store.ts';
import type { ImportFormat } from '@mymidas/shared/import';

/**
 * A broker statement's reads and writes on the replica, the same way import-store.ts writes bank rows: one
 * batch whose device-only record (listing every trade id and every created asset id) is written first; the
 * missing assets go in, then the trades in chunks, each stamped with the HLC; a failure or a cancel part-way
 * removes what was written. Undo is `undoImport` of import-store.ts (the record says which collection).
 */

/** The account's stored trades (the dedup key's fields) and the household's assets, for the plan. */
export async function readInvestContext(db: ReplicaDatabase, accountId: string): Promise<{ existingTrades: ExistingTrade[]; assets: KnownAsset[] }> {
  const [trades, assets] = await Promise.all([
    db.investment_transactions.find({ selector: { accountId } }).exec(),
    db.assets.find().exec(),
  ]);
  return {
    existingTrades: trades.map((d) => ({ assetId: d.assetId, date: d.date, kind: d.kind, quantity: d.quantity, amount: d.amount, currency: d.currency })),
    assets: assets.map((d) => ({ id: d.id, symbol: d.symbol, isin: d.isin, name: d.name, currency: d.currency })),
  };
}

export interface TradeCommitRequest {
  readonly accountId: string;
  readonly fileName: string;
  readonly format: ImportFormat;
  readonly total: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly newAssets: readonly NewAsset[];
  takeDrafts(offset: number, count: number): Promise<TradeDraft[]>;
  readonly stamper: ImportStamper;
  readonly newId?: () => string;
  readonly now?: () => Date;
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (written: number, total: number) => void;
}

export async function commitTradeImport(db: ReplicaDatabase, request: TradeCommitRequest): Promise<ImportBatchRecord> {
  const chunkSize = request.chunkSize ?? WRITE_CHUNK;
  const newId = request.newId ?? (() => uuidv7());
  const ids = Array.from({ length: request.total }, () => newId());
  const assetIds = request.newAssets.map((a) => a.id);
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
    collection: 'investment_transactions',
    assetIds,
  };
  if (request.signal?.aborted) throw new ImportCancelledError();
  await db.upsertLocal(batchDocId(batchId), base);
  await writeIndex(db, [batchId, ...(await readIndex(db))]);
  const written = { attempted: 0 };
  let assetsWritten = false;
  try {
    if (request.newAssets.length > 0) {
      const assets: Asset[] = request.newAssets.map((a) => ({ ...a, hlc: request.stamper.nextStamp() }));
      assetsWritten = true;
      const result = await bulkWriteChunked(db.assets, assets, { chunkSize });
      if (result.error.length > 0) throw new ImportWriteError(`${result.error.length} assets could not be written`);
    }
    await writeDraftsInPieces(db.investment_transactions, { ...request, ids, chunkSize, rows: 'trades', noun: 'trades' }, written);
  } catch (error) {
    await removeIds(db, ids.slice(0, written.attempted), request.stamper, chunkSize, undefined, 'investment_transactions');
    if (assetsWritten) await removeIds(db, assetIds, request.stamper, chunkSize, undefined, 'assets');
    await forgetBatch(db, batchId);
    throw error;
  }
  const done: ImportBatchRecord = { ...base, state: 'done' };
  await db.upsertLocal(batchDocId(batchId), done);
  return done;
}
