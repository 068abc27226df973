import { getChangedDocumentsSince, getHeightOfRevision, getMetaWriteRow, now, writeDocToDocState, type BulkWriteRow, type RxDocumentData, type RxStorageInstance, type RxStorageInstanceReplicationState } from 'rxdb';
import type { ReplicaDatabase } from '../db/database.ts';
import type { ReplicaStorageExtras } from '../db/encrypted-storage.ts';
import type { PullCheckpoint, WireDoc } from './transport.ts';

/**
 * A new device's first pull (docs/sync-protocol.md, "First sync"). RxDB's replication stores every pulled
 * document twice — the document, and a meta row holding the server state it assumes, both encrypted — and
 * reads both stores before each write. For the first pull of a collection (RxDB has no checkpoint yet) the
 * engine's pull handler hands over to `runBootstrap`, which fetches full pages itself and inserts their
 * documents straight into the encrypted replica (ReplicaStorageExtras.insertIfAbsent): one write per
 * document, two pages in flight so sealing the next page overlaps the current IndexedDB commit. The last,
 * partial page goes back to RxDB's own path, which stores the checkpoint from then on.
 *
 * The inserted documents are marked as RxDB's downstream marks what it pulled (`_meta.o`: this
 * replication, revision 1), so a later server change to one of them is applied by RxDB as usual, and
 * their change events carry the downstream context, so RxDB's upstream does not push them back. They
 * have no meta row; the one thing that needs it — the base of the first local edit — is written just
 * before that edit (`writeBaseBeforeFirstEdit`), so the push carries the right assumed master state.
 *
 * Left to RxDB's path, never inserted here: a document whose id is already stored (a local edit, or a
 * later server version — or the deletion — of a document inserted earlier in this bootstrap). When a
 * page has any, the bootstrap stops at that page and returns them with its checkpoint;
 * RxDB continues from there. Progress is saved per page in a local document, so a reload resumes after
 * the last page that was fully written.
 */

const PROGRESS_DOC = 'sync-bootstrap';

/** Marks a document inserted by the bootstrap (no meta row yet) in `_meta`. */
const BOOTSTRAP_MARK = 'bs';

type Doc = Record<string, unknown>;
type Page = { documents: WireDoc[]; checkpoint: PullCheckpoint | null };

export interface BootstrapOptions {
  readonly db: ReplicaDatabase;
  readonly key: string;
  readonly extras: ReplicaStorageExtras;
  /** The running replication's internal state (context of downstream writes, identifier hash). */
  readonly state: RxStorageInstanceReplicationState<unknown>;
  readonly batchSize: number;
  /** Fetches the page after `checkpoint` (the engine's read-ahead and transport). */
  readonly fetchPage: (checkpoint: PullCheckpoint | null) => Promise<Page>;
}

interface Progress {
  readonly [key: string]: PullCheckpoint;
}

async function loadProgress(db: ReplicaDatabase, key: string): Promise<PullCheckpoint | null> {
  const doc = await db.getLocal<{ progress: Progress }>(PROGRESS_DOC);
  return (doc?.toJSON().data.progress ?? {})[key] ?? null;
}

async function saveProgress(db: ReplicaDatabase, key: string, checkpoint: PullCheckpoint): Promise<void> {
  const doc = await db.getLocal<{ progress: Progress }>(PROGRESS_DOC);
  const progress = { ...(doc?.toJSON().data.progress ?? {}), [key]: checkpoint };
  await db.upsertLocal(PROGRESS_DOC, { progress });
}

/**
 * Forgets the bootstrap's saved progress of one collection (every replication of it), so its next first pull
 * starts from the beginning: the replica calls it when it dropped the collection's documents to pull them
 * again (REPULLED_WHEN_OUTDATED, db/database.ts).
 */
export async function forgetBootstrapProgress(db: Pick<ReplicaDatabase, 'getLocal' | 'upsertLocal'>, collection: string): Promise<void> {
  const doc = await db.getLocal<{ progress: Progress }>(PROGRESS_DOC);
  if (!doc) return;
  const progress = doc.toJSON().data.progress;
  const kept = Object.fromEntries(Object.entries(progress).filter(([key]) => !key.endsWith(`:${collection}`)));
  if (Object.keys(kept).length !== Object.keys(progress).length) await db.upsertLocal(PROGRESS_DOC, { progress: kept });
}

async function identifierHashOf(state: RxStorageInstanceReplicationState<unknown>): Promise<string> {
  return state.input.hashFunction(state.input.identifier);
}

/** True when this stored document is exactly what the bootstrap inserted: untouched since, no meta row. */
function isUntouchedBootstrapDoc(doc: Doc, identifierHash: string): boolean {
  const meta = doc._meta as { o?: { _rev?: number; hash?: string }; [BOOTSTRAP_MARK]?: number } | undefined;
  return !!meta && meta[BOOTSTRAP_MARK] === 1 && meta.o?.hash === identifierHash && typeof doc._rev === 'string' && meta.o._rev === getHeightOfRevision(doc._rev);
}

/**
 * Pulls full pages into the replica until the server has no full page left, then returns what RxDB must
 * store through its own path (the last page, or the documents of the page where the bootstrap stopped).
 */
export async function runBootstrap(o: BootstrapOptions): Promise<Page> {
  const [hash, context] = await Promise.all([identifierHashOf(o.state), o.state.downstreamBulkWriteFlag]);
  const revision = `1-${hash}`;
  let checkpoint = await loadProgress(o.db, o.key);

  /** Inserts a full page; resolves with the documents RxDB must handle itself. */
  async function write(page: Page): Promise<WireDoc[]> {
    const lwt = now();
    // Deletions are stored too (as RxDB's path would), so the replica holds what the server holds.
    const docs = page.documents.map((doc) => ({ ...doc, _deleted: doc._deleted === true, _meta: { lwt, o: { _rev: 1, hash }, [BOOTSTRAP_MARK]: 1 }, _rev: revision, _attachments: {} }) as unknown as RxDocumentData<unknown>);
    const { skipped } = await o.extras.insertIfAbsent(docs, context);
    if (skipped.length === 0) return [];
    const rest = new Set(skipped);
    return page.documents.filter((d) => rest.has(d.id));
  }

  let pending: { page: Page; written: Promise<WireDoc[]> } | null = null;
  /**
   * Progress saves, one after the other in page order, each once its page is written. Not awaited page by
   * page (a local-document read and write would hold up the next page's store); awaited before returning.
   */
  let saved: Promise<void> = Promise.resolve();
  /** Waits for the earlier page; returns what RxDB must take over when it left anything. */
  async function settle(): Promise<Page | null> {
    if (!pending) return null;
    const { page, written } = pending;
    pending = null;
    const rest = await written;
    if (rest.length > 0) return { documents: rest, checkpoint: page.checkpoint };
    const reached = page.checkpoint;
    if (reached) {
      saved = saved.then(() => saveProgress(o.db, o.key, reached));
      // A failed save is reported where `saved` is awaited, not as an unhandled rejection meanwhile.
      saved.catch(() => undefined);
    }
    return null;
  }

  /**
   * The page after `from`, asked for as soon as the page before it is here (not once the bootstrap gets round
   * to it): the engine's fetchPage sends the request for the page after that one when this one arrives, so the
   * server always has the next request while pages are stored, and at most one request is out at a time.
   */
  const ask = (from: PullCheckpoint | null): Promise<Page> => {
    const next = o.fetchPage(from);
    next.catch(() => undefined);
    return next;
  };

  let next: Promise<Page> | null = ask(checkpoint);
  try {
    for (;;) {
      const page: Page = await next;
      next = null;
      if (page.documents.length < o.batchSize || !page.checkpoint) {
        const stop = await settle();
        await saved;
        return stop ?? page;
      }
      next = ask(page.checkpoint);
      const written = write(page);
      // The previous page's commit overlapped this page's sealing; wait for it before going on.
      const stop = await settle();
      if (stop) {
        await written.catch(() => undefined);
        await saved;
        return stop;
      }
      pending = { page, written };
      checkpoint = page.checkpoint;
    }
  } finally {
    // A failure (network, locked replica) leaves no write running; progress covers finished pages only.
    if (pending) await (pending as { written: Promise<unknown> }).written.catch(() => undefined);
    await saved.catch(() => undefined);
  }
}

/**
 * The rows of a push that are documents the bootstrap inserted and nothing has changed since: the server holds
 * exactly them, so they must not be sent back. RxDB's upstream pushes them when it rescans the replica from its
 * stored checkpoint (on every RESYNC: the hint stream says RESYNC when it connects, usually while the bootstrap
 * is still writing, and RxDB does not store the checkpoint of the downstream writes it skipped before
 * rescanning) — having no meta row, they look like new local documents. Without this filter a new device sent
 * its whole first sync back to the server, which stored it again and told every device to pull it again.
 * Only rows without an assumed master state can be such documents; those are looked up in the replica.
 */
export function untouchedBootstrapFilter(state: RxStorageInstanceReplicationState<unknown>): (rows: readonly { readonly assumedMasterState?: unknown; readonly newDocumentState: { readonly id?: unknown } }[]) => Promise<Set<string>> {
  const hash = identifierHashOf(state);
  return async (rows) => {
    const ids = rows.filter((r) => !r.assumedMasterState && typeof r.newDocumentState.id === 'string').map((r) => r.newDocumentState.id as string);
    if (ids.length === 0) return new Set();
    const identifierHash = await hash;
    const stored = await state.input.forkInstance.findDocumentsById(ids, false);
    return new Set(stored.filter((d) => isUntouchedBootstrapDoc(d as unknown as Doc, identifierHash)).map((d) => String((d as unknown as Doc).id)));
  };
}

type ChangedSince = (limit: number, checkpoint?: unknown) => ReturnType<typeof getChangedDocumentsSince<unknown, unknown>>;

/**
 * Narrows what RxDB's upstream reads when it rescans the replica for documents to push (its "initial sync",
 * which it runs again on every RESYNC — and the hint stream says RESYNC each time it connects or reconnects):
 * - a pull-only collection (quotes, net-worth snapshots) has nothing to push, so the rescan reads nothing
 *   (it read every stored quote since its checkpoint, over 100,000 in the demo household, on every reconnect);
 * - elsewhere, documents the bootstrap stored and nothing changed since are passed over (the server holds them).
 * Installed on the running replication's input, so the engine's own reads and RxDB's writes are untouched. When
 * a rescan passed over documents, it returns the last of them alone, so RxDB stores the checkpoint past them
 * (the push filter above keeps that one from being sent).
 */
export function narrowUpstreamScan(state: RxStorageInstanceReplicationState<unknown>, pullOnly: boolean): void {
  const input = state.input as { forkInstance: RxStorageInstance<unknown, unknown, unknown> };
  const fork = input.forkInstance;
  // RxDB's helper: the storage's own change feed where it has one, else a query by [_meta.lwt, id].
  const since: ChangedSince = (limit, checkpoint) => getChangedDocumentsSince(fork, limit, checkpoint);
  const hash = identifierHashOf(state);
  const scan: ChangedSince = async (limit, checkpoint) => {
    if (pullOnly) return { documents: [], checkpoint: checkpoint as never };
    const identifierHash = await hash;
    let from = checkpoint;
    let passed: { doc: RxDocumentData<unknown>; checkpoint: unknown } | null = null;
    for (;;) {
      const page = await since(limit, from);
      const keep = page.documents.filter((d) => !isUntouchedBootstrapDoc(d as unknown as Doc, identifierHash));
      if (keep.length > 0) return { documents: keep, checkpoint: page.checkpoint };
      if (page.documents.length === 0) return passed ? { documents: [passed.doc], checkpoint: passed.checkpoint as never } : page;
      passed = { doc: page.documents.at(-1)!, checkpoint: page.checkpoint };
      from = page.checkpoint;
    }
  };
  input.forkInstance = new Proxy(fork, {
    get(target, property) {
      if (property === 'getChangedDocumentsSince') return scan;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Before a local edit of a document the bootstrap inserted (and nothing has touched since), stores the
 * meta row RxDB would have stored when pulling it, so the push names the right assumed master state.
 * Writes by the replication itself (contexts `replication-…`) are left alone.
 */
export function writeBaseBeforeFirstEdit(state: RxStorageInstanceReplicationState<unknown>): (rows: readonly BulkWriteRow<unknown>[], context: string) => Promise<void> {
  const hash = identifierHashOf(state);
  return async (rows, context) => {
    if (context.startsWith('replication-') || state.events.canceled.getValue()) return;
    const identifierHash = await hash;
    const bases = rows.map((r) => r.previous as Doc | undefined).filter((p): p is Doc => !!p && isUntouchedBootstrapDoc(p, identifierHash));
    if (bases.length === 0) return;
    const metaRows = await Promise.all(bases.map((p) => getMetaWriteRow(state, writeDocToDocState(p as RxDocumentData<unknown>, false, false), undefined)));
    // Insert-if-absent: a row RxDB wrote meanwhile (409) already holds a state it pulled. Should the write
    // fail otherwise, the edit still goes ahead: its push then has no base and the merge keeps the later
    // stamp field by field, with the other values in the conflict log (nothing is lost, only less precise).
    try {
      const result = await state.input.metaInstance.bulkWrite(metaRows, 'mymidas-bootstrap-base');
      const failed = result.error.find((e) => e.status !== 409);
      if (failed) console.warn(`MyMidas sync: the base of ${failed.documentId} was not stored before an edit (${failed.status}).`);
    } catch (error) {
      console.warn('MyMidas sync: the base of an edited document was not stored.', error);
    }
  };
}
