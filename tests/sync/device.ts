import { Subject } from 'rxjs';
import type { CollectionName } from '@mymidas/shared/schema';
import type { Replica } from '../../client/src/db/database.ts';
import { DeviceClock } from '../../client/src/sync/clock.ts';
import { createSyncEngine, type OnlineSource, type SyncEngine, type SyncProblemKind, type SyncStatusSink } from '../../client/src/sync/sync-engine.ts';
import { openNodeReplica } from '../../client/src/sync/test-replica.ts';
import type { TestSyncServer } from './server.ts';

const brief = (d: Record<string, unknown> | undefined | null) =>
  d ? JSON.stringify(Object.fromEntries(Object.entries(d).filter(([k]) => ['hlc', '_deleted', 'name', 'notes', 'institution', 'icon', 'sortOrder'].includes(k)))) : 'none';

/** What the engine told the sync indicator, in order. */
export class StatusLog implements SyncStatusSink {
  queued = 0;
  conflicts = 0;
  inFlight = 0;
  lastError: string | null = null;
  lastSyncedAt: string | null = null;
  serverReachable = true;
  readonly events: string[] = [];
  setQueued(n: number) { this.queued = n; }
  syncStarted(n: number) { this.inFlight = n; this.lastError = null; this.events.push(`started ${n}`); }
  syncFinished(at: string, stillQueued = 0) { this.inFlight = 0; this.queued = stillQueued; this.lastSyncedAt = at; this.events.push(`finished ${stillQueued}`); }
  /** The kind of each failure reported, in order (see SyncStatusSink.syncFailed). */
  readonly problems: { kind: SyncProblemKind; retryAt: string | null }[] = [];
  syncFailed(message: string, kind: SyncProblemKind = 'error', retryAt: string | null = null) {
    this.inFlight = 0;
    this.lastError = message;
    this.events.push(`failed: ${message}`);
    this.problems.push({ kind, retryAt });
  }
  setConflicts(n: number) { this.conflicts = n; }
  setServerReachable(v: boolean) { this.serverReachable = v; }
  /** Every progress report of documents received, in order. */
  readonly received: number[] = [];
  setReceived(n: number) { this.received.push(n); }
}

/** A controllable navigator.onLine. */
export class FakeOnline implements OnlineSource {
  #online = true;
  readonly #changes = new Subject<boolean>();
  isOnline() { return this.#online; }
  subscribe(listener: (online: boolean) => void) {
    const sub = this.#changes.subscribe(listener);
    return () => sub.unsubscribe();
  }
  set(online: boolean) {
    if (online === this.#online) return;
    this.#online = online;
    this.#changes.next(online);
  }
}

export interface DeviceOptions {
  readonly name: string;
  readonly token: () => string | null;
  readonly refresh?: () => Promise<string | null>;
  readonly collections?: readonly CollectionName[];
  /** Added to this device's wall clock (ms), to test skewed clocks. */
  readonly skewMs?: number;
  readonly backoffMs?: { initialMs: number; maxMs: number };
  readonly pullBatchSize?: number;
  /** False: every pull page takes RxDB's own path (no bootstrap of the first pull). */
  readonly bootstrap?: boolean;
  /** Fails this request as a dropped connection would, when it returns true (called with the URL and the count of pulls so far). */
  readonly failRequest?: (url: string, pulls: number) => boolean;
  /** Replaces the server's answer to a request (a misbehaving server or proxy); called with the URL and the real answer. */
  readonly rewrite?: (url: string, res: Response) => Response | Promise<Response>;
  /** Runs on the fresh replica before the engine is created (e.g. to plant stored state). */
  readonly beforeEngine?: (replica: Replica) => Promise<void>;
}

/** One simulated device: the browser's replica stack in Node, the client's sync engine unchanged, a fake network edge. */
export class Device {
  /** While true, every request fails as if the network were gone (the device does not know). */
  partitioned = false;
  readonly online = new FakeOnline();
  readonly status = new StatusLog();
  readonly clock: DeviceClock;
  readonly engine: SyncEngine;
  requests = 0;
  /** The URL of every pull request, in order. */
  readonly pulls: string[] = [];
  /** Pushed rows, in order. */
  readonly pushed: { assumedMasterState?: Record<string, unknown>; newDocumentState: Record<string, unknown> }[] = [];
  /** For each local edit (by its stamp): the document state it replaced. */
  readonly previousByStamp = new Map<string, Record<string, unknown> | null>();
  /** Every pushed row and the server's answer, for failure messages. */
  readonly trace: string[] = [];

  private constructor(readonly name: string, readonly replica: Replica, server: TestSyncServer, options: DeviceOptions) {
    this.clock = new DeviceClock({ node: options.name, now: () => Date.now() + (options.skewMs ?? 0) });
    const fetchThroughEdge: typeof fetch = async (input, init) => {
      this.requests++;
      if (this.partitioned) throw new TypeError('fetch failed (simulated network partition)');
      const url = String(input);
      const push = /\/replication\/(\w+)\/push$/.exec(url);
      if (/\/replication\/\w+\/pull\?/.test(url)) {
        this.pulls.push(url);
        if (options.failRequest?.(url, this.pulls.length)) throw new TypeError('fetch failed (simulated dropped connection)');
      }
      const real = await fetch(input, init);
      const res = options.rewrite ? await options.rewrite(url, real) : real;
      if (push && res.ok) {
        const rows = JSON.parse(String(init?.body)) as { assumedMasterState?: Record<string, unknown>; newDocumentState: Record<string, unknown> }[];
        const answer = (await res.clone().json()) as { conflicts: Record<string, unknown>[] };
        for (const row of rows) {
          this.pushed.push(row);
          const conflict = answer.conflicts.find((c) => c.id === row.newDocumentState.id);
          this.trace.push(`${performance.now().toFixed(1).padStart(10)} ${this.name} push ${push[1]}/${String(row.newDocumentState.id)} assumed=${brief(row.assumedMasterState)} new=${brief(row.newDocumentState)} → ${conflict ? `conflict master=${brief(conflict)}` : 'ok'}`);
        }
      }
      return res;
    };
    this.engine = createSyncEngine({
      db: replica.db,
      clock: this.clock,
      baseUrl: server.apiBase,
      fetch: fetchThroughEdge,
      getAccessToken: options.token,
      ...(options.refresh ? { refreshAccessToken: options.refresh } : {}),
      status: this.status,
      online: this.online,
      waitForLeadership: false,
      backoff: options.backoffMs ?? { initialMs: 20, maxMs: 200 },
      ...(options.collections ? { collections: options.collections } : {}),
      ...(options.pullBatchSize ? { pullBatchSize: options.pullBatchSize } : {}),
      ...(options.bootstrap === false ? { bootstrap: false } : {}),
    });
  }

  static async open(server: TestSyncServer, options: DeviceOptions): Promise<Device> {
    const replica = await openNodeReplica({ name: `device-${options.name}`, collections: options.collections ?? ['accounts'] });
    await options.beforeEngine?.(replica);
    const device = new Device(options.name, replica, server, options);
    for (const collection of Object.values(replica.db.collections)) {
      collection.eventBulks$.subscribe((bulk) => {
        for (const e of bulk.events) {
          const data = e.documentData as Record<string, unknown>;
          if (!bulk.context.startsWith('replication-') && typeof data.hlc === 'string') {
            device.previousByStamp.set(data.hlc, (e.previousDocumentData as Record<string, unknown> | undefined) ?? null);
          }
          device.trace.push(`${performance.now().toFixed(1).padStart(10)} ${device.name} local ${collection.name}/${e.documentId} [${bulk.context}] ${brief(e.documentData as Record<string, unknown>)}`);
        }
      });
    }
    return device;
  }

  async close(): Promise<void> {
    await this.engine.stop();
    await this.replica.close();
  }
}
