import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTION_NAMES } from '@mymidas/shared/schema';
import { AttachmentStore } from '../attachments/store.ts';
import { FieldCipher, parseKey } from '../crypto/field-cipher.ts';
import { envelopeCensus } from '../crypto/rotate-keys.ts';
import { ReplicationService } from '../replication/service.ts';
import { readDocs } from '../store/documents.ts';
import type { Sql } from '../store/database.ts';
import { createUser, openTestDatabase, testBackends, type TestDatabase } from '../testing/harness.ts';
import { checksumPath, manifestPath, readManifest, sha256File, writeChecksum, writeManifest } from './files.ts';
import { BackupError, createBackup, restoreBackup, verifyBackup } from './sql-backup.ts';
import { loadHousehold } from './test-household.ts';

const PASSPHRASE = 'a backup passphrase of some length';
const KEY = randomBytes(32).toString('hex');
const cipher = new FieldCipher(parseKey(KEY));
const HOUSEHOLD = { seed: 'backup-round-trip', transactions: 700, years: 1, referenceDate: '2026-10-31' };

/** Every row of every table in public, as text (bytea as hex), in a stable order. */
async function everyRow(sql: Sql): Promise<Record<string, string[]>> {
  const rels = await sql.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`);
  const out: Record<string, string[]> = {};
  for (const { name } of rels.rows) {
    const rows = await sql.query<{ r: string }>(`SELECT t::text AS r FROM public.${name} t ORDER BY 1`);
    out[name] = rows.rows.map((r) => r.r);
  }
  return out;
}

async function pullEverything(db: TestDatabase['db'], userId: string): Promise<Record<string, unknown[]>> {
  const replication = new ReplicationService({ db, cipher });
  const out: Record<string, unknown[]> = {};
  for (const name of COLLECTION_NAMES) {
    const docs: unknown[] = [];
    let checkpoint = null;
    for (;;) {
      const page: Awaited<ReturnType<ReplicationService['pull']>> = await replication.pull(userId, name, checkpoint, 500);
      docs.push(...page.documents);
      if (page.documents.length < 500) break;
      checkpoint = page.checkpoint;
    }
    out[name] = docs;
  }
  return out;
}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}
/** The standard-tools test needs gpg, gunzip, psql and a PostgreSQL to restore into; CI has them all. */
const STANDARD_TOOLS = ['gpg', 'gunzip', 'psql'].filter((t) => !onPath(t));
const PG_URL = process.env.TEST_DATABASE_URL;
if ((STANDARD_TOOLS.length || !PG_URL) && process.env.CI === 'true') throw new Error(`CI=true but ${STANDARD_TOOLS.join(', ') || 'TEST_DATABASE_URL'} is missing: the gpg/psql restore test would be left out`);
if (STANDARD_TOOLS.length || !PG_URL) console.warn(`\n*** gpg/psql restore test NOT defined: ${STANDARD_TOOLS.length ? `${STANDARD_TOOLS.join(', ')} not on PATH` : 'TEST_DATABASE_URL is not set'} ***\n`);

describe.each(testBackends())('SQL backups on %s', (backend) => {
  let source: TestDatabase;
  let dir: string;
  let userId: string;
  let file: string;
  let blobs: Map<string, Uint8Array>;
  let before: Record<string, string[]>;

  beforeAll(async () => {
    source = await openTestDatabase(backend);
    dir = mkdtempSync(join(tmpdir(), 'mymidas-backup-test-'));
    userId = await createUser(source.db, 'household@example.test');
    ({ attachments: blobs } = await loadHousehold({ db: source.db, cipher }, userId, HOUSEHOLD, 4));
    ({ file } = await createBackup({ db: source.db, ...(source.ownerUrl ? { ownerUrl: source.ownerUrl } : {}) }, {
      dir, passphrase: PASSPHRASE, keys: { current: KEY, previous: [] }, appVersion: 'test',
    }));
    before = await source.db.asOwner(everyRow);
  }, 300_000);
  afterAll(async () => {
    await source?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes YYYYMMDD_HHMMSS.sql.gz.gpg with its .sha256 and a manifest of row counts, no plaintext inside', async () => {
    expect(file).toMatch(/\/\d{8}_\d{6}\.sql\.gz\.gpg$/);
    const manifest = readManifest(file)!;
    expect(manifest.sha256).toBe(await sha256File(file));
    expect(readFileSync(checksumPath(file), 'utf8')).toBe(`${manifest.sha256}  ${file.split('/').pop()}\n`);
    expect(manifest.tables.transactions).toBe(before.transactions!.length);
    expect(manifest.tables.attachment_blobs).toBe(4);
    expect(manifest.schema.latest).toBe(manifest.schema.migrations.at(-1));
    expect(manifest.encryptionKeyIds).toEqual([cipher.current.idHex]);
    const raw = readFileSync(file);
    expect(raw[0]! & 0x80).toBe(0x80); // an OpenPGP packet, not gzip or SQL
    expect(raw.includes(Buffer.from('household@example.test'))).toBe(false);
    expect(raw.includes(Buffer.from('INSERT INTO'))).toBe(false);
  });

  it('restores into a fresh database: every row and attachment byte identical, a device pulls the same documents', async () => {
    const target = await openTestDatabase(backend);
    try {
      const res = await restoreBackup(target.db, file, { passphrase: PASSPHRASE, keys: { current: KEY, previous: [] } });
      expect(res.tables).toEqual(readManifest(file)!.tables);
      expect(await target.db.asOwner(everyRow)).toEqual(before);
      const store = new AttachmentStore({ db: target.db, cipher });
      for (const [id, bytes] of blobs) expect(Buffer.from((await store.get(userId, id))!.bytes).equals(Buffer.from(bytes))).toBe(true);
      const pulledBefore = await pullEverything(source.db, userId);
      expect(pulledBefore.transactions!.length).toBeGreaterThan(600);
      expect(await pullEverything(target.db, userId)).toEqual(pulledBefore);
    } finally {
      await target.dispose();
    }
  }, 300_000);

  if (!STANDARD_TOOLS.length && PG_URL) {
    it('opens with the real gpg --batch --decrypt and the passphrase; gunzip gives SQL that psql restores into an empty PostgreSQL database', () => {
      const work = mkdtempSync(join(tmpdir(), 'mymidas-gpg-'));
      const name = `mymidas_gpg_${randomBytes(5).toString('hex')}`;
      const admin = (sql: string) => execFileSync('psql', ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-d', PG_URL, '-c', sql], { encoding: 'utf8' });
      admin(`CREATE DATABASE ${name}`);
      try {
        const url = new URL(PG_URL);
        url.pathname = `/${name}`;
        writeFileSync(join(work, 'pass'), PASSPHRASE, { mode: 0o600 });
        const run = spawnSync('bash', ['-c', 'set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-file "$PASSFILE" --decrypt "$BACKUP" | gunzip | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$TARGET"'], {
          env: { ...process.env, GNUPGHOME: work, PASSFILE: join(work, 'pass'), BACKUP: file, TARGET: url.toString() },
          encoding: 'utf8',
        });
        expect(run.stderr.split('\n').filter((l) => /ERROR|FATAL/.test(l))).toEqual([]);
        expect(run.status).toBe(0);
        const manifest = readManifest(file)!;
        for (const table of ['users', 'transactions', 'attachment_blobs', 'quotes', 'audit_logs', 'schema_migrations']) {
          const n = execFileSync('psql', ['-X', '-tA', '-d', url.toString(), '-c', `SELECT count(*) FROM public.${table}`], { encoding: 'utf8' }).trim();
          expect(Number(n), table).toBe(manifest.tables[table]);
        }
        // The sealed bytes came through as they were: the first attachment's envelope matches the source's.
        const restoredHex = execFileSync('psql', ['-X', '-tA', '-d', url.toString(), '-c', `SELECT encode(content, 'hex') FROM public.attachment_blobs ORDER BY id LIMIT 1`], { encoding: 'utf8' }).trim();
        expect(restoredHex.length).toBeGreaterThan(2000);
        expect(before.attachment_blobs!.some((row) => row.includes(restoredHex))).toBe(true);
      } finally {
        admin(`DROP DATABASE IF EXISTS ${name}`);
        rmSync(work, { recursive: true, force: true });
      }
    }, 300_000);
  }

  it('after a key rotation an older backup still restores: the retired key is found beside the backups and the rows re-sealed under the new key', async () => {
    const newKey = randomBytes(32).toString('hex');
    const rotated = new FieldCipher(parseKey(newKey));
    const target = await openTestDatabase(backend);
    try {
      // The server now holds only the new key; the backup's key is in <dir>/keys, written when the backup was made.
      const res = await restoreBackup(target.db, file, { passphrase: PASSPHRASE, keys: { current: newKey, previous: [] }, keysFrom: dir });
      expect(res.resealed).toBeGreaterThan(600);
      expect(await envelopeCensus(target.db)).toEqual({ [rotated.current.idHex]: expect.any(Number) });
      const docs = await target.db.withUser(userId, (sql) => readDocs(sql, rotated, 'transactions'));
      const original = await source.db.withUser(userId, (sql) => readDocs(sql, cipher, 'transactions'));
      expect(docs.map((d) => d.doc)).toEqual(original.map((d) => d.doc));
      expect((await new AttachmentStore({ db: target.db, cipher: rotated }).get(userId, [...blobs.keys()][0]!))!.bytes).toEqual([...blobs.values()][0]);
      // Without the kept key, the restore names the key it needs and changes nothing.
      const bare = await openTestDatabase(backend);
      try {
        await expect(restoreBackup(bare.db, file, { passphrase: PASSPHRASE, keys: { current: newKey, previous: [] } })).rejects.toThrow(new RegExp(`sealed with encryption key ${cipher.current.idHex}.*Nothing was restored`));
        expect((await bare.db.asOwner((sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))).rows[0]!.n).toBe(0);
      } finally {
        await bare.dispose();
      }
    } finally {
      await target.dispose();
    }
  }, 600_000);

  it('verifies a backup in a scratch database and records it in the manifest', async () => {
    const m = await verifyBackup(file, PASSPHRASE);
    expect(m.verified).toMatchObject({ ok: true });
    expect(readManifest(file)!.verified).toMatchObject({ ok: true });
    // The scratch database started from an empty-database snapshot, cached beside the backups for the next one.
    expect(readdirSync(join(dir, 'cache')).filter((n) => /^pglite-.+-empty\.tar\.gz$/.test(n))).toHaveLength(1);
  }, 600_000);

  it('a verification from the cached snapshot still compares the row counts with the manifest', async () => {
    const f = join(dir, '19990101_000010.sql.gz.gpg');
    copyFileSync(file, f);
    copyFileSync(checksumPath(file), checksumPath(f));
    const m = readManifest(file)!;
    writeManifest(f, { ...m, file: basename(f), tables: { ...m.tables, transactions: m.tables.transactions! + 1 } });
    await expect(verifyBackup(f, PASSPHRASE)).rejects.toThrow(/verification of 19990101_000010\.sql\.gz\.gpg failed: .*row counts do not match the manifest \(transactions: manifest \d+, restored \d+\)/);
    expect(readManifest(f)!.verified).toMatchObject({ ok: false });
    rmSync(f);
    rmSync(checksumPath(f));
    rmSync(manifestPath(f));
  }, 600_000);

  it('a damaged cached snapshot does not fail a verification: it is removed and the scratch database made with initdb', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mymidas-verify-cache-'));
    try {
      const { pgliteVersion } = await import('../store/pglite-database.ts');
      const snapshot = join(cache, `pglite-${pgliteVersion()}-empty.tar.gz`);
      writeFileSync(snapshot, 'not a tarball');
      const m = await verifyBackup(file, PASSPHRASE, new Date(), { cacheDir: cache });
      expect(m.verified).toMatchObject({ ok: true });
      expect(existsSync(snapshot)).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 600_000);

  describe('a bad file or passphrase is refused with a clear message and nothing is touched', () => {
    let target: TestDatabase;
    let other: string;
    const copyOf = (name: string) => {
      const f = join(dir, `${name}.sql.gz.gpg`);
      copyFileSync(file, f);
      copyFileSync(checksumPath(file), checksumPath(f));
      copyFileSync(manifestPath(file), manifestPath(f));
      return f;
    };
    beforeAll(async () => {
      target = await openTestDatabase(backend);
      other = await createUser(target.db, 'someone-else@example.test');
    }, 300_000);
    afterAll(() => target?.dispose());
    const untouched = async () => {
      const users = await target.db.asOwner((sql) => sql.query<{ id: string }>('SELECT id FROM users'));
      expect(users.rows.map((r) => r.id)).toEqual([other]);
    };

    it('wrong passphrase', async () => {
      await expect(restoreBackup(target.db, file, { passphrase: 'not the passphrase at all', force: true })).rejects.toThrow(/wrong BACKUP_PASSPHRASE/);
      await untouched();
    });

    it('truncated file', async () => {
      const f = copyOf('19990101_000000');
      truncateSync(f, Math.floor(readFileSync(f).length / 2));
      await expect(restoreBackup(target.db, f, { passphrase: PASSPHRASE, force: true })).rejects.toThrow(/does not match its SHA-256 checksum: the file is damaged or truncated/);
      await untouched();
    });

    it('flipped byte, with the checksum and manifest made to match (the OpenPGP integrity check catches it)', async () => {
      const f = copyOf('19990101_000001');
      const bytes = readFileSync(f);
      bytes[bytes.length - 30]! ^= 0x01;
      writeFileSync(f, bytes);
      const sha = await sha256File(f);
      writeChecksum(f, sha);
      writeManifest(f, { ...readManifest(f)!, sha256: sha });
      await expect(restoreBackup(target.db, f, { passphrase: PASSPHRASE, force: true })).rejects.toThrow(BackupError);
      // Refused before the database is used at all: no statement of the altered plaintext runs, not even
      // inside a transaction that would be rolled back.
      let used = 0;
      const watched = new Proxy(target.db, {
        get(t, p) {
          if (p === 'asOwner' || p === 'withUser' || p === 'exec') used++;
          const v: unknown = Reflect.get(t, p, t);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
      await expect(restoreBackup(watched, f, { passphrase: PASSPHRASE, force: true })).rejects.toThrow(/the file is damaged \(.*\)\. Nothing was restored/);
      expect(used).toBe(0);
      await untouched();
    }, 300_000);

    it('flipped byte against its recorded checksum', async () => {
      const f = copyOf('19990101_000002');
      const bytes = readFileSync(f);
      bytes[100]! ^= 0x40;
      writeFileSync(f, bytes);
      await expect(restoreBackup(target.db, f, { passphrase: PASSPHRASE, force: true })).rejects.toThrow(/does not match its SHA-256 checksum/);
      await untouched();
    });

    it('a manifest whose counts do not match what the dump holds rolls the restore back', async () => {
      const f = copyOf('19990101_000003');
      const m = readManifest(f)!;
      writeManifest(f, { ...m, tables: { ...m.tables, transactions: m.tables.transactions! + 1 } });
      await expect(restoreBackup(target.db, f, { passphrase: PASSPHRASE, force: true })).rejects.toThrow(/row counts do not match the manifest \(transactions: manifest \d+, restored \d+\)/);
      await untouched();
    }, 300_000);

    it('a database with data is refused without --force', async () => {
      await expect(restoreBackup(target.db, file, { passphrase: PASSPHRASE })).rejects.toThrow(/not empty .*--force/);
      await untouched();
    });

    it('with --force the database is replaced as a whole', async () => {
      await restoreBackup(target.db, file, { passphrase: PASSPHRASE, force: true });
      expect(await target.db.asOwner(everyRow)).toEqual(before);
    }, 300_000);
  });
});
