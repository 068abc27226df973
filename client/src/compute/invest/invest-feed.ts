import { getChangedDocumentsSince } from 'rxdb';
import type { RxChangeEventBulk, RxCollection } from 'rxdb';
import type { Remote } from 'comlink';
import type { Subscription } from 'rxjs';
import type { InvestHandlers, InvestState } from './invest-handlers.ts';
import { INVEST_COLLECTIONS } from './invest-store.ts';
import type { InvestCollection, StorageCheckpoint } from './invest-store.ts';

/**
 * The UI side of the investment store (issue 21): keeps the compute worker's invest area in step with the
 * replica's `quotes`, `investment_transactions` and `assets`, the way compute-session.ts keeps the snapshot —
 * the worker opens its stored copy, then this reads only what changed since each collection's stored
 * checkpoint (RxDB's `getChangedDocumentsSince`, one page at a time, handed straight to the worker) and then
 * forwards the collections' change events. Nothing here keeps the documents: a page is read, posted and
 * dropped, so the quotes (a few hundred year documents in the demo household, once 116,000 day documents) are
 * read on this thread only when the worker has none stored (the first time, or after its records failed to
 * open) and otherwise only the documents that changed.
 *
 * Every call into the worker goes through one queue, in order; a collection the replica was opened without
 * (tests open subsets) is left out.
 */

export type InvestFeedStatus =
  | { readonly phase: 'starting' }
  | { readonly phase: 'catching-up'; readonly collection: InvestCollection; readonly documents: number }
  | { readonly phase: 'ready'; readonly revision: number; readonly opened: InvestState }
  | { readonly phase: 'error'; readonly message: string }
  | { readonly phase: 'stopped' };

type FeedApi = Pick<Remote<InvestHandlers>, 'investOpen' | 'investSync' | 'investFlush' | 'investDropQuotes' | 'investClose'>;

export interface InvestFeedOptions {
  /** The replica's collections by name (`db.collections`); the three investment ones are read. */
  readonly collections: Readonly<Record<string, RxCollection | undefined>>;
  readonly api: FeedApi;
  readonly key: CryptoKey;
  readonly databaseName: string;
  /** Documents per read from the replica. */
  readonly pageSize?: number;
  /** Open the store only after this settles (the session: once the snapshot is ready); change events wait in the queue. */
  readonly startAfter?: Promise<unknown>;
}

export interface InvestFeed {
  status(): InvestFeedStatus;
  onStatus(listener: (status: InvestFeedStatus) => void): () => void;
  /** Resolves when the first catch-up is done (or failed: see status). */
  readonly caughtUp: Promise<void>;
  /** Resolves once every call queued so far has run. */
  idle(): Promise<void>;
  stop(): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startInvestFeed(options: InvestFeedOptions): InvestFeed {
  const { api, key, databaseName } = options;
  const pageSize = options.pageSize ?? 2000;
  const present = INVEST_COLLECTIONS.filter((c) => options.collections[c] !== undefined);
  let current: InvestFeedStatus = { phase: 'starting' };
  let opened: InvestState = { state: 'closed' };
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();
  const listeners = new Set<(status: InvestFeedStatus) => void>();

  function setStatus(next: InvestFeedStatus) {
    if (stopped && next.phase !== 'stopped') return;
    current = next;
    for (const listener of listeners) listener(next);
  }

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(() => (stopped ? Promise.reject(new Error('investment feed stopped')) : task()));
    queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads and posts one collection's changes since `from`, page by page; returns the worker's revision. The worker
   * stores the result once the collection is read, not per page (a catch-up cut short is read again from the stored
   * checkpoint next time: applying a document twice does no harm).
   */
  async function catchUp(collection: InvestCollection, from: StorageCheckpoint | null): Promise<number> {
    const rx = options.collections[collection]!;
    let since: StorageCheckpoint | undefined = from ?? undefined;
    let documents = 0;
    let revision = 0;
    for (;;) {
      if (stopped) return revision;
      const page = await getChangedDocumentsSince(rx.storageInstance, pageSize, since);
      if (page.documents.length === 0) break;
      const result = await api.investSync(collection, page.documents, page.checkpoint as StorageCheckpoint, false);
      revision = result.revision;
      documents += page.documents.length;
      setStatus({ phase: 'catching-up', collection, documents });
      if (result.quotesRereadNeeded) return rereadQuotes();
      since = page.checkpoint as StorageCheckpoint;
      if (page.documents.length < pageSize) break;
    }
    if (documents > 0) await api.investFlush();
    return revision;
  }

  async function rereadQuotes(): Promise<number> {
    await api.investDropQuotes();
    return catchUp('quotes', null);
  }

  async function applyBulk(collection: InvestCollection, bulk: RxChangeEventBulk<unknown>): Promise<void> {
    const docs = bulk.events.map((event) =>
      event.operation === 'DELETE' ? { ...(event.documentData as object), id: event.documentId, _deleted: true } : event.documentData,
    );
    const result = await api.investSync(collection, docs, (bulk.checkpoint as StorageCheckpoint | undefined) ?? null);
    const revision = result.quotesRereadNeeded ? await rereadQuotes() : result.revision;
    setStatus({ phase: 'ready', revision, opened });
  }

  // Subscribe first: events that arrive while the store loads wait in the queue behind the load.
  const subscriptions: Subscription[] = present.map((collection) =>
    options.collections[collection]!.eventBulks$.subscribe((bulk) => {
      if (bulk.isLocal) return;
      void enqueue(() => applyBulk(collection, bulk)).catch((error: unknown) => setStatus({ phase: 'error', message: describe(error) }));
    }),
  );

  const caughtUp = enqueue(async () => {
    await options.startAfter?.catch(() => undefined);
    if (stopped) return;
    performance.mark('mymidas:invest-open');
    opened = await api.investOpen(databaseName, key);
    performance.mark('mymidas:invest-opened');
    let revision = 0;
    for (const collection of present) {
      const checkpoint = opened.state === 'ready' ? opened.checkpoints[collection] : null;
      revision = Math.max(revision, await catchUp(collection, checkpoint));
    }
    performance.mark('mymidas:invest-caught-up');
    setStatus({ phase: 'ready', revision, opened });
  }).catch((error: unknown) => setStatus({ phase: 'error', message: describe(error) }));

  return {
    status: () => current,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    caughtUp,
    idle: () => queue.then(() => undefined),
    stop() {
      if (stopped) return;
      for (const s of subscriptions) s.unsubscribe();
      setStatus({ phase: 'stopped' });
      stopped = true;
      listeners.clear();
    },
  };
}
