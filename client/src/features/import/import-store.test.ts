import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { Account, Transaction } from '@mymidas/shared/schema';
import { openReplica } from '../../db/database.ts';
import type { Replica } from '../../db/database.ts';
import { compareStamps } from '@mymidas/shared/sync';
import { replicaClock, setDeviceClock } from '../../sync/clock.ts';
import { createImportHandlers } from './import-worker-handlers.ts';
import { largeStarlingCsv } from '../../../../e2e/lib/large-statement.ts';
import { mappingFromForm, suggestMapping } from './column-mapping.ts';
import type { ImportDraft } from './import-plan.ts';
import {
  ImportCancelledError, ImportWriteError, commitImport, listBatches, loadMapping, readBatch, readExistingHashes,
  readOpenAccounts, saveMapping, undoImport,
} from './import-store.ts';

const ACCOUNT = '0190f5a2-1111-7000-8000-000000000001';
const OTHER_ACCOUNT = '0190f5a2-1111-7000-8000-000000000002';
const MANUAL = '0190f5a2-4444-7000-8000-000000000004';

let replica: Replica;

function account(id: string, name: string, closed = false): Account {
  return {
    id, hlc: '1700000000000:0000:seed', name, type: 'current', currency: 'GBP', institution: null, accountRef: null, openingBalance: 0,
    openingDate: '2014-01-01', creditLimit: null, apr: null, closed, sortOrder: closed ? 2 : 1, notes: null,
  };
}

const manual: Transaction = {
  id: MANUAL, hlc: '1700000000000:0001:seed', accountId: ACCOUNT, date: '2015-01-01', amount: -500, currency: 'GBP', categoryId: null, tags: [],
  merchant: null, description: 'Typed in by hand', notes: null, transferId: null, importHash: null, status: 'cleared', splits: [],
};

beforeEach(async () => {
  replica = await openReplica({
    password: 'correct horse battery', name: `import-${Math.random().toString(36).slice(2)}`, baseStorage: getRxStorageMemory(),
    kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 }, keyCompression: false,
  });
  await replica.db.accounts.bulkInsert([account(ACCOUNT, 'Current'), account(OTHER_ACCOUNT, 'Old', true)]);
  await replica.db.transactions.insert(manual);
});

afterEach(async () => {
  await replica.close();
});

/** The page's path through the worker's handlers (in-process here) and the store. */
async function runImport(text: string, options: { signal?: AbortSignal; chunkSize?: number; failAt?: number; onProgress?: (done: number) => void; alter?: (draft: ImportDraft, index: number) => ImportDraft } = {}) {
  const { db } = replica;
  const worker = createImportHandlers();
  const summary = worker.importParse(new TextEncoder().encode(text), 'statement.csv', {});
  const plan = await worker.importPlan({ accountId: ACCOUNT, accountCurrency: 'GBP', existingHashes: await readExistingHashes(db, ACCOUNT), rules: [] });
  if (plan.counts.fresh === 0) return { summary, plan, batch: null };
  const batch = await commitImport(db, {
    accountId: ACCOUNT, fileName: 'statement.csv', format: summary.format, total: plan.counts.fresh, duplicates: plan.counts.duplicates, skipped: plan.counts.skipped,
    takeDrafts: async (offset, count) => {
      if (options.failAt !== undefined && offset >= options.failAt) throw new ImportWriteError('disk full');
      const drafts = worker.importDrafts(offset, count);
      return options.alter ? drafts.map((d, i) => options.alter!(d, offset + i)) : drafts;
    },
    stamper: await replicaClock(db),
    chunkSize: options.chunkSize,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { summary, plan, batch };
}

const allTransactions = async () => (await replica.db.transactions.find().exec()).map((d) => d.toMutableJSON() as Transaction);

describe('committing an import as one batch', { timeout: 60_000 }, () => {
  it('writes the new rows with ids, stamps and hashes, and the same file again adds nothing', async () => {
    const file = largeStarlingCsv(1_200, 5);
    const first = await runImport(file.text);
    expect(first.summary.format).toBe('starling');
    expect(first.plan.counts.fresh).toBe(1_200);
    const docs = await allTransactions();
    expect(docs).toHaveLength(1_201);
    const imported = docs.filter((d) => d.id !== MANUAL);
    expect(imported.reduce((s, d) => s + d.amount, 0)).toBe(file.totalMinor);
    expect(new Set(imported.map((d) => d.hlc)).size).toBe(1_200);
    expect(imported.every((d) => d.hlc > manual.hlc && d.importHash !== null && d.accountId === ACCOUNT)).toBe(true);
    expect(new Set(first.batch?.transactionIds)).toEqual(new Set(imported.map((d) => d.id)));
    expect(first.batch?.state).toBe('done');

    const again = await runImport(file.text);
    expect(again.plan.counts).toMatchObject({ fresh: 0, duplicates: 1_200 });
    expect(again.batch).toBeNull();
    expect(await allTransactions()).toHaveLength(1_201);
  });

  it('undo removes exactly the batch, stamped, and the file can then be imported again', async () => {
    const { batch } = await runImport(largeStarlingCsv(700, 9).text);
    const second = await runImport(`Date,Counter Party,Reference,Type,Amount (GBP)\n01/01/2030,Later,LATER,CONTACTLESS,-1.00\n`);
    expect((await listBatches(replica.db)).map((b) => b.id)).toEqual([second.batch?.id, batch?.id]);
    const stamper = await replicaClock(replica.db);
    const removed = await undoImport(replica.db, batch!.id, stamper, undefined, 300);
    expect(removed).toBe(700);
    const left = await allTransactions();
    expect(left.map((d) => d.id).sort()).toEqual([MANUAL, ...(second.batch?.transactionIds ?? [])].sort());
    expect(await readBatch(replica.db, batch!.id)).toBeNull();
    expect((await listBatches(replica.db)).map((b) => b.id)).toEqual([second.batch?.id]);
    await expect(undoImport(replica.db, batch!.id, stamper)).rejects.toBeInstanceOf(ImportWriteError);
    // Removed rows no longer count as imported.
    expect((await runImport(largeStarlingCsv(700, 9).text)).plan.counts.fresh).toBe(700);
  });

  it('stamps each removal of an undo after the removed document\'s own stamp (an edit synced from a device whose clock runs ahead)', async () => {
    const { batch } = await runImport(largeStarlingCsv(3, 2).text);
    const ahead = `${Date.now() + 3_600_000}:0003:other-device`;
    const edited = await replica.db.transactions.findOne(batch!.transactionIds[1]!).exec();
    await edited!.incrementalPatch({ hlc: ahead });
    const clock = await replicaClock(replica.db);
    const pairs: { seen: string; stamp?: string }[] = [];
    await undoImport(replica.db, batch!.id, {
      observe: (stamp) => (pairs.push({ seen: String(stamp) }), clock.observe(stamp)),
      nextStamp: () => {
        const stamp = clock.nextStamp();
        pairs[pairs.length - 1]!.stamp = stamp;
        return stamp;
      },
    });
    expect(pairs.map((p) => p.seen)).toContain(ahead);
    expect(pairs).toHaveLength(3);
    for (const { seen, stamp } of pairs) expect(compareStamps(seen, stamp!)).toBe(-1);
  });

  it('is refused whole, with the reason, when the account was closed meanwhile (as any ledger edit would be)', async () => {
    // Closed on another device after the preview was made: the import page only offers open accounts.
    await (await replica.db.accounts.findOne(ACCOUNT).exec())!.incrementalPatch({ closed: true });
    await expect(runImport(largeStarlingCsv(20, 3).text)).rejects.toThrow(/Nothing was imported: The account "Current" is closed/);
    expect((await allTransactions()).map((d) => d.id)).toEqual([MANUAL]);
    expect(await listBatches(replica.db)).toEqual([]);
  });

  it('takes back the pieces already written when a later piece names a category that no longer exists', async () => {
    const gone = '0190f5a2-9999-7000-8000-000000000009';
    let written = 0;
    await expect(runImport(largeStarlingCsv(1_300, 4).text, {
      chunkSize: 100,
      onProgress: (d) => (written = d),
      alter: (draft, index) => (index === 1_150 ? { ...draft, categoryId: gone } : draft),
    })).rejects.toThrow(/Nothing was imported: The category chosen for .* no longer exists/);
    expect(written).toBe(1_000);
    expect((await allTransactions()).map((d) => d.id)).toEqual([MANUAL]);
    expect(await listBatches(replica.db)).toEqual([]);
  });

  it('removes what it wrote when a chunk fails, leaving nothing behind', async () => {
    let written = 0;
    await expect(runImport(largeStarlingCsv(1_300, 4).text, { failAt: 1_000, chunkSize: 100, onProgress: (d) => (written = d) })).rejects.toThrow('disk full');
    expect(written).toBe(1_000);
    expect((await allTransactions()).map((d) => d.id)).toEqual([MANUAL]);
    expect(await listBatches(replica.db)).toEqual([]);
  });

  it('removes what it wrote when cancelled part-way', async () => {
    const controller = new AbortController();
    const { db } = replica;
    const worker = createImportHandlers();
    worker.importParse(new TextEncoder().encode(largeStarlingCsv(1_500, 2).text), 'statement.csv', {});
    const plan = await worker.importPlan({ accountId: ACCOUNT, accountCurrency: 'GBP', existingHashes: [], rules: [] });
    let chunks = 0;
    await expect(commitImport(db, {
      accountId: ACCOUNT, fileName: 's.csv', format: 'starling', total: plan.counts.fresh, duplicates: 0, skipped: 0,
      takeDrafts: async (o, c) => worker.importDrafts(o, c),
      stamper: await replicaClock(db),
      onProgress: () => {
        chunks++;
        if (chunks === 2) controller.abort();
      },
      signal: controller.signal,
    })).rejects.toBeInstanceOf(ImportCancelledError);
    expect(chunks).toBe(2);
    expect((await allTransactions()).map((d) => d.id)).toEqual([MANUAL]);
    expect(await listBatches(db)).toEqual([]);
  });
});

describe('stamps', { timeout: 60_000 }, () => {
  it('come from the replica\'s device clock, the one the session installs for sync', async () => {
    const clock = await replicaClock(replica.db);
    setDeviceClock(clock);
    try {
      const before = clock.nextStamp();
      const { batch } = await runImport(largeStarlingCsv(3, 1).text);
      const stamps = (await allTransactions()).filter((d) => batch?.transactionIds.includes(d.id)).map((d) => d.hlc).sort();
      expect(stamps).toHaveLength(3);
      expect(stamps.every((s) => s > before && s.endsWith(`:${replica.deviceId}`))).toBe(true);
      expect(clock.last).toBe(stamps[2]);
    } finally {
      setDeviceClock(null);
    }
  });

  it('sort after the replica\'s earlier edits, on this device\'s node', async () => {
    const { batch } = await runImport(largeStarlingCsv(2, 1).text);
    const docs = (await allTransactions()).filter((d) => batch?.transactionIds.includes(d.id));
    expect(docs.every((d) => d.hlc > manual.hlc && d.hlc.endsWith(`:${replica.deviceId}`))).toBe(true);
  });
});

describe('reads for the import page', { timeout: 60_000 }, () => {
  it('lists open accounts only and keeps a column mapping per account', async () => {
    expect((await readOpenAccounts(replica.db)).map((a) => a.id)).toEqual([ACCOUNT]);
    expect(await loadMapping(replica.db, ACCOUNT)).toBeNull();
    const { mapping } = mappingFromForm(suggestMapping(['Posted', 'Details', 'Value']), ['Posted', 'Details', 'Value']);
    await saveMapping(replica.db, ACCOUNT, mapping!);
    expect(await loadMapping(replica.db, ACCOUNT)).toEqual(mapping);
    expect(await loadMapping(replica.db, OTHER_ACCOUNT)).toBeNull();
  });
});
