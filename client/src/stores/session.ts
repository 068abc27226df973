import { defineStore } from 'pinia';
import { computed, inject, ref } from 'vue';
import { ApiNetworkError, ApiProblemError, type ApiClient, type LoginResult, type Session } from '../app/api.ts';
import { API_CLIENT, REPLICA_PORT } from '../app/injection.ts';
import type { ReplicaPort } from '../app/replica-port.ts';
import { useSyncStatusStore } from './sync-status.ts';

/**
 * signed-in: a valid access token is held in memory (never stored).
 * expired: there was a session on this device but the server ended it; local use continues,
 *   sync waits for a new sign-in.
 * signed-out: no session (first run, or after sign-out).
 * unknown: not asked yet, or the server could not be reached to ask.
 */
export type SessionState = 'unknown' | 'signed-out' | 'signed-in' | 'expired';

const HAD_SESSION_KEY = 'mymidas.had-session';
const REFRESH_LOCK = 'mymidas-auth-refresh';
/** Refresh this long before the access token runs out. */
const REFRESH_MARGIN_MS = 60_000;

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} was not provided to the app (see main.ts).`);
  return value;
}

export const useSessionStore = defineStore('session', () => {
  const api: ApiClient = required(inject(API_CLIENT), 'The API client');
  const replica: ReplicaPort = required(inject(REPLICA_PORT), 'The replica port');
  const sync = useSyncStatusStore();

  const state = ref<SessionState>('unknown');
  const accessToken = ref<string | null>(null);
  const expiresAt = ref<number | null>(null);
  const unlocked = ref(replica.isUnlocked());
  let timer: ReturnType<typeof setTimeout> | undefined;

  const storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  const hadSession = () => storage?.getItem(HAD_SESSION_KEY) === '1';

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

  /** Renews the access token from the refresh cookie. Returns the new state. */
  async function refresh(): Promise<SessionState> {
    try {
      adopt(await withRefreshLock(() => api.refresh()));
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
    if (!hadSession()) {
      if (state.value === 'unknown') setState('signed-out');
      return state.value;
    }
    return refresh();
  }

  async function login(email: string, password: string, totp?: string): Promise<LoginResult> {
    const result = await api.login(email, password, totp);
    if (result.kind === 'signed-in') {
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
    return result;
  }

  async function lock() {
    await replica.lock();
    unlocked.value = false;
  }

  /** Ends the session on the server (when reachable); with `erase`, removes every local byte too. */
  async function signOut(options: { erase?: boolean } = {}) {
    try {
      await api.logout();
    } catch (error) {
      if (!(error instanceof ApiNetworkError || error instanceof ApiProblemError)) throw error;
      // Offline or already ended: the cookie is dead server-side or will expire; carry on locally.
    }
    forget('signed-out');
    storage?.removeItem(HAD_SESSION_KEY);
    if (options.erase) {
      await replica.erase();
      unlocked.value = false;
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
