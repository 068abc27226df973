import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { describe, expect, it } from 'vitest';
import type { ReplicaDatabase } from '../db/database.ts';
import type { ComputeSession, ComputeStatus } from '../compute/compute-session.ts';
import { useComputeStore } from './compute-store.ts';
import { REPLICA_PORT } from './injection.ts';
import type { ReplicaPort } from './replica-port.ts';

function fakePort() {
  let listener: ((db: ReplicaDatabase | null) => void) | null = null;
  let open: ReplicaDatabase | null = null;
  const port = {
    database: () => open,
    onDatabase: (l: (db: ReplicaDatabase | null) => void) => {
      listener = l;
      return () => (listener = null);
    },
  } as unknown as ReplicaPort;
  return {
    port,
    announce(db: ReplicaDatabase | null) {
      open = db;
      listener?.(db);
    },
  };
}

function fakeSession(log: string[], name: string): ComputeSession {
  let status: ComputeStatus = { phase: 'ready', transactions: 3, revision: 1 };
  const listeners = new Set<(s: ComputeStatus) => void>();
  return {
    worker: {} as ComputeSession['worker'],
    status: () => status,
    onStatus(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    checkConsistency: async () => 'consistent',
    async stop() {
      log.push(`stop ${name}`);
      status = { phase: 'stopped' };
    },
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(gate: Promise<void> = Promise.resolve()) {
  const app = createApp({});
  const pinia = createPinia();
  app.use(pinia);
  const { port, announce } = fakePort();
  app.provide(REPLICA_PORT, port);
  const log: string[] = [];
  const store = app.runWithContext(() => useComputeStore(pinia));
  let n = 0;
  store.bind({
    start: async (db) => {
      const name = `${(db as unknown as { name: string }).name}#${++n}`;
      log.push(`start ${name}`);
      await gate;
      return fakeSession(log, name);
    },
  });
  return { store, announce, log };
}

describe('compute store', () => {
  it('starts the compute session after unlock and stops it on lock', async () => {
    const { store, announce, log } = setup();
    expect(store.status.phase).toBe('stopped');
    announce({ name: 'mymidas' } as unknown as ReplicaDatabase);
    await flush();
    expect(store.status).toEqual({ phase: 'ready', transactions: 3, revision: 1 });
    expect(store.session).not.toBeNull();
    announce(null);
    await flush();
    expect(store.status.phase).toBe('stopped');
    expect(store.session).toBeNull();
    expect(log).toEqual(['start mymidas#1', 'stop mymidas#1']);
  });

  it('a lock that comes while the session is starting stops that session as soon as it exists', async () => {
    let open!: () => void;
    const { store, announce, log } = setup(new Promise<void>((resolve) => (open = resolve)));
    announce({ name: 'mymidas' } as unknown as ReplicaDatabase);
    await flush();
    expect(store.status.phase).toBe('starting');
    announce(null);
    open();
    await flush();
    expect(store.session).toBeNull();
    expect(store.status.phase).toBe('stopped');
    expect(log).toEqual(['start mymidas#1', 'stop mymidas#1']);
  });

  it('a lock before the start begins starts nothing', async () => {
    const { store, announce, log } = setup();
    announce({ name: 'mymidas' } as unknown as ReplicaDatabase);
    announce(null);
    await flush();
    expect(store.session).toBeNull();
    expect(log).toEqual([]);
  });
});
