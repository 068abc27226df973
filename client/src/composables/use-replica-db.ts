import { inject, onScopeDispose, shallowRef, type ShallowRef } from 'vue';
import type { ReplicaDatabase } from '../db/database.ts';
import { REPLICA_PORT } from '../app/injection.ts';

/**
 * The unlocked replica database as a reactive reference: null while the device is locked, the
 * database after unlock. Screens read documents through RxDB queries on it and write with
 * `insert`/`incrementalPatch`; sync picks the writes up on its own.
 */
export function useReplicaDb(): ShallowRef<ReplicaDatabase | null> {
  const port = inject(REPLICA_PORT);
  if (!port) throw new Error('useReplicaDb needs the replica port provided by main.ts.');
  const db = shallowRef<ReplicaDatabase | null>(port.database());
  const stop = port.onDatabase((next) => {
    db.value = next;
  });
  onScopeDispose(stop);
  return db;
}
