import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, openTestDatabase, testBackends, type TestDatabase } from '../testing/harness.ts';

describe.each(testBackends())('row-level security on %s', (backend) => {
  let t: TestDatabase;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    alice = await createUser(t.db);
    bob = await createUser(t.db);
    for (const [user, n] of [[alice, 3], [bob, 2]] as const) {
      await t.db.withUser(user, async (sql) => {
        for (let i = 0; i < n; i++) {
          await sql.query('INSERT INTO transactions (id, user_id, doc) VALUES ($1, $2, $3)', [randomUUID(), user, { amount: -100 * (i + 1) }]);
        }
      });
    }
  });
  afterAll(() => t?.dispose());

  it('runs requests as the runtime role, not as the owner', async () => {
    const rows = await t.db.withUser(alice, (sql) => sql.query<{ u: string }>('SELECT current_user AS u'));
    expect(rows.rows[0]!.u).toBe('mymidas_app');
  });

  it('shows a user only their own rows with no WHERE clause', async () => {
    const a = await t.db.withUser(alice, (sql) => sql.query<{ user_id: string }>('SELECT * FROM transactions'));
    expect(a.rows).toHaveLength(3);
    expect(new Set(a.rows.map((r) => r.user_id))).toEqual(new Set([alice]));
    const b = await t.db.withUser(bob, (sql) => sql.query('SELECT * FROM transactions'));
    expect(b.rows).toHaveLength(2);
  });

  it('shows nothing when no user id is set, without raising', async () => {
    const none = await t.db.withUser(null, (sql) => sql.query('SELECT * FROM transactions'));
    expect(none.rows).toHaveLength(0);
    const users = await t.db.withUser(null, (sql) => sql.query('SELECT * FROM users'));
    expect(users.rows).toHaveLength(0);
  });

  it("refuses to insert a row under another user's id", async () => {
    await expect(
      t.db.withUser(alice, (sql) => sql.query('INSERT INTO transactions (id, user_id, doc) VALUES ($1, $2, $3)', [randomUUID(), bob, {}])),
    ).rejects.toThrow(/row-level security/);
  });

  it("refuses to move a row to another user's id", async () => {
    await expect(t.db.withUser(alice, (sql) => sql.query('UPDATE transactions SET user_id = $1', [bob]))).rejects.toThrow(/row-level security/);
    const b = await t.db.withUser(bob, (sql) => sql.query('SELECT * FROM transactions'));
    expect(b.rows).toHaveLength(2);
  });

  it("cannot update or delete another user's rows (they are invisible)", async () => {
    const upd = await t.db.withUser(alice, (sql) => sql.query('UPDATE transactions SET deleted = true WHERE user_id = $1', [bob]));
    expect(upd.rowCount).toBe(0);
    const del = await t.db.withUser(alice, (sql) => sql.query('DELETE FROM transactions WHERE user_id = $1', [bob]));
    expect(del.rowCount).toBe(0);
    const b = await t.db.withUser(bob, (sql) => sql.query<{ deleted: boolean }>('SELECT deleted FROM transactions'));
    expect(b.rows.every((r) => r.deleted === false)).toBe(true);
  });

  it('cannot change the user id for the rest of the session once a transaction ends', async () => {
    await t.db.withUser(alice, (sql) => sql.query('SELECT 1'));
    const after = await t.db.withUser(null, (sql) => sql.query('SELECT * FROM transactions'));
    expect(after.rows).toHaveLength(0);
  });

  it('has every user table under ENABLE and FORCE row-level security', async () => {
    const res = await t.db.asOwner((sql) =>
      sql.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'`,
      ),
    );
    expect(res.rows.length).toBeGreaterThanOrEqual(16);
    for (const r of res.rows) expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, true]);
  });

  describe('the runtime role', () => {
    it('is not a superuser, cannot bypass RLS and owns no table', async () => {
      const role = await t.db.asOwner((sql) =>
        sql.query<{ rolsuper: boolean; rolbypassrls: boolean }>(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'mymidas_app'`),
      );
      expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
      const owned = await t.db.asOwner((sql) =>
        sql.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'mymidas_app'`),
      );
      expect(owned.rows).toHaveLength(0);
    });

    it('cannot disable or drop row-level security', async () => {
      await expect(t.db.withUser(alice, (sql) => sql.query('ALTER TABLE transactions DISABLE ROW LEVEL SECURITY'))).rejects.toThrow(/owner|permission/);
      await expect(t.db.withUser(alice, (sql) => sql.query('ALTER TABLE transactions NO FORCE ROW LEVEL SECURITY'))).rejects.toThrow(/owner|permission/);
      await expect(t.db.withUser(alice, (sql) => sql.query('DROP POLICY transactions_own ON transactions'))).rejects.toThrow(/owner|permission/);
      await expect(t.db.withUser(alice, (sql) => sql.query('SET row_security = off; SELECT * FROM transactions'))).rejects.toThrow();
    });

    it('can append to the audit log and read its own rows, but never update or delete them', async () => {
      await t.db.withUser(alice, (sql) => sql.query(`INSERT INTO audit_logs (user_id, action) VALUES ($1, 'test.event')`, [alice]));
      const mine = await t.db.withUser(alice, (sql) => sql.query(`SELECT * FROM audit_logs`));
      expect(mine.rows).toHaveLength(1);
      await expect(t.db.withUser(alice, (sql) => sql.query(`UPDATE audit_logs SET action = 'x'`))).rejects.toThrow(/permission/);
      await expect(t.db.withUser(alice, (sql) => sql.query(`DELETE FROM audit_logs`))).rejects.toThrow(/permission/);
      await expect(t.db.withUser(alice, (sql) => sql.query(`TRUNCATE audit_logs`))).rejects.toThrow(/permission|owner/);
      await expect(
        t.db.withUser(alice, (sql) => sql.query(`INSERT INTO audit_logs (user_id, action) VALUES ($1, 'forged')`, [bob])),
      ).rejects.toThrow(/row-level security/);
    });
  });
});
