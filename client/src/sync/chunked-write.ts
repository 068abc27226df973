import type { RxCollection, RxDocument, RxStorageWriteError } from 'rxdb';

/**
 * Large local writes (imports, restores) in chunks. One huge bulk write gives every document the same
 * `_meta.lwt`, and the replication's push scan pages through changes by `(lwt, id)`: with one lwt for
 * 100k documents every page is a scan of the whole set. Written in chunks, each chunk gets its own
 * lwt (RxDB's clock is strictly increasing per write), so each page is a short index range. Between
 * chunks the event loop gets a turn, so the UI stays responsive and progress can be shown.
 */

export const DEFAULT_CHUNK_SIZE = 500;

export interface ChunkedWriteOptions {
  /** Documents per bulk write (default 500). */
  readonly chunkSize?: number;
  /** Called after each chunk with the number of documents written so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops after the current chunk; documents not yet written are reported in `skipped`. */
  readonly signal?: AbortSignal;
}

export interface ChunkedWriteResult<D> {
  readonly success: RxDocument<D>[];
  readonly error: RxStorageWriteError<D>[];
  /** Documents not attempted because the write was aborted. */
  readonly skipped: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Upserts `docs` into `collection` in chunks of `chunk` (default 500). Stamp each document's `hlc`
 * before calling (clock.ts `stampDoc`). Per-document failures are collected, not thrown.
 */
export async function bulkWriteChunked<D>(
  collection: RxCollection<D>,
  docs: readonly D[],
  chunk: number | ChunkedWriteOptions = DEFAULT_CHUNK_SIZE,
): Promise<ChunkedWriteResult<D>> {
  const options: ChunkedWriteOptions = typeof chunk === 'number' ? { chunkSize: chunk } : chunk;
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a whole number ≥ 1, got ${size}`);
  const success: RxDocument<D>[] = [];
  const error: RxStorageWriteError<D>[] = [];
  let done = 0;
  for (let start = 0; start < docs.length; start += size) {
    if (options.signal?.aborted) return { success, error, skipped: docs.length - start };
    if (start > 0) await yieldToEventLoop();
    const result = await collection.bulkUpsert(docs.slice(start, start + size) as D[]);
    success.push(...(result.success as RxDocument<D>[]));
    error.push(...result.error);
    done = Math.min(docs.length, start + size);
    options.onProgress?.(done, docs.length);
  }
  return { success, error, skipped: 0 };
}
