import { BehaviorSubject, firstValueFrom, merge, Subject } from 'rxjs';
import { concatMap, filter, map, share, tap } from 'rxjs/operators';
import type {
  BulkWriteRow,
  EventBulk,
  MangoQuerySelector,
  PreparedQuery,
  RxDocumentData,
  RxJsonSchema,
  RxStorage,
  RxStorageBulkWriteResponse,
  RxStorageChangeEvent,
  RxStorageInstance,
  RxStorageInstanceCreationParams,
  RxStorageWriteError,
} from 'rxdb';
import { randomToken } from 'rxdb';
import { fromBase64Scratch, toBase64 } from './bytes.ts';
import { rawInserterFor, type RawInserter } from './raw-insert.ts';
import { DecryptionError, EncryptedFieldQueryError, EncryptionSetupError, ReplicaLockedError } from './errors.ts';

/**
 * An RxDB storage wrapper that encrypts a collection's PII fields (the schema's `encrypted` list) with
 * WebCrypto AES-256-GCM. It plays the part of RxDB's free crypto-js plugin, with three differences that
 * make it cheap enough for 100k documents:
 *  - one non-extractable key, imported once (no key derivation per call);
 *  - all PII fields of a document sealed together in ONE envelope field: one encrypt per write, one
 *    decrypt per read, with `collection/id` as additional data so an envelope cannot be moved to
 *    another document;
 *  - change events of our own writes carry the plaintext we were given, not a second decryption.
 *
 * Stack it OUTSIDE key compression: `encryptedStorage({ storage: wrappedKeyCompressionStorage({ storage:
 * getRxStorageDexie() }) })`. The other order would hand this wrapper renamed fields, so it would find no
 * PII to seal; that case is detected and refused with an EncryptionSetupError.
 *
 * Envelope layout (base64): version byte 0x01 ‖ 12-byte random IV ‖ AES-GCM ciphertext ‖ 16-byte tag; the
 * plaintext is the JSON object of the document's PII fields.
 */

/** Field that holds the sealed envelope in storage. */
export const ENVELOPE_FIELD = 'sealed';
const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

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

/** Counts of WebCrypto calls, for tests and benchmarks that check the one-call-per-document promise. */
export interface EncryptionCounters {
  encrypt: number;
  decrypt: number;
}

export interface EncryptedStorageArgs<Internals, InstanceCreationOptions> {
  readonly storage: RxStorage<Internals, InstanceCreationOptions>;
  readonly keys: DataKeyHolder;
  readonly crypto?: Crypto;
  readonly counters?: EncryptionCounters;
}

type Doc = Record<string, unknown>;

/** Draws IVs from a buffer refilled in one getRandomValues call per ~5k documents. */
class IvPool {
  #buffer = new Uint8Array(0);
  #offset = 0;
  constructor(private readonly crypto: Crypto) {}

  next(): Uint8Array<ArrayBuffer> {
    if (this.#offset + IV_BYTES > this.#buffer.length) {
      // 65 532 bytes: the largest multiple of 12 getRandomValues accepts in one call.
      this.#buffer = this.crypto.getRandomValues(new Uint8Array(IV_BYTES * 5461));
      this.#offset = 0;
    }
    // A view, not a copy: bytes are never handed out twice, and a refill swaps in a new buffer.
    const iv = this.#buffer.subarray(this.#offset, this.#offset + IV_BYTES);
    this.#offset += IV_BYTES;
    return iv;
  }
}

/**
 * What a replica collection's storage offers beyond RxDB's interface, for the sync engine
 * (client/src/sync/bootstrap.ts): see `replicaStorageExtras`.
 */
export interface ReplicaStorageExtras {
  /**
   * Inserts documents that are not stored yet, in one IndexedDB transaction, and emits their change
   * events with `context`; documents whose id exists are left alone and their ids returned. The rows
   * are full RxDB documents (`_meta`, `_rev`, `_attachments`, `_deleted`); as with RxDB's bulkWrite, a
   * deleted one is stored without a change event.
   */
  insertIfAbsent(docs: readonly RxDocumentData<unknown>[], context: string): Promise<{ skipped: string[] }>;
  /**
   * Called with the plaintext rows and the context before every write is sealed; the write waits for
   * it. One observer per collection (set null to remove).
   */
  setBeforeWrite(observer: ((rows: readonly BulkWriteRow<unknown>[], context: string) => Promise<void>) | null): void;
}

const extrasByInstance = new WeakMap<object, ReplicaStorageExtras>();

/** What a tab tells the others after insertIfAbsent: which rows to read, and the bulk's checkpoint and context. */
interface InsertNotice {
  readonly id: string;
  readonly ids: readonly string[];
  readonly checkpoint: { readonly id: string; readonly lwt: number };
  readonly context: string;
}

/** A notice from the channel, or null for anything else (same-origin tabs only, but checked all the same). */
function readInsertNotice(data: unknown): InsertNotice | null {
  const n = data as Partial<InsertNotice> | null;
  if (!n || typeof n !== 'object' || typeof n.id !== 'string' || typeof n.context !== 'string') return null;
  if (!Array.isArray(n.ids) || n.ids.length === 0 || n.ids.length > 10_000 || !n.ids.every((id) => typeof id === 'string')) return null;
  const checkpoint = n.checkpoint as { id?: unknown; lwt?: unknown } | undefined;
  if (!checkpoint || typeof checkpoint.lwt !== 'number' || typeof checkpoint.id !== 'string') return null;
  return { id: n.id, ids: n.ids, checkpoint: { id: checkpoint.id, lwt: checkpoint.lwt }, context: n.context };
}

/**
 * The extras of a collection's storage instance (`collection.storageInstance`, which RxDB wraps around
 * ours), or null when it is not an encrypted replica storage.
 */
export function replicaStorageExtras(instance: object): ReplicaStorageExtras | null {
  for (let current: unknown = instance; current && typeof current === 'object'; current = (current as { originalStorageInstance?: unknown }).originalStorageInstance) {
    const found = extrasByInstance.get(current);
    if (found) return found;
  }
  return null;
}

/** Returns the names of fields a Mango selector touches (top-level part of each path), through $and/$or/$nor/$not. */
function selectorFields(selector: unknown, out: Set<string>): void {
  if (!selector || typeof selector !== 'object') return;
  if (Array.isArray(selector)) {
    for (const part of selector) selectorFields(part, out);
    return;
  }
  for (const [key, value] of Object.entries(selector)) {
    if (key.startsWith('$')) selectorFields(value, out);
    else out.add(key.split('.')[0] ?? key);
  }
}

function assertQueryAvoidsEncrypted(collection: string, encrypted: ReadonlySet<string>, query: PreparedQuery<unknown>): void {
  const fields = new Set<string>();
  selectorFields(query.query.selector as MangoQuerySelector<unknown>, fields);
  for (const part of query.query.sort ?? []) for (const key of Object.keys(part)) fields.add(key.split('.')[0] ?? key);
  for (const key of query.query.index ?? []) fields.add(key.split('.')[0] ?? key);
  for (const field of fields) if (encrypted.has(field)) throw new EncryptedFieldQueryError(collection, field);
}

/** The schema the inner storage sees: PII properties replaced by the envelope field. */
function storedSchema<T>(schema: RxJsonSchema<RxDocumentData<T>>, collection: string, encrypted: readonly string[]): RxJsonSchema<RxDocumentData<T>> {
  const properties = schema.properties as Record<string, unknown>;
  for (const field of encrypted) {
    if (field.includes('.')) throw new EncryptionSetupError(`${collection}: only top-level fields can be encrypted ("${field}").`);
    if (!Object.hasOwn(properties, field)) {
      throw new EncryptionSetupError(
        `${collection}: encrypted field "${field}" is not in the schema this wrapper received. ` +
          'Is key compression stacked outside encryption? Use encryptedStorage(keyCompression(dexie)).',
      );
    }
  }
  if (Object.hasOwn(properties, ENVELOPE_FIELD)) throw new EncryptionSetupError(`${collection}: "${ENVELOPE_FIELD}" is reserved for the envelope.`);
  if (schema.attachments) throw new EncryptionSetupError(`${collection}: RxDB attachments are not encrypted by this wrapper; store files elsewhere.`);
  for (const index of schema.indexes ?? []) {
    for (const field of typeof index === 'string' ? [index] : index) {
      if (encrypted.includes(field.split('.')[0] ?? field)) throw new EncryptedFieldQueryError(collection, field);
    }
  }
  const out = structuredClone(schema) as unknown as { properties: Record<string, unknown>; required?: string[]; encrypted?: string[] };
  delete out.encrypted;
  for (const field of encrypted) delete out.properties[field];
  out.properties[ENVELOPE_FIELD] = { type: 'string' };
  out.required = [...(out.required ?? []).filter((f) => !encrypted.includes(f)), ENVELOPE_FIELD];
  return out as unknown as RxJsonSchema<RxDocumentData<T>>;
}

/** Wraps an RxStorage so that collections whose schema lists `encrypted` fields store them sealed. */
export function encryptedStorage<Internals, InstanceCreationOptions>(
  args: EncryptedStorageArgs<Internals, InstanceCreationOptions>,
): RxStorage<Internals, InstanceCreationOptions> {
  const crypto = args.crypto ?? globalThis.crypto;
  const counters = args.counters;
  const inner = args.storage;

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
      let rawInsert: Promise<RawInserter | null> | null = null;
      let beforeWrite: ((rows: readonly BulkWriteRow<unknown>[], context: string) => Promise<void>) | null = null;
      const ivs = new IvPool(crypto);
      const encoder = new TextEncoder();
      const decoder = new TextDecoder();
      const aadPrefix = `mymidas/v1/${collection}/`;
      /**
       * Plaintext of rows being written, keyed by their sealed envelope, so our own change events need no
       * decryption. Not by id and revision: two writes racing on one document from the same previous state
       * get the same revision from RxDB (height + database token), and the loser's plaintext would be
       * reported for the winner's event. The envelope is unique per write (random IV).
       */
      const inFlight = new Map<string, { document: Doc; previous: Doc | undefined }>();
      /**
       * Additional data `mymidas/v1/<collection>/<id>`, encoded into one reused buffer: WebCrypto copies
       * its inputs when encrypt/decrypt is called, so the buffer is free again as soon as the call returns.
       */
      const aadScratch = new Uint8Array(1024);
      const aadHead = encoder.encodeInto(aadPrefix, aadScratch).written;
      const aadTail = aadScratch.subarray(aadHead);
      function aad(id: string): Uint8Array<ArrayBuffer> {
        const { read, written } = encoder.encodeInto(id, aadTail);
        return read === id.length ? aadScratch.subarray(0, aadHead + written) : encoder.encode(aadPrefix + id);
      }

      /**
       * Scratch buffers for the plaintext and the envelope. WebCrypto copies its inputs during the
       * encrypt/decrypt call, and each envelope is base64-encoded in the same synchronous step that
       * fills it, so one buffer serves every document without per-document allocations.
       */
      let plainScratch = new Uint8Array(16 * 1024);
      let envelopeScratch = new Uint8Array(16 * 1024);
      const readScratch = { buffer: new Uint8Array(16 * 1024) };

      function encodePlain(text: string): Uint8Array<ArrayBuffer> {
        // UTF-8 needs at most 3 bytes per UTF-16 unit.
        if (text.length * 3 > plainScratch.length) plainScratch = new Uint8Array(text.length * 3);
        return plainScratch.subarray(0, encoder.encodeInto(text, plainScratch).written);
      }

      async function seal(doc: Doc): Promise<Doc> {
        const secret: Doc = {};
        const stored: Doc = {};
        for (const key in doc) {
          if (!encrypted.has(key)) stored[key] = doc[key];
          else if (doc[key] !== undefined) secret[key] = doc[key];
        }
        const iv = ivs.next();
        const ciphertext = await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData: aad(String(doc[primaryPath])) },
          args.keys.get(),
          encodePlain(JSON.stringify(secret)),
        );
        if (counters) counters.encrypt++;
        const length = 1 + IV_BYTES + ciphertext.byteLength;
        if (length > envelopeScratch.length) envelopeScratch = new Uint8Array(length);
        envelopeScratch[0] = ENVELOPE_VERSION;
        envelopeScratch.set(iv, 1);
        envelopeScratch.set(new Uint8Array(ciphertext), 1 + IV_BYTES);
        stored[ENVELOPE_FIELD] = toBase64(envelopeScratch.subarray(0, length));
        return stored;
      }

      /**
       * What the inner storage gets as a row's `previous`: it only compares `_rev` (and reads `_deleted`),
       * so the PII fields are left out and nothing is encrypted. Our own change events get the real
       * plaintext previous from `inFlight`.
       */
      function previousStandIn(previous: Doc): Doc {
        const stored: Doc = {};
        for (const key in previous) if (!encrypted.has(key)) stored[key] = previous[key];
        return stored;
      }

      async function unseal(stored: Doc): Promise<Doc> {
        const id = String(stored[primaryPath]);
        const text = stored[ENVELOPE_FIELD];
        let secret: Doc;
        try {
          if (typeof text !== 'string') throw new Error('envelope missing');
          const bytes = fromBase64Scratch(text, readScratch);
          if (bytes[0] !== ENVELOPE_VERSION || bytes.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('envelope malformed');
          const plain = await crypto.subtle.decrypt(
            { name: 'AES-GCM', iv: bytes.subarray(1, 1 + IV_BYTES), additionalData: aad(id) },
            args.keys.get(),
            bytes.subarray(1 + IV_BYTES),
          );
          if (counters) counters.decrypt++;
          secret = JSON.parse(decoder.decode(plain)) as Doc;
        } catch (error) {
          if (error instanceof ReplicaLockedError) throw error;
          throw new DecryptionError(collection, id, { cause: error });
        }
        const doc: Doc = {};
        for (const key in stored) if (key !== ENVELOPE_FIELD) doc[key] = stored[key];
        for (const key of encrypted) if (Object.hasOwn(secret, key)) doc[key] = secret[key];
        return doc;
      }

      const fromStorage = (doc: RxDocumentData<unknown>) => unseal(doc as Doc) as Promise<RxDocumentData<RxDocType>>;
      const pendingEventBulks$ = new BehaviorSubject(0);
      type Bulk = EventBulk<RxStorageChangeEvent<RxDocType>, unknown>;
      /** Bulks in plaintext from this wrapper (insertIfAbsent), and other tabs' insert notices. */
      const own$ = new Subject<{ plain: Bulk } | { notice: InsertNotice }>();
      // Other tabs hear of insertIfAbsent rows through this channel, as ids: each reads them from the
      // shared IndexedDB. RxDB's own channel would have carried every sealed row to every tab.
      const notices = params.multiInstance && typeof BroadcastChannel === 'function' ? new BroadcastChannel(`mymidas-replica|${params.databaseName}|${collection}|${params.schema.version}`) : null;
      if (notices) {
        notices.onmessage = (message: MessageEvent<unknown>) => {
          const notice = readInsertNotice(message.data);
          if (notice) own$.next({ notice });
        };
      }

      /**
       * Another tab inserted these rows: read them (as stored now) and announce them as inserts. A failure
       * (the replica closing under it) drops this notice only: an error would end the stream for good.
       */
      async function noticeToBulk(notice: InsertNotice): Promise<Bulk | null> {
        try {
          const stored = await instance.findDocumentsById([...notice.ids], false);
          if (stored.length === 0) return null;
          const events = await Promise.all(
            stored.map(async (doc) => ({ documentId: String((doc as unknown as Doc)[primaryPath]), operation: 'INSERT' as const, documentData: await fromStorage(doc), previousDocumentData: undefined })),
          );
          return { id: notice.id, events, checkpoint: notice.checkpoint, context: notice.context } as unknown as Bulk;
        } catch (error) {
          console.warn(`MyMidas replica: rows another tab stored in ${collection} could not be read here; this tab shows them after its next reload.`, error);
          return null;
        }
      }

      /** The inner storage's bulk: our own writes get their plaintext from inFlight, other tabs' are decrypted. */
      async function innerToBulk(bulk: Bulk): Promise<Bulk> {
        const events = await Promise.all(
          bulk.events.map(async (event) => {
            const envelope = (event.documentData as unknown as Doc)[ENVELOPE_FIELD];
            const mine = typeof envelope === 'string' ? inFlight.get(envelope) : undefined;
            if (mine) {
              return { ...event, documentData: mine.document, previousDocumentData: mine.previous } as typeof event;
            }
            // An event from another tab: decrypt. Its `previous` may be a stand-in without PII (see
            // previousStandIn); that is passed on as is — queries never touch encrypted fields, so
            // RxDB's event-reduce reaches the same result with or without them.
            const previous = event.previousDocumentData as unknown as Doc | undefined;
            const [documentData, previousDocumentData] = await Promise.all([
              fromStorage(event.documentData),
              event.previousDocumentData && previous && typeof previous[ENVELOPE_FIELD] === 'string'
                ? fromStorage(event.previousDocumentData)
                : event.previousDocumentData,
            ]);
            return { ...event, documentData, previousDocumentData } as typeof event;
          }),
        );
        return { ...bulk, events };
      }

      const changeStream = merge(instance.changeStream().pipe(map((inner: Bulk) => ({ inner }))), own$).pipe(
        tap(() => pendingEventBulks$.next(pendingEventBulks$.getValue() + 1)),
        // concatMap keeps event order even when a bulk needs an async decryption or read.
        concatMap(async (item): Promise<Bulk | null> => {
          try {
            if ('plain' in item) return item.plain;
            if ('notice' in item) return await noticeToBulk(item.notice);
            return await innerToBulk(item.inner);
          } finally {
            pendingEventBulks$.next(pendingEventBulks$.getValue() - 1);
          }
        }),
        filter((bulk): bulk is Bulk => bulk !== null),
        // One decryption pass per event bulk however many subscribers RxDB attaches.
        share(),
      );

      /** Another storage than Dexie (tests' memory storage): RxDB's bulkWrite, where an existing id is a 409. */
      async function insertThroughBulkWrite(sealed: readonly Doc[], docs: readonly RxDocumentData<unknown>[], context: string): Promise<string[]> {
        const envelopes = sealed.map((row, i) => {
          const key = String(row[ENVELOPE_FIELD]);
          inFlight.set(key, { document: docs[i] as Doc, previous: undefined });
          return key;
        });
        try {
          const result = await instance.bulkWrite(sealed.map((document) => ({ document }) as unknown as BulkWriteRow<RxDocType>), context);
          const skipped: string[] = [];
          for (const error of result.error) {
            if (error.status !== 409) throw new Error(`${collection}: inserting ${error.documentId} failed (${error.status}).`);
            skipped.push(error.documentId);
          }
          await firstValueFrom(pendingEventBulks$.pipe(filter((n) => n === 0)));
          return skipped;
        } finally {
          for (const key of envelopes) inFlight.delete(key);
        }
      }

      const wrapped: RxStorageInstance<RxDocType, Internals, InstanceCreationOptions> = {
        databaseName: instance.databaseName,
        internals: instance.internals,
        options: instance.options,
        schema: params.schema,
        collectionName: instance.collectionName,
        async bulkWrite(rows: BulkWriteRow<RxDocType>[], context: string): Promise<RxStorageBulkWriteResponse<RxDocType>> {
          args.keys.get();
          if (beforeWrite) await beforeWrite(rows as readonly BulkWriteRow<unknown>[], context);
          const byId = new Map<string, BulkWriteRow<RxDocType>>();
          const keys: string[] = [];
          try {
            const sealedRows = await Promise.all(
              rows.map(async (row) => {
                const doc = row.document as unknown as Doc;
                const id = String(doc[primaryPath]);
                byId.set(id, row);
                const document = await seal(doc);
                const key = String(document[ENVELOPE_FIELD]);
                keys.push(key);
                inFlight.set(key, { document: doc, previous: row.previous as unknown as Doc | undefined });
                const previous = row.previous ? previousStandIn(row.previous as unknown as Doc) : undefined;
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
            await firstValueFrom(pendingEventBulks$.pipe(filter((n) => n === 0)));
            return { error };
          } finally {
            for (const key of keys) inFlight.delete(key);
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
        changeStream: () => changeStream,
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
        async insertIfAbsent(docs, context) {
          args.keys.get();
          const sealed = await Promise.all(docs.map((doc) => seal(doc as Doc)));
          rawInsert ??= rawInserterFor(instance as RxStorageInstance<unknown, unknown, unknown>, params.schema.keyCompression ? (innerSchema as RxJsonSchema<RxDocumentData<unknown>>) : null);
          const raw = await rawInsert;
          if (!raw) return { skipped: await insertThroughBulkWrite(sealed, docs, context) };
          const { failed } = await raw(sealed);
          const skipped: string[] = [];
          // As RxDB's bulkWrite would: an INSERT event per inserted live document, the checkpoint being the
          // newest row written — but in plaintext, straight into this wrapper's stream.
          const events: RxStorageChangeEvent<RxDocType>[] = [];
          let newest: Doc | undefined;
          sealed.forEach((row, i) => {
            const id = String(row[primaryPath]);
            if (failed.has(i)) {
              skipped.push(id);
              return;
            }
            newest = row;
            const doc = docs[i] as unknown as RxDocumentData<RxDocType>;
            if (doc._deleted !== true) events.push({ documentId: id, operation: 'INSERT', documentData: doc, previousDocumentData: undefined });
          });
          if (newest && events.length > 0) {
            const checkpoint = { id: String(newest[primaryPath]), lwt: (newest._meta as { lwt: number }).lwt };
            const bulk = { id: randomToken(12), events, checkpoint, context } as unknown as Bulk;
            own$.next({ plain: bulk });
            notices?.postMessage({ id: bulk.id, ids: events.map((e) => e.documentId), checkpoint, context } satisfies InsertNotice);
            await firstValueFrom(pendingEventBulks$.pipe(filter((n) => n === 0)));
          }
          return { skipped };
        },
        setBeforeWrite(observer) {
          beforeWrite = observer;
        },
      };
      extrasByInstance.set(wrapped, extras);
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
