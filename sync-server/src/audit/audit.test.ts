import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql, SqlValue } from '../store/database.ts';
import { runtimeUrlFrom } from '../store/postgres-database.ts';
import { createUser, openTestDatabase, testBackends, type TestDatabase } from '../testing/harness.ts';
import { audit, verifyAuditChain } from './audit.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app's `Sql` over one raw connection, so a test can hold transactions open on several at once. */
function sqlOf(client: pg.Client): Sql {
  return {
    async query<R>(text: string, params: readonly SqlValue[] = []) {
      const res = await client.query(text, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
  };
}

describe.each(testBackends())('the audit hash chain on %s', (backend) => {
  // Concurrency across connections exists on PostgreSQL only (PGlite is one session): defined there, not skipped elsewhere.
  const onPostgres = (backend === 'postgres' ? it : () => undefined) as typeof it;
  let t: TestDatabase;
  let user: string;

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    user = await createUser(t.db);
    await t.db.withUser(user, (sql) => audit(sql, { userId: user, action: 'test.first' }));
  });
  afterAll(() => t?.dispose());

  onPostgres('stays valid when many writers on separate connections interleave their transactions', async () => {
    const writers = 8;
    const rounds = 6;
    const appUrl = runtimeUrlFrom(t.ownerUrl!, process.env.TEST_DB_APP_PASSWORD);
    const clients = Array.from({ length: writers + 1 }, () => new pg.Client({ connectionString: appUrl }));
    await Promise.all(clients.map((c) => c.connect()));
    const [gate, ...rest] = clients as [pg.Client, ...pg.Client[]];
    const before = (await verifyAuditChain(t.db)).rows;
    try {
      for (let round = 0; round < rounds; round++) {
        // One transaction writes a row and stays open, so every other writer's INSERT starts (and, with a
        // position drawn before the chain's lock, takes its number) while that writer holds the chain.
        await gate.query('BEGIN');
        await gate.query(`SELECT set_config('app.user_id', $1, true)`, [user]);
        await audit(sqlOf(gate), { userId: user, action: 'test.gate', details: { round } });
        const done = rest.map(async (client, i) => {
          await client.query('BEGIN');
          await client.query(`SELECT set_config('app.user_id', $1, true)`, [user]);
          await sleep((i * 3 + round) % 4);
          await audit(sqlOf(client), { userId: user, action: 'test.concurrent', details: { round, writer: i, n: 1 } });
          await sleep((i + round * 5) % 3);
          await audit(sqlOf(client), { userId: user, action: 'test.concurrent', details: { round, writer: i, n: 2 } });
          await client.query('COMMIT');
        });
        await sleep(30);
        await gate.query('COMMIT');
        await Promise.all(done);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const report = await verifyAuditChain(t.db);
    expect(report).toMatchObject({ ok: true, rows: before + rounds * (1 + writers * 2) });
  });

  onPostgres('stays valid under many concurrent requests through the server\'s own connection pool', async () => {
    const before = (await verifyAuditChain(t.db)).rows;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.db.withUser(user, async (sql) => {
          await audit(sql, { userId: user, action: 'test.pooled', details: { i } });
          await sleep(i % 3);
          await audit(sql, { userId: user, action: 'test.pooled', details: { i, second: true } });
        }),
      ),
    );
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: before + 80 });
  });

  it('stays valid when each row of a multi-row write follows the one before it', async () => {
    await t.db.withUser(user, async (sql) => {
      for (let i = 0; i < 5; i++) await audit(sql, { userId: user, action: 'test.serial', details: { i } });
    });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('ignores a position the runtime role chooses itself', async () => {
    const { rows } = await t.db.asOwner((sql) => sql.query<{ id: number }>('SELECT max(id)::int AS id FROM audit_logs'));
    const last = rows[0]!.id;
    // An id far ahead would make every later row look out of place; an existing id would collide.
    for (const id of [1, last + 1_000_000]) {
      await t.db.withUser(user, (sql) => sql.query(`INSERT INTO audit_logs (id, user_id, action) OVERRIDING SYSTEM VALUE VALUES ($1, $2, 'test.forged-id')`, [id, user]));
    }
    const forged = await t.db.asOwner((sql) => sql.query<{ id: number }>(`SELECT id::int AS id FROM audit_logs WHERE action = 'test.forged-id' ORDER BY id`));
    expect(forged.rows.map((r) => r.id)).toEqual([last + 1, last + 2]);
    await t.db.withUser(user, (sql) => audit(sql, { userId: user, action: 'test.after-forged' }));
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('lets the runtime role neither change nor remove a row', async () => {
    await expect(t.db.withUser(user, (sql) => sql.query(`UPDATE audit_logs SET action = 'x'`))).rejects.toThrow(/permission denied/);
    await expect(t.db.withUser(user, (sql) => sql.query(`DELETE FROM audit_logs`))).rejects.toThrow(/permission denied/);
  });

  it('detects a row edited by someone holding the owner role, and a row removed', async () => {
    const ids = (await t.db.asOwner((sql) => sql.query<{ id: number }>('SELECT id::int AS id FROM audit_logs ORDER BY id'))).rows.map((r) => r.id);
    const edited = ids[Math.floor(ids.length / 2)]!;
    await t.db.asOwner((sql) => sql.query(`UPDATE audit_logs SET details = '{"rewritten":true}' WHERE id = $1`, [edited]));
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: edited });

    const removed = ids[2]!;
    await t.db.asOwner((sql) => sql.query(`DELETE FROM audit_logs WHERE id = $1`, [removed]));
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: ids[3] });
  });
});
