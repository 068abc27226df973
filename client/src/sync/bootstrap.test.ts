import { describe, expect, it } from 'vitest';
import { replicaStorageExtras } from '../db/encrypted-storage.ts';
import { narrowUpstreamScan, runBootstrap } from './bootstrap.ts';
import { openNodeReplica } from './test-replica.ts';
import type { PullCheckpoint, WireDoc } from './transport.ts';

/**
 * runBootstrap against a real replica and a scripted server (the engine tests in tests/sync run it
 * against the real one). The server is not trusted with the replica's bookkeeping.
 */

const id = (n: number) => `0196a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`;
const account = (n: number, over: Record<string, unknown> = {}): WireDoc => ({
  id: id(n), hlc: `1750000000000:${String(n).padStart(4, '0')}:srv`, name: `Account ${n}`, type: 'current', currency: 'GBP',
  institution: null, accountRef: null, openingBalance: n, openingDate: '2026-01-01', creditLimit: null, apr: null,
  closed: false, sortOrder: n, notes: null, _deleted: false, ...over,
});

async function setUp(pages: WireDoc[][], log?: string[]) {
  const replica = await openNodeReplica({ collections: ['accounts'] });
  const fetched: (PullCheckpoint | null)[] = [];
  const state = {
    downstreamBulkWriteFlag: Promise.resolve('replication-downstream-test'),
    input: { hashFunction: replica.db.hashFunction, identifier: 'rxdbreplicationtest' },
  };
  const run = () =>
    runBootstrap({
      db: replica.db,
      key: 'test:accounts',
      extras: replicaStorageExtras(replica.db.accounts.storageInstance)!,
      state: state as never,
      batchSize: 2,
      fetchPage: (from) => {
        fetched.push(from);
        log?.push(`asked after ${from?.seq ?? 0}`);
        const index = from ? from.seq : 0;
        const documents = pages[index] ?? [];
        return Promise.resolve({ documents, checkpoint: documents.length ? { seq: index + 1, id: documents.at(-1)!.id } : from });
      },
    });
  return { replica, fetched, run };
}

describe('runBootstrap', () => {
  it('stores full pages with bookkeeping of its own (whatever the server sent under those names) and hands the last page to RxDB', async () => {
    const forged = { _meta: { lwt: 1, bs: 0 }, _rev: '99-forged', _attachments: { x: { digest: 'd', length: 1, type: 'text/plain' } } };
    const { replica, fetched, run } = await setUp([[account(1, forged), account(2)], [account(3), account(4, { _deleted: true })], [account(5)]]);
    try {
      const last = await run();
      expect(last.documents.map((d) => d.id)).toEqual([id(5)]);
      expect(last.checkpoint).toEqual({ seq: 3, id: id(5) });
      expect(fetched).toEqual([null, { seq: 1, id: id(2) }, { seq: 2, id: id(4) }]);
      const stored = await replica.db.accounts.storageInstance.findDocumentsById([id(1), id(2), id(3), id(4)], true);
      expect(stored).toHaveLength(4);
      const hash = await replica.db.hashFunction('rxdbreplicationtest');
      for (const doc of stored as unknown as Record<string, unknown>[]) {
        expect(doc._rev).toBe(`1-${hash}`);
        expect(doc._meta).toMatchObject({ o: { _rev: 1, hash }, bs: 1 });
        expect(doc._attachments).toEqual({});
      }
      expect((stored as unknown as { id: string; _deleted: boolean }[]).find((d) => d.id === id(4))?._deleted).toBe(true);
      expect(await replica.db.accounts.count().exec()).toBe(3);
      // Progress: after the second full page.
      expect((await replica.db.getLocal<{ progress: Record<string, unknown> }>('sync-bootstrap'))?.toJSON().data.progress).toEqual({ 'test:accounts': { seq: 2, id: id(4) } });
    } finally {
      await replica.close();
    }
  });

  it('asks for the page after next as soon as the next one is here, while the page before is still being stored', async () => {
    const order: string[] = [];
    const { replica, run } = await setUp([[account(1), account(2)], [account(3), account(4)], [account(5), account(6)], [account(7)]], order);
    const sub = replica.db.accounts.storageInstance.changeStream().subscribe((bulk) => order.push(`stored ${bulk.events.map((e) => e.documentId).join(',')}`));
    try {
      const last = await run();
      expect(last.documents.map((d) => d.id)).toEqual([id(7)]);
      // The request for page 3 went out before page 1 was stored (it used to wait for that store).
      expect(order.indexOf('asked after 2')).toBeLessThan(order.indexOf(`stored ${id(1)},${id(2)}`));
      expect(order.filter((o) => o.startsWith('asked'))).toEqual(['asked after 0', 'asked after 1', 'asked after 2', 'asked after 3']);
      expect((await replica.db.getLocal<{ progress: Record<string, unknown> }>('sync-bootstrap'))?.toJSON().data.progress).toEqual({ 'test:accounts': { seq: 3, id: id(6) } });
    } finally {
      sub.unsubscribe();
      await replica.close();
    }
  });

  it('stops at the first page holding a document stored already, and hands RxDB only those, with that page\'s checkpoint', async () => {
    const { replica, fetched, run } = await setUp([[account(1), account(2)], [account(3), account(4)], [account(5), account(6)], []]);
    try {
      await replica.db.accounts.insert({ ...account(3, { name: 'Edited here' }), _deleted: undefined } as never);
      const handed = await run();
      expect(handed).toEqual({ documents: [account(3)], checkpoint: { seq: 2, id: id(4) } });
      // It goes no further than the pages already asked for: the one being stored when the stop was found
      // (page 3) and the one asked for as that page arrived (the empty page 4).
      expect(fetched.length).toBeLessThanOrEqual(4);
      expect((await replica.db.accounts.findOne(id(3)).exec())?.name).toBe('Edited here');
      expect(await replica.db.accounts.findOne(id(4)).exec()).not.toBeNull();
      // The page that stopped it is not recorded: RxDB's own checkpoint takes over from there.
      expect((await replica.db.getLocal<{ progress: Record<string, unknown> }>('sync-bootstrap'))?.toJSON().data.progress).toEqual({ 'test:accounts': { seq: 1, id: id(2) } });
    } finally {
      await replica.close();
    }
  });
});

describe('narrowUpstreamScan (what RxDB\'s upstream reads when it rescans for documents to push)', () => {
  async function scanned(pullOnly: boolean, editAfter?: number) {
    const { replica, run } = await setUp([[account(1), account(2)], [account(3), account(4)], [account(5)]]);
    await run();
    if (editAfter) await (await replica.db.accounts.findOne(id(editAfter)).exec())!.incrementalPatch({ name: 'Edited here' });
    await replica.db.accounts.insert({ ...account(9), _deleted: undefined } as never);
    const input = { forkInstance: replica.db.accounts.storageInstance, hashFunction: replica.db.hashFunction, identifier: 'rxdbreplicationtest' };
    narrowUpstreamScan({ input } as never, pullOnly);
    const fork = input.forkInstance as unknown as { getChangedDocumentsSince(limit: number, checkpoint?: unknown): Promise<{ documents: { id: string }[]; checkpoint: unknown }> };
    const ids: string[][] = [];
    let checkpoint: unknown;
    for (let i = 0; i < 10; i++) {
      const page = await fork.getChangedDocumentsSince(2, checkpoint);
      if (page.documents.length === 0) break;
      ids.push(page.documents.map((d) => d.id));
      checkpoint = page.checkpoint;
    }
    // The engine's own reads go to the storage itself.
    expect(await replica.db.accounts.count().exec()).toBe(5);
    await replica.close();
    return ids;
  }

  it('passes over untouched bootstrapped documents: only local ones are read, and the scan still moves past the rest', async () => {
    expect(await scanned(false)).toEqual([[id(9)]]);
  });

  it('reads a bootstrapped document again once it is edited here', async () => {
    expect((await scanned(false, 2)).flat().sort()).toEqual([id(2), id(9)].sort());
  });

  it('reads nothing for a pull-only collection', async () => {
    expect(await scanned(true)).toEqual([]);
  });
});
