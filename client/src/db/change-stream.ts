import { BehaviorSubject, firstValueFrom, merge, Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import { concatMap, filter, map, share, tap } from 'rxjs/operators';
import type { EventBulk, RxStorageChangeEvent, RxStorageInstance } from 'rxdb';
import { ENVELOPE_FIELD } from './envelope-codec.ts';
import type { Doc, EnvelopeCodec } from './envelope-codec.ts';
import type { InsertNotice } from './insert-notices.ts';

/**
 * The encrypted storage's change stream, in plaintext. Three sources, in one order (concatMap):
 *  - the inner storage's bulks: rows this wrapper is writing get the plaintext it was given (remembered
 *    under their envelope, see `remember`), rows written by another tab are decrypted;
 *  - bulks already in plaintext (insertIfAbsent emits its own);
 *  - other tabs' insert notices (insert-notices.ts): the rows are read from storage and announced as inserts.
 * One decryption pass per bulk however many subscribers RxDB attaches (share).
 */

export type StorageBulk<RxDocType> = EventBulk<RxStorageChangeEvent<RxDocType>, unknown>;

export interface PlaintextChangeStream<RxDocType> {
  readonly stream: Observable<StorageBulk<RxDocType>>;
  /**
   * The plaintext of a row being written, under its sealed envelope, so its own change event needs no
   * decryption. Not by id and revision: two writes racing on one document from the same previous state
   * get the same revision from RxDB (height + database token), and the loser's plaintext would be
   * reported for the winner's event. The envelope is unique per write (random IV).
   */
  remember(envelope: string, document: Doc, previous: Doc | undefined): void;
  forget(envelope: string): void;
  /** Emits a bulk that is in plaintext already. */
  emit(bulk: StorageBulk<RxDocType>): void;
  /** Announces the rows another tab inserted (read from storage first). */
  notice(notice: InsertNotice): void;
  /** Resolves once every bulk received so far has been emitted (a write's events are out before it resolves). */
  settled(): Promise<void>;
}

export interface PlaintextChangeStreamOptions<RxDocType> {
  /** The inner (sealed) storage instance. */
  readonly instance: RxStorageInstance<RxDocType, unknown, unknown>;
  readonly codec: EnvelopeCodec;
  readonly primaryPath: string;
  readonly collection: string;
}

export function plaintextChangeStream<RxDocType>(options: PlaintextChangeStreamOptions<RxDocType>): PlaintextChangeStream<RxDocType> {
  type Bulk = StorageBulk<RxDocType>;
  const { instance, codec, primaryPath, collection } = options;
  const fromStorage = (doc: unknown) => codec.unseal(doc as Doc) as Promise<RxDocType>;
  const inFlight = new Map<string, { document: Doc; previous: Doc | undefined }>();
  const pendingEventBulks$ = new BehaviorSubject(0);
  const own$ = new Subject<{ plain: Bulk } | { notice: InsertNotice }>();

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
        // EnvelopeCodec.withoutSecrets); that is passed on as is — queries never touch encrypted fields,
        // so RxDB's event-reduce reaches the same result with or without them.
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

  /**
   * A bulk that cannot be opened here (a row sealed under another key: a corrupted or foreign write on the
   * same database name) is dropped with a warning, like a notice that cannot be read: an error would end
   * the stream for good, and with it every query of this collection. The rows stay as stored; reading one
   * still fails loudly (DecryptionError).
   */
  async function innerOrDrop(bulk: Bulk): Promise<Bulk | null> {
    try {
      return await innerToBulk(bulk);
    } catch (error) {
      console.warn(`MyMidas replica: a change to ${collection} could not be decrypted here and is not shown until the next reload.`, error);
      return null;
    }
  }

  const stream = merge(instance.changeStream().pipe(map((inner: Bulk) => ({ inner }))), own$).pipe(
    tap(() => pendingEventBulks$.next(pendingEventBulks$.getValue() + 1)),
    // concatMap keeps event order even when a bulk needs an async decryption or read.
    concatMap(async (item): Promise<Bulk | null> => {
      try {
        if ('plain' in item) return item.plain;
        if ('notice' in item) return await noticeToBulk(item.notice);
        return await innerOrDrop(item.inner);
      } finally {
        pendingEventBulks$.next(pendingEventBulks$.getValue() - 1);
      }
    }),
    filter((bulk): bulk is Bulk => bulk !== null),
    share(),
  );

  return {
    stream,
    remember: (envelope, document, previous) => void inFlight.set(envelope, { document, previous }),
    forget: (envelope) => void inFlight.delete(envelope),
    emit: (bulk) => own$.next({ plain: bulk }),
    notice: (notice) => own$.next({ notice }),
    settled: () => firstValueFrom(pendingEventBulks$.pipe(filter((n) => n === 0))).then(() => undefined),
  };
}
