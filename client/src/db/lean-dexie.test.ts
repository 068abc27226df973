import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createRxDatabase, type MangoQuery, type RxCollection, type RxJsonSchema, type RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '@mymidas/shared/schema';
import { openNodeReplica } from '../sync/test-replica.ts';
import { getLeanDexieStorage, LEAN_DEXIE_VERSION, type LeanDexieSettings } from './lean-dexie.ts';

/**
 * The lean Dexie storage (lean-dexie.ts) must answer every query as RxDB's own Dexie storage does while
 * writing two fewer IndexedDB indexes, and must open a database RxDB's storage created without losing a row.
 */

interface Item {
  id: string;
  name: string;
  rank: number;
  flag: boolean;
}

const schema: RxJsonSchema<Item> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 40 },
    name: { type: 'string' },
    rank: { type: 'integer', minimum: 0, maximum: 1000, multipleOf: 1 },
    flag: { type: 'boolean' },
  },
  required: ['id', 'name', 'rank', 'flag'],
  indexes: ['rank', ['flag', 'rank']],
};
/** With no schema index RxDB's planner uses its fallback index, which the lean layout does not have: every query scans. */
const unindexed: RxJsonSchema<Item> = { ...schema, indexes: [] };

const items: Item[] = Array.from({ length: 40 }, (_, i) => ({
  id: `item-${String((i * 7) % 40).padStart(2, '0')}`,
  name: ['kiwi', 'apple', 'fig', 'date', 'banana'][i % 5]!,
  rank: (i * 13) % 17,
  flag: i % 3 === 0,
}));

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
});

async function database(storage: RxStorage<unknown, unknown>, name: string, itemSchema = schema): Promise<RxCollection<Item>> {
  const db = await createRxDatabase<{ items: RxCollection<Item> }>({ name, storage, multiInstance: false, allowSlowCount: true });
  open.push(db);
  await db.addCollections({ items: { schema: itemSchema } });
  return db.items;
}

/** Both storages with the same rows, ten of them then deleted. */
async function pair(itemSchema: RxJsonSchema<Item>, leftOut: LeanDexieSettings['unindexed'] = {}): Promise<{ lean: RxCollection<Item>; stock: RxCollection<Item> }> {
  const lean = await database(getLeanDexieStorage({ indexedDB: new IDBFactory(), IDBKeyRange, unindexed: leftOut }) as RxStorage<unknown, unknown>, 'lean', itemSchema);
  const stock = await database(getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }) as RxStorage<unknown, unknown>, 'stock', itemSchema);
  for (const c of [lean, stock]) {
    await c.bulkInsert(items);
    await c.find({ selector: { id: { $in: items.slice(0, 10).map((i) => i.id) } } }).remove();
  }
  return { lean, stock };
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function docsStore(factory: IDBFactory, name: string): Promise<{ version: number; indexes: string[]; rows: Record<string, unknown>[] }> {
  const idb = await request(factory.open(name));
  try {
    const store = idb.transaction('docs', 'readonly').objectStore('docs');
    return { version: idb.version, indexes: [...store.indexNames].sort(), rows: (await request(store.getAll())) as Record<string, unknown>[] };
  } finally {
    idb.close();
  }
}

const queries: [string, MangoQuery<Item>][] = [
  ['everything (primary key order)', {}],
  ['a field no index covers', { selector: { name: 'fig' } }],
  ['a field no index covers, sorted by it descending, skip and limit', { selector: { name: { $in: ['kiwi', 'apple', 'date'] } }, sort: [{ name: 'desc' }, { id: 'asc' }], skip: 3, limit: 5 }],
  ['primary key order with skip and limit (stops early)', { sort: [{ id: 'asc' }], skip: 4, limit: 6 }],
  ['primary key descending', { sort: [{ id: 'desc' }], limit: 7 }],
  ['a primary key range', { selector: { id: { $gt: 'item-12', $lte: 'item-30' } } }],
  ['an indexed field (served by its index)', { selector: { rank: { $gte: 5 } }, sort: [{ rank: 'asc' }] }],
  ['a boolean index', { selector: { flag: true }, sort: [{ rank: 'desc' }] }],
  ['limit 0', { limit: 0 }],
];

describe('lean Dexie storage', () => {
  const cases = [
    ...queries.map(([label, query]) => ['schema indexes', label, query, schema, {}] as const),
    ...queries.map(([label, query]) => ['no schema index', label, query, unindexed, {}] as const),
    ...queries.map(([label, query]) => ['rank index left out', label, query, schema, { items: [['rank']] }] as const),
  ];
  it.each(cases)('%s: answers a query on %s as RxDB’s Dexie storage does', async (kind, _label, query, itemSchema, leftOut) => {
    const { lean, stock } = await pair(itemSchema, leftOut);
    if (kind === 'no schema index') expect(lean.find(query).getPreparedQuery().queryPlan.index).toEqual(['_deleted', 'id']);
    const ids = async (c: RxCollection<Item>) => (await c.find(query).exec()).map((d) => d.toJSON());
    const expected = await ids(stock);
    expect(await ids(lean)).toEqual(expected);
    const { skip: _skip, limit: _limit, sort: _sort, ...countable } = query;
    expect(await lean.count(countable).exec()).toBe(await stock.count(countable).exec());
    expect((await lean.findOne(query.selector ? { selector: query.selector } : {}).exec())?.toJSON()).toEqual((await stock.findOne(query.selector ? { selector: query.selector } : {}).exec())?.toJSON());
  });

  it.each([
    ['sorted by that index, skip and limit', { selector: { rank: { $gte: 3 } }, sort: [{ rank: 'desc' }, { id: 'asc' }], skip: 2, limit: 6, index: ['rank'] }],
    ['sorted by the primary key (stops early)', { selector: { name: { $ne: 'kiwi' } }, sort: [{ id: 'asc' }], limit: 5, index: ['rank'] }],
    ['everything', { index: ['rank'] }],
  ] as [string, MangoQuery<Item>][])('a query naming a left-out index itself scans the primary key: %s, as RxDB’s Dexie storage answers it', async (_label, query) => {
    const { lean, stock } = await pair(schema, { items: [['rank']] });
    const docs = async (c: RxCollection<Item>) => (await c.find(query).exec()).map((d) => d.toJSON());
    const expected = await docs(stock);
    expect(expected.length).toBeGreaterThan(0);
    expect(await docs(lean)).toEqual(expected);
  });

  it('keeps the primary key, the schema indexes and the change feed index, and drops the fallback and cleanup indexes', async () => {
    const indexedDB = new IDBFactory();
    const c = await database(getLeanDexieStorage({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>, 'layout');
    await c.insert(items[0]!);
    const { version, indexes } = await docsStore(indexedDB, 'rxdb-dexie-layout--0--items');
    expect(version).toBe(LEAN_DEXIE_VERSION * 10); // Dexie multiplies its version by ten
    expect(indexes).toEqual(['[_deleted+flag+rank+id]', '[_deleted+rank+id]', '[_meta.lwt+id]'].sort());
  });

  it('leaves out a schema index it is told to — queries planned on it still answer — and refuses to leave out one the schema lacks', async () => {
    const indexedDB = new IDBFactory();
    const c = await database(getLeanDexieStorage({ indexedDB, IDBKeyRange, unindexed: { items: [['rank']] } }) as RxStorage<unknown, unknown>, 'unindexed');
    await c.bulkInsert(items);
    const query = c.find({ selector: { rank: { $gt: 10 } }, sort: [{ rank: 'desc' }] });
    expect(query.getPreparedQuery().queryPlan.index).toEqual(['_deleted', 'rank', 'id']);
    expect((await query.exec()).map((d) => d.rank)).toEqual(items.map((i) => i.rank).filter((r) => r > 10).sort((a, b) => b - a));
    expect((await docsStore(indexedDB, 'rxdb-dexie-unindexed--0--items')).indexes).toEqual(['[_deleted+flag+rank+id]', '[_meta.lwt+id]']);
    await expect(database(getLeanDexieStorage({ indexedDB: new IDBFactory(), IDBKeyRange, unindexed: { items: [['name']] } }) as RxStorage<unknown, unknown>, 'no-such-index')).rejects.toThrow(/no index over \[name\]/);
  });

  it('the replica’s transactions table: four IndexedDB records a document (as many as a raw insert with the same schema indexes), no hlc index, and the newest-stamp query still right', async () => {
    const replica = await openNodeReplica({ collections: ['transactions'] });
    try {
      const { indexes } = await docsStore(replica.indexedDB, `rxdb-dexie-${replica.db.name}--${COLLECTIONS.transactions.version}--transactions`);
      expect(indexes).toHaveLength(3);
      expect(indexes.some((i) => i.includes('hlc'))).toBe(false);
      expect(indexes).toContain('[_meta.lwt+id]');
      const base = { accountId: '019a3e6e-3047-7bd9-8261-31aa1105b0bb', date: '2025-11-03', amount: -100, currency: 'GBP', categoryId: null, tags: [], merchant: 'Shop', description: 'CARD', notes: null, transferId: null, importHash: null, status: 'cleared', splits: [] };
      const stamps = ['1762156800001:0003:a', '1762156800009:0000:b', '1762156800002:0000:c'];
      await replica.db.transactions.bulkInsert(stamps.map((hlc, i) => ({ ...base, id: `019a48ba-e801-76ae-9109-8f1c7ab25e8${i}`, hlc })) as never);
      expect((await replica.db.transactions.findOne({ selector: {}, sort: [{ hlc: 'desc' }] }).exec())?.hlc).toBe('1762156800009:0000:b');
      // RxDB plans a count of everything on the hlc index; planned again on one the table has, it stays an
      // index count (a scan would be a "slow" count, which RxDB refuses without allowSlowCount).
      expect(await replica.db.transactions.count().exec()).toBe(3);
    } finally {
      await replica.close();
    }
  });

  it('opens a database RxDB’s own Dexie storage wrote: every row kept, the two indexes removed, queries and writes working', async () => {
    const indexedDB = new IDBFactory();
    const stock = await database(getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>, 'upgrade');
    await stock.bulkInsert(items);
    await stock.findOne(items[3]!.id).remove();
    const before = await docsStore(indexedDB, 'rxdb-dexie-upgrade--0--items');
    expect(before.indexes).toContain('[_deleted+id]');
    expect(before.indexes).toContain('_meta.lwt');
    await Promise.all(open.splice(0).map((db) => db.close()));

    const lean = await database(getLeanDexieStorage({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>, 'upgrade');
    expect(await lean.count().exec()).toBe(items.length - 1);
    expect((await lean.find({ selector: { name: 'apple' } }).exec()).map((d) => d.id).sort()).toEqual(items.filter((i, n) => i.name === 'apple' && n !== 3).map((i) => i.id).sort());
    await lean.insert({ id: 'item-new', name: 'lime', rank: 3, flag: false });
    expect(await lean.count().exec()).toBe(items.length);
    const after = await docsStore(indexedDB, 'rxdb-dexie-upgrade--0--items');
    expect(after.rows).toHaveLength(items.length + 1);
    expect(after.rows.filter((r) => r._deleted === '1').map((r) => r.id)).toEqual([items[3]!.id]);
    expect(after.indexes).not.toContain('[_deleted+id]');
    expect(after.indexes).not.toContain('_meta.lwt');
  });

  it('cleanup removes documents deleted before the cut-off through the change feed index, and nothing else', async () => {
    const indexedDB = new IDBFactory();
    const c = await database(getLeanDexieStorage({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>, 'cleanup');
    await c.bulkInsert(items);
    await c.find({ selector: { id: { $in: [items[0]!.id, items[1]!.id] } } }).remove();
    // Deleted a day ago: not old enough for a week's retention, old enough for none.
    expect(await c.storageInstance.cleanup(7 * 24 * 3600 * 1000)).toBe(true);
    expect((await docsStore(indexedDB, 'rxdb-dexie-cleanup--0--items')).rows).toHaveLength(items.length);
    await new Promise((r) => setTimeout(r, 5));
    await c.storageInstance.cleanup(0);
    const rows = (await docsStore(indexedDB, 'rxdb-dexie-cleanup--0--items')).rows;
    expect(rows).toHaveLength(items.length - 2);
    expect(rows.some((r) => r._deleted === '1')).toBe(false);
    expect(await c.count().exec()).toBe(items.length - 2);
  });
});
