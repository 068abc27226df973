import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import { ApiNetworkError, ApiProblemError, type ApiClient, type LoginResult } from '../app/api.ts';
import { API_CLIENT, REPLICA_PORT } from '../app/injection.ts';
import { ReplicaPortError, type ReplicaPort } from '../app/replica-port.ts';
import { DEVICE_SECRET_VAULT, type DeviceSecretVault } from '../features/auth/device-secret.ts';
import { PENDING_SIGN_OUT_KEY, useSessionStore } from './session.ts';
import { useSyncStatusStore } from './sync-status.ts';

const problem = (status: number, kind: string) => new ApiProblemError({ type: `https://mymidas.app/problems/${kind}`, title: kind, status });

function fakeApi(overrides: Partial<ApiClient> = {}): ApiClient {
  return {
    authStatus: async () => ({ registrationOpen: false, hasAccount: true }),
    register: async (email) => ({ id: 'u1', email }),
    login: async (): Promise<LoginResult> => ({ kind: 'signed-in', accessToken: 'access-1', expiresIn: 900, deviceSecret: 'device-secret-1' }),
    refresh: async () => ({ accessToken: 'access-2', expiresIn: 900 }),
    logout: async () => undefined,
    me: async () => ({}),
    ...overrides,
  };
}

/** An in-memory replica that only knows one password. */
function fakeReplica(password = 'the right password'): ReplicaPort & { erased: boolean } {
  let open = false;
  return {
    erased: false,
    hasDeviceData: async () => true,
    async unlock(p) {
      if (p !== password) throw new ReplicaPortError('wrong-password', 'nope');
      open = true;
      return { created: false };
    },
    isUnlocked: () => open,
    async lock() { open = false; },
    async changePassword() {},
    async erase() { open = false; this.erased = true; return ['mymidas']; },
    async countDocuments() { return 0; },
    database() { return null; },
    onDatabase() { return () => undefined; },
  };
}

/** A vault that, like the real one, opens only while the replica is unlocked. */
function fakeVault(replica: ReplicaPort): DeviceSecretVault & { sealed: string | null } {
  return {
    sealed: null,
    async keep(secret) {
      if (!replica.isUnlocked()) throw new Error('locked');
      this.sealed = `sealed(${secret})`;
    },
    async read() {
      return replica.isUnlocked() && this.sealed ? this.sealed.slice('sealed('.length, -1) : null;
    },
    forget() {
      this.sealed = null;
    },
  };
}

function setup(api: ApiClient, replica: ReplicaPort, vault: DeviceSecretVault = fakeVault(replica)) {
  const app = createApp({});
  const pinia = createPinia();
  app.use(pinia);
  app.provide(API_CLIENT, api);
  app.provide(REPLICA_PORT, replica);
  app.provide(DEVICE_SECRET_VAULT, vault);
  return app.runWithContext(() => ({ session: useSessionStore(pinia), sync: useSyncStatusStore(pinia) }));
}

const store = new Map<string, string>();
beforeEach(() => {
  store.clear();
  vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k), clear: () => store.clear() });
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('session store', () => {
  it('signing in holds the token in memory, unlocks the replica with the same password and marks sync signed in', async () => {
    const replica = fakeReplica();
    const { session, sync } = setup(fakeApi(), replica);
    await session.login('me@example.org', 'the right password');
    expect(session.state).toBe('signed-in');
    expect(session.accessToken).toBe('access-1');
    expect(session.unlocked).toBe(true);
    expect(sync.signedIn).toBe(true);
    expect([...store.values()]).not.toContain('access-1');
  });

  it('returns the TOTP step without signing in or unlocking', async () => {
    const { session } = setup(fakeApi({ login: async () => ({ kind: 'totp-required', message: 'code please' }) }), fakeReplica());
    await expect(session.login('me@example.org', 'the right password')).resolves.toEqual({ kind: 'totp-required', message: 'code please' });
    expect(session.state).toBe('unknown');
    expect(session.unlocked).toBe(false);
  });

  it('refreshes the access token a minute before it runs out', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'access-2', expiresIn: 900 }));
    const { session } = setup(fakeApi({ refresh }), fakeReplica());
    await session.login('me@example.org', 'the right password');
    await vi.advanceTimersByTimeAsync(839_000);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refresh).toHaveBeenCalledOnce();
    expect(session.accessToken).toBe('access-2');
  });

  it('when the server ends the session: state expired, token gone, sync asks to sign in, local data stays unlocked', async () => {
    const { session, sync } = setup(fakeApi({ refresh: async () => { throw problem(401, 'session-ended'); } }), fakeReplica());
    await session.login('me@example.org', 'the right password');
    await session.refresh();
    expect(session.state).toBe('expired');
    expect(session.accessToken).toBeNull();
    expect(session.unlocked).toBe(true);
    expect(sync.view.state).toBe('needs-sign-in');
  });

  it('a first visit with no session cookie is signed-out, not expired', async () => {
    const { session } = setup(fakeApi({ refresh: async () => { throw problem(401, 'session-ended'); } }), fakeReplica());
    await session.refresh();
    expect(session.state).toBe('signed-out');
  });

  it('resume asks the server only on a device that has had a session', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'access-2', expiresIn: 900 }));
    const { session } = setup(fakeApi({ refresh }), fakeReplica());
    expect(await session.resume()).toBe('signed-out');
    expect(refresh).not.toHaveBeenCalled();
    await session.login('me@example.org', 'the right password');
    expect(await session.resume()).toBe('signed-in');
    expect(refresh).toHaveBeenCalledOnce();
  });

  it('an unreachable server leaves the session as it was and shows the server as unreachable', async () => {
    const { session, sync } = setup(fakeApi({ refresh: async () => { throw new ApiNetworkError(new TypeError('offline')); } }), fakeReplica());
    await session.login('me@example.org', 'the right password');
    await session.refresh();
    expect(session.state).toBe('signed-in');
    expect(sync.view.state).toBe('offline');
  });

  it('a wrong password does not unlock, and says why', async () => {
    const { session } = setup(fakeApi(), fakeReplica());
    await expect(session.unlock('guess')).rejects.toMatchObject({ code: 'wrong-password' });
    expect(session.unlocked).toBe(false);
  });

  it('sign out and erase removes the device data even when the server cannot be reached', async () => {
    const replica = fakeReplica();
    const { session } = setup(fakeApi({ logout: async () => { throw new ApiNetworkError(new TypeError('offline')); } }), replica);
    await session.login('me@example.org', 'the right password');
    await session.signOut({ erase: true });
    expect(replica.erased).toBe(true);
    expect(session.state).toBe('signed-out');
    expect(session.unlocked).toBe(false);
    expect(session.accessToken).toBeNull();
  });

  it('keeps the device secret only sealed, and renews the session with it', async () => {
    const replica = fakeReplica();
    const vault = fakeVault(replica);
    const refresh = vi.fn(async (_secret: string) => ({ accessToken: 'access-2', expiresIn: 900 }));
    const { session } = setup(fakeApi({ refresh }), replica, vault);
    await session.login('me@example.org', 'the right password');
    expect(vault.sealed).toBe('sealed(device-secret-1)');
    expect([...store.values()].join(' ')).not.toContain('device-secret-1');
    await session.refresh();
    expect(refresh).toHaveBeenCalledWith('device-secret-1');
  });

  it('a locked tab holds no token and cannot renew one; unlocking renews it from the sealed secret', async () => {
    const replica = fakeReplica();
    const refresh = vi.fn(async (_secret: string) => ({ accessToken: 'access-2', expiresIn: 900 }));
    const { session } = setup(fakeApi({ refresh }), replica);
    await session.login('me@example.org', 'the right password');
    await session.lock();
    expect(session.accessToken).toBeNull();
    expect(session.state).not.toBe('signed-in');
    await session.refresh();
    await session.resume();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(refresh).not.toHaveBeenCalled();
    expect(session.accessToken).toBeNull();
    await session.unlock('the right password');
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledWith('device-secret-1');
    expect(session.accessToken).toBe('access-2');
  });

  it('unlocking offline works, and the session renews once the server answers again', async () => {
    const replica = fakeReplica();
    let online = false;
    const refresh = vi.fn(async () => {
      if (!online) throw new ApiNetworkError(new TypeError('offline'));
      return { accessToken: 'access-3', expiresIn: 900 };
    });
    const { session } = setup(fakeApi({ refresh }), replica);
    await session.login('me@example.org', 'the right password');
    await session.lock();
    await session.unlock('the right password');
    expect(session.unlocked).toBe(true);
    online = true;
    await vi.advanceTimersByTimeAsync(31_000);
    expect(session.accessToken).toBe('access-3');
  });

  it('an offline sign-out is queued and sent when the server can be reached, and nothing is renewed meanwhile', async () => {
    let online = false;
    const logout = vi.fn(async () => {
      if (!online) throw new ApiNetworkError(new TypeError('offline'));
    });
    const refresh = vi.fn(async () => ({ accessToken: 'access-2', expiresIn: 900 }));
    const replica = fakeReplica();
    const { session } = setup(fakeApi({ logout, refresh }), replica);
    await session.login('me@example.org', 'the right password');
    await session.signOut({ erase: true });
    expect(store.get(PENDING_SIGN_OUT_KEY)).toBeTruthy();
    expect(await session.resume()).toBe('signed-out');
    expect(refresh).not.toHaveBeenCalled();
    online = true;
    await session.resume();
    expect(store.has(PENDING_SIGN_OUT_KEY)).toBe(false);
    expect(logout).toHaveBeenCalledTimes(3);
  });

  it('retries a queued sign-out on its own every minute until the server confirms it', async () => {
    let fail = true;
    const logout = vi.fn(async () => {
      if (fail) throw problem(503, 'unavailable');
    });
    const { session } = setup(fakeApi({ logout }), fakeReplica());
    await session.login('me@example.org', 'the right password');
    await session.signOut();
    expect(store.get(PENDING_SIGN_OUT_KEY)).toBeTruthy();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(logout).toHaveBeenCalledTimes(2);
    fail = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(logout).toHaveBeenCalledTimes(3);
    expect(store.has(PENDING_SIGN_OUT_KEY)).toBe(false);
  });

  it('erasing the device clears Cache Storage and localStorage, keeping only the queued sign-out', async () => {
    const names = ['workbox-precache-v2', 'mymidas-share-target'];
    vi.stubGlobal('caches', { keys: async () => [...names], delete: async (n: string) => names.splice(names.indexOf(n), 1).length > 0 });
    const { session } = setup(fakeApi({ logout: async () => { throw new ApiNetworkError(new TypeError('offline')); } }), fakeReplica());
    await session.login('me@example.org', 'the right password');
    store.set('mymidas.theme', 'dark');
    await session.signOut({ erase: true });
    expect(names).toEqual([]);
    expect([...store.keys()]).toEqual([PENDING_SIGN_OUT_KEY]);
  });
});
