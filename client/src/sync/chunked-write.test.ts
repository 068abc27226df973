import { afterEach, describe, expect, it } from 'vitest';
import type { Replica } from '../db/database.ts';
import { bulkWriteChunked } from './chunked-write.ts';
import { openNodeReplica } from './test-replica.ts';

let replica: Replica | null = null;
afterEach(async () => {
  await replica?.close();
  replica = null;
});

const category = (i: number) => ({ id: `0196a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`, hlc: '1750000000000:0000:dev-a', name: `C${i}`, parentId: null, kind: 'expense', color: '#112233', icon: 'x', sortOrder: i, hidden: false });

describe('bulkWriteChunked', () => {
  it('writes in chunks with a distinct _meta.lwt per chunk and reports progress', async () => {
    replica = await openNodeReplica({ collections: ['categories'] });
    const progress: number[] = [];
    const docs = Array.from({ length: 250 }, (_, i) => category(i));
    const out = await bulkWriteChunked(replica.db.categories, docs as never[], { chunkSize: 100, onProgress: (done) => progress.push(done) });
    expect(out.success).toHaveLength(250);
    expect(out.error).toEqual([]);
    expect(progress).toEqual([100, 200, 250]);
    const stored = await replica.db.categories.storageInstance.findDocumentsById(docs.map((d) => d.id), false);
    const lwts = new Set(stored.map((d) => d._meta.lwt));
    expect(lwts.size).toBe(3);
  }, 30_000);

  it('stops after the current chunk when aborted', async () => {
    replica = await openNodeReplica({ collections: ['categories'] });
    const ctrl = new AbortController();
    const out = await bulkWriteChunked(replica.db.categories, Array.from({ length: 30 }, (_, i) => category(i)) as never[], { chunkSize: 10, onProgress: () => ctrl.abort(), signal: ctrl.signal });
    expect(out.success).toHaveLength(10);
    expect(out.skipped).toBe(20);
  });
});
