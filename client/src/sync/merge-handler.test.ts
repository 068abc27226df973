import { describe, expect, it } from 'vitest';
import type { ConflictRecord } from '@mymidas/shared/sync';
import { DeviceClock } from './clock.ts';
import { createMergeConflictHandler } from './merge-handler.ts';

const doc = (over: Record<string, unknown>) => ({ id: 'a1', hlc: '1750000000000:0000:dev-a', name: 'Base', notes: null, sortOrder: 1, _deleted: false, ...over });

describe('merge conflict handler', () => {
  it('merges field by field, logs the losing value, and stamps the merge after the master', async () => {
    const logged: ConflictRecord[] = [];
    const clock = new DeviceClock({ node: 'dev-a', now: () => 1_750_000_000_001 });
    const handler = createMergeConflictHandler<Record<string, unknown>>({ collection: 'accounts', clock, record: async (r) => logged.push(...r) });
    const base = doc({});
    const ours = doc({ hlc: '1750000000001:0000:dev-a', name: 'Ours', sortOrder: 7 });
    const theirs = doc({ hlc: '1750000000005:0000:dev-b', name: 'Theirs', notes: 'n' });
    const out = (await handler.resolve({ assumedMasterState: base as never, newDocumentState: ours as never, realMasterState: theirs as never }, 'test')) as Record<string, unknown>;
    expect(out).toMatchObject({ name: 'Theirs', notes: 'n', sortOrder: 7, _deleted: false });
    expect(String(out.hlc) > '1750000000005:0000:dev-b').toBe(true);
    expect(logged).toEqual([{ collection: 'accounts', docId: 'a1', field: 'name', lostValue: 'Ours', lostHlc: '1750000000001:0000:dev-a', keptHlc: '1750000000005:0000:dev-b' }]);
  });

  it('takes the master unchanged when nothing of the local edit survives', async () => {
    const handler = createMergeConflictHandler<Record<string, unknown>>({ collection: 'accounts', clock: new DeviceClock({ node: 'dev-a' }), record: async () => undefined });
    const theirs = doc({ hlc: '1750000000005:0000:dev-b', name: 'Theirs' });
    const out = await handler.resolve({ assumedMasterState: doc({}) as never, newDocumentState: doc({ hlc: '1750000000001:0000:dev-a', name: 'Ours' }) as never, realMasterState: theirs as never }, 'test');
    expect(out).toBe(theirs);
  });

  it('compares documents without RxDB bookkeeping', () => {
    const handler = createMergeConflictHandler<Record<string, unknown>>({ collection: 'accounts', clock: new DeviceClock({ node: 'dev-a' }), record: async () => undefined });
    expect(handler.isEqual({ ...doc({}), _meta: { lwt: 1 }, _rev: '1-a', _attachments: {} } as never, doc({}) as never, 'x')).toBe(true);
    expect(handler.isEqual(doc({}) as never, doc({ name: 'Other' }) as never, 'x')).toBe(false);
  });
});
