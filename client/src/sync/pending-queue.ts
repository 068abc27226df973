import type { RxCollection } from 'rxdb';
import type { Subscription } from 'rxjs';
import { stripMeta } from '@mymidas/shared/sync';
import type { ReplicaDatabase } from '../db/database.ts';

/**
 * Local writes the server has not acknowledged yet, counted for the sync indicator ("Offline · 3
 * queued"). A write is queued when it lands in a replicated collection from this device (not from
 * the pull) and leaves the queue when RxDB reports that exact version sent. The queue is kept in a
 * local document, so the count survives a reload while offline or signed out; it holds only
 * collection, document id and the version's HLC stamp, never a field value.
 */

const QUEUE_DOC = 'sync-queue';
const SAVE_MS = 500;
const DOWNSTREAM_CONTEXT = 'replication-downstream-';
/** A persisted entry whose version cannot be told apart (a document without a stamp): any send clears it. */
const ANY = '*';

interface StoredQueue {
  readonly entries: [string, string][];
}

export interface PendingQueue {
  readonly size: number;
  /** RxDB sent this version of a document to the server. */
  sent(collection: string, doc: Record<string, unknown>): void;
  /** Stops following the collections and saves what is queued. */
  dispose(): Promise<void>;
}

/** The version of a document: its HLC stamp when it has one, else its content. */
function fingerprint(doc: Record<string, unknown>): string {
  if (typeof doc.hlc === 'string') return doc.hlc;
  const data = stripMeta(doc);
  delete data._attachments;
  return JSON.stringify(data);
}

export function createPendingQueue(db: ReplicaDatabase, names: readonly string[], onChange: (size: number) => void): PendingQueue {
  const pending = new Map<string, string>();
  const subs: Subscription[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const save = async (): Promise<void> => {
    timer = undefined;
    if (db.closed) return;
    const entries: [string, string][] = [...pending].map(([k, v]) => [k, v.startsWith('{') ? ANY : v]);
    await db.upsertLocal<StoredQueue>(QUEUE_DOC, { entries }).catch(() => undefined);
  };
  const changed = () => {
    onChange(pending.size);
    if (!disposed) timer ??= setTimeout(() => void save(), SAVE_MS);
  };

  for (const name of names) {
    const collection = (db.collections as Record<string, RxCollection<unknown> | undefined>)[name];
    if (!collection) continue;
    subs.push(
      collection.eventBulks$.subscribe((bulk) => {
        if (bulk.context.startsWith(DOWNSTREAM_CONTEXT)) return;
        for (const event of bulk.events) pending.set(`${name}/${event.documentId}`, fingerprint(event.documentData as Record<string, unknown>));
        changed();
      }),
    );
  }

  void db
    .getLocal<StoredQueue>(QUEUE_DOC)
    .then((doc) => {
      if (!doc || disposed) return;
      const stored = (doc.toJSON().data as StoredQueue).entries;
      let added = false;
      for (const [key, value] of stored) {
        if (pending.has(key)) continue;
        pending.set(key, value);
        added = true;
      }
      if (added) onChange(pending.size);
    })
    .catch(() => undefined);

  return {
    get size() {
      return pending.size;
    },
    sent(collection, doc) {
      const key = `${collection}/${String(doc.id)}`;
      const queued = pending.get(key);
      if (queued === undefined) return;
      if (queued !== ANY && queued !== fingerprint(doc)) return;
      pending.delete(key);
      changed();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of subs) s.unsubscribe();
      if (timer !== undefined) {
        clearTimeout(timer);
        await save();
      }
    },
  };
}
