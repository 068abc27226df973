import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { RxStorage } from 'rxdb';
import type { CollectionName } from '@mymidas/shared/schema';
import { openReplica, REPLICA_UNINDEXED, type Replica } from '../db/database.ts';
import { getLeanDexieStorage } from '../db/lean-dexie.ts';

/**
 * For tests in Node: the browser's replica stack — encryption(keyCompression(Dexie)) from db/database.ts —
 * on an in-memory IndexedDB (fake-indexeddb), each call with its own IndexedDB so replicas are isolated.
 * The Argon2 cost is the minimum, as no password is being protected here. RxDB's open core opens at most
 * 13 collections per JavaScript realm, so tests with several replicas open only the collections they use.
 *
 * Each in-memory IndexedDB gets its own database name unless one is given: in Node, RxDB's multi-instance
 * events travel between processes (broadcast-channel's Node method, sockets under the temp directory), so
 * two test files running at once with the same name would receive each other's change events — sealed
 * under another key — as if another tab had written them. Reopening on the same IndexedDB keeps its name.
 */
const testNames = new WeakMap<IDBFactory, string>();
function testName(indexedDB: IDBFactory): string {
  let name = testNames.get(indexedDB);
  if (!name) {
    name = `mymidas-${globalThis.crypto.randomUUID().slice(0, 8)}`;
    testNames.set(indexedDB, name);
  }
  return name;
}

export async function openNodeReplica(options: { name?: string; password?: string; indexedDB?: IDBFactory; collections?: readonly CollectionName[] } = {}): Promise<Replica & { indexedDB: IDBFactory }> {
  const indexedDB = options.indexedDB ?? new IDBFactory();
  const replica = await openReplica({
    password: options.password ?? 'correct horse battery staple',
    name: options.name ?? testName(indexedDB),
    kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 },
    ...(options.collections ? { collections: options.collections } : {}),
    baseStorage: getLeanDexieStorage({ indexedDB, IDBKeyRange, unindexed: REPLICA_UNINDEXED }) as RxStorage<unknown, unknown>,
  });
  return Object.assign(replica, { indexedDB });
}
