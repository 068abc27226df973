import { COLLECTION_NAMES, COLLECTIONS } from '@mymidas/shared/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/harness.ts';
import { columnOf } from './documents.ts';

describe('the SQL schema follows the shared data model', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('pglite');
  });
  afterAll(() => t?.dispose());

  it.each(COLLECTION_NAMES)('%s has a table with one bytea column per PII field and no other sealed column', async (name) => {
    const cols = await t.db.asOwner((sql) =>
      sql.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [name],
      ),
    );
    const bytea = cols.rows.filter((c) => c.data_type === 'bytea').map((c) => c.column_name).sort();
    expect(bytea).toEqual(COLLECTIONS[name].pii.map(columnOf).sort());
    expect(cols.rows.map((c) => c.column_name)).toEqual(expect.arrayContaining(['id', 'user_id', 'seq', 'deleted', 'doc']));
  });

  it('re-running every migration changes nothing', async () => {
    const { migrate } = await import('./migrate.ts');
    expect(await migrate(t.db)).toEqual([]);
  });
});
