import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStatusSink } from './sync-engine.ts';
import { relaySyncStatus, type StatusRelay } from './status-relay.ts';

/** Records every call, as "method args". */
function recorder(): SyncStatusSink & { calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => (...args: unknown[]) => void calls.push(`${name} ${JSON.stringify(args)}`);
  return {
    calls,
    setQueued: rec('setQueued'), setConflicts: rec('setConflicts'), syncStarted: rec('syncStarted'), syncFinished: rec('syncFinished'),
    syncFailed: rec('syncFailed'), setServerReachable: rec('setServerReachable'), setReceived: rec('setReceived'),
  };
}

let channels = 0;
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('sync status relay between tabs (real BroadcastChannel)', () => {
  const open: StatusRelay[] = [];
  let name = '';
  const tab = (sink: SyncStatusSink) => {
    const relay = relaySyncStatus(sink, new BroadcastChannel(name));
    open.push(relay);
    return relay;
  };
  afterEach(() => {
    for (const r of open.splice(0)) r.close();
  });

  it('what the replicating tab reports reaches the other tabs in order; per-tab counts stay in their tab', async () => {
    name = `relay-test-${++channels}`;
    const a = recorder();
    const b = recorder();
    const leader = tab(a);
    tab(b);
    await settle();
    leader.sink.syncStarted(2);
    leader.sink.setReceived(1000);
    leader.sink.setQueued(5);
    leader.sink.setConflicts(1);
    leader.sink.syncFinished('2026-12-05T18:00:00.000Z', 0);
    await settle();
    expect(a.calls).toEqual(['syncStarted [2]', 'setReceived [1000]', 'setQueued [5]', 'setConflicts [1]', 'syncFinished ["2026-12-05T18:00:00.000Z",0]']);
    expect(b.calls).toEqual(['syncStarted [2]', 'setReceived [1000]', 'syncFinished ["2026-12-05T18:00:00.000Z",0]']);
  });

  it('a tab opened later is told the latest state; what others relay is not sent on again', async () => {
    name = `relay-test-${++channels}`;
    const a = recorder();
    const b = recorder();
    const leader = tab(a);
    const follower = tab(b);
    await settle();
    leader.sink.syncStarted(0);
    leader.sink.setReceived(12_000);
    leader.sink.syncFailed('The MyMidas server cannot be reached.');
    await settle();
    const c = recorder();
    tab(c);
    await settle();
    expect(c.calls).toEqual(['syncStarted [0]', 'syncFailed ["The MyMidas server cannot be reached."]']);
    // b only applied what it heard: its own relay holds nothing to repeat, and a never hears its own reports back.
    expect(b.calls).toHaveLength(3);
    expect(a.calls).toHaveLength(3);
    follower.close();
  });

  it('ignores messages that are not relay messages, and bad counts do not break the tab', async () => {
    name = `relay-test-${++channels}`;
    const b = recorder();
    const throwing = { ...b, setReceived: () => { throw new RangeError('bad count'); } };
    tab(throwing);
    const rogue = new BroadcastChannel(name);
    rogue.postMessage({ kind: 'event', method: 'setQueued', args: [99] });
    rogue.postMessage({ kind: 'event', method: 'constructor', args: [] });
    rogue.postMessage('hello');
    rogue.postMessage({ kind: 'event', method: 'syncFailed', args: ['for another tab'], to: 'someone-else' });
    rogue.postMessage({ kind: 'event', method: 'setReceived', args: [-1] });
    rogue.postMessage({ kind: 'event', method: 'syncStarted', args: [1] });
    await settle();
    rogue.close();
    expect(b.calls).toEqual(['syncStarted [1]']);
  });
});
