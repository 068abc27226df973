import type { BulkWriteRow, RxDocumentData } from 'rxdb';

/**
 * What a replica collection's storage offers beyond RxDB's interface, for the sync engine
 * (client/src/sync/bootstrap.ts). encrypted-storage.ts registers one per encrypted storage instance;
 * `replicaStorageExtras` finds it again from the instance RxDB hands out.
 */
export interface ReplicaStorageExtras {
  /**
   * Inserts documents that are not stored yet, in one IndexedDB transaction, and emits their change
   * events with `context`; documents whose id exists are left alone and their ids returned. The rows
   * are full RxDB documents (`_meta`, `_rev`, `_attachments`, `_deleted`); as with RxDB's bulkWrite, a
   * deleted one is stored without a change event.
   */
  insertIfAbsent(docs: readonly RxDocumentData<unknown>[], context: string): Promise<{ skipped: string[] }>;
  /**
   * Called with the plaintext rows and the context before every write is sealed; the write waits for
   * it. One observer per collection (set null to remove).
   */
  setBeforeWrite(observer: BeforeWriteObserver | null): void;
}

export type BeforeWriteObserver = (rows: readonly BulkWriteRow<unknown>[], context: string) => Promise<void>;

const extrasByInstance = new WeakMap<object, ReplicaStorageExtras>();

/** Makes `extras` findable from `instance` and from any RxDB wrapper around it. */
export function registerReplicaStorageExtras(instance: object, extras: ReplicaStorageExtras): void {
  extrasByInstance.set(instance, extras);
}

/**
 * The extras of a collection's storage instance (`collection.storageInstance`, which RxDB wraps around
 * ours), or null when it is not an encrypted replica storage.
 */
export function replicaStorageExtras(instance: object): ReplicaStorageExtras | null {
  for (let current: unknown = instance; current && typeof current === 'object'; current = (current as { originalStorageInstance?: unknown }).originalStorageInstance) {
    const found = extrasByInstance.get(current);
    if (found) return found;
  }
  return null;
}
