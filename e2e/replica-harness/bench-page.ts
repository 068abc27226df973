import { Dexie } from 'dexie';
import { createRxDatabase } from 'rxdb';
import type { RxCollection, RxDatabase, RxJsonSchema, RxStorage } from 'rxdb';
import { wrappedKeyCompressionStorage } from 'rxdb/plugins/key-compression';
import { toRxJsonSchema } from '@mymidas/shared/schema';
import type { Transaction } from '@mymidas/shared/schema';
import { DataKeyHolder, encryptedStorage } from '../../client/src/db/encrypted-storage.ts';
import type { EncryptionCounters } from '../../client/src/db/encrypted-storage.ts';
import { REPLICA_UNINDEXED } from '../../client/src/db/database.ts';
import { getLeanDexieStorage } from '../../client/src/db/lean-dexie.ts';
import { makeTransactions } from '../lib/replica-fixtures.ts';
import type { ReplicaBench, ReplicaBenchOptions, ReplicaBenchTiming } from '../lib/replica-harness-api.ts';

/**
 * The browser side of bench/suites/replica-encryption.ts: the same transaction documents written with
 * chunked bulkInsert into RxDB on plain Dexie storage and on our WebCrypto encryption wrapper over it,
 * then read back in full from a freshly opened database (so nothing comes from RxDB's caches). Raw Dexie
 * bulkPut/toArray is measured as the floor under both.
 */

type TxCollection = RxCollection<Transaction>;

function schema(encrypted: boolean, keyCompression: boolean): RxJsonSchema<Transaction> {
  const base = toRxJsonSchema('transactions');
  return { ...base, encrypted: encrypted ? base.encrypted : [], keyCompression } as unknown as RxJsonSchema<Transaction>;
}

async function openDb(name: string, storage: RxStorage<unknown, unknown>, encrypted: boolean, keyCompression: boolean) {
  const db: RxDatabase<{ transactions: TxCollection }> = await createRxDatabase({ name, storage, multiInstance: false });
  await db.addCollections({ transactions: { schema: schema(encrypted, keyCompression) } });
  return db;
}

async function timeRxdb(
  name: string,
  docs: Transaction[],
  chunk: number,
  storage: RxStorage<unknown, unknown>,
  encrypted: boolean,
  keyCompression: boolean,
): Promise<ReplicaBenchTiming> {
  let db = await openDb(name, storage, encrypted, keyCompression);
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += chunk) {
    const result = await db.transactions.bulkInsert(docs.slice(i, i + chunk));
    if (result.error.length > 0) throw new Error(`${name}: ${result.error.length} inserts refused`);
  }
  const insertMs = performance.now() - t0;
  await db.close();

  db = await openDb(name, storage, encrypted, keyCompression);
  const t1 = performance.now();
  const all = await db.transactions.find().exec();
  const queryMs = performance.now() - t1;
  if (all.length !== docs.length) throw new Error(`${name}: read ${all.length} of ${docs.length}`);
  const last = docs[docs.length - 1];
  const probe = all.find((d) => d.primary === last?.id)?.toJSON();
  if (!probe || probe.merchant !== last?.merchant || probe.amount !== last?.amount) {
    throw new Error(`${name}: read-back differs: ${JSON.stringify(probe)} vs ${JSON.stringify(last)}`);
  }
  await db.remove();
  return { insertMs, queryMs };
}

async function timeRawDexie(docs: Transaction[], chunk: number): Promise<ReplicaBenchTiming> {
  const name = 'bench-raw-dexie';
  const open = () => {
    const db = new Dexie(name);
    db.version(1).stores({ tx: 'id, date, [accountId+date]' });
    return db;
  };
  let db = open();
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += chunk) await db.table('tx').bulkPut(docs.slice(i, i + chunk));
  const insertMs = performance.now() - t0;
  db.close();
  db = open();
  const t1 = performance.now();
  const all = await db.table('tx').toArray();
  const queryMs = performance.now() - t1;
  if (all.length !== docs.length) throw new Error(`raw dexie: read ${all.length} of ${docs.length}`);
  db.close();
  await Dexie.delete(name);
  return { insertMs, queryMs };
}

const bench: ReplicaBench = {
  async run(options: ReplicaBenchOptions) {
    const docs = makeTransactions({ count: options.count, marker: 'BENCH' });
    const keys = new DataKeyHolder();
    keys.set(await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
    const counters: EncryptionCounters = { encrypt: 0, decrypt: 0 };
    // The app's base storage (RxDB's Dexie with the lean layout) under both variants.
    const dexie = getLeanDexieStorage({ unindexed: REPLICA_UNINDEXED }) as RxStorage<unknown, unknown>;
    const plainStorage = options.keyCompression ? wrappedKeyCompressionStorage({ storage: dexie }) : dexie;
    const encryptedStack = encryptedStorage({ storage: plainStorage, keys, counters });

    const plain: ReplicaBenchTiming[] = [];
    const encrypted: ReplicaBenchTiming[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so neither variant always runs on a warmer (or fuller) browser.
      const order = (round % 2 === 0 ? ['plain', 'encrypted'] : ['encrypted', 'plain']).filter((v) => !options.only || v === options.only);
      for (const variant of order) {
        if (variant === 'plain') plain.push(await timeRxdb(`bench-plain-${round}`, docs, options.chunk, plainStorage, false, options.keyCompression));
        else encrypted.push(await timeRxdb(`bench-enc-${round}`, docs, options.chunk, encryptedStack, true, options.keyCompression));
      }
    }
    const rawDexie = options.only ? { insertMs: Number.NaN, queryMs: Number.NaN } : await timeRawDexie(docs, options.chunk);
    return { plain, encrypted, rawDexie, counters: { ...counters }, userAgent: navigator.userAgent };
  },
};

window.replicaBench = bench;
