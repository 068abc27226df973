import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { Account, Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import { openReplica } from '../../db/database.ts';
import type { Replica } from '../../db/database.ts';
import { replicaClock } from '../../sync/clock.ts';
import { BROKER_FIXTURES } from '@mymidas/shared/import/brokers/__fixtures__/fixtures';
import { NotAnInvestmentAccountError } from './import-invest-plan.ts';
import { commitTradeImport, readInvestContext } from './import-invest-store.ts';
import { ImportWriteError, listBatches, undoImport } from './import-store.ts';
import { createImportHandlers } from './import-worker-handlers.ts';

const ISA = '0190f5a2-2222-7000-8000-000000000001';
const CURRENT = '0190f5a2-2222-7000-8000-000000000002';
const APPLE = '0190f5a2-3333-7000-8000-000000000001';

let replica: Replica;

function account(id: string, type: Account['type']): Account {
  return {
    id, hlc: '1700000000000:0000:seed', name: type, type, currency: 'GBP', institution: null, accountRef: null, openingBalance: 0,
    openingDate: '2014-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null,
  };
}

// Already in the household (from another provider): the Trading 212 rows for Apple must attach to it by ISIN.
const apple: Asset = { id: APPLE, hlc: '1700000000000:0001:seed', symbol: 'AAPL', name: 'Apple Inc.', kind: 'stock', currency: 'USD', provider: 'yahoo', providerId: 'AAPL', isin: 'US0378331005' };

beforeEach(async () => {
  replica = await openReplica({
    password: 'correct horse battery', name: `invest-import-${Math.random().toString(36).slice(2)}`, baseStorage: getRxStorageMemory(),
    kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 }, keyCompression: false,
  });
  await replica.db.accounts.bulkInsert([account(ISA, 'stocks_shares_isa'), account(CURRENT, 'current')]);
  await replica.db.assets.insert(apple);
});

afterEach(async () => {
  await replica.close();
});

/** The page's path: the worker's handlers in-process, then the store. */
async function runImport(name: keyof typeof BROKER_FIXTURES, accountId = ISA, failAt?: number) {
  const { db } = replica;
  const { bytes, fileName } = BROKER_FIXTURES[name];
  const worker = createImportHandlers();
  const summary = worker.importParse(bytes.slice(), fileName, {});
  const target = (await db.accounts.findOne(accountId).exec())!;
  const context = await readInvestContext(db, accountId);
  const plan = await worker.importPlan({ accountId, accountCurrency: 'GBP', existingHashes: [], rules: [], invest: { accountType: target.type, ...context } });
  const page = worker.importPreview('all', 0, 50);
  if (plan.counts.fresh === 0) return { summary, plan, page, batch: null };
  const batch = await commitTradeImport(db, {
    accountId, fileName, format: summary.format, total: plan.counts.fresh, duplicates: plan.counts.duplicates, skipped: plan.counts.skipped,
    newAssets: worker.importNewAssets(),
    takeDrafts: async (offset, count) => {
      if (failAt !== undefined && offset + count > failAt) throw new ImportWriteError('disk full');
      return worker.importTradeDrafts(offset, count);
    },
    stamper: await replicaClock(db),
    chunkSize: 2,
  });
  return { summary, plan, page, batch };
}

const trades = async () => (await replica.db.investment_transactions.find().exec()).map((d) => d.toMutableJSON() as InvestmentTransaction);
const assets = async () => (await replica.db.assets.find().exec()).map((d) => d.toMutableJSON() as Asset);

describe('importing a broker statement', { timeout: 60_000 }, () => {
  it('writes the trades into investment_transactions, creating only the missing assets; the same file again adds nothing', async () => {
    const first = await runImport('trading212');
    expect(first.summary).toMatchObject({ format: 'trading212', broker: true, rows: 6, skippedRows: 2, firstDate: '2024-01-03', lastDate: '2024-07-15' });
    expect(first.plan.counts).toMatchObject({ parsed: 6, fresh: 6, duplicates: 0, skipped: 2, newAssets: 1 });
    expect(first.page.rows.map((r) => [r.status, r.date, r.amount])).toEqual([
      ['skipped', '', 0], ['new', '2024-01-03', -36499], ['new', '2024-02-05', -24653], ['new', '2024-04-02', 13400], ['new', '2024-05-17', 25],
      ['new', '2024-06-06', 1401], ['skipped', '', 0], ['new', '2024-07-15', 9284],
    ]);
    expect(first.page.rows[2]?.description).toBe('Buy 100.0000000000 × Legal & General @ 2.453 (new asset)');

    const stored = await trades();
    expect(stored).toHaveLength(6);
    const lgen = (await assets()).find((a) => a.isin === 'GB0005603997');
    expect(lgen).toMatchObject({ symbol: 'LGEN', name: 'Legal & General', kind: 'stock', currency: 'GBP', provider: 'manual' });
    const buy = stored.find((t) => t.date === '2024-01-03');
    expect(buy).toMatchObject({
      accountId: ISA, assetId: APPLE, kind: 'buy', quantity: '2.5000000000', unitPrice: null, amount: -36499, fee: 55, currency: 'GBP', splitRatio: null,
      notes: 'Price 185.64 USD, exchange rate 1.27345; Broker reference EOF3000000001',
    });
    expect(stored.filter((t) => t.assetId === lgen?.id).map((t) => t.kind)).toEqual(['buy', 'dividend', 'sell']);
    expect(first.batch).toMatchObject({ state: 'done', collection: 'investment_transactions', assetIds: [lgen?.id] });

    const again = await runImport('trading212');
    expect(again.plan.counts).toMatchObject({ fresh: 0, duplicates: 6, skipped: 2, newAssets: 0 });
    expect(again.batch).toBeNull();
    expect(await trades()).toHaveLength(6);
  });

  it('undo removes the trades and the assets the import created, never one that was there before', async () => {
    const { batch } = await runImport('trading212');
    const stamper = await replicaClock(replica.db);
    expect(await undoImport(replica.db, batch!.id, stamper)).toBe(6);
    expect(await trades()).toEqual([]);
    expect((await assets()).map((a) => a.id)).toEqual([APPLE]);
    expect(await listBatches(replica.db)).toEqual([]);
    expect((await runImport('trading212')).plan.counts.fresh).toBe(6);
  });

  it('undo keeps a created asset that a trade typed in since still uses', async () => {
    const { batch } = await runImport('trading212');
    const lgen = (await assets()).find((a) => a.isin === 'GB0005603997')!;
    await replica.db.investment_transactions.insert({
      id: '0190f5a2-5555-7000-8000-000000000001', hlc: `${Date.now()}:0000:seed`, accountId: ISA, assetId: lgen.id, kind: 'buy', date: '2024-08-01',
      quantity: '10', unitPrice: '2.40', amount: -2400, fee: 0, currency: 'GBP', splitRatio: null, notes: null,
    });
    expect(await undoImport(replica.db, batch!.id, await replicaClock(replica.db))).toBe(6);
    expect((await assets()).map((a) => a.id).sort()).toEqual([APPLE, lgen.id].sort());
    expect((await trades()).map((t) => t.date)).toEqual(['2024-08-01']);
  });

  it('a failed write removes the trades and assets it wrote', async () => {
    await expect(runImport('freetrade', ISA, 3)).rejects.toThrow('disk full');
    expect(await trades()).toEqual([]);
    expect((await assets()).map((a) => a.id)).toEqual([APPLE]);
    expect(await listBatches(replica.db)).toEqual([]);
  });

  it('refuses a non-investment account', async () => {
    await expect(runImport('hargreaves_lansdown', CURRENT)).rejects.toBeInstanceOf(NotAnInvestmentAccountError);
    expect(await trades()).toEqual([]);
  });

  it('each sample plans in full with no problems', async () => {
    for (const name of Object.keys(BROKER_FIXTURES) as Array<keyof typeof BROKER_FIXTURES>) {
      const { summary, plan } = await runImport(name);
      expect(summary.problemCount).toBe(0);
      expect(plan.counts.fresh).toBe(summary.rows);
    }
  });
});
