import { addRxPlugin, type RxCollection, type RxReplicationPullStreamItem } from 'rxdb';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { combineLatest, Subject, type Observable, type Subscription } from 'rxjs';
import { distinctUntilChanged, map } from 'rxjs/operators';
import { sameCheckpoint } from '@mymidas/shared/protocol';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../db/database.ts';
import { replicaStorageExtras } from '../db/encrypted-storage.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { narrowUpstreamScan, runBootstrap, untouchedBootstrapFilter, writeBaseBeforeFirstEdit } from './bootstrap.ts';
import type { DeviceClock } from './clock.ts';
import { conflictCount$, recordConflicts } from './conflict-log.ts';
import { openEventStream, type EventStream, type StreamHint } from './event-stream.ts';
import { createMergeConflictHandler } from './merge-handler.ts';
import { createPendingQueue } from './pending-queue.ts';
import { ReadAhead } from './read-ahead.ts';
import {
  createTransport, SyncAuthError, SyncHttpError, SyncNetworkError,
  type PullCheckpoint, type Refusal, type TokenSource, type Transport,
} from './transport.ts';

/**
 * Client replication (docs/sync-protocol.md, "Client"): one `replicateRxCollection` per replicated
 * collection against the server's pull/push endpoints, live through the server's event stream.
 * Server-owned collections pull only. Failed requests are retried with exponential backoff; the
 * replication resumes from its stored checkpoints; it pauses while offline or while no access token can
 * be had (local edits keep queueing and are sent on resume); push conflicts are merged field by field
 * (merge-handler.ts) with the losing values in the conflict log; progress goes to a SyncStatusSink (the
 * Pinia sync-status store in the app).
 */

addRxPlugin(RxDBLeaderElectionPlugin);

/** What the engine reports; the Pinia sync-status store has exactly these actions. */
export interface SyncStatusSink {
  setQueued(n: number): void;
  syncStarted(n: number): void;
  syncFinished(at: string, stillQueued?: number): void;
  /**
   * Something went wrong. `kind` says what the indicator shows: 'rate-limited' (the server asked this
   * device to wait; `retryAt` is when it tries again, ISO 8601 UTC), 'stalled' (a collection's pulls stopped
   * advancing, so sync of it has stopped), or 'error' (anything else; retried with backoff).
   */
  syncFailed(message: string, kind?: SyncProblemKind, retryAt?: string | null): void;
  setConflicts(n: number): void;
  setServerReachable?(value: boolean): void;
  /** Documents received from the server since the current sync began. */
  setReceived?(n: number): void;
}

/** Online/offline signal; the browser's navigator.onLine and online/offline events by default. */
export interface OnlineSource {
  isOnline(): boolean;
  subscribe(listener: (online: boolean) => void): () => void;
}

export type SyncProblemKind = 'rate-limited' | 'stalled' | 'error';

/**
 * A pull answered with documents but a checkpoint that did not move past the one asked for: asking again
 * would get the same page for ever, so the engine stops pulling that collection and says so.
 */
export class SyncStalledError extends Error {
  override readonly name = 'SyncStalledError';
  constructor(readonly collection: CollectionName, checkpoint: PullCheckpoint) {
    super(`Sync of ${collection} stopped: the server sent the page after ${checkpoint.seq}:${checkpoint.id} again without moving on. Nothing was lost; reload the app to try again, and report it if it persists.`);
  }
}

export type PauseReason = 'offline' | 'signed-out' | 'manual';
export type SyncEngineState = 'stopped' | 'running' | 'paused';

export interface SyncEngineOptions extends TokenSource {
  readonly db: ReplicaDatabase;
  /** This device's clock: stamps merges, and moves past stamps pulled from the server. */
  readonly clock: DeviceClock;
  /** API root, default `/api/v1`. */
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly status?: SyncStatusSink;
  readonly online?: OnlineSource;
  /** Default: every replicated collection the database has. */
  readonly collections?: readonly CollectionName[];
  readonly backoff?: BackoffOptions;
  readonly pullBatchSize?: number;
  readonly pushBatchSize?: number;
  /** Replicate only in the leading tab (default true). */
  readonly waitForLeadership?: boolean;
  /** Keep the event stream open for live updates (default true). */
  readonly live?: boolean;
  /**
   * A collection's first pull inserts full pages straight into the replica (bootstrap.ts). Default true;
   * false keeps every page on RxDB's own path (for tests that compare the two).
   */
  readonly bootstrap?: boolean;
  /** Distinguishes checkpoints of different servers on one device. Default: the API root. */
  readonly replicationId?: string;
  readonly now?: () => Date;
}

export interface SyncEngine {
  readonly state: SyncEngineState;
  readonly state$: Observable<SyncEngineState>;
  /** Why sync is paused (empty when running or stopped). */
  readonly pauseReasons: ReadonlySet<PauseReason>;
  /** Pushed documents the server refused (not retried): shown to the user until acknowledged. */
  readonly refusals: readonly (Refusal & { collection: CollectionName })[];
  readonly refused$: Observable<Refusal & { collection: CollectionName }>;
  /** Local writes not yet acknowledged by the server. */
  readonly queued: number;
  /** Starts (or, after stop, restarts from the stored checkpoints) every replication and the stream. */
  start(): Promise<void>;
  /** Cancels replication; the checkpoints stay, so start() resumes where it stopped. */
  stop(): Promise<void>;
  pause(reason?: PauseReason): Promise<void>;
  resume(reason?: PauseReason): Promise<void>;
  /** The session has a token again (after sign-in): resumes a sync paused for sign-in. */
  signedIn(): Promise<void>;
  /** Pulls every collection once now (e.g. "sync now"). */
  resync(collections?: readonly CollectionName[]): void;
  /** Resolves when every collection has pushed and pulled everything (see RxDB awaitInSync). */
  awaitInSync(): Promise<void>;
  acknowledgeRefusals(): void;
  /** The RxDB replication state of each collection (for tests and diagnostics). */
  readonly replications: ReadonlyMap<CollectionName, RxReplicationState<unknown, PullCheckpoint>>;
}

/** Open or closed; waiters are released when it opens. */
class Gate {
  #open = true;
  #waiters: (() => void)[] = [];
  close(): void {
    this.#open = false;
  }
  open(): void {
    this.#open = true;
    for (const release of this.#waiters.splice(0)) release();
  }
  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/**
 * Documents per pull request: the server's maximum, so a new device's first sync makes as few round trips
 * and RxDB write batches as it can (a page of transactions is about 0.5 MB of JSON).
 */
export const PULL_BATCH_SIZE = 1000;

export function browserOnlineSource(): OnlineSource {
  return {
    isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    subscribe(listener) {
      if (typeof globalThis.addEventListener !== 'function') return () => undefined;
      const on = () => listener(true);
      const off = () => listener(false);
      globalThis.addEventListener('online', on);
      globalThis.addEventListener('offline', off);
      return () => {
        globalThis.removeEventListener('online', on);
        globalThis.removeEventListener('offline', off);
      };
    },
  };
}

/** One sentence for the indicator. */
export function describeSyncError(error: unknown, waitMs?: number): string {
  if (error instanceof SyncNetworkError) return 'The MyMidas server cannot be reached; changes are kept on this device and sent when it can be.';
  if (error instanceof SyncAuthError) return error.message;
  if (error instanceof SyncStalledError) return error.message;
  if (error instanceof SyncHttpError) {
    if (error.status === 429) {
      const when = waitMs === undefined ? 'shortly' : `in ${Math.max(1, Math.ceil(waitMs / 1000))} s`;
      return `The server asked this device to slow down; sync resumes ${when}.`;
    }
    return `Sync failed: ${error.message}`;
  }
  if (error instanceof Error) return `Sync failed: ${error.message}`;
  return 'Sync failed.';
}

export function describeRefusals(refusals: readonly (Refusal & { collection: string })[]): string {
  const first = refusals[0];
  if (!first) return '';
  const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more)` : '';
  return `The server refused ${refusals.length === 1 ? 'a change' : `${refusals.length} changes`} to ${first.collection}: ${first.detail}${more}. The rest was synced.`;
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { db, clock, status } = options;
  const names = options.collections ?? COLLECTION_NAMES.filter((n) => n in db.collections);
  const online = options.online ?? browserOnlineSource();
  const now = options.now ?? (() => new Date());
  const baseUrl = options.baseUrl ?? '/api/v1';
  const replicationId = options.replicationId ?? `mymidas-sync:${baseUrl}`;
  const transport: Transport = createTransport({
    baseUrl,
    getAccessToken: () => options.getAccessToken(),
    ...(options.refreshAccessToken ? { refreshAccessToken: () => options.refreshAccessToken!() } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const replications = new Map<CollectionName, RxReplicationState<unknown, PullCheckpoint>>();
  const hints = new Map<CollectionName, Subject<RxReplicationPullStreamItem<unknown, PullCheckpoint>>>();
  // Created with the engine, not on start(): edits made while stopped or signed out are queued too.
  const pending = createPendingQueue(db, names.filter((n) => !COLLECTIONS[n].serverOwned), (n) => status?.setQueued(n));
  const refusals: (Refusal & { collection: CollectionName })[] = [];
  const readAheads: ReadAhead<unknown>[] = [];
  /** Documents pulled since the replications last became active (progress of a long first sync). */
  let received = 0;
  /** Collections whose pulls stopped advancing (SyncStalledError), with the message shown for them. */
  const stalled = new Map<CollectionName, string>();
  const refused$ = new Subject<Refusal & { collection: CollectionName }>();
  const state$ = new Subject<SyncEngineState>();
  const pauseReasons = new Set<PauseReason>();
  let subs: Subscription[] = [];
  let stopOnline: (() => void) | null = null;
  let stream: EventStream | null = null;
  let state: SyncEngineState = 'stopped';
  let lastOutcomeOk = true;
  /** Set once this tab may replicate (it leads, or leadership is not needed). */
  let leading = false;
  let transition: Promise<void> = Promise.resolve();
  /**
   * Closed while paused: every request waits here, so RxDB sees a slow request rather than an error and
   * keeps its queues (RxDB's own pause() drops the fork events that arrive meanwhile and relies on a
   * later re-sync from the stored checkpoint, which a write racing the resume can move past them).
   */
  const gate = new Gate();

  const setState = (next: SyncEngineState) => {
    if (state === next) return;
    state = next;
    state$.next(next);
  };
  const serialise = (fn: () => Promise<void>) => (transition = transition.then(fn, fn));

  function succeeded() {
    lastOutcomeOk = true;
  }

  /** Waits while paused; throws once stopped (RxDB then ends its retry loop). */
  async function passGate(): Promise<void> {
    await gate.wait();
    if (state === 'stopped') throw new Error('Sync was stopped.');
  }

  /** Turns a handler failure into backoff, a pause for sign-in, or a message; always rethrows for RxDB. */
  function failed(replication: RxReplicationState<unknown, PullCheckpoint>, backoff: Backoff, error: unknown): never {
    lastOutcomeOk = false;
    if (error instanceof SyncAuthError) {
      void engine.pause('signed-out');
    } else if (error instanceof SyncNetworkError) {
      status?.setServerReachable?.(false);
    }
    const retryAfter = error instanceof SyncHttpError ? (error.retryAfterMs ?? 0) : 0;
    const wait = backoff.next(retryAfter);
    replication.retryTime = wait;
    if (error instanceof SyncHttpError && error.status === 429) {
      status?.syncFailed(describeSyncError(error, wait), 'rate-limited', new Date(now().getTime() + wait).toISOString());
    } else {
      status?.syncFailed(describeSyncError(error), 'error');
    }
    throw error;
  }

  function onHint(hint: StreamHint) {
    if (hint.type === 'resync') {
      for (const subject of hints.values()) subject.next('RESYNC');
      return;
    }
    for (const name of hint.collections) hints.get(name as CollectionName)?.next('RESYNC');
  }

  function openStream() {
    if (options.live === false || stream) return;
    stream = openEventStream({
      transport,
      onHint,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onError(error) {
        if (error instanceof SyncAuthError) void engine.pause('signed-out');
      },
    });
  }

  function closeStream() {
    stream?.close();
    stream = null;
  }

  function replicate(name: CollectionName): RxReplicationState<unknown, PullCheckpoint> {
    const collection = db.collections[name] as unknown as RxCollection<unknown>;
    collection.conflictHandler = createMergeConflictHandler<unknown>({ collection: name, clock, record: (records) => recordConflicts(db, records) });
    const backoff = new Backoff({ initialMs: 1_000, maxMs: 60_000, ...options.backoff });
    const subject = new Subject<RxReplicationPullStreamItem<unknown, PullCheckpoint>>();
    hints.set(name, subject);
    const pullOnly = COLLECTIONS[name].serverOwned;
    const extras = replicaStorageExtras(collection.storageInstance);
    const readAhead = new ReadAhead<Awaited<ReturnType<Transport['pull']>>>();
    readAheads.push(readAhead);
    let untouchedOf: ReturnType<typeof untouchedBootstrapFilter> | null = null;
    // Handlers run only after the replication below exists (it is created with autoStart: false).
    const done = <T>(value: T): T => {
      backoff.reset();
      replication.retryTime = backoff.initialMs;
      succeeded();
      return value;
    };
    const replication: RxReplicationState<unknown, PullCheckpoint> = replicateRxCollection<unknown, PullCheckpoint>({
      replicationIdentifier: `${replicationId}:${name}`,
      collection,
      live: true,
      autoStart: false,
      retryTime: backoff.initialMs,
      // Leadership and pausing are handled by the engine (start/pause/resume and the gate), not by RxDB.
      waitForLeadership: false,
      toggleOnDocumentVisible: false,
      pull: {
        batchSize: options.pullBatchSize ?? PULL_BATCH_SIZE,
        stream$: subject.asObservable(),
        async handler(checkpoint, batchSize) {
          try {
            await passGate();
            const fetchPage = async (from: PullCheckpoint | null | undefined) => {
              const out = await readAhead.take(from, batchSize, () => transport.pull(name, from, batchSize));
              // Documents with a checkpoint that did not move on: the next pull would fetch this page again.
              if (from && out.documents.length > 0 && (!out.checkpoint || out.checkpoint.seq < from.seq || sameCheckpoint(out.checkpoint, from))) {
                readAhead.clear();
                throw new SyncStalledError(name, from);
              }
              // A full page means more is waiting: ask for it now, so the server works while this page is stored.
              if (out.documents.length >= batchSize && out.checkpoint) {
                const next = out.checkpoint;
                readAhead.offer(next, batchSize, transport.pull(name, next, batchSize));
              }
              for (const doc of out.documents) clock.observe(doc.hlc);
              if (out.documents.length > 0) {
                received += out.documents.length;
                status?.setReceived?.(received);
              }
              status?.setServerReachable?.(true);
              return out;
            };
            const state = replication.internalReplicationState;
            const out = !checkpoint && extras && state && options.bootstrap !== false
              ? await runBootstrap({
                  db,
                  key: `${replicationId}:${name}`,
                  extras,
                  state: state as never,
                  batchSize,
                  fetchPage: async (from) => {
                    await passGate();
                    return fetchPage(from);
                  },
                })
              : await fetchPage(checkpoint);
            stalled.delete(name);
            return done({ documents: out.documents as never[], checkpoint: out.checkpoint ?? undefined });
          } catch (error) {
            if (error instanceof SyncStalledError) {
              // Stop, do not spin: an empty answer ends this pull; the next hint or restart tries once more.
              stalled.set(name, error.message);
              status?.syncFailed(error.message, 'stalled');
              return { documents: [], checkpoint: checkpoint ?? undefined };
            }
            return failed(replication, backoff, error);
          }
        },
      },
      ...(pullOnly
        ? {}
        : {
            push: {
              batchSize: options.pushBatchSize ?? 100,
              async handler(rows) {
                try {
                  await passGate();
                  // Documents the bootstrap stored and nothing changed since are the server's own: not sent back.
                  const state = replication.internalReplicationState;
                  if (extras && state && !untouchedOf) untouchedOf = untouchedBootstrapFilter(state as never);
                  const untouched = untouchedOf ? await untouchedOf(rows as never) : new Set<string>();
                  const send = untouched.size === 0 ? rows : rows.filter((r) => !untouched.has((r.newDocumentState as unknown as { id: string }).id));
                  if (send.length === 0) return done([] as never[]);
                  const answer = await transport.push(name, send as never);
                  for (const refusal of answer.refused) {
                    const entry = { ...refusal, collection: name };
                    refusals.push(entry);
                    refused$.next(entry);
                  }
                  if (refusals.length > 100) refusals.splice(0, refusals.length - 100);
                  if (answer.refused.length > 0) status?.syncFailed(describeRefusals(refusals), 'error');
                  status?.setServerReachable?.(true);
                  return done(answer.conflicts as never[]);
                } catch (error) {
                  return failed(replication, backoff, error);
                }
              },
            },
          }),
    });
    const r = replication;
    // Once started: the upstream's rescans skip what can never need a push, and the first local edit of a
    // bootstrapped document stores its base first (bootstrap.ts).
    void r.startPromise.then(() => {
      const state = r.internalReplicationState;
      if (!state || r.isStopped()) return;
      narrowUpstreamScan(state as never, pullOnly);
      if (extras && !pullOnly) extras.setBeforeWrite(writeBaseBeforeFirstEdit(state as never));
    });
    subs.push(
      r.sent$.subscribe((doc) => pending.sent(name, doc as Record<string, unknown>)),
    );
    return r;
  }

  async function activate() {
    for (const r of replications.values()) await r.start();
    if (state === 'running') openStream();
  }
  let leadership: Promise<void> = Promise.resolve();

  const engine: SyncEngine = {
    get state() {
      return state;
    },
    state$: state$.asObservable(),
    get pauseReasons() {
      return pauseReasons;
    },
    get refusals() {
      return refusals;
    },
    refused$: refused$.asObservable(),
    get queued() {
      return pending.size;
    },
    replications,

    start() {
      return serialise(async () => {
        if (state !== 'stopped') return;
        if (db.closed) throw new Error('The replica is locked; unlock it before starting sync.');
        subs = [];
        for (const name of names) replications.set(name, replicate(name));
        subs.push(conflictCount$(db).subscribe((n) => status?.setConflicts(n)));
        let wasActive = false;
        subs.push(
          combineLatest([...replications.values()].map((r) => r.active$))
            .pipe(map((all) => all.some(Boolean)), distinctUntilChanged())
            .subscribe((active) => {
              if (active && !wasActive) {
                received = 0;
                status?.syncStarted(pending.size);
              }
              if (!active && wasActive && lastOutcomeOk && pauseReasons.size === 0) {
                // Idle without an error: RxDB has pushed every write it knows of, so a listed one that
                // was never matched (e.g. replaced by a merge) is not waiting any more.
                pending.clear();
                status?.syncFinished(now().toISOString(), pending.size);
                if (refusals.length > 0) status?.syncFailed(describeRefusals(refusals), 'error');
                const stop = stalled.values().next();
                if (!stop.done) status?.syncFailed(stop.value, 'stalled');
              }
              wasActive = active;
            }),
        );
        stopOnline = online.subscribe((isOnline) => void (isOnline ? engine.resume('offline') : engine.pause('offline')));
        if (!online.isOnline()) pauseReasons.add('offline');
        if (pauseReasons.size > 0) gate.close();
        else gate.open();
        setState(pauseReasons.size > 0 ? 'paused' : 'running');
        leading = false;
        const mustLead = (options.waitForLeadership ?? true) && db.multiInstance;
        // Only the leading tab replicates; waiting for leadership must not hold up stop() or pause().
        leadership = (mustLead ? db.waitForLeadership().then(() => undefined) : Promise.resolve()).then(() =>
          serialise(async () => {
            if (state === 'stopped') return;
            leading = true;
            await activate();
          }),
        );
      });
    },

    stop() {
      return serialise(async () => {
        if (state === 'stopped') return;
        setState('stopped');
        // Requests waiting at the gate now fail and RxDB's loops end.
        gate.open();
        closeStream();
        stopOnline?.();
        stopOnline = null;
        for (const sub of subs) sub.unsubscribe();
        subs = [];
        for (const name of replications.keys()) replicaStorageExtras(db.collections[name].storageInstance)?.setBeforeWrite(null);
        await Promise.all([...replications.values()].map((r) => r.cancel()));
        for (const r of readAheads.splice(0)) r.clear();
        for (const subject of hints.values()) subject.complete();
        replications.clear();
        stalled.clear();
        hints.clear();
        pauseReasons.clear();
        leading = false;
      });
    },

    pause(reason = 'manual') {
      return serialise(async () => {
        const first = pauseReasons.size === 0;
        pauseReasons.add(reason);
        if (state !== 'running' || !first) return;
        gate.close();
        closeStream();
        setState('paused');
        if (reason === 'signed-out') status?.syncFailed(new SyncAuthError().message, 'error');
      });
    },

    resume(reason = 'manual') {
      return serialise(async () => {
        if (!pauseReasons.delete(reason) || pauseReasons.size > 0 || state !== 'paused') return;
        setState('running');
        for (const r of replications.values()) r.retryTime = options.backoff?.initialMs ?? 1_000;
        gate.open();
        if (leading) openStream();
      });
    },

    signedIn() {
      return engine.resume('signed-out');
    },

    resync(collections = names) {
      for (const name of collections) hints.get(name)?.next('RESYNC');
    },

    async awaitInSync() {
      await leadership;
      await transition;
      if (state !== 'running') throw new Error(`sync is ${state}${pauseReasons.size ? ` (${[...pauseReasons].join(', ')})` : ''}`);
      await Promise.all([...replications.values()].map((r) => r.awaitInSync()));
    },

    acknowledgeRefusals() {
      refusals.length = 0;
    },
  };
  return engine;
}
