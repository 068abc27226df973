import type { InjectionKey } from 'vue';
import type { ReplicaPort } from '../../app/replica-port.ts';

/**
 * The session's device secret (docs/security.md, "Locking"): the server gives it once, at sign-in, and
 * wants it with every refresh as well as the HttpOnly cookie. The device keeps it only sealed under the
 * replica's data key (AES-GCM, purpose bound as additional data), so a locked tab — no key in memory —
 * cannot renew the session, whatever it does with the cookie.
 */
export interface DeviceSecretVault {
  /** Seals and keeps the secret. Needs the replica unlocked (rejects otherwise). */
  keep(secret: string): Promise<void>;
  /** The kept secret; null when there is none, the replica is locked, or the sealed value does not open. */
  read(): Promise<string | null>;
  /** Forgets the sealed secret (sign-out, erase). */
  forget(): void;
}

export const DEVICE_SECRET_KEY = 'mymidas.session-secret';
const PURPOSE = 'session-device-secret';

export const DEVICE_SECRET_VAULT: InjectionKey<DeviceSecretVault> = Symbol('device-secret-vault');

/** The vault over the replica's data key; the sealed text lives in localStorage (ciphertext only). */
export function replicaSecretVault(replica: Pick<ReplicaPort, 'database'>, storage: Storage | undefined = globalThis.localStorage): DeviceSecretVault {
  return {
    async keep(secret) {
      const db = replica.database();
      if (!db) throw new Error('Unlock this device to keep its session.');
      // Loaded with the replica already (replica-adapter.ts), so this import costs nothing more.
      const { sealDeviceValue } = await import('../../db/database.ts');
      storage?.setItem(DEVICE_SECRET_KEY, await sealDeviceValue(db, PURPOSE, secret));
    },
    async read() {
      const db = replica.database();
      const sealed = storage?.getItem(DEVICE_SECRET_KEY);
      if (!db || !sealed) return null;
      try {
        const { openDeviceValue } = await import('../../db/database.ts');
        const value = await openDeviceValue(db, PURPOSE, sealed);
        return typeof value === 'string' && value.length > 0 ? value : null;
      } catch {
        // Sealed by another replica (erased and made anew) or damaged: as good as none.
        return null;
      }
    },
    forget() {
      storage?.removeItem(DEVICE_SECRET_KEY);
    },
  };
}
