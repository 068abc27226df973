import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptySnapshot, PgliteDatabase, pgliteVersion } from './pglite-database.ts';

describe('scratch PGlite databases from an empty-database snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mymidas-pglite-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a new data dir starts from the tarball it is given, not from initdb, with the shared buffers asked for', async () => {
    const pg = await PGlite.create();
    await pg.exec('CREATE TABLE marker (x int); INSERT INTO marker VALUES (42)');
    const tarball = join(dir, 'marked.tar.gz');
    writeFileSync(tarball, Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer()));
    await pg.close();
    const db = await PgliteDatabase.open(join(dir, 'from-marked'), { from: tarball, sharedBuffers: '16MB' });
    try {
      expect((await db.asOwner((sql) => sql.query<{ x: number }>('SELECT x FROM marker'))).rows).toEqual([{ x: 42 }]);
      expect((await db.asOwner((sql) => sql.query<{ shared_buffers: string }>('SHOW shared_buffers'))).rows).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('the empty snapshot is built once per PGlite version, cached, and older versions\' snapshots are removed', async () => {
    const cache = join(dir, 'cache');
    const stale = join(cache, 'pglite-0.0.1-empty.tar.gz');
    rmSync(cache, { recursive: true, force: true });
    const first = await emptySnapshot(join(dir, 'cache'));
    expect(first).toBe(join(cache, `pglite-${pgliteVersion()}-empty.tar.gz`));
    writeFileSync(stale, 'an older version');
    rmSync(first);
    await emptySnapshot(cache);
    expect(readdirSync(cache)).toEqual([`pglite-${pgliteVersion()}-empty.tar.gz`]);
    expect(existsSync(stale)).toBe(false);
    const db = await PgliteDatabase.open(join(dir, 'from-empty'), { from: first });
    try {
      const tables = await db.asOwner((sql) => sql.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"));
      expect(tables.rows[0]!.n).toBe(0);
    } finally {
      await db.close();
    }
  }, 180_000);
});
