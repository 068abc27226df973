import { describe, expect, it } from 'vitest';
import { describeSync, type SyncFacts } from './sync-status-model.ts';

const base: SyncFacts = { online: true, serverReachable: true, signedIn: true, queued: 0, inFlight: 0, conflicts: 0, lastSyncedAt: '2026-11-25T08:00:00Z' };

describe('sync status', () => {
  it('is synced when nothing is queued, running or in conflict', () => {
    expect(describeSync(base)).toMatchObject({ state: 'synced', label: 'Synced', tone: 'ok' });
  });

  it('counts the changes being synced', () => {
    expect(describeSync({ ...base, inFlight: 3, queued: 3 })).toMatchObject({ state: 'syncing', label: 'Syncing 3' });
  });

  it('shows how much a long pull has received, and stops once the sync is over', () => {
    const v = describeSync({ ...base, lastSyncedAt: null, received: 12_000 });
    expect(v).toMatchObject({ state: 'syncing', label: 'Syncing · 12,000 received', compact: 'Syncing 12,000', tone: 'busy' });
    expect(v.description).toBe('Receiving changes from the server: 12,000 so far.');
    expect(describeSync({ ...base, received: 0 }).state).toBe('synced');
    expect(describeSync({ ...base, online: false, received: 500 }).state).toBe('offline');
  });

  it('says when the server asked the device to wait, instead of a count that does not move', () => {
    const message = 'The server asked this device to slow down; sync resumes in 30 s.';
    const v = describeSync({ ...base, received: 4_000, problem: { kind: 'rate-limited', message, retryAt: '2026-11-25T08:00:30Z' } });
    expect(v).toMatchObject({ state: 'waiting', label: 'Slowed down by server', compact: 'Waiting', tone: 'warn', description: message });
    expect(describeSync({ ...base, online: false, problem: { kind: 'rate-limited', message } }).state).toBe('offline');
  });

  it('says sync stopped when a collection stopped advancing, even after the rest finished', () => {
    const v = describeSync({ ...base, problem: { kind: 'stalled', message: 'Sync of quotes stopped: …' } });
    expect(v).toMatchObject({ state: 'stalled', label: 'Sync stopped', tone: 'alert', description: 'Sync of quotes stopped: …' });
  });

  it('shows offline with the number of queued changes, even when also signed out', () => {
    const v = describeSync({ ...base, online: false, signedIn: false, queued: 2 });
    expect(v).toMatchObject({ state: 'offline', label: 'Offline · 2 queued', compact: 'Offline · 2' });
    expect(v.description).toMatch(/2 changes saved on this device/);
  });

  it('treats an unreachable server like offline, and says which', () => {
    expect(describeSync({ ...base, serverReachable: false }).description).toMatch(/server cannot be reached/);
  });

  it('asks to sign in when the session has ended, while saying local use continues', () => {
    const v = describeSync({ ...base, signedIn: false, queued: 1 });
    expect(v.state).toBe('needs-sign-in');
    expect(v.description).toMatch(/Local use continues/);
    expect(v.description).toMatch(/1 change saved/);
  });

  it('puts conflicts before progress', () => {
    expect(describeSync({ ...base, conflicts: 1, inFlight: 4 })).toMatchObject({ state: 'conflicts', label: '1 conflict to review', compact: '1 conflict', tone: 'alert' });
  });

  it('does not claim to be synced before the first sync', () => {
    expect(describeSync({ ...base, lastSyncedAt: null }).state).toBe('never-synced');
  });

  it('shows queued changes waiting while idle', () => {
    expect(describeSync({ ...base, queued: 5 })).toMatchObject({ state: 'pending', label: '5 to send' });
  });
});
