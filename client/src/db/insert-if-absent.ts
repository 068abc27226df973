import { randomToken } from 'rxdb';
import type { BulkWriteRow, RxDocumentData, RxJsonSchema, RxStorageChangeEvent, RxStorageInstance } from 'rxdb';
import type { PlaintextChangeStream, StorageBulk } from './change-stream.ts';
import { ENVELOPE_FIELD } from './envelope-codec.ts';
import type { Doc, EnvelopeCodec } from './envelope-codec.ts';
import type { InsertNoticeChannel } from './insert-notices.ts';
import { rawInserterFor } from './raw-insert.ts';
import type { RawInserter } from './raw-insert.ts';
import type { ReplicaStorageExtras } from './replica-storage-extras.ts';

/**
 * insertIfAbsent of the encrypted storage (ReplicaStorageExtras): a new device's first pull seals its
 * rows and adds them straight to the Dexie table (raw-insert.ts), then emits their INSERT events in
 * plaintext into the change stream and tells other tabs their ids (insert-notices.ts). On another
 * storage than Dexie (the tests' memory storage) it goes through RxDB's bulkWrite, where an existing
 * id is a 409.
 */

export interface InsertIfAbsentOptions<RxDocType> {
  /** The inner (sealed) storage instance. */
  readonly instance: RxStorageInstance<RxDocType, unknown, unknown>;
  /** The schema the inner instance was created with when it is RxDB's key compression (rows are compressed for Dexie), else null. */
  readonly compressedSchema: RxJsonSchema<RxDocumentData<unknown>> | null;
  readonly codec: EnvelopeCodec;
  readonly changes: PlaintextChangeStream<RxDocType>;
  readonly notices: InsertNoticeChannel | null;
  readonly primaryPath: string;
  /** The fields the codec seals (left out of the rows, which hold the envelope instead). */
  readonly encrypted: ReadonlySet<string>;
  readonly collection: string;
  /** Throws ReplicaLockedError while the replica is locked. */
  readonly assertUnlocked: () => void;
}

export function createInsertIfAbsent<RxDocType>(options: InsertIfAbsentOptions<RxDocType>): ReplicaStorageExtras['insertIfAbsent'] {
  type Bulk = StorageBulk<RxDocType>;
  const { instance, codec, changes, notices, primaryPath, collection } = options;
  let rawInsert: Promise<RawInserter | null> | null = null;

  async function insertThroughBulkWrite(docs: readonly RxDocumentData<unknown>[], context: string): Promise<string[]> {
    const sealed = await Promise.all(docs.map((doc) => codec.seal(doc as Doc)));
    const envelopes = sealed.map((row, i) => {
      const key = String(row[ENVELOPE_FIELD]);
      changes.remember(key, docs[i] as Doc, undefined);
      return key;
    });
    try {
      const result = await instance.bulkWrite(sealed.map((document) => ({ document }) as unknown as BulkWriteRow<RxDocType>), context);
      const skipped: string[] = [];
      for (const error of result.error) {
        if (error.status !== 409) throw new Error(`${collection}: inserting ${error.documentId} failed (${error.status}).`);
        skipped.push(error.documentId);
      }
      await changes.settled();
      return skipped;
    } finally {
      for (const key of envelopes) changes.forget(key);
    }
  }

  return async (docs, context) => {
    options.assertUnlocked();
    rawInsert ??= rawInserterFor(instance as RxStorageInstance<unknown, unknown, unknown>, options.compressedSchema, options.encrypted);
    const raw = await rawInsert;
    if (!raw) return { skipped: await insertThroughBulkWrite(docs, context) };
    // Only the envelopes are made here: the rows are built from the plaintext documents in one pass (raw-insert.ts).
    const envelopes = await Promise.all(docs.map((doc) => codec.envelope(doc as Doc)));
    const { failed } = await raw(docs as readonly Doc[], envelopes);
    const skipped: string[] = [];
    // As RxDB's bulkWrite would: an INSERT event per inserted live document, the checkpoint being the
    // newest row written — but in plaintext, straight into the wrapper's stream.
    const events: RxStorageChangeEvent<RxDocType>[] = [];
    let newest: RxDocumentData<unknown> | undefined;
    docs.forEach((row, i) => {
      const id = String((row as Doc)[primaryPath]);
      if (failed.has(i)) {
        skipped.push(id);
        return;
      }
      newest = row;
      const doc = docs[i] as unknown as RxDocumentData<RxDocType>;
      if (doc._deleted !== true) events.push({ documentId: id, operation: 'INSERT', documentData: doc, previousDocumentData: undefined });
    });
    if (newest && events.length > 0) {
      const checkpoint = { id: String((newest as Doc)[primaryPath]), lwt: newest._meta.lwt };
      const bulk = { id: randomToken(12), events, checkpoint, context } as unknown as Bulk;
      changes.emit(bulk);
      notices?.post({ id: bulk.id, ids: events.map((e) => e.documentId), checkpoint, context });
      await changes.settled();
    }
    return { skipped };
  };
}
