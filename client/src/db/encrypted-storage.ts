import type { BulkWriteRow, PreparedQuery, RxDocumentData, RxJsonSchema, RxStorage, RxStorageBulkWriteResponse, RxStorageInstance, RxStorageInstanceCreationParams, RxStorageWriteError } from 'rxdb';
import { plaintextChangeStream } from './change-stream.ts';
import { assertQueryAvoidsEncrypted, storedSchema } from './encrypted-fields.ts';
import { ENVELOPE_FIELD, createEnvelopeCodec } from './envelope-codec.ts';
import type { Doc, EncryptionCounters } from './envelope-codec.ts';
import { EncryptionSetupError, ReplicaLockedError } from './errors.ts';
import { createInsertIfAbsent } from './insert-if-absent.ts';
import { openInsertNoticeChannel } from './insert-notices.ts';
import { registerReplicaStorageExtras } from './replica-storage-extras.ts';
import type { BeforeWriteObserver, ReplicaStorageExtras } from './replica-storage-extras.ts';

/**
 * An RxDB storage wrapper that encrypts a collection's PII fields (the schema's `encrypted` list) with
 * WebCrypto AES-256-GCM. It plays the part of RxDB's free crypto-js plugin, with three differences that
 * make it cheap enough for 100k documents:
 *  - one non-extractable key, imported once (no key derivation per call);
 *  - all PII fields of a document sealed together in ONE envelope field: one encrypt per write, one
 *    decrypt per read, with `collection/id` as additional data so an envelope cannot be moved to
 *    another document (envelope-codec.ts, over the reused buffers of buffer-pools.ts);
 *  - change events of our own writes carry the plaintext we were given, not a second decryption
 *    (change-stream.ts).
 *
 * Stack it OUTSIDE key compression: `encryptedStorage({ storage: wrappedKeyCompressionStorage({ storage:
 * getRxStorageDexie() }) })`. The other order would hand this wrapper renamed fields, so it would find no
 * PII to seal; that case is detected and refused with an EncryptionSetupError (encrypted-fields.ts, which
 * also refuses queries and indexes over encrypted fields).
 *
 * Beyond RxDB's interface each instance offers ReplicaStorageExtras (replica-storage-extras.ts): the
 * first pull's insertIfAbsent (insert-if-absent.ts, with cross-tab notices in insert-notices.ts) and a
 * before-write observer.
 */

export { ENVELOPE_FIELD };
export type { EncryptionCounters, ReplicaStorageExtras };
export { replicaStorageExtras } from './replica-storage-extras.ts';

/** Holds the unlocked data key. Clearing it locks every collection using it at once. */
export class DataKeyHolder {
  #key: CryptoKey | null = null;

  get unlocked(): boolean {
    return this.#key !== null;
  }

  set(key: CryptoKey): void {
    if (key.extractable) throw new EncryptionSetupError('The data key must be non-extractable.');
    if (key.algorithm.name !== 'AES-GCM' || !key.usages.includes('encrypt') || !key.usages.includes('decrypt')) {
      throw new EncryptionSetupError('The data key must be an AES-GCM key usable to encrypt and decrypt.');
    }
    this.#key = key;
  }

  clear(): void {
    this.#key = null;
  }

  /** The key, or ReplicaLockedError while locked. */
  get(): CryptoKey {
    if (!this.#key) throw new ReplicaLockedError();
    return this.#key;
  }
}

export interface EncryptedStorageArgs<Internals, InstanceCreationOptions> {
  readonly storage: RxStorage<Internals, InstanceCreationOptions>;
  readonly keys: DataKeyHolder;
  readonly crypto?: Crypto;
  readonly counters?: EncryptionCounters;
}

/** Wraps an RxStorage so that collections whose schema lists `encrypted` fields store them sealed. */
export function encryptedStorage<Internals, InstanceCreationOptions>(
  args: EncryptedStorageArgs<Internals, InstanceCreationOptions>,
): RxStorage<Internals, InstanceCreationOptions> {
  const crypto = args.crypto ?? globalThis.crypto;
  const inner = args.storage;
  const key = () => args.keys.get();

  return {
    ...inner,
    name: `webcrypto-encryption-${inner.name}`,
    async createStorageInstance<RxDocType>(
      params: RxStorageInstanceCreationParams<RxDocType, InstanceCreationOptions>,
    ): Promise<RxStorageInstance<RxDocType, Internals, InstanceCreationOptions>> {
      const encryptedList = params.schema.encrypted ?? [];
      if (encryptedList.length === 0) return inner.createStorageInstance(params);

      const collection = params.collectionName;
      const encrypted = new Set(encryptedList);
      // A composite key (RxDB's replication meta instances, whose `docData` holds the last known server
      // state and so is encrypted too) is stored in its own field: that field is the primary path.
      const primaryKey: unknown = params.schema.primaryKey;
      const keyField = typeof primaryKey === 'string' ? primaryKey : (primaryKey as { key?: unknown } | null)?.key;
      if (typeof keyField !== 'string') throw new EncryptionSetupError(`${collection}: the primary key has no field name.`);
      const primaryPath: string = keyField;
      const innerSchema = storedSchema(params.schema, collection, encryptedList);
      const instance = await inner.createStorageInstance({ ...params, schema: innerSchema });
      const sealedInstance = instance as unknown as RxStorageInstance<RxDocType, unknown, unknown>;
      const codec = createEnvelopeCodec({ collection, primaryPath, encrypted, key, crypto, counters: args.counters });
      const fromStorage = (doc: RxDocumentData<unknown>) => codec.unseal(doc as Doc) as Promise<RxDocumentData<RxDocType>>;
      const changes = plaintextChangeStream<RxDocType>({ instance: sealedInstance, codec, primaryPath, collection });
      const notices = openInsertNoticeChannel({
        databaseName: params.databaseName,
        collection,
        schemaVersion: params.schema.version,
        multiInstance: params.multiInstance,
        onNotice: (notice) => changes.notice(notice),
      });
      let beforeWrite: BeforeWriteObserver | null = null;

      const wrapped: RxStorageInstance<RxDocType, Internals, InstanceCreationOptions> = {
        databaseName: instance.databaseName,
        internals: instance.internals,
        options: instance.options,
        schema: params.schema,
        collectionName: instance.collectionName,
        async bulkWrite(rows: BulkWriteRow<RxDocType>[], context: string): Promise<RxStorageBulkWriteResponse<RxDocType>> {
          key();
          if (beforeWrite) await beforeWrite(rows as readonly BulkWriteRow<unknown>[], context);
          const byId = new Map<string, BulkWriteRow<RxDocType>>();
          const envelopes: string[] = [];
          try {
            const sealedRows = await Promise.all(
              rows.map(async (row) => {
                const doc = row.document as unknown as Doc;
                const id = String(doc[primaryPath]);
                byId.set(id, row);
                const document = await codec.seal(doc);
                const envelope = String(document[ENVELOPE_FIELD]);
                envelopes.push(envelope);
                changes.remember(envelope, doc, row.previous as unknown as Doc | undefined);
                const previous = row.previous ? codec.withoutSecrets(row.previous as unknown as Doc) : undefined;
                return { document, previous } as unknown as BulkWriteRow<RxDocType>;
              }),
            );
            const result = await instance.bulkWrite(sealedRows, context);
            const error: RxStorageWriteError<RxDocType>[] = await Promise.all(
              result.error.map(async (err) => {
                const original = byId.get(err.documentId) ?? err.writeRow;
                const out = { ...err, writeRow: original } as RxStorageWriteError<RxDocType>;
                if ('documentInDb' in err && err.documentInDb) {
                  (out as { documentInDb: RxDocumentData<RxDocType> }).documentInDb = await fromStorage(err.documentInDb);
                }
                return out;
              }),
            );
            // All change events of this write must be out before the write resolves.
            await changes.settled();
            return { error };
          } finally {
            for (const envelope of envelopes) changes.forget(envelope);
          }
        },
        async findDocumentsById(ids, withDeleted) {
          const docs = await instance.findDocumentsById(ids, withDeleted);
          return Promise.all(docs.map(fromStorage));
        },
        async query(preparedQuery) {
          assertQueryAvoidsEncrypted(collection, encrypted, preparedQuery as PreparedQuery<unknown>);
          const result = await instance.query(preparedQuery);
          return { documents: await Promise.all(result.documents.map(fromStorage)) };
        },
        count(preparedQuery) {
          assertQueryAvoidsEncrypted(collection, encrypted, preparedQuery as PreparedQuery<unknown>);
          return instance.count(preparedQuery);
        },
        getAttachmentData(documentId, attachmentId, digest) {
          return instance.getAttachmentData(documentId, attachmentId, digest);
        },
        changeStream: () => changes.stream,
        cleanup: (minimumDeletedTime) => instance.cleanup(minimumDeletedTime),
        close: () => {
          notices?.close();
          return instance.close();
        },
        remove: () => {
          notices?.close();
          return instance.remove();
        },
      };
      const extras: ReplicaStorageExtras = {
        insertIfAbsent: createInsertIfAbsent<RxDocType>({
          instance: sealedInstance,
          compressedSchema: params.schema.keyCompression ? (innerSchema as RxJsonSchema<RxDocumentData<unknown>>) : null,
          codec,
          changes,
          notices,
          primaryPath,
          encrypted,
          collection,
          assertUnlocked: key,
        }),
        setBeforeWrite(observer) {
          beforeWrite = observer;
        },
      };
      registerReplicaStorageExtras(wrapped, extras);
      if (instance.getChangedDocumentsSince) {
        const since = instance.getChangedDocumentsSince.bind(instance);
        wrapped.getChangedDocumentsSince = async (limit, checkpoint) => {
          const result = await since(limit, checkpoint);
          return { checkpoint: result.checkpoint, documents: await Promise.all(result.documents.map(fromStorage)) };
        };
      }
      return wrapped;
    },
  };
}
