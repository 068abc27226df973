import { defineStore } from 'pinia';
import { computed, inject, ref } from 'vue';
import { ApiNetworkError, ApiProblemError, type ApiClient, type LoginResult, type Session } from '../app/api.ts';
import { API_CLIENT, REPLICA_PORT } from '../app/injection.ts';
import type { ReplicaPort } from '../app/replica-port.ts';
import { DEVICE_SECRET_VAULT, replicaSecretVault, type DeviceSecretVault } from '../features/auth/device-secret.ts';
import { useSyncStatusStore } from './sync-status.ts';

/**
 * signed-in: a valid access token is held in memory (never stored). Locking drops it: renewing it needs
 *   the session's device secret, which the device keeps sealed under the replica's data key
 *   (features/auth/device-secret.ts), so a locked tab cannot obtain a token.
 * expired: there was a session on this device but the server ended it; local use continues,
 *   sync waits for a new sign-in.
 * signed-out: no session (first run, or after sign-out).
 * unknown: not asked yet, or the server could not be reached to ask.
 */
export type SessionState = 'unknown' | 'signed-out' | 'signed-in' | 'expired';

const HAD_SESSION_KEY = 'mymidas.had-session';
/**
 * A sign-out (or erase) the server has not confirmed yet: the refresh cookie is HttpOnly, so only the
 * server can end it. Holds no secret; tried again at start, when back online, and every minute.
 */
export const PENDING_SIGN_OUT_KEY = 'mymidas.pending-sign-out';
const SIGN_OUT_RETRY_MS = 60_000;
const REFRESH_LOCK = 'mymidas-auth-refresh';
/** Refresh this long before the access token runs out. */
const REFRESH_MARGIN_MS = 60_000;

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} was not provided to the app (see main.ts).`);
  return value;
}

/**
 * What an erase removes besides the replica's IndexedDB: every Cache Storage cache of the origin (the app
 * shell is fetched again; a shared statement must not survive) and every localStorage key, except the
 * record of a sign-out the server has not confirmed yet.
 */
export async function eraseBrowserStorage(storage: Storage | undefined, caches: CacheStorage | undefined = globalThis.caches): Promise<void> {
  if (caches) for (const name of await caches.keys()) await caches.delete(name);
  if (!storage) return;
  const pending = storage.getItem(PENDING_SIGN_OUT_KEY);
  storage.clear();
  if (pending) storage.setItem(PENDING_SIGN_OUT_KEY, pending);
}

export const useSessionStore = defineStore('session', () => {
  const api: ApiClient = required(inject(API_CLIENT), 'The API client');
  const replica: ReplicaPort = required(inject(REPLICA_PORT), 'The replica port');
  const vault: DeviceSecretVault = inject(DEVICE_SECRET_VAULT, null) ?? replicaSecretVault(replica);
  const sync = useSyncStatusStore();

  const state = ref<SessionState>('unknown');
  const accessToken = ref<string | null>(null);
  const expiresAt = ref<number | null>(null);
  const unlocked = ref(replica.isUnlocked());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let signOutTimer: ReturnType<typeof setTimeout> | undefined;
  /** The device secret of a sign-in whose replica is not unlocked yet; kept sealed once it is. */
  let unsealedSecret: string | null = null;

  const storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  const hadSession = () => storage?.getItem(HAD_SESSION_KEY) === '1';
  const signOutPending = () => storage?.getItem(PENDING_SIGN_OUT_KEY) != null;

  function setState(next: SessionState) {
    state.value = next;
    sync.setSignedIn(next === 'signed-in');
  }

  function adopt(session: Session) {
    accessToken.value = session.accessToken;
    expiresAt.value = Date.now() + session.expiresIn * 1000;
    storage?.setItem(HAD_SESSION_KEY, '1');
    sync.setServerReachable(true);
    setState('signed-in');
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), Math.max(5_000, session.expiresIn * 1000 - REFRESH_MARGIN_MS));
  }

  function forget(next: SessionState) {
    clearTimeout(timer);
    accessToken.value = null;
    expiresAt.value = null;
    setState(next);
  }

  /** Serialised across tabs (Web Locks) so two tabs never spend the same refresh cookie. */
  async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? locks.request(REFRESH_LOCK, fn) : fn();
  }

  /** The session's device secret: null while locked (its key is not in memory), or when there is none. */
  async function deviceSecret(): Promise<string | null> {
    if (unsealedSecret) return unsealedSecret;
    return replica.isUnlocked() ? vault.read() : null;
  }

  /**
   * Renews the access token from the refresh cookie and the device secret. Returns the new state.
   * Locked, it asks nothing: without the secret the server would refuse anyway.
   */
  async function refresh(): Promise<SessionState> {
    if (signOutPending()) return state.value;
    try {
      const secret = await deviceSecret();
      if (!secret) {
        if (replica.isUnlocked()) forget(hadSession() ? 'expired' : 'signed-out');
        else forget(!hadSession() ? 'signed-out' : state.value === 'signed-in' ? 'unknown' : state.value);
        return state.value;
      }
      adopt(await withRefreshLock(() => api.refresh(secret)));
    } catch (error) {
      if (error instanceof ApiNetworkError) {
        sync.setServerReachable(false);
        // Try again later; local use goes on meanwhile.
        clearTimeout(timer);
        timer = setTimeout(() => void refresh(), 30_000);
        return state.value;
      }
      if (error instanceof ApiProblemError && (error.status === 401 || error.status === 403)) {
        forget(hadSession() ? 'expired' : 'signed-out');
      } else {
        throw error;
      }
    }
    return state.value;
  }

  /**
   * At start-up and when back online. Asks the server only when this device has had a session: on a
   * first visit there is no refresh cookie, and a certain 401 would only add noise (console, audit).
   */
  async function resume(): Promise<SessionState> {
    if (signOutPending() && !(await confirmSignOut())) {
      if (state.value === 'unknown') setState('signed-out');
      return state.value;
    }
    if (!hadSession()) {
      if (state.value === 'unknown') setState('signed-out');
      return state.value;
    }
    return refresh();
  }

  async function login(email: string, password: string, totp?: string): Promise<LoginResult> {
    // An unconfirmed sign-out goes first: the new sign-in replaces the cookie that could end that session.
    if (signOutPending()) await confirmSignOut();
    const result = await api.login(email, password, totp);
    if (result.kind === 'signed-in') {
      unsealedSecret = result.deviceSecret;
      adopt(result);
      // The account password also unlocks (on first sign-in: creates) this device's replica.
      await unlock(password);
    }
    return result;
  }

  async function register(email: string, password: string): Promise<LoginResult> {
    await api.register(email, password);
    return login(email, password);
  }

  async function unlock(password: string): Promise<{ created: boolean }> {
    const result = await replica.unlock(password);
    unlocked.value = true;
    if (unsealedSecret) {
      await vault.keep(unsealedSecret);
      unsealedSecret = null;
    } else if (!accessToken.value && hadSession()) {
      // Unlocked again: the device secret opens, so the session can be renewed (offline: it waits).
      void refresh().catch(() => undefined);
    }
    return result;
  }

  /** Forgets the data key and, with it, the session's token: a locked tab cannot reach the server's data. */
  async function lock() {
    unsealedSecret = null;
    if (accessToken.value || state.value === 'signed-in') forget('unknown');
    await replica.lock();
    unlocked.value = false;
  }

  /** Asks the server to end the session of the cookie. True once it has (or there was none). */
  async function confirmSignOut(): Promise<boolean> {
    clearTimeout(signOutTimer);
    try {
      await api.logout();
      storage?.removeItem(PENDING_SIGN_OUT_KEY);
      return true;
    } catch (error) {
      if (!(error instanceof ApiNetworkError || error instanceof ApiProblemError)) throw error;
      storage?.setItem(PENDING_SIGN_OUT_KEY, new Date().toISOString());
      signOutTimer = setTimeout(() => void confirmSignOut().catch(() => undefined), SIGN_OUT_RETRY_MS);
      return false;
    }
  }

  /**
   * Ends the session on the server; with `erase`, removes every local byte too (IndexedDB, Cache
   * Storage, localStorage). Offline, the sign-out is queued and retried until the server confirms it.
   */
  async function signOut(options: { erase?: boolean } = {}) {
    // Recorded first, so a tab closed mid-way still retries it at the next start.
    storage?.setItem(PENDING_SIGN_OUT_KEY, new Date().toISOString());
    await confirmSignOut();
    forget('signed-out');
    unsealedSecret = null;
    vault.forget();
    storage?.removeItem(HAD_SESSION_KEY);
    if (options.erase) {
      await replica.erase();
      unlocked.value = false;
      await eraseBrowserStorage(storage);
    } else {
      await lock();
    }
  }

  return {
    state, accessToken, expiresAt, unlocked,
    signedIn: computed(() => state.value === 'signed-in'),
    refresh, resume, login, register, unlock, lock, signOut,
    hasDeviceData: () => replica.hasDeviceData(),
    countDocuments: replica.countDocuments.bind(replica),
  };
});
