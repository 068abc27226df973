import { concatMap, filter, map, startWith, switchMap, from, type Observable } from 'rxjs';
import { canonicalJson, type ConflictRecord } from '@mymidas/shared/sync';
import { isCollectionName } from '@mymidas/shared/schema';
import type { RxCollection } from 'rxdb';
import { openDeviceValue, sealDeviceValue, type ReplicaDatabase } from '../db/database.ts';
import { deviceClock, type DeviceClock } from './clock.ts';

/**
 * The device's conflict log: the values that lost a same-field clash during sync (docs/sync-protocol.md,
 * "Conflicts"). Kept in one RxDB local document, so it never replicates; each lost value is sealed with
 * the replica's data key because it may be PII (an account name, a note). The user sees the log and can
 * restore a lost value (written back as a new local edit, which then syncs) or dismiss it.
 */

/** One logged conflict as the UI sees it. */
export interface ConflictEntry extends ConflictRecord {
  /** Stable id: the same clash recorded twice is one entry. */
  readonly id: string;
  /** When this device recorded it (ISO 8601 UTC). */
  readonly recordedAt: string;
}

export type ConflictLogErrorCode = 'not-found' | 'document-missing' | 'unknown-collection';

export class ConflictLogError extends Error {
  override readonly name = 'ConflictLogError';
  constructor(
    readonly code: ConflictLogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Local document id of the log. */
export const CONFLICT_LOG_ID = 'sync-conflicts';
/** The log keeps at most this many entries; the oldest go first. */
export const MAX_CONFLICT_ENTRIES = 1000;
const SEAL_PURPOSE = 'sync-conflict';

/** What is stored per entry: the lost value sealed. */
interface StoredEntry {
  id: string;
  collection: string;
  docId: string;
  field: string;
  lostHlc: string;
  keptHlc: string;
  recordedAt: string;
  sealedValue: string;
}
interface StoredLog {
  entries: StoredEntry[];
}

/** The unlocked replica (its local documents hold the log; restore writes to its collections). */
type LogDatabase = ReplicaDatabase;

/** Writes to one database's log one at a time (read-modify-write of one local document). */
const queues = new WeakMap<object, Promise<unknown>>();
function serialised<T>(db: object, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(db) ?? Promise.resolve()).then(fn, fn);
  queues.set(db, run.catch(() => undefined));
  return run;
}

async function readStored(db: LogDatabase): Promise<StoredEntry[]> {
  const doc = await db.getLocal<StoredLog>(CONFLICT_LOG_ID);
  return doc ? [...(doc.toJSON().data as StoredLog).entries] : [];
}

async function hashText(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest).subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The entry id of a conflict record: equal clashes (same document, field, lost value and stamps) share it. */
export function conflictEntryId(record: ConflictRecord): Promise<string> {
  return hashText([record.collection, record.docId, record.field, record.lostHlc, record.keptHlc, canonicalJson(record.lostValue)].join('\n'));
}

async function openEntry(db: LogDatabase, stored: StoredEntry): Promise<ConflictEntry> {
  const lostValue = await openDeviceValue(db, `${SEAL_PURPOSE}/${stored.id}`, stored.sealedValue);
  const { sealedValue: _sealed, ...rest } = stored;
  return { ...rest, lostValue };
}

/** Adds conflict records to the log (duplicates are ignored). Called by the sync conflict handler. */
export function recordConflicts(db: LogDatabase, records: readonly ConflictRecord[], now: () => Date = () => new Date()): Promise<number> {
  if (records.length === 0) return Promise.resolve(0);
  return serialised(db, async () => {
    const entries = await readStored(db);
    const known = new Set(entries.map((e) => e.id));
    let added = 0;
    for (const record of records) {
      const id = await conflictEntryId(record);
      if (known.has(id)) continue;
      known.add(id);
      entries.push({
        id,
        collection: record.collection,
        docId: record.docId,
        field: record.field,
        lostHlc: record.lostHlc,
        keptHlc: record.keptHlc,
        recordedAt: now().toISOString(),
        sealedValue: await sealDeviceValue(db, `${SEAL_PURPOSE}/${id}`, record.lostValue),
      });
      added++;
    }
    if (added > 0) await db.upsertLocal<StoredLog>(CONFLICT_LOG_ID, { entries: entries.slice(-MAX_CONFLICT_ENTRIES) });
    return added;
  });
}

/** Every logged conflict, newest first, lost values decrypted. */
export async function listConflicts(db: LogDatabase): Promise<ConflictEntry[]> {
  const stored = await readStored(db);
  const out = await Promise.all(stored.map((e) => openEntry(db, e)));
  return out.reverse();
}

/**
 * The log's local document as it changes, the current one first. Not RxDB's getLocal$: that runs an async step
 * for every change event of the database, every collection's included — a new device's first sync makes
 * 100,000, and their subscription bookkeeping alone cost ~0.6 s of its main thread (removal from a list
 * of ~1,000 at a time) — where only bulks of the database's own local documents that name the log matter.
 */
function storedLog$(db: LogDatabase) {
  return db.eventBulks$.pipe(
    filter((bulk) => bulk.isLocal && !bulk.collectionName && bulk.events.some((e) => e.documentId === CONFLICT_LOG_ID)),
    startWith(null),
    concatMap(() => db.getLocal<StoredLog>(CONFLICT_LOG_ID)),
  );
}

/** The log as it changes (newest first); emits the current log first. */
export function conflicts$(db: LogDatabase): Observable<ConflictEntry[]> {
  return storedLog$(db).pipe(
    map((doc) => (doc ? [...(doc.toJSON().data as StoredLog).entries] : [])),
    switchMap((stored) => from(Promise.all(stored.map((e) => openEntry(db, e))).then((list) => list.reverse()))),
  );
}

/** Number of logged conflicts as it changes, without decrypting anything (for the sync indicator). */
export function conflictCount$(db: LogDatabase): Observable<number> {
  return storedLog$(db).pipe(map((doc) => (doc ? (doc.toJSON().data as StoredLog).entries.length : 0)));
}

/** Removes an entry without changing any document. */
export function dismissConflict(db: LogDatabase, id: string): Promise<void> {
  return serialised(db, async () => {
    const entries = await readStored(db);
    const next = entries.filter((e) => e.id !== id);
    if (next.length === entries.length) throw new ConflictLogError('not-found', 'That conflict is no longer in the log.');
    await db.upsertLocal<StoredLog>(CONFLICT_LOG_ID, { entries: next });
  });
}

export interface RestoreOptions {
  /** Stamps the restoring edit; the unlocked device's clock by default. */
  readonly clock?: DeviceClock;
}

/**
 * Puts the lost value back into its document as a new local edit (fresh HLC stamp, so it syncs and
 * wins against the value it lost to), then removes the entry. Restoring a lost `_deleted: true` deletes
 * the document; a lost `_deleted: false` brings a deleted document back. The value that is replaced is
 * not logged: the user chose to replace it.
 */
export async function restoreConflict(db: LogDatabase, id: string, options: RestoreOptions = {}): Promise<void> {
  const stored = (await readStored(db)).find((e) => e.id === id);
  if (!stored) throw new ConflictLogError('not-found', 'That conflict is no longer in the log.');
  const entry = await openEntry(db, stored);
  if (!isCollectionName(entry.collection) || !(entry.collection in db.collections)) {
    throw new ConflictLogError('unknown-collection', `There is no collection "${entry.collection}" on this device.`);
  }
  const collection = db.collections[entry.collection] as unknown as RxCollection<Record<string, unknown>>;
  const clock = options.clock ?? deviceClock();
  const [current] = await collection.storageInstance.findDocumentsById([entry.docId], true);
  if (!current) throw new ConflictLogError('document-missing', 'The document this value belonged to is not on this device any more.');
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(current)) if (k !== '_meta' && k !== '_rev' && k !== '_attachments' && k !== '_deleted') data[k] = v;
  if (entry.field === '_deleted') {
    if (entry.lostValue === true) {
      if (!current._deleted) {
        const doc = await collection.findOne(entry.docId).exec();
        if (doc) {
          await doc.incrementalPatch({ hlc: clock.nextStamp() });
          await doc.getLatest().remove();
        }
      }
    } else if (current._deleted) {
      // Inserting over a deleted document brings it back as a new revision.
      await collection.upsert(clock.stampDoc(data));
    }
  } else {
    if (entry.lostValue === undefined) delete data[entry.field];
    else data[entry.field] = entry.lostValue;
    const next = clock.stampDoc(data);
    if (current._deleted) {
      // Keep it deleted: write the value into the deleted document's state.
      await collection.upsert(next);
      const doc = await collection.findOne(entry.docId).exec();
      await doc?.remove();
    } else {
      await collection.upsert(next);
    }
  }
  await dismissConflict(db, id).catch((error: unknown) => {
    if (!(error instanceof ConflictLogError && error.code === 'not-found')) throw error;
  });
}
