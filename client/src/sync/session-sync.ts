import { watch } from 'vue';
import { sessionTokens } from '../api/session-tokens.ts';
import type { ReplicaPort } from '../app/replica-port.ts';
import type { ReplicaDatabase } from '../db/database.ts';
import type { SessionState } from '../stores/session.ts';
import { replicaClock, setDeviceClock } from './clock.ts';
import { createSyncEngine, type SyncEngine, type SyncEngineOptions, type SyncStatusSink } from './sync-engine.ts';

/**
 * Runs sync while the replica is unlocked and the user is signed in (docs/sync-protocol.md, "Client"):
 * unlock → the device clock starts and, when signed in, sync starts; an ended session (`expired`)
 * pauses sync with local edits queueing; sign-in resumes it; sign-out or lock stops it.
 */

/** The parts of the session store this needs (the Pinia store fits). */
export interface SessionView {
  readonly state: SessionState;
  readonly accessToken: string | null;
  refresh(): Promise<SessionState>;
}

export interface SessionSyncOptions {
  readonly replica: Pick<ReplicaPort, 'database' | 'onDatabase'>;
  readonly session: SessionView;
  readonly status: SyncStatusSink;
  /** Replaced in tests. */
  readonly createEngine?: (options: SyncEngineOptions) => SyncEngine;
  readonly engineOptions?: Partial<SyncEngineOptions>;
}

/** Starts following the replica and the session; returns a function that stops everything. */
export function startSessionSync(options: SessionSyncOptions): () => void {
  const { replica, session, status } = options;
  const create = options.createEngine ?? createSyncEngine;
  let engine: SyncEngine | null = null;
  let opening: Promise<void> = Promise.resolve();

  const tokens = sessionTokens(session);

  async function follow(state: SessionState) {
    if (!engine) return;
    if (state === 'signed-in') {
      if (engine.state === 'stopped') await engine.start();
      else await engine.signedIn();
    } else if (state === 'expired') {
      await engine.pause('signed-out');
    } else if (state === 'signed-out') {
      await engine.stop();
    }
  }

  function onDatabase(db: ReplicaDatabase | null) {
    opening = opening.then(async () => {
      const previous = engine;
      engine = null;
      await previous?.stop();
      setDeviceClock(null);
      if (!db || db.closed) return;
      const clock = await replicaClock(db);
      setDeviceClock(clock);
      engine = create({
        db,
        clock,
        status,
        ...tokens,
        ...options.engineOptions,
      });
      await follow(session.state);
    }).catch((error: unknown) => status.syncFailed(`Sync could not start: ${error instanceof Error ? error.message : String(error)}`));
  }

  const stopReplica = replica.onDatabase(onDatabase);
  const current = replica.database();
  if (current) onDatabase(current);
  const stopWatch = watch(
    () => session.state,
    (state) => {
      opening = opening.then(() => follow(state)).catch((error: unknown) => status.syncFailed(`Sync: ${error instanceof Error ? error.message : String(error)}`));
    },
  );

  return () => {
    stopWatch();
    stopReplica();
    onDatabase(null);
  };
}
