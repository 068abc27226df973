import type { ReplicaPort } from '../app/replica-port.ts';
import type { ReplicaDatabase } from '../db/database.ts';

/** A replica port that hands out one already-open test database (component tests). */
export function portFor(db: ReplicaDatabase): ReplicaPort {
  return {
    hasDeviceData: async () => true,
    unlock: async () => ({ created: false }),
    isUnlocked: () => true,
    lock: async () => undefined,
    changePassword: async () => undefined,
    erase: async () => [],
    countDocuments: async () => 0,
    database: () => db,
    onDatabase: () => () => undefined,
  };
}

/** Flushes promises and timers until `check` holds (RxDB queries answer asynchronously). */
export async function until(check: () => boolean, what: string, flush: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await flush();
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
