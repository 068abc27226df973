import { createRxDatabase, type RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { Account, Category, Transaction } from '@mymidas/shared/schema';
import { createReplicaStorage, replicaSchemas, type ReplicaCollections, type ReplicaDatabase } from '../db/database.ts';
import { DataKeyHolder } from '../db/encrypted-storage.ts';

/**
 * A replica for unit tests: the real storage stack (AES-GCM wrapper over key compression) and the
 * real schemas, over RxDB's in-memory storage. The wrapper refuses queries on encrypted fields, so a
 * test catches a screen that filters on a PII field in RxDB.
 */
let n = 0;
export async function openTestReplica(): Promise<ReplicaDatabase> {
  const keys = new DataKeyHolder();
  keys.set(await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
  n += 1;
  const db = await createRxDatabase<ReplicaCollections>({
    name: `test-replica-${process.pid}-${Date.now()}-${n}`,
    storage: createReplicaStorage(keys, { baseStorage: getRxStorageMemory() as RxStorage<unknown, unknown> }),
    localDocuments: true,
    multiInstance: false,
  });
  await db.insertLocal('device', { deviceId: '0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000', createdAt: new Date().toISOString() });
  await db.addCollections(replicaSchemas(true));
  return db;
}

const HLC = '1764000000000:0000:test';
export function testUuid(k: number, group = 0): string {
  return `01939a6e-${group.toString(16).padStart(4, '0')}-7000-8000-${k.toString(16).padStart(12, '0')}`;
}

export function account(over: Partial<Account> & Pick<Account, 'id'>): Account {
  return {
    hlc: HLC, name: 'Account', type: 'current', currency: 'GBP', institution: null, accountRef: null,
    openingBalance: 0, openingDate: '2026-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 0, notes: null,
    ...over,
  };
}

export function transaction(over: Partial<Transaction> & Pick<Transaction, 'id' | 'accountId' | 'amount'>): Transaction {
  return {
    hlc: HLC, date: '2026-03-10', currency: 'GBP', categoryId: null, tags: [], merchant: null, description: 'Test',
    notes: null, transferId: null, importHash: null, status: 'cleared', splits: [],
    ...over,
  };
}

export function category(over: Partial<Category> & Pick<Category, 'id' | 'name'>): Category {
  return { hlc: HLC, parentId: null, kind: 'expense', color: '#336699', icon: 'tag', sortOrder: 0, hidden: false, ...over };
}
