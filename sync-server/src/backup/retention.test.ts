import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKey } from '../crypto/field-cipher.ts';
import { checksumPath, listBackups, newBackupPath, writeChecksum, writeManifest, type Manifest } from './files.ts';
import { backupStatus } from './job.ts';
import { keepKeys, keptKey } from './keys.ts';
import { applyRetention } from './retention.ts';
import { backupSettings } from './settings.ts';

const PASS = 'retention test passphrase';
const DAY = 86_400_000;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A night's backup as the job leaves it (file, .sha256, manifest), made at `at`, verified or not. */
function night(at: Date, verified: boolean | null, keyIds: string[] = []): string {
  const file = newBackupPath(dir, at);
  writeFileSync(file, randomBytes(64));
  writeChecksum(file, 'a'.repeat(64));
  const manifest: Manifest = {
    format: 'mymidas-backup-manifest', version: 1, file: file.split('/').pop()!, createdAt: at.toISOString(), app: { version: 't' },
    schema: { latest: null, migrations: [] }, backend: 'pglite', tables: { transactions: 1 }, rows: 1, bytes: 64, sha256: 'a'.repeat(64),
    encryptionKeyIds: keyIds, verified: verified === null ? null : { at: at.toISOString(), ok: verified },
  };
  writeManifest(file, manifest);
  return file;
}

/** 03:00 UTC on the n-th of a 31-night run ending 2026-12-07. */
const nightAt = (n: number) => new Date(Date.UTC(2026, 10, 7, 3, 0, 0) + n * DAY);

describe('backup retention (fake time)', () => {
  it('31 nightly backups leave 30 (30 days kept), each removed with its checksum and manifest', () => {
    dir = mkdtempSync(join(tmpdir(), 'mymidas-retention-'));
    const files = Array.from({ length: 31 }, (_, n) => night(nightAt(n), true));
    const now = new Date(nightAt(30).getTime() + 5 * 60_000);
    const { removed } = applyRetention(dir, now, 30);
    expect(removed).toEqual(['20261107_030000.sql.gz.gpg']);
    expect(listBackups(dir)).toHaveLength(30);
    expect(existsSync(files[0]!)).toBe(false);
    expect(existsSync(checksumPath(files[0]!))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('20261107'))).toEqual([]);
    expect(existsSync(files[1]!)).toBe(true);
    // Run again the next night with nothing new: the next oldest goes.
    expect(applyRetention(dir, new Date(now.getTime() + DAY), 30).removed).toEqual(['20261108_030000.sql.gz.gpg']);
  });

  it('never removes the only verified backup, however old; removes it once a younger one is verified', () => {
    dir = mkdtempSync(join(tmpdir(), 'mymidas-retention-'));
    const good = night(nightAt(0), true);
    for (let n = 1; n < 31; n++) night(nightAt(n), n % 2 ? false : null);
    const later = new Date(nightAt(30).getTime() + 40 * DAY);
    const { removed } = applyRetention(dir, later, 30);
    expect(removed).toHaveLength(30);
    expect(listBackups(dir).map((e) => e.file)).toEqual([good]);
    expect(backupStatus(backupSettings({ BACKUP_DIR: dir }, dir), later).lastGood?.file).toBe('20261107_030000.sql.gz.gpg');
    night(later, true);
    expect(applyRetention(dir, new Date(later.getTime() + 60_000), 30).removed).toEqual(['20261107_030000.sql.gz.gpg']);
  });

  it('keeps a retired encryption key while a kept backup names it, then removes it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mymidas-retention-'));
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('hex');
    const [oldId] = await keepKeys(dir, [oldKey], PASS);
    const [newId] = await keepKeys(dir, [newKey], PASS);
    night(nightAt(0), true, [oldId!]);
    night(nightAt(20), true, [newId!]);
    applyRetention(dir, nightAt(25), 30, [newId!]);
    expect((await keptKey(dir, oldId!, PASS))?.secret.equals(parseKey(oldKey).secret)).toBe(true);
    applyRetention(dir, nightAt(31), 30, [newId!]);
    expect(await keptKey(dir, oldId!, PASS)).toBeNull();
    expect(await keptKey(dir, newId!, PASS)).not.toBeNull();
    await expect(keptKey(dir, newId!, 'the wrong passphrase here')).rejects.toThrow();
  });

  it('settings: 03:00 nightly and 30 days by default; a bad value is a configuration error', () => {
    dir = mkdtempSync(join(tmpdir(), 'mymidas-retention-'));
    expect(backupSettings({}, dir)).toMatchObject({ schedule: '0 3 * * *', retentionDays: 30, dir: join(dir, 'backups') });
    expect(backupSettings({ BACKUP_SCHEDULE: 'off' }, dir).schedule).toBeNull();
    expect(() => backupSettings({ BACKUP_SCHEDULE: 'at three' }, dir)).toThrow(/BACKUP_SCHEDULE/);
    expect(() => backupSettings({ BACKUP_RETENTION_DAYS: '0' }, dir)).toThrow(/BACKUP_RETENTION_DAYS/);
    expect(() => backupSettings({ BACKUP_TIMEZONE: 'Mars/Olympus' }, dir)).toThrow(/BACKUP_TIMEZONE/);
  });
});
