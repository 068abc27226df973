import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { FieldCipher, parseKey, type FieldKey } from '../crypto/field-cipher.ts';
import { loadMigrations, migrate, type MigratableDatabase } from '../store/migrate.ts';
import type { PgliteDatabase } from '../store/pglite-database.ts';
import { countTables, writeDump, type DumpSource } from './dump.ts';
import { checksumPath, manifestPath, newBackupPath, readChecksum, readManifest, writeChecksum, writeManifest, type Manifest } from './files.ts';
import { keepKeys, keptKey } from './keys.ts';
import { decryptStream, encryptStream } from './pgp.ts';
import { splitSql } from './sql-script.ts';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupKeys {
  /** ENCRYPTION_KEY now, and any still accepted for reading (ENCRYPTION_KEY_PREVIOUS / encryption_key.previous). */
  current: string;
  previous: readonly string[];
}

export interface CreateBackupOptions {
  dir: string;
  passphrase: string;
  keys: BackupKeys;
  appVersion: string;
  now?: Date;
}

/**
 * Writes one backup: the dump streamed through gzip and OpenPGP into `<stamp>.sql.gz.gpg.partial`,
 * hashed on the way, renamed into place when complete; then the `.sha256` sidecar and the manifest. The
 * keys the server holds are kept (encrypted) beside the backups for later restores (keys.ts).
 */
export async function createBackup(source: DumpSource, opts: CreateBackupOptions): Promise<{ file: string; manifest: Manifest }> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const now = opts.now ?? new Date();
  const file = newBackupPath(opts.dir, now);
  const partial = `${file}.partial`;
  const keyIds = await keepKeys(opts.dir, [opts.keys.current, ...opts.keys.previous], opts.passphrase);

  const sql = new PassThrough();
  const gzip = createGzip({ level: 6 });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const encrypted = await encryptStream(sql.pipe(gzip), opts.passphrase);
  const written = pipeline(encrypted, tap, createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
  // A failure downstream must not leave the dump waiting for a 'drain' that never comes.
  const failed = new Promise<never>((_, reject) => {
    written.catch(reject);
    gzip.once('error', reject);
  });
  failed.catch(() => undefined);
  const emit = async (piece: string | Buffer): Promise<void> => {
    if (!piece.length) return;
    if (!sql.write(piece)) await Promise.race([once(sql, 'drain'), failed]);
  };
  try {
    const info = await writeDump(source, emit);
    sql.end();
    await Promise.race([written, failed]);
    renameSync(partial, file);
    const sha256 = hash.digest('hex');
    writeChecksum(file, sha256);
    const manifest: Manifest = {
      format: 'mymidas-backup-manifest',
      version: 1,
      file: basename(file),
      createdAt: now.toISOString(),
      app: { version: opts.appVersion },
      schema: { latest: info.migrations.at(-1) ?? null, migrations: info.migrations },
      backend: source.db.backend,
      tables: info.tables,
      rows: Object.values(info.tables).reduce((a, b) => a + b, 0),
      bytes,
      sha256,
      encryptionKeyIds: keyIds,
      verified: null,
    };
    writeManifest(file, manifest);
    return { file, manifest };
  } catch (err) {
    sql.destroy();
    encrypted.destroy();
    await written.catch(() => undefined);
    rmSync(partial, { force: true });
    throw err;
  }
}

/** The backup's manifest and the SHA-256 its sidecar names, before anything reads the backup itself. */
function checkSidecars(file: string): { manifest: Manifest; sha256: string } {
  const manifest = readManifest(file);
  if (!manifest) throw new BackupError(`no manifest for ${basename(file)}: expected ${basename(manifestPath(file))} beside it (copy the three files of a backup together)`);
  const expected = readChecksum(file);
  if (!expected) throw new BackupError(`no checksum for ${basename(file)}: expected ${basename(checksumPath(file))} beside it`);
  if (manifest.sha256 !== expected) throw new BackupError(`${basename(file)}: the manifest and the .sha256 file name different checksums. Nothing was restored.`);
  return { manifest, sha256: expected };
}

/**
 * Authenticates the whole backup before any of its content is used, without holding it in memory:
 * 1. the file is copied into a private folder (0700; the copy 0600) while its SHA-256 is checked;
 * 2. the copy is decrypted and gunzipped to nowhere: the OpenPGP integrity check (MDC) at the end of the
 *    message, the passphrase and the gzip trailer are all checked here.
 * The restore then streams the same copy, which only this process can write: every statement it runs comes
 * from ciphertext already authenticated, so a file altered without the passphrase is refused before the
 * database is touched at all (not merely rolled back). Costs a second decryption and the file's size on disk.
 */
async function authenticatedCopy(file: string, sha256: string, passphrase: string, scratch: string): Promise<string> {
  const copy = join(scratch, basename(file));
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), hashing, createWriteStream(copy, { mode: 0o600, flags: 'wx' }));
  } catch (err) {
    throw new BackupError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (hash.digest('hex') !== sha256) throw new BackupError(`${basename(file)} does not match its SHA-256 checksum: the file is damaged or truncated. Nothing was restored.`);
  const discard = new Writable({ write: (_chunk, _enc, cb) => cb() });
  try {
    await pipeline(await decryptStream(createReadStream(copy), passphrase), createGunzip(), discard);
  } catch (err) {
    throw decryptFailure(err);
  }
  return copy;
}

async function openContent(file: string, passphrase: string): Promise<Readable> {
  try {
    const decrypted = await decryptStream(createReadStream(file), passphrase);
    const gunzip = createGunzip();
    // pipe() does not carry errors: a failed integrity check at the end must reach the reader.
    decrypted.on('error', (err) => gunzip.destroy(err));
    return decrypted.pipe(gunzip);
  } catch (err) {
    throw decryptFailure(err);
  }
}

function decryptFailure(err: unknown): BackupError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/session key|password|passphrase/i.test(msg)) return new BackupError('cannot decrypt the backup: wrong BACKUP_PASSPHRASE (or not a backup of this server). Nothing was restored.');
  return new BackupError(`cannot read the backup: the file is damaged (${msg}). Nothing was restored.`);
}

const SET_SESSION = /^SET\s+(?!LOCAL\b|SESSION\b)(\w+)\s*(=|TO)\s/i;
const SET_CONFIG = /^SELECT pg_catalog\.set_config\('([a-z_]+)', '([^']*)', false\)$/;

/** Makes a dump's session settings local to the restore's transaction (a pooled connection keeps its own). */
function localised(statement: string): string {
  if (SET_SESSION.test(statement)) return statement.replace(/^SET\s+/i, 'SET LOCAL ');
  const m = SET_CONFIG.exec(statement);
  if (m) return `SELECT pg_catalog.set_config('${m[1]}', '${m[2]}', true)`;
  return statement;
}

function compareCounts(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const problems: string[] = [];
  for (const t of [...names].sort()) if (expected[t] !== actual[t]) problems.push(`${t}: manifest ${expected[t] ?? 'none'}, restored ${actual[t] ?? 'none'}`);
  return problems;
}

export interface RestoreOptions {
  passphrase: string;
  /** Replace a database that holds data (all or nothing); without it only an empty database is restored into. */
  force?: boolean;
  /** Where retired keys are kept (the backup folder); needed when the backup names keys the server no longer holds. */
  keysFrom?: string;
  /** The server's keys: rows sealed under a retired key (kept beside the backups) are re-sealed under the current one. */
  keys?: BackupKeys;
  /** Run the app's migrations after the restore (a backup made by an older version). Default true. */
  migrate?: boolean;
}

export interface RestoreResult {
  manifest: Manifest;
  tables: Record<string, number>;
  rows: number;
  resealed: number;
}

/**
 * Restores a backup into `db`, in ONE owner transaction: the file is checked against its checksum and
 * authenticated as a whole first (authenticatedCopy), then decrypted and executed statement by statement
 * as it streams, and the restored row counts are compared with the manifest before the commit. A wrong
 * passphrase or a damaged file is refused before the database is touched; a count that does not match
 * rolls everything back. Without `force` the database must hold no rows (a new or freshly
 * started instance); with it the current schema is dropped and replaced inside the same transaction.
 */
export async function restoreBackup(db: MigratableDatabase, file: string, opts: RestoreOptions): Promise<RestoreResult> {
  const { manifest, sha256 } = checkSidecars(file);
  const scratch = mkdtempSync(join(tmpdir(), 'mymidas-restore-'));
  try {
    const copy = await authenticatedCopy(file, sha256, opts.passphrase, scratch);
    return await restoreAuthenticated(db, copy, manifest, opts);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function restoreAuthenticated(db: MigratableDatabase, file: string, manifest: Manifest, opts: RestoreOptions): Promise<RestoreResult> {
  const known = new Set((await loadMigrations()).map((m) => m.name));
  const newer = manifest.schema.migrations.filter((m) => !known.has(m));
  if (newer.length) throw new BackupError(`the backup was made by a newer version of MyMidas (migrations ${newer.join(', ')}): upgrade first. Nothing was restored.`);

  // Keys the backup's rows may be sealed with that the server no longer holds: found before anything is touched.
  const retired: FieldKey[] = [];
  const held = opts.keys ? [parseKey(opts.keys.current), ...opts.keys.previous.map(parseKey)] : [];
  if (opts.keys) {
    for (const id of manifest.encryptionKeyIds) {
      if (held.some((k) => k.idHex === id)) continue;
      const key = opts.keysFrom ? await keptKey(opts.keysFrom, id, opts.passphrase) : null;
      if (key) retired.push(key);
      else missingKey(id);
    }
  }

  const content = await openContent(file, opts.passphrase);
  const tables = await db.asOwner(async (sql) => {
    const existing = await countTables(sql);
    const rows = Object.entries(existing).filter(([t]) => t !== 'schema_migrations').reduce((a, [, n]) => a + n, 0);
    if (rows > 0 && !opts.force) {
      throw new BackupError(`the database is not empty (${rows} rows): restore into an empty database, or use --force to replace it (all or nothing). Nothing was restored.`);
    }
    if (Object.keys(existing).length) {
      await sql.query('DROP SCHEMA public CASCADE');
      await sql.query('CREATE SCHEMA public');
    }
    try {
      for await (const item of splitSql(content)) {
        if (item.kind === 'meta') {
          if (/^\\(un)?restrict\b/.test(item.text)) continue;
          throw new BackupError(`the backup holds a psql command this restore does not run (${item.text.split(/\s/)[0]}). Nothing was restored.`);
        }
        if (/^COPY\s/i.test(item.text)) throw new BackupError('the backup holds COPY data, which this restore does not read (MyMidas writes INSERTs). Nothing was restored.');
        await sql.query(localised(item.text));
      }
    } catch (err) {
      if (err instanceof BackupError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      if (/decrypt|session key|modification|integrity|unexpected end|incorrect header|invalid|packet|MDC/i.test(msg) && !(err as { code?: unknown }).code) throw decryptFailure(err);
      throw new BackupError(`the backup's SQL failed: ${msg}. Nothing was restored.`);
    }
    const restored = await countTables(sql);
    const problems = compareCounts(manifest.tables, restored);
    if (problems.length) throw new BackupError(`the restored row counts do not match the manifest (${problems.join('; ')}). Nothing was restored.`);
    return restored;
  }).finally(() => content.destroy());
  if (opts.migrate !== false) await migrate(db);
  let resealed = 0;
  if (retired.length) {
    const [current, ...previous] = held;
    const { rotateKeys } = await import('../crypto/rotate-keys.ts');
    resealed = (await rotateKeys(db, new FieldCipher(current!, [...previous, ...retired]))).resealed;
  }
  return { manifest, tables, rows: Object.values(tables).reduce((a, b) => a + b, 0), resealed };
}

function missingKey(id: string): never {
  throw new BackupError(
    `the backup's data is sealed with encryption key ${id}, which this server does not hold and no kept key file (backups/keys/${id}.key.asc) provides: ` +
      'set it in ENCRYPTION_KEY_PREVIOUS (or secrets/encryption_key.previous) and run the restore again. Nothing was restored.',
  );
}

/**
 * Verifies a backup without touching the live data: checksum, decryption, a restore into a scratch PGlite
 * in a temporary folder (removed afterwards) and the row counts against the manifest. The result is written
 * into the manifest (`verified`).
 *
 * The scratch database starts from an empty-database snapshot cached in `cacheDir` (default: `cache/` in
 * the backup's folder; see emptySnapshot) rather than running PGlite's initdb, which alone peaks near
 * 900 MB. Should the snapshot be unusable (a folder that cannot be written, a damaged file) the scratch
 * database is created the slow way and the damaged snapshot removed, so a verification never fails for it.
 */
export async function verifyBackup(file: string, passphrase: string, now = new Date(), opts: { cacheDir?: string } = {}): Promise<Manifest> {
  const scratchDir = mkdtempSync(join(tmpdir(), 'mymidas-verify-'));
  let scratch: PgliteDatabase | undefined;
  let outcome: Manifest['verified'];
  try {
    scratch = await openScratch(scratchDir, opts.cacheDir ?? join(dirname(file), 'cache'));
    await restoreBackup(scratch, file, { passphrase, migrate: false });
    outcome = { at: now.toISOString(), ok: true };
  } catch (err) {
    outcome = { at: now.toISOString(), ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await scratch?.close().catch(() => undefined);
    rmSync(scratchDir, { recursive: true, force: true });
  }
  const manifest = readManifest(file);
  if (manifest) writeManifest(file, { ...manifest, verified: outcome });
  if (!outcome.ok) throw new BackupError(`verification of ${basename(file)} failed: ${outcome.error}`);
  return { ...manifest!, verified: outcome };
}

async function openScratch(scratchDir: string, cacheDir: string): Promise<PgliteDatabase> {
  // Loaded here, not at the top: writing a backup of PostgreSQL never needs PGlite (see dump.ts).
  const { PgliteDatabase, emptySnapshot } = await import('../store/pglite-database.ts');
  // A restore into a scratch database gains little from PGlite's 128MB of shared buffers, which cost their size.
  const sharedBuffers = '16MB';
  let snapshot: string | undefined;
  try {
    snapshot = await emptySnapshot(cacheDir);
    return await PgliteDatabase.open(join(scratchDir, 'db'), { from: snapshot, sharedBuffers });
  } catch {
    if (snapshot) rmSync(snapshot, { force: true });
    return PgliteDatabase.open(join(scratchDir, 'initdb'), { sharedBuffers });
  }
}

/** The keys a services object holds, as BackupKeys. */
export function backupKeys(secrets: { encryptionKey: string; previousEncryptionKeys: readonly string[] }): BackupKeys {
  return { current: secrets.encryptionKey, previous: secrets.previousEncryptionKeys };
}
