import { getChangedDocumentsSince } from 'rxdb';
import type { RxChangeEventBulk, RxStorageDefaultCheckpoint } from 'rxdb';
import type { Subscription } from 'rxjs';
import type { Checkpoint } from '@mymidas/shared/snapshot/snapshot';
import type { ReplicaDatabase } from '../db/database.ts';
import { startComputeWorker } from './compute-client.ts';
import type { ComputeWorker } from './compute-client.ts';
import { startInvestFeed } from './invest/invest-feed.ts';
import type { InvestFeed } from './invest/invest-feed.ts';
import type { ReplicaTombstone, ReplicaTransaction, SnapshotState } from './snapshot/snapshot-engine.ts';

/**
 * Keeps the compute worker's snapshot in step with the unlocked replica (ARCHITECTURE decision 8):
 *
 * - opens the stored snapshot with the device key; when it is missing, damaged or of another schema
 *   version, rebuilds it from the replica, page by page (the only time every transaction is read);
 * - otherwise reads only what changed since the snapshot's checkpoint — RxDB's storage checkpoint
 *   `{ id, lwt }`, which every write moves, local or pulled by sync — so changes made while the app
 *   was closed or the worker was down are caught up without reading the collection;
 * - then applies the collection's change stream (this tab's writes, other tabs', sync pulls) one
 *   event bulk at a time;
 * - in idle time, compares per-year count, amount sum and row hash with the replica, and rebuilds
 *   when they differ.
 *
 * Every call into the worker that changes the snapshot goes through one queue, in order.
 */

export type ComputeStatus =
  | { readonly phase: 'starting' }
  | { readonly phase: 'rebuilding'; readonly reason: string; readonly done: number; readonly total: number }
  | { readonly phase: 'ready'; readonly transactions: number; readonly revision: number }
  | { readonly phase: 'error'; readonly message: string }
  | { readonly phase: 'stopped' };

export interface ComputeSessionOptions {
  readonly db: ReplicaDatabase;
  /** The device data key (non-extractable AES-GCM): the snapshot records are sealed with it. */
  readonly key: CryptoKey;
  /** IndexedDB name of the snapshot; default `<replica name>-snapshot`. */
  readonly snapshotName?: string;
  readonly startWorker?: () => ComputeWorker;
  /** Documents per read from the replica (rebuild, catch-up, check). */
  readonly pageSize?: number;
  /** Delay before the first idle-time consistency check; null for none (tests call checkConsistency). */
  readonly checkAfterMs?: number | null;
  /** Waits for idle time between pages of a consistency check. */
  readonly idle?: () => Promise<void>;
}

export interface ComputeSession {
  readonly worker: ComputeWorker;
  /**
   * Keeps the worker's investment store (quotes, investment transactions, assets) in step: invest/invest-feed.ts.
   * Started by the first read of this property (test fakes leave it out).
   */
  readonly invest?: InvestFeed;
  status(): ComputeStatus;
  /** Called with every status change; returns an unsubscribe. */
  onStatus(listener: (status: ComputeStatus) => void): () => void;
  /** Runs the consistency check now (rebuilding when it fails); resolves with the outcome. */
  checkConsistency(): Promise<'consistent' | 'rebuilt' | 'skipped'>;
  stop(): Promise<void>;
}

type LocalCheckpoint = RxStorageDefaultCheckpoint;

function isLocalCheckpoint(value: Checkpoint): value is { id: string; lwt: number } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && typeof (value as Record<string, unknown>).id === 'string' && typeof (value as Record<string, unknown>).lwt === 'number';
}

/** The later of two storage checkpoints (by lwt, then id). */
function later(a: LocalCheckpoint | null, b: LocalCheckpoint | null | undefined): LocalCheckpoint | null {
  if (!b) return a;
  if (!a) return b;
  return b.lwt > a.lwt || (b.lwt === a.lwt && b.id > a.id) ? b : a;
}

const defaultIdle = () =>
  new Promise<void>((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 2000 });
    else setTimeout(resolve, 50);
  });

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startComputeSession(options: ComputeSessionOptions): ComputeSession {
  const { db, key } = options;
  const collection = db.transactions;
  const pageSize = options.pageSize ?? 2000;
  const checkPageSize = Math.min(pageSize, 500);
  const idle = options.idle ?? defaultIdle;
  const snapshotName = options.snapshotName ?? `${db.name}-snapshot`;
  const worker = (options.startWorker ?? startComputeWorker)();
  const api = worker.api;

  let current: ComputeStatus = { phase: 'starting' };
  let revision = 0;
  let stopped = false;
  let checkpoint: LocalCheckpoint | null = null;
  /** Bumped by every change event, so a paged check knows whether the replica moved under it. */
  let changeCount = 0;
  const listeners = new Set<(status: ComputeStatus) => void>();
  let queue: Promise<unknown> = Promise.resolve();
  let checkTimer: ReturnType<typeof setTimeout> | undefined;

  function setStatus(next: ComputeStatus) {
    if (stopped && next.phase !== 'stopped') return;
    current = next;
    for (const listener of listeners) listener(next);
  }

  /** Runs `task` after every task queued before it; a failure is reported and does not block the queue. */
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(() => (stopped ? Promise.reject(new Error('compute session stopped')) : task()));
    queue = run.catch(() => undefined);
    return run;
  }

  function ready(transactions: number) {
    revision += 1;
    setStatus({ phase: 'ready', transactions, revision });
  }

  async function rebuild(reason: string): Promise<void> {
    // Marks on the page's timeline (DevTools, tests and the open-app benchmark read them).
    performance.mark('mymidas:snapshot-rebuild', { detail: { reason } });
    const total = await collection.count().exec();
    setStatus({ phase: 'rebuilding', reason, done: 0, total });
    await api.beginSnapshotRebuild();
    let since: LocalCheckpoint | undefined;
    let done = 0;
    for (;;) {
      const page = await getChangedDocumentsSince(collection.storageInstance, pageSize, since);
      if (page.documents.length > 0) done = await api.addSnapshotRebuildDocuments(page.documents as unknown as ReplicaTransaction[]);
      since = page.checkpoint;
      setStatus({ phase: 'rebuilding', reason, done, total: Math.max(total, done) });
      if (page.documents.length < pageSize) break;
    }
    const state = await api.finishSnapshotRebuild(since ?? null);
    checkpoint = since ?? null;
    if (state.state !== 'ready') throw new Error(`the snapshot could not be rebuilt: ${state.detail}`);
    ready(state.transactions);
  }

  /** Applies whatever changed in the replica since the snapshot's checkpoint. */
  async function catchUp(from: LocalCheckpoint): Promise<void> {
    performance.mark('mymidas:snapshot-catch-up');
    let since = from;
    for (;;) {
      const page = await getChangedDocumentsSince(collection.storageInstance, pageSize, since);
      if (page.documents.length === 0) break;
      const result = await api.syncSnapshotDocuments(page.documents as unknown as ReplicaTransaction[], page.checkpoint);
      since = page.checkpoint;
      checkpoint = since;
      if (page.documents.length < pageSize) {
        ready(result.transactions);
        return;
      }
    }
    checkpoint = since;
    const state = await api.snapshotState();
    if (state.state === 'ready') ready(state.transactions);
  }

  async function applyBulk(bulk: RxChangeEventBulk<unknown>): Promise<void> {
    const docs = bulk.events.map((event): ReplicaTransaction | ReplicaTombstone =>
      event.operation === 'DELETE' ? { id: event.documentId, _deleted: true } : (event.documentData as unknown as ReplicaTransaction),
    );
    const next = later(checkpoint, bulk.checkpoint as LocalCheckpoint | undefined);
    try {
      const result = await api.syncSnapshotDocuments(docs, next);
      checkpoint = next;
      ready(result.transactions);
    } catch (error) {
      const state = await api.snapshotState();
      if (state.state === 'rebuild-needed') await rebuild(state.reason);
      else throw error;
    }
  }

  async function runCheck(): Promise<'consistent' | 'rebuilt' | 'skipped'> {
    if (current.phase !== 'ready') return 'skipped';
    const startedAt = changeCount;
    await api.beginSnapshotCheck();
    let since: LocalCheckpoint | undefined;
    for (;;) {
      await idle();
      if (stopped) return 'skipped';
      // Small pages: each is decrypted on this thread, between idle periods.
      const page = await getChangedDocumentsSince(collection.storageInstance, checkPageSize, since);
      if (changeCount !== startedAt) {
        await api.abandonSnapshotPaging();
        return 'skipped';
      }
      if (page.documents.length > 0) await api.addSnapshotCheckDocuments(page.documents as unknown as ReplicaTransaction[]);
      since = page.checkpoint;
      if (page.documents.length < checkPageSize) break;
    }
    const state: SnapshotState = await api.finishSnapshotCheck();
    performance.mark('mymidas:snapshot-check', { detail: { outcome: state.state === 'ready' ? 'consistent' : state.detail } });
    if (state.state === 'ready') return 'consistent';
    await rebuild(`${state.reason}: ${state.detail}`);
    return 'rebuilt';
  }

  // Subscribe first: events that arrive while the snapshot loads wait in the queue behind the load.
  const subscription: Subscription = collection.eventBulks$.subscribe((bulk) => {
    if (bulk.isLocal) return;
    changeCount += 1;
    void enqueue(() => applyBulk(bulk)).catch((error: unknown) => setStatus({ phase: 'error', message: describe(error) }));
  });

  const snapshotOpened = enqueue(async () => {
    performance.mark('mymidas:snapshot-open');
    const state = await api.openSnapshot(snapshotName, key);
    performance.mark('mymidas:snapshot-opened');
    if (state.state !== 'ready' || !isLocalCheckpoint(state.checkpoint)) {
      await rebuild(state.state === 'ready' ? 'unknown checkpoint' : state.reason);
      return;
    }
    try {
      await catchUp(state.checkpoint);
    } catch (error) {
      // Damage found when the first change decodes the stored ids: rebuild; anything else is reported.
      const after = await api.snapshotState();
      if (after.state !== 'rebuild-needed') throw error;
      await rebuild(after.reason);
    }
  });
  void snapshotOpened.then(
    () => {
      if (options.checkAfterMs !== null) scheduleCheck(options.checkAfterMs ?? 20_000);
    },
    (error: unknown) => setStatus({ phase: 'error', message: describe(error) }),
  );

  // The investment store has its own queue and records (in the snapshot's database). It starts on first use — the
  // investment screens — not with every open: a first catch-up pages every quote (116,000 in the demo household)
  // through to the worker, and the store's series cost heap the dashboard does not need. Once started it waits
  // for the snapshot, so even then the dashboard's numbers come first.
  let invest: InvestFeed | null = null;
  const startInvest = () => (invest ??= startInvestFeed({ collections: db.collections, api, key, databaseName: snapshotName, pageSize, startAfter: snapshotOpened }));

  /** The idle-time check, once per session; tried again later when the replica moved under it. */
  function scheduleCheck(delayMs: number) {
    checkTimer = setTimeout(() => {
      void session.checkConsistency().then(
        (outcome) => {
          if (outcome === 'skipped' && !stopped) scheduleCheck(delayMs);
        },
        () => undefined,
      );
    }, delayMs);
  }

  const session: ComputeSession = {
    worker,
    get invest() {
      return stopped ? (invest ?? undefined) : startInvest();
    },
    status: () => current,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    checkConsistency: () => enqueue(runCheck),
    async stop() {
      if (stopped) return;
      clearTimeout(checkTimer);
      subscription.unsubscribe();
      invest?.stop();
      setStatus({ phase: 'stopped' });
      stopped = true;
      try {
        await Promise.race([Promise.all([api.closeSnapshot(), ...(invest ? [api.investClose()] : [])]), new Promise((resolve) => setTimeout(resolve, 500))]);
      } catch {
        // The worker is going anyway.
      }
      worker.terminate();
      listeners.clear();
    },
  };
  return session;
}
