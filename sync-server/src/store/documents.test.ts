import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError } from '../crypto/field-cipher.ts';
import { createUser, openTestDatabase, testBackends, testCipher, type TestDatabase } from '../testing/harness.ts';
import type { CollectionName } from '@mymidas/shared/schema';
import { docJsonSelectList, openDoc, openDocJson, readDocs, upsertDoc } from './documents.ts';

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

  describe('a pull row as wire JSON text', () => {
    const both = async (collection: CollectionName, id: string) => {
      const res = await t.db.withUser(user, (sql) =>
        sql.query<Record<string, unknown>>(`SELECT id, deleted, doc, ${docJsonSelectList(collection).join(', ')} FROM ${collection} WHERE id = $1`, [id]),
      );
      const row = res.rows[0]!;
      const text = openDocJson(cipher, collection, row, Boolean(row.deleted));
      // jsonb's text puts a space after each colon and comma: compared re-serialised, which keeps the key order.
      return { text, same: JSON.stringify(JSON.parse(text)), object: JSON.stringify({ ...openDoc(cipher, collection, row), id: String(row.id), _deleted: Boolean(row.deleted) }) };
    };

    it('is the opened document, field for field and in the same order, for any PII value', async () => {
      const values: [string, unknown][] = [
        ['quotes "and" back\\slashes', ['a', 'b']],
        ['emoji 💷 and accents café', []],
        ['', null],
        ['line\nbreak\ttab \u2028', [{ amount: -1, categoryId: null }]],
      ];
      for (const [description, tags] of values) {
        const id = randomUUID();
        const doc = { ...txn(id, description), tags, notes: null, importHash: description === '' ? null : 'h1' };
        await t.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'transactions', user, doc));
        const { text, same, object } = await both('transactions', id);
        expect(same).toBe(object);
        expect(JSON.parse(text)).toEqual({ ...doc, _deleted: false });
      }
    });

    it('says _deleted for a soft-deleted row, and serves a PII field still held in clear as openDoc does', async () => {
      const gone = randomUUID();
      await t.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'transactions', user, txn(gone, 'deleted one'), true));
      expect(JSON.parse((await both('transactions', gone)).text)).toMatchObject({ id: gone, description: 'deleted one', _deleted: true });

      // A row written before `notes` was sealed: the clear value in `doc` is its latest (store/seal-clear-fields.ts).
      const legacy = randomUUID();
      await t.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'transactions', user, txn(legacy, 'legacy')));
      await t.db.withUser(user, (sql) => sql.query(`UPDATE transactions SET doc = doc || '{"notes": "written in clear"}'::jsonb WHERE id = $1`, [legacy]));
      const { text, same, object } = await both('transactions', legacy);
      expect(same).toBe(object);
      expect(JSON.parse(text)).toMatchObject({ notes: 'written in clear', description: 'legacy' });
    });

    it('a collection with no PII fields is its document as stored', async () => {
      const id = randomUUID();
      const doc = { id, hlc: '1764052800000:0000:dev-a', kind: 'ui', baseCurrency: 'GBP' };
      await t.db.withUser(user, (sql) => sql.query(`INSERT INTO settings (id, user_id, doc) VALUES ($1, $2, $3)`, [id, user, doc]));
      const { same, object } = await both('settings', id);
      expect(same).toBe(object);
    });

    it('refuses a tampered field as openDoc does', async () => {
      const id = randomUUID();
      await t.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'transactions', user, txn(id, 'tampered')));
      await t.db.withUser(user, (sql) => sql.query(`UPDATE transactions SET merchant = set_byte(merchant, 20, get_byte(merchant, 20) # 1) WHERE id = $1`, [id]));
      await expect(both('transactions', id)).rejects.toThrow(DecryptionError);
    });
  });
});
