import { describe, expect, it } from 'vitest';
import { openNodeReplica } from '../sync/test-replica.ts';

const ID = '0196a1b2-0000-7000-8000-000000000001';
const account = { id: ID, hlc: '1750000000000:0000:a', name: 'Start', type: 'current', currency: 'GBP', institution: null, accountRef: null, openingBalance: 0, openingDate: '2026-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null };

describe('encrypted storage in Node (fake-indexeddb)', () => {
  it('two writes racing from the same previous state: the change event carries the winner, not the loser', async () => {
    // RxDB gives both the same revision (height + database token); the wrapper must not mix up their plaintext.
    const replica = await openNodeReplica({ collections: ['accounts'] });
    try {
      await replica.db.accounts.insert(account as never);
      const storage = replica.db.accounts.storageInstance;
      const [previous] = await storage.findDocumentsById([ID], true);
      const events: unknown[] = [];
      const sub = replica.db.accounts.eventBulks$.subscribe((bulk) => events.push(...bulk.events.map((e) => (e.documentData as { name: string }).name)));
      const row = (name: string, lwt: number) => ({ previous: previous!, document: { ...previous!, name, _meta: { lwt } } as never });
      const [a, b] = await Promise.all([storage.bulkWrite([row('Written by A', Date.now() + 1)], 'a'), storage.bulkWrite([row('Written by B', Date.now() + 2)], 'b')]);
      sub.unsubscribe();
      expect(a.error.length + b.error.length).toBe(1);
      const [stored] = await storage.findDocumentsById([ID], true);
      expect(events).toEqual([(stored as unknown as { name: string }).name]);
    } finally {
      await replica.close();
    }
  });
});
