import { randomUUID } from 'node:crypto';
import type { RxJsonSchema } from 'rxdb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toRxJsonSchema, type CollectionName } from '@mymidas/shared/schema';
import type { Replica } from '../../client/src/db/database.ts';
import { DeviceClock } from '../../client/src/sync/clock.ts';
import { listConflicts } from '../../client/src/sync/conflict-log.ts';
import { createSyncEngine, type SyncEngine } from '../../client/src/sync/sync-engine.ts';
import { openNodeReplica } from '../../client/src/sync/test-replica.ts';
import { testBackends } from '../../sync-server/src/testing/harness.ts';
import { Device, FakeOnline, StatusLog } from './device.ts';
import { wireForm, until } from './fixtures.ts';
import { TestSyncServer } from './server.ts';

/**
 * Issue 19, item 6, from the attacker's side: free text (split-line memos, tags, the import hash, category,
 * rule and asset names) never lies in clear in the server's rows or the device's IndexedDB, and a replica
 * made by the previous version, whose rows held it in clear, upgrades with nothing lost.
 */

const MARK = 'XYZ';
const SECRETS = [`secret-memo-${MARK}`, `secret-tag-${MARK}`, `secret-category-${MARK}`, `secret-rule-${MARK}`, `secret-asset-${MARK}`, `secret-icon-${MARK}`];
const IMPORT_HASH = 'e3'.repeat(32);

type Doc = Record<string, unknown> & { id: string };

function docs(clock: DeviceClock, i: number): { transactions: Doc; categories: Doc; rules: Doc; assets: Doc } {
  const categoryId = randomUUID();
  return {
    categories: clock.stampDoc({ id: categoryId, name: `secret-category-${MARK}-${i}`, parentId: null, kind: 'expense', color: '#336699', icon: `secret-icon-${MARK}`, sortOrder: i, hidden: false }),
    transactions: clock.stampDoc({
      id: randomUUID(), accountId: randomUUID(), date: '2026-03-04', amount: -2500, currency: 'GBP', categoryId, tags: [`secret-tag-${MARK}-${i}`],
      merchant: null, description: `Card ${i}`, notes: null, transferId: null, importHash: IMPORT_HASH, status: 'cleared',
      splits: [{ id: randomUUID(), categoryId, amount: -2000, memo: `secret-memo-${MARK}-${i}` }, { id: randomUUID(), categoryId: null, amount: -500, memo: null }],
    }),
    rules: clock.stampDoc({ id: randomUUID(), name: `secret-rule-${MARK}-${i}`, priority: i, enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'card' }], actions: { categoryId } }),
    assets: clock.stampDoc({ id: randomUUID(), symbol: 'VWRL.L', name: `secret-asset-${MARK}-${i}`, kind: 'etf', currency: 'GBP', provider: 'yahoo', providerId: null, isin: null }),
  };
}

const COLLECTIONS_USED = ['transactions', 'categories', 'rules', 'assets'] as const satisfies readonly CollectionName[];

/** Every IndexedDB database of a device, each store dumped as JSON: what someone with the device's disk reads. */
async function rawIndexedDb(factory: IDBFactory): Promise<string> {
  const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  let out = '';
  for (const { name } of await factory.databases()) {
    if (!name) continue;
    const idb = await request(factory.open(name));
    out += `\n# ${name}\n`;
    for (const store of [...idb.objectStoreNames]) out += `## ${store}\n${JSON.stringify(await request(idb.transaction(store, 'readonly').objectStore(store).getAll()))}\n`;
    idb.close();
  }
  return out;
}

/** Every row of the user's tables as someone with the database reads them (bytea as hex). */
async function rawServerRows(server: TestSyncServer, userId: string): Promise<string> {
  return server.services.db.withUser(userId, async (sql) => {
    let out = '';
    for (const table of COLLECTIONS_USED) {
      const res = await sql.query<{ row: string }>(`SELECT row_to_json(r)::text AS row FROM ${table} r`);
      out += res.rows.map((r) => r.row).join('\n');
    }
    return out;
  });
}

function expectNoSecret(raw: string, where: string) {
  for (const secret of SECRETS) {
    expect(raw, `${secret} in ${where}`).not.toContain(secret);
    expect(raw, `${secret} (hex) in ${where}`).not.toContain(Buffer.from(secret).toString('hex'));
  }
  expect(raw, `the import hash in ${where}`).not.toContain(IMPORT_HASH);
}

/** The RxDB schemas of the previous version (0): the same documents, fewer fields sealed. */
const SEALED_IN_VERSION_0: Record<(typeof COLLECTIONS_USED)[number], string[]> = {
  transactions: ['merchant', 'description', 'notes'],
  categories: [],
  rules: ['conditions', 'actions'],
  assets: [],
};
function version0Schemas() {
  return Object.fromEntries(
    COLLECTIONS_USED.map((name) => [name, { schema: { ...toRxJsonSchema(name), version: 0, encrypted: SEALED_IN_VERSION_0[name], keyCompression: true } as unknown as RxJsonSchema<unknown> }]),
  );
}

async function storedDocs(replica: Replica, name: (typeof COLLECTIONS_USED)[number]): Promise<Record<string, unknown>[]> {
  const found = await replica.db.collections[name].find().exec();
  return found.map((d) => wireForm(d.toJSON(true) as Record<string, unknown>)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
}


describe.each(testBackends())('free text is sealed on the server and the device (%s)', (backend) => {
  let server: TestSyncServer;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await TestSyncServer.open(backend);
  }, 300_000);
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await server.close();
  });

  it('after a sync, neither the server rows nor either device\'s IndexedDB hold a memo, tag, import hash, category, rule or asset name', async () => {
    const user = await server.newUser();
    const a = await Device.open(server, { name: 'dev-a', token: () => user.token, collections: COLLECTIONS_USED });
    closers.push(() => a.close());
    await a.engine.start();
    const made = [0, 1, 2].map((i) => docs(a.clock, i));
    for (const name of COLLECTIONS_USED) await a.replica.db.collections[name].bulkInsert(made.map((m) => m[name]) as never[]);
    await until('a has sent everything', () => a.status.queued === 0 && a.status.lastSyncedAt !== null);
    await a.engine.awaitInSync();

    // Pages of 2: the first page of each collection goes through the bootstrap's raw insert, the last through RxDB.
    const b = await Device.open(server, { name: 'dev-b', token: () => user.token, collections: COLLECTIONS_USED, pullBatchSize: 2 });
    closers.push(() => b.close());
    await b.engine.start();
    await b.engine.awaitInSync();

    const storedOnB = await b.replica.db.transactions.storageInstance.findDocumentsById(made.map((m) => m.transactions.id), false);
    expect(storedOnB.filter((d) => (d._meta as { bs?: number }).bs === 1), 'rows the bootstrap inserted').toHaveLength(2);
    for (const name of COLLECTIONS_USED) {
      const sent = made.map((m) => ({ ...m[name], _deleted: false })).sort((x, y) => x.id.localeCompare(y.id));
      // The server serves what was written, and b holds it: the wire format did not change.
      expect((await server.pullAll(user.token, name)).sort((x, y) => x.id.localeCompare(y.id))).toEqual(sent);
      expect(await storedDocs(b.replica, name)).toEqual(sent);
    }
    expectNoSecret(await rawServerRows(server, user.userId), 'the server rows');
    expectNoSecret(await rawIndexedDb((a.replica as unknown as { indexedDB: IDBFactory }).indexedDB), 'the IndexedDB of the device that wrote');
    expectNoSecret(await rawIndexedDb((b.replica as unknown as { indexedDB: IDBFactory }).indexedDB), 'the IndexedDB of the device that pulled');
  });

  it('a replica of the previous version (free text in clear, replication state stored) upgrades with every document and its unsent edit intact, sealed, and goes on syncing', async () => {
    const user = await server.newUser();
    const clock = new DeviceClock({ node: 'dev-old', now: () => Date.now() });
    const online = new FakeOnline();
    const status = new StatusLog();
    const engineFor = (replica: Replica): SyncEngine =>
      createSyncEngine({ db: replica.db, clock, baseUrl: server.apiBase, getAccessToken: () => user.token, status, online, waitForLeadership: false, backoff: { initialMs: 20, maxMs: 200 }, collections: COLLECTIONS_USED });

    // The previous version's replica, synced: its documents and RxDB's replication state (checkpoints and
    // the server state of each document, in clear for categories and assets) are stored.
    const old = await openNodeReplica({ name: 'upgrading', collections: [] });
    await old.db.addCollections(version0Schemas());
    let engine = engineFor(old);
    await engine.start();
    const made = [0, 1].map((i) => docs(clock, i));
    for (const name of COLLECTIONS_USED) await old.db.collections[name].bulkInsert(made.map((m) => m[name]) as never[]);
    await until('the old replica has sent everything', () => status.queued === 0 && status.lastSyncedAt !== null);
    await engine.awaitInSync();
    // Another device adds a category, which the old replica pulls (RxDB's own path stores its server state).
    const other = await Device.open(server, { name: 'dev-other', token: () => user.token, collections: ['categories'] });
    closers.push(() => other.close());
    await other.engine.start();
    const pulled = other.clock.stampDoc({ id: randomUUID(), name: `secret-category-${MARK}-other`, parentId: null, kind: 'income' as const, color: '#112233', icon: 'bank', sortOrder: 9, hidden: false });
    await other.replica.db.categories.insert(pulled);
    await until('the old replica pulled the other device\'s category', async () => (await old.db.categories.findOne(pulled.id).exec()) !== null);
    // An edit made offline, not sent when the old version closes.
    online.set(false);
    const edited = (await old.db.transactions.findOne(made[0]!.transactions.id).exec())!;
    await edited.incrementalPatch(clock.stampDoc({ tags: [`secret-tag-${MARK}-edited`] }));
    await engine.stop();
    const before = Object.fromEntries(await Promise.all(COLLECTIONS_USED.map(async (name) => [name, await storedDocs(old, name)] as const)));
    const indexedDB = old.indexedDB;
    await old.close();
    // The previous version did hold the text in clear: this test starts from the state it must repair.
    expect(await rawIndexedDb(indexedDB)).toContain(`secret-category-${MARK}`);

    // The new version opens the same IndexedDB.
    const upgraded = await openNodeReplica({ name: 'upgrading', indexedDB, collections: COLLECTIONS_USED });
    closers.push(() => upgraded.close());
    for (const name of COLLECTIONS_USED) {
      expect(upgraded.db.collections[name].schema.version).toBe(1);
      expect(await storedDocs(upgraded, name)).toEqual(before[name]);
    }
    expectNoSecret(await rawIndexedDb(indexedDB), 'the upgraded IndexedDB');

    // Sync goes on: the unsent edit reaches the server without a conflict; the other device's later edit arrives.
    engine = engineFor(upgraded);
    closers.push(() => engine.stop());
    online.set(true);
    await engine.start();
    await engine.awaitInSync();
    await until('the unsent edit reached the server', async () => {
      const onServer = (await server.pullAll(user.token, 'transactions')).find((d) => d.id === edited.id);
      return JSON.stringify(onServer?.tags) === JSON.stringify([`secret-tag-${MARK}-edited`]);
    });
    await other.replica.db.categories.findOne(pulled.id).exec().then((d) => d!.incrementalPatch(other.clock.stampDoc({ name: `secret-category-${MARK}-renamed` })));
    await until('the rename reached the upgraded replica', async () => (await upgraded.db.categories.findOne(pulled.id).exec())?.name === `secret-category-${MARK}-renamed`);
    await engine.awaitInSync();
    for (const name of COLLECTIONS_USED) {
      const onServer = (await server.pullAll(user.token, name)).map((d) => wireForm(d)).sort((x, y) => String(x.id).localeCompare(String(y.id)));
      expect(await storedDocs(upgraded, name)).toEqual(onServer);
    }
    expect(await listConflicts(upgraded.db)).toEqual([]);
    expect(engine.refusals).toEqual([]);
    expectNoSecret(await rawIndexedDb(indexedDB), 'the upgraded IndexedDB after syncing');
  }, 120_000);
});
