import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSyncStatusStore } from './sync-status.ts';

describe('sync status store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
  });

  it('shows a wait the server asked for until documents arrive again', () => {
    const s = useSyncStatusStore();
    s.setSignedIn(true);
    s.syncStarted(0);
    s.setReceived(200);
    s.syncFailed('The server asked this device to slow down; sync resumes in 30 s.', 'rate-limited', '2026-12-06T20:00:30Z');
    expect(s.view.state).toBe('waiting');
    expect(s.problem).toMatchObject({ kind: 'rate-limited', retryAt: '2026-12-06T20:00:30Z' });
    s.setReceived(400);
    expect(s.view.state).toBe('syncing');
    expect(s.problem).toBeNull();
  });

  it('keeps a stalled collection on the indicator while other documents arrive, until a new sync starts', () => {
    const s = useSyncStatusStore();
    s.setSignedIn(true);
    s.syncFailed('Sync of quotes stopped: …', 'stalled');
    s.setReceived(10);
    expect(s.view.state).toBe('stalled');
    s.syncStarted(0);
    expect(s.view.state).not.toBe('stalled');
  });

  it('records other failures as the last error without changing what the indicator says', () => {
    const s = useSyncStatusStore();
    s.setSignedIn(true);
    s.syncFinished('2026-12-06T20:00:00Z');
    s.syncFailed('The server refused a change to accounts: …');
    expect(s.lastError).toMatch(/refused/);
    expect(s.view.state).toBe('synced');
  });
});
