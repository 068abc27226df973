import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, openTestDatabase, type TestDatabase } from '../testing/harness.ts';
import { checksumPath, readManifest, writeManifest } from './files.ts';
import { BackupJob } from './job.ts';
import { verifyInChild } from './verify-child.ts';

const PASSPHRASE = 'a backup passphrase of some length';
const KEY = randomBytes(32).toString('hex');

describe('the nightly job verifies its backup in a child process', () => {
  let t: TestDatabase;
  let dir: string;
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  let job: BackupJob;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    await createUser(t.db, 'household@example.test');
    dir = mkdtempSync(join(tmpdir(), 'mymidas-backup-job-'));
    job = new BackupJob({
      source: { db: t.db },
      settings: { dir, schedule: null, timezone: 'UTC', retentionDays: 30, maxAgeHours: 36 },
      passphrase: PASSPHRASE,
      keys: { current: KEY, previous: [] },
      appVersion: 'test',
      log: (event, fields) => events.push({ event, fields }),
    });
  }, 120_000);
  afterAll(async () => {
    await job?.stop();
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes, verifies (in another process) and records the backup as verified', async () => {
    const run = await job.runNow();
    expect(run).toMatchObject({ ok: true, verified: true });
    const file = join(dir, run.file!);
    expect(readManifest(file)!.verified).toMatchObject({ ok: true });
    const verified = events.find((e) => e.event === 'backup.verified');
    expect(verified?.fields).toMatchObject({ file: run.file, verifyPeakMB: expect.any(Number) });
    expect(job.status().state).toBe('ok');
  }, 300_000);

  it('the child is another process, and its answer carries the manifest; a failed check comes back with its message', async () => {
    const good = readdirSync(dir).find((n) => n.endsWith('.sql.gz.gpg'))!;
    const res = await verifyInChild(join(dir, good), PASSPHRASE);
    expect(res.pid).not.toBe(process.pid);
    expect(res.peakMB).toBeGreaterThan(0);
    expect(res.manifest).toMatchObject({ file: good, verified: { ok: true } });

    const f = join(dir, '19990101_000000.sql.gz.gpg');
    copyFileSync(join(dir, good), f);
    copyFileSync(checksumPath(join(dir, good)), checksumPath(f));
    const m = readManifest(join(dir, good))!;
    writeManifest(f, { ...m, file: basename(f), tables: { ...m.tables, users: m.tables.users! + 1 } });
    await expect(verifyInChild(f, PASSPHRASE)).rejects.toThrow(/verification of 19990101_000000\.sql\.gz\.gpg failed: .*row counts do not match the manifest \(users: manifest 2, restored 1\)/);
    expect(readManifest(f)!.verified).toMatchObject({ ok: false });
    await expect(verifyInChild(join(dir, good), 'not the passphrase at all')).rejects.toThrow(/wrong BACKUP_PASSPHRASE/);
  }, 300_000);
});
