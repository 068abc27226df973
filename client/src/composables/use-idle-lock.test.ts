import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, effectScope } from 'vue';
import type { ApiClient } from '../app/api.ts';
import { API_CLIENT, REPLICA_PORT } from '../app/injection.ts';
import type { ReplicaPort } from '../app/replica-port.ts';
import { useDeviceSettingsStore } from '../stores/device-settings.ts';
import { useSessionStore } from '../stores/session.ts';
import { useIdleLock } from './use-idle-lock.ts';

function setup() {
  let open = false;
  const replica: ReplicaPort = {
    hasDeviceData: async () => true,
    unlock: async () => { open = true; return { created: false }; },
    isUnlocked: () => open,
    lock: async () => { open = false; },
    changePassword: async () => undefined,
    erase: async () => [],
    countDocuments: async () => 0,
    database: () => null,
    onDatabase: () => () => undefined,
  };
  const app = createApp({});
  const pinia = createPinia();
  app.use(pinia);
  app.provide(API_CLIENT, {} as ApiClient);
  app.provide(REPLICA_PORT, replica);
  const target = new EventTarget() as unknown as Window;
  const scope = effectScope();
  return app.runWithContext(() => {
    const session = useSessionStore(pinia);
    const settings = useDeviceSettingsStore(pinia);
    scope.run(() => useIdleLock({ target }));
    return { session, settings, target, scope };
  });
}

const store = new Map<string, string>();
beforeEach(() => {
  store.clear();
  vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) });
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('auto-lock', () => {
  it('locks the replica after the chosen idle time, and activity postpones it', async () => {
    const { session, settings, target } = setup();
    settings.setAutoLockMinutes(5);
    await session.unlock('pw');
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    target.dispatchEvent(new Event('keydown'));
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(session.unlocked).toBe(true);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(session.unlocked).toBe(false);
  });

  it('never locks when set to never', async () => {
    const { session, settings } = setup();
    settings.setAutoLockMinutes(0);
    await session.unlock('pw');
    await vi.advanceTimersByTimeAsync(24 * 60 * 60_000);
    expect(session.unlocked).toBe(true);
  });

  it('remembers the choice on the device and refuses a time it does not offer', () => {
    const { settings } = setup();
    settings.setAutoLockMinutes(30);
    expect(store.get('mymidas.auto-lock-minutes')).toBe('30');
    expect(() => settings.setAutoLockMinutes(7)).toThrow(RangeError);
    expect(settings.autoLockMinutes).toBe(30);
  });

  it('stops listening when its scope ends', async () => {
    const { session, settings, scope } = setup();
    settings.setAutoLockMinutes(1);
    await session.unlock('pw');
    scope.stop();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(session.unlocked).toBe(true);
  });
});
