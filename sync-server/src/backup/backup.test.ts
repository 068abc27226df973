import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, verifyAuditChain } from '../audit/audit.ts';
import { readDocs, upsertDoc } from '../store/documents.ts';
import { createUser, openTestDatabase, testBackends, testCipher, type TestDatabase } from '../testing/harness.ts';
import { BackupError, createBackup, openBackup, restoreBackup, sealBackup, type Dump } from './backup.ts';

const cipher = testCipher();
const PASSPHRASE = 'correct horse battery staple 99';

function txn(i: number) {
  return {
    id: randomUUID(), hlc: '1764052800000:0000:dev-a', accountId: randomUUID(), date: '2026-11-25', amount: -100 - i, currency: 'GBP',
    categoryId: null, tags: [], merchant: `Shop ${i}`, description: `Card payment ${i}`, notes: null, transferId: null,
    importHash: null, status: 'cleared', splits: [],
  };
}

describe.each(testBackends())('backup and restore on %s', (backend) => {
  let source: TestDatabase;
  let target: TestDatabase;
  let user: string;
  let file: Uint8Array;

  beforeAll(async () => {
    source = await openTestDatabase(backend);
    target = await openTestDatabase(backend);
    user = await createUser(source.db, 'owner@example.test');
    await source.db.withUser(user, async (sql) => {
      for (let i = 0; i < 25; i++) await upsertDoc(sql, cipher, 'transactions', user, txn(i));
      await audit(sql, { userId: user, action: 'test.event' });
    });
    file = await createBackup(source.db, PASSPHRASE);
  });
  afterAll(async () => {
    await source?.dispose();
    await target?.dispose();
  });

  it('writes a file that shows no plaintext and opens only with the passphrase', () => {
    expect(Buffer.from(file).includes(Buffer.from('owner@example.test'))).toBe(false);
    expect(() => openBackup(file, 'wrong passphrase entirely')).toThrow(BackupError);
    const damaged = new Uint8Array(file);
    damaged[damaged.length - 40]! ^= 1;
    expect(() => openBackup(damaged, PASSPHRASE)).toThrow(/wrong passphrase, or the file is damaged/);
  });

  it('refuses a crafted backup whose header names a column that is not the table\'s own, and writes nothing', async () => {
    const tamper = (edit: (dump: Dump) => void) => {
      const dump = openBackup(file, PASSPHRASE);
      edit(dump);
      return sealBackup(dump, PASSPHRASE);
    };
    const injection = 'id") VALUES (gen_random_uuid()); DROP TABLE refresh_tokens; --';
    const crafted = [
      tamper((d) => {
        d.tables.users!.columns[0] = injection;
      }),
      tamper((d) => {
        d.tables.transactions!.columns.push('is_admin');
        for (const row of d.tables.transactions!.rows) row.push(true);
      }),
      tamper((d) => {
        d.tables.users!.columns.push(d.tables.users!.columns[0]!);
        for (const row of d.tables.users!.rows) row.push(row[0]);
      }),
      tamper((d) => {
        d.tables['pg_authid'] = { columns: ['rolname'], rows: [['evil']] };
      }),
      tamper((d) => {
        d.tables.accounts = { columns: ['id'], rows: [['a', 'b']] };
      }),
    ];
    for (const bad of crafted) await expect(restoreBackup(target.db, bad, PASSPHRASE)).rejects.toThrow(BackupError);
    const left = await target.db.asOwner((sql) =>
      sql.query<{ users: number; txns: number; tokens: string | null }>(
        `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM transactions) AS txns, to_regclass('refresh_tokens')::text AS tokens`,
      ),
    );
    expect(left.rows[0]).toEqual({ users: 0, txns: 0, tokens: 'refresh_tokens' });
  });

  it('restores every row into an empty instance, PII readable with the same key, audit chain intact', async () => {
    const { rows } = await restoreBackup(target.db, file, PASSPHRASE);
    expect(rows).toBeGreaterThanOrEqual(27);
    const docs = await target.db.withUser(user, (sql) => readDocs(sql, cipher, 'transactions'));
    expect(docs).toHaveLength(25);
    expect(docs.map((d) => d.doc.description)).toContain('Card payment 7');
    const before = await source.db.withUser(user, (sql) => readDocs(sql, cipher, 'transactions'));
    expect(docs.map((d) => [d.id, d.seq])).toEqual(before.map((d) => [d.id, d.seq]));
    expect(await verifyAuditChain(target.db)).toMatchObject({ ok: true });
    // New writes after a restore continue the sequence and the chain.
    await target.db.withUser(user, async (sql) => {
      const seq = await upsertDoc(sql, cipher, 'transactions', user, txn(99));
      expect(seq).toBeGreaterThan(Math.max(...before.map((d) => d.seq)));
      await audit(sql, { userId: user, action: 'test.after-restore' });
    });
    expect(await verifyAuditChain(target.db)).toMatchObject({ ok: true });
  });

  it('refuses to restore over an existing account and writes nothing', async () => {
    await expect(restoreBackup(target.db, file, PASSPHRASE)).rejects.toThrow(/already has an account/);
    const n = await target.db.asOwner((sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions'));
    expect(n.rows[0]!.n).toBe(26);
  });
});
