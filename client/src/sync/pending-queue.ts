import type { RxCollection } from 'rxdb';
import type { Subscription } from 'rxjs';
import type { ReplicaDatabase } from '../db/database.ts';

/**
 * Local writes the server has not acknowledged yet, counted for the sync indicator ("Offline · 3
 * queued"). A write is queued when it lands in a replicated collection from this device (not from
 * the pull) and leaves the queue when RxDB reports that exact version sent. The queue is kept in a
 * local document, so the count survives a reload while offline or signed out; it holds only
 * collection, document id and the version's HLC stamp, never a field value.
 *
 * Every tab keeps and saves its own view; only the leading tab replicates and sees sends, so a follower can
 * store entries that were in fact sent. The engine therefore clears the queue whenever replication goes idle
 * without an error (everything RxDB knew of was pushed), which also drops a version a merge replaced.
 */

const QUEUE_DOC = 'sync-queue';
/** Entries kept by name; past this (a big offline import) only the number of the rest is kept. */
const MAX_STORED_ENTRIES = 5_000;
const DOWNSTREAM_CONTEXT = 'replication-downstream-';

interface StoredQueue {
  readonly entries: [string, string][];
  /** Queued writes beyond MAX_STORED_ENTRIES, known only by number. */
  readonly more?: number;
}

export interface PendingQueue {
  readonly size: number;
  /** RxDB sent this version of a document to the server. */
  sent(collection: string, doc: Record<string, unknown>): void;
  /** Every replication went idle with nothing left to push: whatever is still listed was sent. */
  clear(): void;
  /** Stops following the collections and saves what is queued. */
  dispose(): Promise<void>;
}

/** The version of a document: its HLC stamp (every replicated document has one, see the shared base schema). */
const stampOf = (doc: Record<string, unknown>): string => String(doc.hlc);

export function createPendingQueue(db: ReplicaDatabase, names: readonly string[], onChange: (size: number) => void, options: { maxStoredEntries?: number } = {}): PendingQueue {
  const maxStored = options.maxStoredEntries ?? MAX_STORED_ENTRIES;
  const pending = new Map<string, string>();
  /** Writes queued in an earlier session that were stored by number only (see MAX_STORED_ENTRIES). */
  let unnamed = 0;
  const subs: Subscription[] = [];
  let scheduled = false;
  let saving: Promise<void> = Promise.resolve();
  let disposed = false;
  const size = () => pending.size + unnamed;

  const save = async (): Promise<void> => {
    scheduled = false;
    if (db.closed) return;
    const entries: [string, string][] = [];
    for (const [k, v] of pending) {
      if (entries.length === maxStored) break;
      entries.push([k, v]);
    }
    const more = size() - entries.length;
    await db.upsertLocal<StoredQueue>(QUEUE_DOC, more > 0 ? { entries, more } : { entries }).catch(() => undefined);
  };
  // Saved as soon as the current save is done, so a reload right after an edit still finds it; a burst of
  // changes while a save runs is written once.
  const changed = () => {
    onChange(size());
    if (disposed || scheduled) return;
    scheduled = true;
    saving = saving.then(save);
  };

  for (const name of names) {
    const collection = (db.collections as Record<string, RxCollection<unknown> | undefined>)[name];
    if (!collection) continue;
    subs.push(
      collection.eventBulks$.subscribe((bulk) => {
        if (bulk.context.startsWith(DOWNSTREAM_CONTEXT)) return;
        for (const event of bulk.events) pending.set(`${name}/${event.documentId}`, stampOf(event.documentData as Record<string, unknown>));
        changed();
      }),
    );
  }

  void db
    .getLocal<StoredQueue>(QUEUE_DOC)
    .then((doc) => {
      if (!doc || disposed) return;
      const stored = doc.toJSON().data as StoredQueue;
      for (const [key, value] of stored.entries) if (!pending.has(key)) pending.set(key, value);
      unnamed = stored.more ?? 0;
      onChange(size());
    })
    .catch(() => undefined);

  return {
    get size() {
      return size();
    },
    sent(collection, doc) {
      const key = `${collection}/${String(doc.id)}`;
      const queued = pending.get(key);
      if (queued === undefined) {
        // Not known by name: one of an earlier session's writes that were stored by number only.
        if (unnamed === 0) return;
        unnamed -= 1;
      } else {
        if (queued !== stampOf(doc)) return;
        pending.delete(key);
      }
      changed();
    },
    clear() {
      if (size() === 0) return;
      pending.clear();
      unnamed = 0;
      changed();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of subs) s.unsubscribe();
      await saving;
    },
  };
}
