import type { CollectionName } from '@mymidas/shared/schema';
import type * as DatabaseModuleNs from '../db/database.ts';
import { ReplicaPortError, type ReplicaPort } from './replica-port.ts';

type DatabaseModule = typeof DatabaseModuleNs;
type Replica = Awaited<ReturnType<DatabaseModule['openReplica']>>;

export interface IndexedDbReplicaOptions {
  readonly indexedDB?: IDBFactory;
  /** Loads db/database.ts (RxDB, Dexie, Argon2) only when the replica is first needed. */
  readonly load?: () => Promise<DatabaseModule>;
}

/** The ReplicaPort over the encrypted RxDB replica in client/src/db/. */
export function createIndexedDbReplica(options: IndexedDbReplicaOptions = {}): ReplicaPort {
  const load = options.load ?? (() => import('../db/database.ts'));
  const idb = () => options.indexedDB ?? globalThis.indexedDB;
  let replica: Replica | null = null;
  const listeners = new Set<(db: Replica['db'] | null) => void>();
  const announce = () => {
    for (const listener of listeners) listener(replica?.db ?? null);
  };

  function mapError(error: unknown): never {
    if (error instanceof ReplicaPortError) throw error;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'WRONG_PASSWORD') throw new ReplicaPortError('wrong-password', 'That password does not unlock the data on this device.', { cause: error });
    if (code === 'ERASE_FAILED') throw new ReplicaPortError('erase-failed', (error as Error).message, { cause: error });
    throw new ReplicaPortError('unavailable', `The local database could not be opened: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  return {
    async hasDeviceData() {
      const factory = idb();
      if (!factory || typeof factory.databases !== 'function') return false;
      const { DEFAULT_DATABASE_NAME } = await load();
      const names = (await factory.databases()).map((d) => d.name ?? '');
      return names.some((n) => n.includes(DEFAULT_DATABASE_NAME));
    },
    async unlock(password) {
      if (replica) return { created: false };
      try {
        const { openReplica } = await load();
        replica = await openReplica({ password });
        announce();
        return { created: replica.created };
      } catch (error) {
        mapError(error);
      }
    },
    isUnlocked() {
      return replica !== null;
    },
    async lock() {
      const open = replica;
      replica = null;
      announce();
      await open?.close();
    },
    async changePassword(oldPassword, newPassword) {
      if (!replica) throw new ReplicaPortError('locked', 'Unlock the device first.');
      try {
        await replica.changePassword(oldPassword, newPassword);
      } catch (error) {
        mapError(error);
      }
    },
    async erase() {
      try {
        const { eraseDevice } = await load();
        const open = replica;
        replica = null;
        announce();
        return await eraseDevice({ ...(open ? { replica: open } : {}), indexedDB: idb() });
      } catch (error) {
        mapError(error);
      }
    },
    async countDocuments(collection: CollectionName) {
      if (!replica) throw new ReplicaPortError('locked', 'Unlock the device first.');
      return replica.db.collections[collection].count().exec();
    },
    database() {
      return replica?.db ?? null;
    },
    onDatabase(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
