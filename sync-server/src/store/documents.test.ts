import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError } from '../crypto/field-cipher.ts';
import { createUser, openTestDatabase, testBackends, testCipher, type TestDatabase } from '../testing/harness.ts';
import { readDocs, upsertDoc } from './documents.ts';

const cipher = testCipher();

function txn(id: string, description: string) {
  return {
    id, hlc: '1764052800000:0000:dev-a', accountId: randomUUID(), date: '2026-11-25', amount: -1234, currency: 'GBP',
    categoryId: null, tags: ['food'], merchant: 'Pret A Manger', description, notes: 'lunch with Sam Jones', transferId: null,
    importHash: null, status: 'cleared', splits: [],
  };
}

describe.each(testBackends())('PII fields at rest on %s', (backend) => {
  let t: TestDatabase;
  let user: string;
  beforeAll(async () => {
    t = await openTestDatabase(backend);
    user = await createUser(t.db);
  });
  afterAll(() => t?.dispose());

  it('stores PII as envelopes whose raw bytes never contain the plaintext', async () => {
    const id = randomUUID();
    await t.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'transactions', user, txn(id, 'SAINSBURYS S/MKTS CAMDEN')));
    const raw = await t.db.withUser(user, (sql) =>
      sql.query<Record<string, unknown>>('SELECT doc::text AS doc, description, merchant, notes FROM transactions WHERE id = $1', [id]),
    );
    const row = raw.rows[0]!;
    for (const col of ['description', 'merchant', 'notes']) {
      const bytes = Buffer.from(row[col] as Uint8Array);
      for (const secret of ['SAINSBURYS', 'Pret', 'Sam Jones']) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    expect(String(row.doc)).not.toMatch(/SAINSBURYS|Pret|Sam Jones/);
    const [doc] = await t.db.withUser(user, (sql) => readDocs(sql, cipher, 'transactions'));
    expect(doc!.doc).toMatchObject({ description: 'SAINSBURYS S/MKTS CAMDEN', merchant: 'Pret A Manger', notes: 'lunch with Sam Jones', amount: -1234 });
  });

  it('detects a flipped bit in a stored field', async () => {
    const id = randomUUID();
    await t.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'transactions', user, txn(id, 'to be tampered')));
    await t.db.withUser(user, (sql) =>
      sql.query(`UPDATE transactions SET description = set_byte(description, 20, get_byte(description, 20) # 1) WHERE id = $1`, [id]),
    );
    await expect(t.db.withUser(user, (sql) => readDocs(sql, cipher, 'transactions'))).rejects.toThrow(DecryptionError);
    await t.db.withUser(user, (sql) => sql.query('DELETE FROM transactions WHERE id = $1', [id]));
  });

  it('refuses a ciphertext copied from another row', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await t.db.withUser(user, async (sql) => {
      await upsertDoc(sql, cipher, 'transactions', user, txn(a, 'row a'));
      await upsertDoc(sql, cipher, 'transactions', user, txn(b, 'row b'));
      await sql.query('UPDATE transactions SET description = (SELECT description FROM transactions WHERE id = $1) WHERE id = $2', [a, b]);
    });
    await expect(t.db.withUser(user, (sql) => readDocs(sql, cipher, 'transactions'))).rejects.toThrow(/row .*moved from another row or field/);
  });
});
