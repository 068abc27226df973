import { z } from 'zod';
import type { RxCollection, RxJsonSchema, RxReplicationWriteToMasterRow, WithDeleted } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateBudgetV0, type BudgetV0 } from '@mymidas/shared/budget/migrate-v0';
import { budgetSchemaV0, toRxJsonSchema, type Budget } from '@mymidas/shared/schema';
import { jsonEqual, stripMeta } from '@mymidas/shared/sync';
import { openNodeReplica } from '../sync/test-replica.ts';
import type { Replica } from './database.ts';

/**
 * Issue 20: budgets schema version 0 → 1 on a device. A replica the previous version made — version-0 budgets,
 * RxDB's replication state of them (checkpoint and the server state of each document), an edit not yet sent —
 * opens with this version and holds every budget converted by migrateBudgetV0, nothing lost; the server states
 * in the replication meta are converted too, so the unsent edit goes to a server that ran
 * postgres/migrations/009_budgets_v1.sql (the same conversion) without a conflict.
 */

type Wire = Record<string, unknown> & { id: string; _deleted: boolean };
type Checkpoint = { seq: number };

/** The budgets RxDB schema of the previous version, as that version derived it from its zod model. */
function version0Schema(): RxJsonSchema<unknown> {
  const json = z.toJSONSchema(budgetSchemaV0, { target: 'draft-7', io: 'input', unrepresentable: 'throw' }) as { properties: Record<string, unknown>; required: string[] };
  return {
    ...toRxJsonSchema('budgets'),
    version: 0,
    properties: json.properties,
    required: json.required,
    indexes: [['month', 'categoryId']],
    encrypted: [],
    keyCompression: true,
  } as unknown as RxJsonSchema<unknown>;
}

/**
 * A stand-in for the sync server's budgets endpoints, by the same rules (sync-server/src/replication/service.ts):
 * pull by a sequence stamped on every write; a push is written when its assumed master state equals the
 * master, and is a conflict otherwise (also when it names no base for a document the master has).
 */
class FakeServer {
  readonly rows = new Map<string, { doc: Wire; seq: number }>();
  seq = 0;
  conflicts = 0;
  put(doc: Wire): void {
    this.rows.set(doc.id, { doc, seq: ++this.seq });
  }
  /** What 009_budgets_v1.sql does: every version-0 document rewritten by migrateBudgetV0, its seq moved on. */
  migrate(): void {
    for (const { doc } of [...this.rows.values()]) {
      if (!('month' in doc)) continue;
      const { _deleted, ...v0 } = doc;
      this.put({ ...migrateBudgetV0(v0 as BudgetV0), _deleted });
    }
  }
  docs(): Wire[] {
    return [...this.rows.values()].map((r) => r.doc).sort((a, b) => a.id.localeCompare(b.id));
  }
  pull(checkpoint: Checkpoint | undefined, limit: number): { documents: Wire[]; checkpoint: Checkpoint | undefined } {
    const after = checkpoint?.seq ?? 0;
    const page = [...this.rows.values()].filter((r) => r.seq > after).sort((a, b) => a.seq - b.seq).slice(0, limit);
    return { documents: page.map((r) => r.doc), checkpoint: page.length > 0 ? { seq: page.at(-1)!.seq } : checkpoint };
  }
  push(rows: readonly RxReplicationWriteToMasterRow<Wire>[]): Wire[] {
    const conflicts: Wire[] = [];
    for (const row of rows) {
      const next = wire(row.newDocumentState);
      const master = this.rows.get(next.id)?.doc;
      if (master && jsonEqual(master, next)) continue;
      if (master && (!row.assumedMasterState || !jsonEqual(master, wire(row.assumedMasterState)))) {
        conflicts.push(master);
        this.conflicts++;
        continue;
      }
      this.put(next);
    }
    return conflicts;
  }
}

function wire(doc: object): Wire {
  const out = stripMeta(doc as Record<string, unknown>);
  delete out._attachments;
  return out as Wire;
}

/** One run of the device's replication of budgets against the fake server: pull everything new, push every local change. */
async function syncOnce(collection: RxCollection, server: FakeServer): Promise<void> {
  const replication = replicateRxCollection<Wire, Checkpoint>({
    replicationIdentifier: 'budgets-v1-migration-test',
    collection: collection as unknown as RxCollection<Wire>,
    live: false,
    waitForLeadership: false,
    pull: { batchSize: 2, handler: async (checkpoint, batchSize) => server.pull(checkpoint, batchSize) as { documents: WithDeleted<Wire>[]; checkpoint: Checkpoint } },
    push: { batchSize: 2, handler: async (rows) => server.push(rows) as WithDeleted<Wire>[] },
  });
  const errors: unknown[] = [];
  replication.error$.subscribe((e) => errors.push(e));
  await replication.awaitInitialReplication();
  await replication.cancel();
  expect(errors).toEqual([]);
}

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
    const server = new FakeServer();
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
    const server = new FakeServer();
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
