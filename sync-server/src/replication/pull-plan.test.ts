import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import type { Database, Sql } from '../store/database.ts';
import { piiColumns, sealDoc } from '../store/documents.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { accountDoc } from './fixtures.ts';
import { PULL_PLANNER_SETTINGS, pullQuery, ReplicationService } from './service.ts';

/**
 * The pull must walk the (user_id, seq, id) index and stop after `limit` rows, whatever the table's
 * statistics say: a bitmap scan plus sort reads every row after the checkpoint on every page, which made a
 * first sync of 100,000 documents quadratic on PGlite (it never analyzes by itself).
 */
describe.each(testBackends())('pull query plan on %s', (backend) => {
  let services: Services;
  let userId: string;
  const ROWS = 3000;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    ({ userId } = await signedInUser(services));
    // Bulk-loaded straight into the table, no ANALYZE: the statistics are what a fresh load leaves.
    const cols = piiColumns('accounts');
    const names = ['id', 'user_id', 'doc', ...cols];
    for (let start = 0; start < ROWS; start += 500) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let i = start; i < start + 500; i++) {
        const { _deleted: _, ...doc } = accountDoc();
        const { plain, sealed } = sealDoc(services.cipher, 'accounts', doc);
        tuples.push(`(${names.map((__, j) => `$${values.length + j + 1}`).join(', ')})`);
        values.push(doc.id, userId, plain, ...sealed);
      }
      await services.db.withUser(userId, (sql) => sql.query(`INSERT INTO accounts (${names.join(', ')}) VALUES ${tuples.join(', ')}`, values as never));
    }
  });
  afterAll(async () => {
    await services.close();
  });

  it('is an ordered index scan with no sort and no bitmap scan, checkpoint in the middle', async () => {
    const plan = await services.db.withUser(userId, async (sql) => {
      await sql.query(PULL_PLANNER_SETTINGS);
      const res = await sql.query<Record<string, string>>(`EXPLAIN ${pullQuery('accounts')}`, [userId, 1500, '00000000-0000-0000-0000-000000000000', 1000]);
      return res.rows.map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan).toContain('Index Scan using accounts_pull on accounts');
    expect(plan).not.toMatch(/Sort|Bitmap/);
  });

  it('sets the planner settings inside the pull transaction, before its SELECT, and pages through every row', async () => {
    const statements: string[][] = [];
    const spied: Database = {
      backend: services.db.backend,
      asOwner: (fn) => services.db.asOwner(fn),
      close: () => services.db.close(),
      withUser: (user, fn) =>
        services.db.withUser(user, (sql) => {
          const seen: string[] = [];
          statements.push(seen);
          const recording: Sql = { query: (text, params) => (seen.push(text), sql.query(text, params)) };
          return fn(recording);
        }),
    };
    const service = new ReplicationService({ db: spied, cipher: services.cipher });
    let checkpoint = null;
    const ids = new Set<string>();
    for (;;) {
      const page = await service.pull(userId, 'accounts', checkpoint, 1000);
      if (page.documents.length === 0) break;
      for (const d of page.documents) ids.add(d.id);
      expect(page.documents.every((d) => typeof d.name === 'string' && (d.name as string).startsWith('Current account'))).toBe(true);
      checkpoint = page.checkpoint;
    }
    expect(ids.size).toBe(ROWS);
    expect(statements.length).toBeGreaterThan(1);
    for (const seen of statements) expect(seen).toEqual([PULL_PLANNER_SETTINGS, pullQuery('accounts')]);
  });
});
