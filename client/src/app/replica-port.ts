import type { CollectionName } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../db/database.ts';

/**
 * What the shell needs from the encrypted replica (client/src/db/), and nothing more. The shell
 * codes against this interface; replica-adapter.ts implements it over db/database.ts, and tests or
 * screenshots can pass an in-memory one.
 */
export interface ReplicaPort {
  /** True when this device already holds a replica (a wrapped data key), so the password unlocks it offline. */
  hasDeviceData(): Promise<boolean>;
  /** Opens the replica with the password; the first call on a device creates it. Throws ReplicaPortError. */
  unlock(password: string): Promise<{ created: boolean }>;
  isUnlocked(): boolean;
  /** Forgets the key in memory; the data stays on the device, encrypted. */
  lock(): Promise<void>;
  /** Re-wraps the device key under a new password; documents are not touched. */
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
  /** Removes every local database of this app; returns their names. */
  erase(): Promise<string[]>;
  /** How many documents a collection holds on this device (needs an unlocked replica). */
  countDocuments(collection: CollectionName): Promise<number>;
  /**
   * The open RxDB database (every replicated collection), or null while locked. Feature screens read
   * and write documents through it; writes are picked up by sync (client/src/sync/) on their own.
   */
  database(): ReplicaDatabase | null;
  /** Calls back with the database after every unlock and with null on lock; returns an unsubscribe. */
  onDatabase(listener: (db: ReplicaDatabase | null) => void): () => void;
}

export type ReplicaPortErrorCode = 'wrong-password' | 'locked' | 'erase-failed' | 'unavailable';

export class ReplicaPortError extends Error {
  override readonly name = 'ReplicaPortError';
  constructor(
    readonly code: ReplicaPortErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

