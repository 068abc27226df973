import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, openTestDatabase, testBackends, type TestDatabase } from '../testing/harness.ts';
import { readDocs, upsertDoc } from '../store/documents.ts';
import { FieldCipher, parseKey } from './field-cipher.ts';
import { envelopeCensus, rotateKeys } from './rotate-keys.ts';

const oldKey = parseKey(randomBytes(32).toString('hex'));
const newKey = parseKey(randomBytes(32).toString('hex'));

function account(i: number) {
  return {
    id: randomUUID(), hlc: '1764052800000:0000:dev-a', name: `Account ${i}`, type: 'current', currency: 'GBP', institution: `Bank ${i}`,
    accountRef: `12-34-56 ${String(i).padStart(8, '0')}`, openingBalance: 0, openingDate: '2020-01-01', creditLimit: null, apr: null,
    closed: false, sortOrder: i, notes: null,
  };
}

describe.each(testBackends())('key rotation on %s', (backend) => {
  let t: TestDatabase;
  const users: string[] = [];
  beforeAll(async () => {
    t = await openTestDatabase(backend);
    const old = new FieldCipher(oldKey);
    for (let u = 0; u < 2; u++) {
      const user = await createUser(t.db);
      users.push(user);
      await t.db.withUser(user, async (sql) => {
        for (let i = 0; i < 30; i++) await upsertDoc(sql, old, 'accounts', user, account(i));
        await sql.query('UPDATE users SET totp_secret = $2 WHERE id = $1', [user, old.seal(Buffer.from('JBSWY3DPEHPK3PXP'), 'users', user, 'totp_secret')]);
      });
    }
  });
  afterAll(() => t?.dispose());

  it('resumes after a crash half-way and leaves every row readable under the new key', async () => {
    const during = new FieldCipher(newKey, [oldKey]);
    const seqBefore = await t.db.withUser(users[0]!, (sql) => sql.query<{ m: number }>('SELECT max(seq)::bigint AS m FROM accounts'));
    let batches = 0;
    await expect(
      rotateKeys(t.db, during, {
        batchSize: 7,
        onBatch: () => {
          if (++batches === 5) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');

    // Half-way: a mix of keys, every row still readable with both keys configured.
    const mixed = await envelopeCensus(t.db);
    expect(mixed[oldKey.idHex]).toBeGreaterThan(0);
    expect(mixed[newKey.idHex]).toBeGreaterThan(0);
    for (const u of users) expect(await t.db.withUser(u, (sql) => readDocs(sql, during, 'accounts'))).toHaveLength(30);

    await rotateKeys(t.db, during, { batchSize: 7 });
    const done = await envelopeCensus(t.db);
    expect(done[oldKey.idHex]).toBeUndefined();
    expect(done[newKey.idHex]).toBe(2 * (30 * 4 + 1));

    // The old key can now be forgotten.
    const onlyNew = new FieldCipher(newKey);
    for (const u of users) {
      const docs = await t.db.withUser(u, (sql) => readDocs(sql, onlyNew, 'accounts'));
      expect(docs.map((d) => d.doc.institution).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `Bank ${i}`).sort());
      const totp = await t.db.withUser(u, (sql) => sql.query<{ s: Uint8Array }>('SELECT totp_secret AS s FROM users'));
      expect(Buffer.from(onlyNew.open(totp.rows[0]!.s, 'users', u, 'totp_secret')).toString()).toBe('JBSWY3DPEHPK3PXP');
    }
    // Re-sealing changes no value, so clients are not made to pull everything again.
    const seqAfter = await t.db.withUser(users[0]!, (sql) => sql.query<{ m: number }>('SELECT max(seq)::bigint AS m FROM accounts'));
    expect(seqAfter.rows[0]!.m).toBe(seqBefore.rows[0]!.m);
  });
});
