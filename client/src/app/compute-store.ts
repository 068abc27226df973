import { defineStore } from 'pinia';
import { inject, shallowRef } from 'vue';
import type { ReplicaDatabase } from '../db/database.ts';
import { REPLICA_PORT } from './injection.ts';
import type { ComputeSession, ComputeStatus } from '../compute/compute-session.ts';

export interface ComputeStoreOptions {
  /** Starts the session for an unlocked replica; tests pass their own. */
  readonly start?: (db: ReplicaDatabase) => Promise<ComputeSession>;
}

async function startForReplica(db: ReplicaDatabase): Promise<ComputeSession> {
  // database.ts is loaded already (the replica is open); importing here keeps RxDB out of the shell chunk.
  const [{ deviceDataKey }, { startComputeSession }] = await Promise.all([import('../db/database.ts'), import('../compute/compute-session.ts')]);
  return startComputeSession({ db, key: deviceDataKey(db) });
}

/**
 * The compute worker's life follows the replica's: started after unlock with the device key, stopped on
 * lock, sign-out or erase. Screens read `status` (starting, rebuilding with progress, ready with a
 * revision that moves with every applied change) and call the worker through `session`.
 */
export const useComputeStore = defineStore('compute', () => {
  const port = inject(REPLICA_PORT);
  const status = shallowRef<ComputeStatus>({ phase: 'stopped' });
  const session = shallowRef<ComputeSession | null>(null);
  let start: (db: ReplicaDatabase) => Promise<ComputeSession> = startForReplica;
  let bound: (() => void) | null = null;
  let generation = 0;

  /** Drops the running session; a start still under way for an older generation stops itself. */
  async function release(): Promise<void> {
    const running = session.value;
    session.value = null;
    status.value = { phase: 'stopped' };
    await running?.stop();
  }

  async function stop(): Promise<void> {
    generation += 1;
    await release();
  }

  async function follow(db: ReplicaDatabase | null): Promise<void> {
    const mine = ++generation;
    await release();
    if (!db || mine !== generation) return;
    performance.mark('mymidas:replica-unlocked');
    status.value = { phase: 'starting' };
    try {
      const next = await start(db);
      if (mine !== generation) {
        await next.stop();
        return;
      }
      session.value = next;
      status.value = next.status();
      next.onStatus((s) => {
        if (session.value === next) status.value = s;
      });
    } catch (error) {
      if (mine === generation) status.value = { phase: 'error', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Starts following the replica port (once); main.ts calls this at startup. */
  function bind(options: ComputeStoreOptions = {}): void {
    if (bound) return;
    if (!port) throw new Error('The compute store needs the replica port provided by main.ts.');
    if (options.start) start = options.start;
    bound = port.onDatabase((db) => void follow(db));
    const open = port.database();
    if (open) void follow(open);
  }

  return { status, session, bind, stop };
});
