import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgliteDatabase } from './pglite-database.ts';

describe('embedded database lock', () => {
  it('refuses a second opener of the same data directory while the first is open, and frees it on close', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mymidas-lock-')), 'pglite');
    const first = await PgliteDatabase.open(dir);
    await expect(PgliteDatabase.open(dir)).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
    await first.close();
    const again = await PgliteDatabase.open(dir);
    await again.close();
  });

  it('takes over a stale lock left by a process that died', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mymidas-lock-')), 'pglite');
    writeFileSync(`${dir}.lock`, '999999999');
    const db = await PgliteDatabase.open(dir);
    await db.close();
  });
});
