import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateBudgetV0, type BudgetV0 } from '@mymidas/shared/budget/migrate-v0';
import { budgetSchema, type Budget } from '@mymidas/shared/schema';
import { createApp } from '../http/app.ts';
import { ReplicationService } from '../replication/service.ts';
import type { Services } from '../services.ts';
import { createBackup, openBackup, restoreBackup } from '../backup/backup.ts';
import { createUser, openTestDatabase, openTestServices, signedInUser, testBackends, testCipher } from '../testing/harness.ts';
import { upsertDoc } from './documents.ts';
import { loadMigrations, migrate, type Migration } from './migrate.ts';

/**
 * Issue 20: postgres/migrations/009_budgets_v1.sql rewrites every version-0 budget row into the version-1
 * document migrateBudgetV0 makes on devices, with a new seq so devices pull it, and changes nothing when run
 * again; a backup made before it is converted the same way when restored. Then a device still running the
 * previous app, pushing a version-0 budget, is refused with a reason it can show. On PGlite, and on PostgreSQL
 * when TEST_DATABASE_URL is set.
 */

const MIGRATION = '009_budgets_v1.sql';
const cipher = testCipher();

interface Row {
  id: string;
  user_id: string;
  seq: number;
  deleted: boolean;
  deleted_at: Date | null;
  doc: Record<string, unknown>;
}

let n = 0;
function v0(over: Partial<BudgetV0> = {}): BudgetV0 {
  n++;
  return {
    id: randomUUID(), hlc: `${String(1_764_000_000_000 + n)}:0000:dev-old`, month: '2026-03', categoryId: randomUUID(),
    amount: 1_000 * n, currency: 'GBP', rollover: n % 2 === 0, ...over,
  };
}

describe.each(testBackends())('budgets schema version 1 on the server (%s)', (backend) => {
  let services: Services;
  let migration: Migration;
  const rows = async (): Promise<Map<string, Row>> => {
    const res = await services.db.asOwner((sql) => sql.query<Row>('SELECT id, user_id, seq, deleted, deleted_at, doc FROM budgets ORDER BY id'));
    return new Map(res.rows.map((r) => [String(r.id), { ...r, id: String(r.id), seq: Number(r.seq) }]));
  };
  /** The file run again as the runner runs it (one transaction), as when a second server applies it at once. */
  const runAgain = () => services.db.exec(`BEGIN;\n${migration.sql}\n;\nCOMMIT;`);

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    migration = (await loadMigrations()).find((m) => m.name === MIGRATION)!;
    expect(migration, `${MIGRATION} is among the migrations`).toBeDefined();
  }, 120_000);
  afterAll(async () => {
    await services?.close();
  });

  it('converts every version-0 row of every user into migrateBudgetV0\'s document, moves its seq on, and changes nothing when run again', async () => {
    // The database before 009: every earlier migration applied, 009 not recorded. 009 changes rows only, so
    // forgetting it puts the database exactly where a server upgraded from the previous version finds it.
    await services.db.asOwner((sql) => sql.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION]));
    const alice = await createUser(services.db);
    const bob = await createUser(services.db);
    const written = new Map<string, { user: string; doc: BudgetV0; deleted: boolean }>();
    const put = async (user: string, doc: BudgetV0, deleted = false) => {
      await services.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'budgets', user, doc, deleted));
      written.set(doc.id, { user, doc, deleted });
    };
    for (const month of ['2026-01', '2026-02', '2028-02', '2100-02', '2000-02', '2026-04', '2026-12', '0000-02', '9999-12']) await put(alice, v0({ month }));
    await put(alice, v0({ rollover: true, amount: -250, currency: 'EUR' }));
    await put(alice, v0({ rollover: false, amount: 0, currency: 'JPY' }));
    await put(alice, v0({ amount: Number.MAX_SAFE_INTEGER }));
    await put(bob, v0({ month: '2025-11', rollover: true }));
    await put(bob, v0({ month: '2025-12' }), true);
    // A budget already in the version-1 shape (written by an upgraded device) is left alone.
    const current: Budget = { ...migrateBudgetV0(v0()), period: 'weekly', weekStart: 0, endDate: null, amounts: [{ from: '2026-03-02', amount: 5_000 }], alerts: [] };
    await services.db.withUser(bob, (sql) => upsertDoc(sql, cipher, 'budgets', bob, current));
    const before = await rows();
    expect(before.size).toBe(written.size + 1);
    const lastSeqBefore = Math.max(...[...before.values()].map((r) => r.seq));

    expect(await migrate(services.db)).toEqual([MIGRATION]);

    const after = await rows();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [id, { user, doc, deleted }] of written) {
      const row = after.get(id)!;
      expect(row.doc, `budget ${doc.month} ${doc.amount}`).toEqual(migrateBudgetV0(doc));
      expect(budgetSchema.safeParse(row.doc).success).toBe(true);
      expect(row.seq).toBeGreaterThan(lastSeqBefore);
      expect(row.user_id).toBe(user);
      expect(row.deleted).toBe(deleted);
      expect(row.deleted_at === null).toBe(before.get(id)!.deleted_at === null);
    }
    expect(after.get(current.id)).toEqual(before.get(current.id));

    // Devices pull the converted rows from where they stopped, and nothing else.
    const replication = new ReplicationService({ db: services.db, cipher });
    for (const user of [alice, bob]) {
      const mine = [...before.values()].filter((r) => r.user_id === user);
      const last = mine.reduce((a, b) => (b.seq > a.seq ? b : a));
      const since = { seq: last.seq, id: last.id };
      const pulled = await replication.pull(user, 'budgets', since, 1000);
      const expected = [...written.values()].filter((w) => w.user === user).map((w) => ({ ...migrateBudgetV0(w.doc), _deleted: w.deleted }));
      expect(pulled.documents.sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
    }

    // Run again: the runner skips it; run by hand, it finds no version-0 row and moves no seq.
    expect(await migrate(services.db)).toEqual([]);
    await runAgain();
    expect(await rows()).toEqual(after);
  });

  it('stops at a version-0 row that is not a valid one, naming it and changing nothing', async () => {
    const user = await createUser(services.db);
    const good = v0();
    await services.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'budgets', user, good));
    const bad = { ...v0(), amount: 12.5 };
    await services.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'budgets', user, bad));
    const before = await rows();
    // Without BEGIN/COMMIT the script is one implicit transaction that ends with its error on either backend.
    await expect(services.db.exec(migration.sql)).rejects.toThrow(new RegExp(`budget ${bad.id} is not a valid version-0 budget`));
    expect(await rows()).toEqual(before);
    await services.db.asOwner((sql) => sql.query('DELETE FROM budgets WHERE id = $1', [bad.id]));
    await runAgain();
    expect((await rows()).get(good.id)!.doc).toEqual(migrateBudgetV0(good));
  });

  it('converts the version-0 budgets of a backup made before 009 when it is restored into a server past it', async () => {
    const source = await openTestDatabase(backend);
    const target = await openTestDatabase(backend);
    try {
      await source.db.asOwner((sql) => sql.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION]));
      const user = await createUser(source.db);
      const docs = [v0({ month: '2024-02', rollover: true }), v0({ month: '2026-11' })];
      for (const doc of docs) await source.db.withUser(user, (sql) => upsertDoc(sql, cipher, 'budgets', user, doc));
      const file = await createBackup(source.db, 'correct horse battery staple');
      const dump = openBackup(file, 'correct horse battery staple');
      expect(dump.migrations).not.toContain(MIGRATION);

      await restoreBackup(target.db, file, 'correct horse battery staple');
      const restored = await target.db.asOwner((sql) => sql.query<Row>('SELECT id, user_id, seq, doc FROM budgets ORDER BY id'));
      expect(restored.rows.map((r) => ({ id: String(r.id), user: String(r.user_id), doc: r.doc })))
        .toEqual(docs.map((d) => ({ id: d.id, user, doc: migrateBudgetV0(d) })).sort((a, b) => a.id.localeCompare(b.id)));
      for (const r of restored.rows) expect(Number(r.seq)).toBeGreaterThan(dump.sequence);
    } finally {
      await source.dispose();
      await target.dispose();
    }
  }, 120_000);

  it('refuses a version-0 budget pushed by the previous app with a reason it shows, and keeps the converted row', async () => {
    const app = createApp(services, { log: () => undefined });
    const user = await signedInUser(services);
    const doc = v0({ rollover: true });
    await services.db.withUser(user.userId, (sql) => upsertDoc(sql, cipher, 'budgets', user.userId, doc));
    await runAgain();
    const converted = (await rows()).get(doc.id)!;
    const edited = { ...doc, amount: 99_999, hlc: `${String(1_765_000_000_000)}:0000:dev-old`, _deleted: false };
    const fresh = { ...v0(), _deleted: false };
    const res = await request(app)
      .post('/api/v1/replication/budgets/push')
      .set('Authorization', `Bearer ${user.token}`)
      .send([
        { assumedMasterState: { ...doc, _deleted: false }, newDocumentState: edited },
        { assumedMasterState: null, newDocumentState: fresh },
        { assumedMasterState: null, newDocumentState: { ...migrateBudgetV0(v0()), _deleted: false } },
      ]);
    expect(res.status).toBe(200);
    expect(res.body.written).toBe(1);
    expect(res.body.conflicts).toEqual([]);
    expect(res.body.refused).toHaveLength(2);
    for (const [i, refusal] of (res.body.refused as { index: number; id: string; reason: string; detail: string }[]).entries()) {
      expect(refusal).toMatchObject({ index: i, id: [edited.id, fresh.id][i], reason: 'invalid' });
      expect(refusal.detail).toBe(
        'This budget is in the format of budgets version 0, from a copy of the app older than the server, which keeps budgets version 1. Reload the app to update it, then make this change again.',
      );
    }
    const after = await rows();
    expect(after.get(doc.id)).toEqual(converted);
    expect(after.has(fresh.id)).toBe(false);

    // Anything else invalid keeps the field-by-field detail.
    const other = await request(app)
      .post('/api/v1/replication/budgets/push')
      .set('Authorization', `Bearer ${user.token}`)
      .send([{ assumedMasterState: null, newDocumentState: { ...migrateBudgetV0(v0()), alertThreshold: 0, _deleted: false } }]);
    expect(other.body.refused[0].detail).toMatch(/^newDocumentState\.alertThreshold: /);
  });
});
