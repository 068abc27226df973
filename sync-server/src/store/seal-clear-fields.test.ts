import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionName } from '@mymidas/shared/schema';
import { ReplicationService } from '../replication/service.ts';
import { createUser, openTestDatabase, testBackends, testCipher, type TestDatabase } from '../testing/harness.ts';
import type { Sql } from './database.ts';
import { columnOf } from './documents.ts';
import { migrate } from './migrate.ts';
import { sealClearFields } from './seal-clear-fields.ts';

/** The registry before 007_seal_free_text.sql: what an older server sealed, everything else went into `doc`. */
const SEALED_BEFORE: Partial<Record<CollectionName, readonly string[]>> = {
  transactions: ['merchant', 'description', 'notes'],
  categories: [],
  rules: ['conditions', 'actions'],
  assets: [],
  attachments: ['fileName'],
};
type Changed = 'transactions' | 'categories' | 'rules' | 'assets' | 'attachments';
/** The columns 007 adds. */
const NEW_COLUMNS: Record<Changed, readonly string[]> = {
  transactions: ['tags', 'splits', 'import_hash'],
  categories: ['name', 'icon'],
  rules: ['name'],
  assets: ['name', 'isin'],
  attachments: ['sha256'],
};
const SECRETS = ['secret-memo-XYZ', 'secret-tag-XYZ', 'secret-category-XYZ', 'secret-icon-XYZ', 'secret-rule-XYZ', 'secret-asset-XYZ', 'GB00SECRET07', 'ab'.repeat(32), 'cd'.repeat(32)];

const hlc = '1764052800000:0000:dev-a';
function docsFor(i: number): Record<Changed, Record<string, unknown> & { id: string }> {
  const txId = randomUUID();
  return {
    transactions: {
      id: txId, hlc, accountId: randomUUID(), date: '2026-01-02', amount: -1500, currency: 'GBP', categoryId: null, tags: [`secret-tag-XYZ-${i}`, 'food'],
      merchant: `Merchant ${i}`, description: `Card payment ${i}`, notes: null, transferId: null, importHash: 'ab'.repeat(32), status: 'cleared',
      splits: [{ id: randomUUID(), categoryId: null, amount: -1000, memo: `secret-memo-XYZ-${i}` }, { id: randomUUID(), categoryId: null, amount: -500, memo: null }],
    },
    categories: { id: randomUUID(), hlc, name: `secret-category-XYZ-${i}`, parentId: null, kind: 'expense', color: '#aabbcc', icon: `secret-icon-XYZ-${i}`, sortOrder: i, hidden: false },
    rules: { id: randomUUID(), hlc, name: `secret-rule-XYZ-${i}`, priority: i, enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'tesco' }], actions: { tags: ['x'] } },
    assets: { id: randomUUID(), hlc, symbol: 'VWRL.L', name: `secret-asset-XYZ-${i}`, kind: 'etf', currency: 'GBP', provider: 'yahoo', providerId: null, isin: 'GB00SECRET07' },
    attachments: { id: randomUUID(), hlc, transactionId: txId, fileName: `receipt-${i}.jpg`, mimeType: 'image/jpeg', size: 1234, sha256: 'cd'.repeat(32), uploadedAt: null },
  };
}

/** Writes a row as the server before 007 did: the old PII list sealed, the rest (new PII included) in `doc`. */
async function writeAsOldServer(sql: Sql, cipher: ReturnType<typeof testCipher>, collection: Changed, userId: string, doc: Record<string, unknown> & { id: string }) {
  const sealed = SEALED_BEFORE[collection] ?? [];
  const plain = Object.fromEntries(Object.entries(doc).filter(([k]) => !sealed.includes(k)));
  const cols = sealed.map(columnOf);
  const values = sealed.map((f) => cipher.encrypt(JSON.stringify(doc[f] ?? null), collection, doc.id, columnOf(f)));
  await sql.query(
    `INSERT INTO ${collection} (id, user_id, deleted, doc${cols.map((c) => ', ' + c).join('')}) VALUES ($1, $2, false, $3${cols.map((_, i) => `, $${i + 4}`).join('')})`,
    [doc.id, userId, plain, ...values],
  );
}

/** Every row of a collection as an attacker with database access reads it: the whole row as text (bytea as hex). */
async function rawRows(t: TestDatabase, userId: string, collection: string): Promise<string> {
  const res = await t.db.withUser(userId, (sql) => sql.query<{ row: string }>(`SELECT row_to_json(r)::text AS row FROM ${collection} r ORDER BY id`));
  return res.rows.map((r) => r.row).join('\n');
}

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

describe.each(testBackends())('a server migrated from clear free text to sealed columns (%s)', (backend) => {
  let t: TestDatabase;
  const cipher = testCipher();
  const users: string[] = [];
  const written: Record<string, (Record<string, unknown> & { id: string })[]> = {};

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    // Back to the schema before 007: its columns gone and the migration not recorded.
    await t.db.exec(Object.entries(NEW_COLUMNS).map(([table, cols]) => cols.map((c) => `ALTER TABLE ${table} DROP COLUMN ${c};`).join('\n')).join('\n'));
    await t.db.exec(`DELETE FROM schema_migrations WHERE name = '007_seal_free_text.sql'`);
    for (let u = 0; u < 2; u++) {
      const user = await createUser(t.db);
      users.push(user);
      await t.db.withUser(user, async (sql) => {
        for (let i = 0; i < 6; i++) {
          for (const [collection, doc] of Object.entries(docsFor(i))) {
            await writeAsOldServer(sql, cipher, collection as Changed, user, doc);
            if (u === 0) (written[collection] ??= []).push(doc);
          }
        }
      });
    }
    expect(await migrate(t.db)).toEqual(['007_seal_free_text.sql']);
  }, 120_000);
  afterAll(() => t?.dispose());

  async function pullAll(userId: string, collection: CollectionName) {
    const service = new ReplicationService({ db: t.db, cipher });
    return (await service.pull(userId, collection, null, 1000)).documents;
  }

  const expected = (collection: string) => written[collection]!.map((d) => ({ ...d, _deleted: false })).sort((a, b) => a.id.localeCompare(b.id));
  const byId = (docs: readonly Record<string, unknown>[]) => [...docs].sort((a, b) => String(a.id).localeCompare(String(b.id)));

  it('before the values are sealed, the old rows hold the free text in clear and are served unchanged', async () => {
    expect(await rawRows(t, users[0]!, 'transactions')).toContain('secret-memo-XYZ');
    for (const collection of Object.keys(NEW_COLUMNS)) expect(byId(await pullAll(users[0]!, collection as CollectionName))).toEqual(expected(collection));
  });

  it('a crash part-way is resumed; afterwards no row holds the text, every value is in its column, and the same documents are served with the same checkpoints', async () => {
    const seqBefore = await t.db.withUser(users[0]!, (sql) => sql.query<{ id: string; seq: number }>('SELECT id, seq FROM transactions ORDER BY id'));
    let batches = 0;
    let sealedBeforeCrash = 0;
    await expect(
      sealClearFields(t.db, cipher, {
        batchSize: 4,
        onBatch: (p) => {
          sealedBeforeCrash += p.sealed;
          if (++batches === 3) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(sealedBeforeCrash).toBeGreaterThan(0);
    // Half-way: some rows sealed, some not; every document is still served as it was.
    for (const collection of Object.keys(NEW_COLUMNS)) expect(byId(await pullAll(users[0]!, collection as CollectionName))).toEqual(expected(collection));

    const { sealed } = await sealClearFields(t.db, cipher, { batchSize: 4 });
    expect(sealedBeforeCrash + sealed).toBe(users.length * 6 * Object.keys(NEW_COLUMNS).length);
    expect((await sealClearFields(t.db, cipher)).sealed).toBe(0);

    for (const user of users) {
      for (const [collection, cols] of Object.entries(NEW_COLUMNS)) {
        const raw = await rawRows(t, user, collection);
        for (const secret of SECRETS) {
          expect(raw).not.toContain(secret);
          expect(raw).not.toContain(hex(secret));
        }
        const rows = await t.db.withUser(user, (sql) => sql.query<Record<string, unknown>>(`SELECT doc, ${cols.join(', ')} FROM ${collection}`));
        expect(rows.rows).toHaveLength(6);
        for (const row of rows.rows) {
          for (const c of cols) expect(row[c]).toBeInstanceOf(Uint8Array);
          for (const field of Object.keys(row.doc as object)) expect(cols).not.toContain(columnOf(field));
        }
      }
    }
    for (const collection of Object.keys(NEW_COLUMNS)) expect(byId(await pullAll(users[0]!, collection as CollectionName))).toEqual(expected(collection));
    const seqAfter = await t.db.withUser(users[0]!, (sql) => sql.query<{ id: string; seq: number }>('SELECT id, seq FROM transactions ORDER BY id'));
    expect(seqAfter.rows).toEqual(seqBefore.rows);
  });

  it('a sealed value is bound to its row and column: one moved to another row fails to open', async () => {
    const [a, b] = expected('categories');
    await t.db.withUser(users[0]!, (sql) => sql.query('UPDATE categories SET name = (SELECT name FROM categories WHERE id = $1) WHERE id = $2', [a!.id, b!.id]));
    await expect(pullAll(users[0]!, 'categories')).rejects.toThrow(/categories/);
  });
});
