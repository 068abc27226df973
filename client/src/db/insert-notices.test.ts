import { describe, expect, it } from 'vitest';
import { MAX_NOTICE_IDS, insertNoticeChannelName, openInsertNoticeChannel, readInsertNotice } from './insert-notices.ts';
import type { InsertNotice } from './insert-notices.ts';

const notice: InsertNotice = { id: 'bulk-1', ids: ['t1', 't2'], checkpoint: { id: 't2', lwt: 1750000000000 }, context: 'replication-pull' };

describe('insert notices between tabs', () => {
  it('reads a well-formed notice, keeping only its known fields', () => {
    expect(readInsertNotice({ ...notice, extra: 'ignored' })).toEqual(notice);
  });

  it('delivers a notice from another tab to the listener and posts this tab\'s own', () => {
    const channels: FakeChannel[] = [];
    const heard: InsertNotice[] = [];
    const channel = openInsertNoticeChannel({
      databaseName: 'mymidas', collection: 'transactions', schemaVersion: 3, multiInstance: true,
      onNotice: (n) => heard.push(n),
      channel: (name) => {
        const c = new FakeChannel(name);
        channels.push(c);
        return c as unknown as BroadcastChannel;
      },
    });
    expect(channels.map((c) => c.name)).toEqual([insertNoticeChannelName('mymidas', 'transactions', 3)]);
    channels[0]!.onmessage?.({ data: notice } as MessageEvent<unknown>);
    expect(heard).toEqual([notice]);
    channel!.post(notice);
    expect(channels[0]!.posted).toEqual([notice]);
    channel!.close();
    expect(channels[0]!.closed).toBe(true);
  });

  it('opens no channel for a single-tab replica', () => {
    let opened = 0;
    const channel = openInsertNoticeChannel({
      databaseName: 'mymidas', collection: 'transactions', schemaVersion: 3, multiInstance: false, onNotice: () => undefined,
      channel: () => {
        opened += 1;
        return new FakeChannel('x') as unknown as BroadcastChannel;
      },
    });
    expect(channel).toBeNull();
    expect(opened).toBe(0);
  });
});

describe('insert notices, from the side of a hostile message on the channel', () => {
  it.each([
    ['nothing', null],
    ['a string', 'bulk-1'],
    ['no id', { ...notice, id: undefined }],
    ['no context', { ...notice, context: 7 }],
    ['ids that are not a list', { ...notice, ids: 't1' }],
    ['no ids', { ...notice, ids: [] }],
    ['an id that is not a string', { ...notice, ids: ['t1', { $gt: '' }] }],
    ['too many ids', { ...notice, ids: Array.from({ length: MAX_NOTICE_IDS + 1 }, (_, i) => `t${i}`) }],
    ['no checkpoint', { ...notice, checkpoint: undefined }],
    ['a checkpoint lwt that is not a number', { ...notice, checkpoint: { id: 't2', lwt: '1' } }],
    ['a checkpoint id that is not a string', { ...notice, checkpoint: { id: 2, lwt: 1 } }],
  ])('ignores %s', (_what, data) => {
    expect(readInsertNotice(data)).toBeNull();
    const heard: InsertNotice[] = [];
    let channel: FakeChannel | null = null;
    openInsertNoticeChannel({
      databaseName: 'mymidas', collection: 'transactions', schemaVersion: 3, multiInstance: true, onNotice: (n) => heard.push(n),
      channel: (name) => (channel = new FakeChannel(name)) as unknown as BroadcastChannel,
    });
    channel!.onmessage?.({ data } as MessageEvent<unknown>);
    expect(heard).toEqual([]);
  });
});

class FakeChannel {
  onmessage: ((message: MessageEvent<unknown>) => void) | null = null;
  readonly posted: unknown[] = [];
  closed = false;
  constructor(readonly name: string) {}
  postMessage(data: unknown) {
    this.posted.push(data);
  }
  close() {
    this.closed = true;
  }
}
