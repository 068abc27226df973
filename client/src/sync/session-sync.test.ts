import { afterEach, describe, expect, it } from 'vitest';
import { nextTick, reactive } from 'vue';
import type { ReplicaDatabase, Replica } from '../db/database.ts';
import type { SessionState } from '../stores/session.ts';
import { nextStamp } from './clock.ts';
import { startSessionSync } from './session-sync.ts';
import type { SyncEngine, SyncEngineOptions, SyncEngineState, SyncStatusSink } from './sync-engine.ts';
import { openNodeReplica } from './test-replica.ts';

let replica: Replica | null = null;
afterEach(async () => {
  await replica?.close();
  replica = null;
});

function fakeEngine(log: string[], options: SyncEngineOptions): SyncEngine {
  let state: SyncEngineState = 'stopped';
  return {
    get state() { return state; },
    state$: undefined as never, pauseReasons: new Set(), refusals: [], refused$: undefined as never, queued: 0, replications: new Map(),
    async start() { state = 'running'; log.push(`start token=${options.getAccessToken()}`); },
    async stop() { state = 'stopped'; log.push('stop'); },
    async pause(reason) { state = 'paused'; log.push(`pause ${reason}`); },
    async resume() { state = 'running'; },
    async signedIn() { state = 'running'; log.push('signedIn'); },
    resync() {}, async awaitInSync() {}, acknowledgeRefusals() {},
  };
}

const silent: SyncStatusSink = { setQueued() {}, syncStarted() {}, syncFinished() {}, syncFailed(m) { throw new Error(m); }, setConflicts() {} };
const settle = async () => {
  for (let i = 0; i < 20; i++) { await nextTick(); await new Promise((r) => setTimeout(r, 5)); }
};

describe('sync follows the session', () => {
  it('starts on unlock when signed in, pauses when the session expires, resumes on sign-in, stops on lock', async () => {
    replica = await openNodeReplica({ collections: ['accounts'] });
    const listeners = new Set<(db: ReplicaDatabase | null) => void>();
    const port = { database: () => null, onDatabase: (l: (db: ReplicaDatabase | null) => void) => (listeners.add(l), () => listeners.delete(l)) };
    const session = reactive({ state: 'signed-in' as SessionState, accessToken: 'tok' as string | null, refresh: async (): Promise<SessionState> => 'signed-in' });
    const log: string[] = [];
    const stop = startSessionSync({ replica: port, session, status: silent, createEngine: (o) => fakeEngine(log, o) });
    for (const l of listeners) l(replica.db);
    await settle();
    expect(log).toEqual(['start token=tok']);
    expect(nextStamp()).toMatch(/^\d{13}:[0-9a-f]{4}:[0-9a-f-]{36}$/);
    session.state = 'expired';
    await settle();
    session.state = 'signed-in';
    await settle();
    for (const l of listeners) l(null);
    await settle();
    expect(log).toEqual(['start token=tok', 'pause signed-out', 'signedIn', 'stop']);
    expect(() => nextStamp()).toThrow(/unlock/);
    stop();
  });
});
