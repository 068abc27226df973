import type { RxCollection } from 'rxdb';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateBudgetV0, type BudgetV0 } from '@mymidas/shared/budget/migrate-v0';
import { budgetSchemaV0, type Budget } from '@mymidas/shared/schema';
import { openNodeReplica } from '../sync/test-replica.ts';
import type { Replica } from './database.ts';
import { FakeServer, previousRxSchema, replicateOnce, wire, type Wire } from './migration-test-kit.ts';

/**
 * Issue 20: budgets schema version 0 → 1 on a device. A replica the previous version made — version-0 budgets,
 * RxDB's replication state of them (checkpoint and the server state of each document), an edit not yet sent —
 * opens with this version and holds every budget converted by migrateBudgetV0, nothing lost; the server states
 * in the replication meta are converted too, so the unsent edit goes to a server that ran
 * postgres/migrations/009_budgets_v1.sql (the same conversion) without a conflict.
 */

/** The budgets server after 009_budgets_v1.sql: every version-0 document rewritten by migrateBudgetV0, its seq moved on. */
class BudgetsServer extends FakeServer {
  migrate(): void {
    for (const { doc } of [...this.rows.values()]) {
      if (!('month' in doc)) continue;
      const { _deleted, ...v0 } = doc;
      this.put({ ...migrateBudgetV0(v0 as BudgetV0), _deleted });
    }
  }
}

const version0Schema = () => previousRxSchema('budgets', budgetSchemaV0, 0, [['month', 'categoryId']]);
/** One run of the device's replication of budgets against the fake server: pull everything new, push every local change. */
const syncOnce = (collection: RxCollection, server: FakeServer) => replicateOnce(collection, server, { identifier: 'budgets-v1-migration-test', batchSize: 2, push: true });

/**
 * Every budget the replica stores under the test's ids, deleted ones too, as the wire carries them. Read by id:
 * the previous version's [month, categoryId] index leaves out a document without a month (one pulled already
 * converted), so a query through it would not see such a document.
 */
async function stored(replica: Replica): Promise<Wire[]> {
  const found = await replica.db.budgets.storageInstance.findDocumentsById(IDS, true);
  return found.map((d) => wire(d)).sort((a, b) => a.id.localeCompare(b.id));
}

const CATEGORY = '01939a6e-0000-7000-8000-0000000000c1';
const v0 = (n: number, over: Partial<BudgetV0> = {}): BudgetV0 => ({
  id: `01939a6e-0000-7000-8000-${String(n).padStart(12, '0')}`,
  hlc: `17640528000${String(n).padStart(2, '0')}:0000:dev-old`,
  month: '2026-03',
  categoryId: CATEGORY,
  amount: 10_000 * n,
  currency: 'GBP',
  rollover: n % 2 === 0,
  ...over,
});
const IDS = [1, 2, 3, 4, 5, 6].map((n) => v0(n).id);

describe('a replica holding version-0 budgets opens with version 1', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('converts every budget, the deleted ones and the replication state included, and its unsent edit reaches a migrated server without a conflict', async () => {
    const server = new BudgetsServer();
    const onServer = [v0(1), v0(2, { month: '2028-02' }), v0(3, { month: '2026-12', amount: -250 }), v0(4, { month: '2025-01' })];
    for (const doc of onServer) server.put({ ...doc, _deleted: false });

    // The previous version: synced, then a budget deleted and another edited offline, and one made offline.
    const old = await openNodeReplica({ name: 'upgrading', collections: [] });
    await old.db.addCollections({ budgets: { schema: version0Schema() } });
    const oldBudgets = old.db.budgets as unknown as RxCollection;
    await syncOnce(oldBudgets, server);
    expect(await stored(old)).toEqual(server.docs());
    await (await oldBudgets.findOne(v0(4).id).exec())!.remove();
    await syncOnce(oldBudgets, server);
    expect(server.rows.get(v0(4).id)!.doc._deleted).toBe(true);
    const edited = { amount: 12_345, rollover: true, hlc: '1764052900000:0000:dev-old' };
    await (await oldBudgets.findOne(v0(1).id).exec())!.incrementalPatch(edited);
    const madeOffline = v0(5, { month: '2026-04' });
    await oldBudgets.insert(madeOffline);
    const before = await stored(old);
    expect(before).toHaveLength(5);
    const indexedDB = old.indexedDB;
    await old.close();

    // Meanwhile the server was upgraded: 009_budgets_v1.sql converted its budgets and moved their seq.
    server.migrate();

    const upgraded = await openNodeReplica({ name: 'upgrading', indexedDB, collections: ['budgets'] });
    closers.push(() => upgraded.close());
    expect(upgraded.db.budgets.schema.version).toBe(1);
    // Every document, deleted or not, is migrateBudgetV0 of what it was: nothing lost, nothing else changed.
    const after = await stored(upgraded);
    expect(after).toEqual(before.map(({ _deleted, ...doc }) => ({ ...migrateBudgetV0(doc as BudgetV0), _deleted })));
    expect(after.find((d) => d.id === v0(4).id)!._deleted).toBe(true);
    expect(after.find((d) => d.id === v0(1).id)).toMatchObject({ amounts: [{ from: '2026-03-01', amount: 12_345 }], rollover: 'unspent', hlc: edited.hlc });
    const live = await upgraded.db.budgets.find().exec();
    expect(live.map((d) => d.id).sort()).toEqual([v0(1).id, v0(2).id, v0(3).id, v0(5).id]);
    expect((await upgraded.db.budgets.find({ selector: { categoryId: CATEGORY } }).exec()).length).toBe(4);

    // The replication meta now holds the converted server states: the pulled documents equal them, and the
    // edit and the new budget are pushed against the migrated server with no conflict.
    await syncOnce(upgraded.db.budgets as unknown as RxCollection, server);
    expect(server.conflicts).toBe(0);
    expect(await stored(upgraded)).toEqual(server.docs());
    expect(server.rows.get(v0(1).id)!.doc).toMatchObject({ amounts: [{ from: '2026-03-01', amount: 12_345 }], hlc: edited.hlc });
    expect(server.rows.get(madeOffline.id)!.doc).toEqual({ ...migrateBudgetV0(madeOffline), _deleted: false });
  });

  it('leaves as they are the documents the previous version pulled already converted from a migrated server', async () => {
    const server = new BudgetsServer();
    for (const doc of [v0(1), v0(2)]) server.put({ ...doc, _deleted: false });
    const old = await openNodeReplica({ name: 'upgrading', collections: [] });
    await old.db.addCollections({ budgets: { schema: version0Schema() } });
    const oldBudgets = old.db.budgets as unknown as RxCollection;
    await syncOnce(oldBudgets, server);
    // The server upgrades while the old version is still running, which pulls the converted documents.
    server.migrate();
    const added: Budget = { ...migrateBudgetV0(v0(3)), period: 'weekly', weekStart: 0, endDate: null, amounts: [{ from: '2026-03-02', amount: 2_000 }, { from: '2026-06-01', amount: 2_500 }], alerts: [{ period: '2026-03-02', kind: 'threshold', at: '2026-03-05T10:00:00.000Z' }] };
    server.put({ ...added, _deleted: false });
    await syncOnce(oldBudgets, server);
    expect(await stored(old)).toEqual(server.docs());
    const indexedDB = old.indexedDB;
    await old.close();

    const upgraded = await openNodeReplica({ name: 'upgrading', indexedDB, collections: ['budgets'] });
    closers.push(() => upgraded.close());
    expect(await stored(upgraded)).toEqual(server.docs());
    await syncOnce(upgraded.db.budgets as unknown as RxCollection, server);
    expect(server.conflicts).toBe(0);
    expect(await stored(upgraded)).toEqual(server.docs());
  });
});
