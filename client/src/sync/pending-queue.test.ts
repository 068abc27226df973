import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import type { Replica } from '../db/database.ts';
import { createPendingQueue } from './pending-queue.ts';
import { openNodeReplica } from './test-replica.ts';

let replica: Replica | null = null;
afterEach(async () => {
  await replica?.close();
  replica = null;
});

const category = (i: number, hlc: string) => ({
  id: `0196a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`, hlc, name: `Secret category ${i}`, parentId: null, kind: 'expense' as const,
  color: '#112233', icon: 'x', sortOrder: i, hidden: false,
});

async function settle(check: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pending queue (the "N queued" count)', () => {
  it('counts local writes, clears only the version that was sent, and survives a reload', async () => {
    const indexedDB = new IDBFactory();
    replica = await openNodeReplica({ indexedDB, collections: ['categories'] });
    const counts: number[] = [];
    const queue = createPendingQueue(replica.db, ['categories'], (n) => counts.push(n));
    await replica.db.categories.insert(category(1, '1750000000000:0000:dev-a'));
    await replica.db.categories.insert(category(2, '1750000000000:0001:dev-a'));
    await settle(() => queue.size === 2, 'two queued');

    // Edited again before the first push came back: the older version's ack leaves it queued.
    await replica.db.categories.upsert({ ...category(2, '1750000000000:0002:dev-a'), name: 'Renamed' });
    queue.sent('categories', category(2, '1750000000000:0001:dev-a'));
    expect(queue.size).toBe(2);
    queue.sent('categories', category(1, '1750000000000:0000:dev-a'));
    expect(queue.size).toBe(1);
    expect(counts.at(-1)).toBe(1);
    await queue.dispose();

    // The stored queue holds ids and stamps, never a field value.
    const stored = await replica.db.getLocal<{ entries: [string, string][] }>('sync-queue');
    expect(stored?.toJSON().data.entries).toEqual([[`categories/${category(2, '').id}`, '1750000000000:0002:dev-a']]);
    expect(JSON.stringify(stored?.toJSON())).not.toContain('Renamed');

    await replica.close();
    replica = await openNodeReplica({ indexedDB, collections: ['categories'] });
    const after: number[] = [];
    const reopened = createPendingQueue(replica.db, ['categories'], (n) => after.push(n));
    await settle(() => reopened.size === 1, 'the stored queue to load');
    expect(after).toEqual([1]);
    reopened.sent('categories', { ...category(2, '1750000000000:0002:dev-a'), name: 'Renamed' });
    expect(reopened.size).toBe(0);
    await reopened.dispose();
  }, 60_000);

  it('past the stored limit keeps the rest by number, and any unknown send after a reload counts them down', async () => {
    const indexedDB = new IDBFactory();
    replica = await openNodeReplica({ indexedDB, collections: ['categories'] });
    const queue = createPendingQueue(replica.db, ['categories'], () => undefined, { maxStoredEntries: 2 });
    await replica.db.categories.bulkInsert([1, 2, 3, 4, 5].map((i) => category(i, `1750000000000:000${i}:dev-a`)));
    await settle(() => queue.size === 5, 'five queued');
    await queue.dispose();
    const stored = await replica.db.getLocal<{ entries: [string, string][]; more?: number }>('sync-queue');
    expect(stored?.toJSON().data.entries).toHaveLength(2);
    expect(stored?.toJSON().data.more).toBe(3);

    await replica.close();
    replica = await openNodeReplica({ indexedDB, collections: ['categories'] });
    const reopened = createPendingQueue(replica.db, ['categories'], () => undefined, { maxStoredEntries: 2 });
    await settle(() => reopened.size === 5, 'the stored queue to load');
    reopened.sent('categories', category(5, '1750000000000:0005:dev-a'));
    reopened.sent('categories', category(4, '1750000000000:0004:dev-a'));
    reopened.sent('categories', category(1, '1750000000000:0001:dev-a'));
    expect(reopened.size).toBe(2);
    await reopened.dispose();
  }, 60_000);

  it('clear() empties the queue and the stored copy', async () => {
    replica = await openNodeReplica({ collections: ['categories'] });
    const queue = createPendingQueue(replica.db, ['categories'], () => undefined);
    await replica.db.categories.insert(category(7, '1750000000000:0007:dev-a'));
    await settle(() => queue.size === 1, 'one queued');
    queue.clear();
    expect(queue.size).toBe(0);
    await queue.dispose();
    expect((await replica.db.getLocal<{ entries: [string, string][] }>('sync-queue'))?.toJSON().data.entries).toEqual([]);
  }, 30_000);

  it('does not count collections it was not asked to follow', async () => {
    replica = await openNodeReplica({ collections: ['categories'] });
    const queue = createPendingQueue(replica.db, [], () => undefined);
    await replica.db.categories.insert(category(3, '1750000000000:0000:dev-a'));
    await new Promise((r) => setTimeout(r, 50));
    expect(queue.size).toBe(0);
    await queue.dispose();
  }, 30_000);
});
