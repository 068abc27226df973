import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Database, Sql, SqlValue } from '../store/database.ts';

/**
 * Encrypted, self-contained backups. The file is
 *   "MYMIDAS-BACKUP\n" ‖ version(1) ‖ scrypt salt(16) ‖ IV(12) ‖ AES-256-GCM(gzip(JSON)) ‖ tag(16)
 * with the key derived from BACKUP_PASSPHRASE (scrypt N=2^15, r=8, p=1). PII columns inside stay sealed
 * under ENCRYPTION_KEY, so reading a backup's PII needs both the passphrase and the encryption key.
 * Tables are read and written as the owner in one transaction each way: a restore is all or nothing.
 */
const MAGIC = Buffer.from('MYMIDAS-BACKUP\n', 'utf8');
const VERSION = 1;
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Order matters: parents before children on restore. */
export const BACKUP_TABLES = [
  'users', 'backup_codes', 'refresh_tokens', 'accounts', 'categories', 'transactions', 'budgets', 'recurring_rules',
  'attachments', 'attachment_blobs', 'assets', 'investment_transactions', 'quotes', 'net_worth_snapshots', 'settings',
  'rules', 'audit_logs',
] as const;

/** Migrations that rewrite replicated documents, and the statement (a function the migration made) that does it again. */
const DOCUMENT_MIGRATIONS: Readonly<Record<string, string>> = { '009_budgets_v1.sql': 'SELECT budgets_v0_to_v1()', '011_quotes_v1.sql': 'SELECT quotes_v0_to_v1()' };

/** A backup's decrypted content. */
export interface Dump {
  format: 'mymidas-backup';
  version: number;
  createdAt: string;
  migrations: string[];
  sequence: number;
  tables: Record<string, { columns: string[]; rows: unknown[][] }>;
}

const BYTEA = '\u0000b64:';

function encodeValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return BYTEA + Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.toISOString();
  return v;
}

function decodeValue(v: unknown): SqlValue {
  if (typeof v === 'string' && v.startsWith(BYTEA)) return new Uint8Array(Buffer.from(v.slice(BYTEA.length), 'base64'));
  return v as SqlValue;
}

function key(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase, salt, 32, SCRYPT);
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** A column name known to be one of the table's own, quoted as an identifier. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function columnsOf(sql: Sql, table: string): Promise<string[]> {
  const res = await sql.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return res.rows.map((r) => r.column_name);
}

export async function createBackup(db: Database, passphrase: string): Promise<Uint8Array> {
  const dump = await db.asOwner(async (sql) => {
    await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const tables: Dump['tables'] = {};
    for (const t of BACKUP_TABLES) {
      const columns = await columnsOf(sql, t);
      const res = await sql.query<Record<string, unknown>>(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${t} ORDER BY 1`);
      tables[t] = { columns, rows: res.rows.map((r) => columns.map((c) => encodeValue(r[c]))) };
    }
    const migrations = (await sql.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
    const seq = (await sql.query<{ v: number }>('SELECT last_value AS v FROM replication_seq')).rows[0]!.v;
    return { format: 'mymidas-backup', version: VERSION, createdAt: new Date().toISOString(), migrations, sequence: seq, tables } satisfies Dump;
  });
  return sealBackup(dump, passphrase);
}

/** Encrypts a backup's content under the passphrase (the file format above). */
export function sealBackup(dump: Dump, passphrase: string): Uint8Array {
  const plain = gzipSync(Buffer.from(JSON.stringify(dump), 'utf8'));
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(passphrase, salt), iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([MAGIC, Buffer.from([VERSION]), salt, iv, body, cipher.getAuthTag()]));
}

export function openBackup(file: Uint8Array, passphrase: string): Dump {
  const buf = Buffer.from(file);
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError('not a MyMidas backup file');
  const at = MAGIC.length;
  if (buf[at] !== VERSION) throw new BackupError(`backup format version ${buf[at]} is not supported`);
  const salt = buf.subarray(at + 1, at + 17);
  const iv = buf.subarray(at + 17, at + 29);
  const tag = buf.subarray(buf.length - 16);
  const body = buf.subarray(at + 29, buf.length - 16);
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key(passphrase, salt), iv);
    d.setAAD(MAGIC);
    d.setAuthTag(tag);
    plain = Buffer.concat([d.update(body), d.final()]);
  } catch {
    throw new BackupError('cannot open the backup: wrong passphrase, or the file is damaged');
  }
  const dump = JSON.parse(gunzipSync(plain).toString('utf8')) as Dump;
  if (dump.format !== 'mymidas-backup' || !Array.isArray(dump.migrations) || typeof dump.tables !== 'object' || dump.tables === null) {
    throw new BackupError('backup content is not recognised');
  }
  return dump;
}

function checkTablePart(table: string, part: unknown, columns: ReadonlySet<string>): void {
  const p = part as { columns?: unknown; rows?: unknown };
  if (typeof part !== 'object' || part === null || !Array.isArray(p.columns) || !Array.isArray(p.rows)) {
    throw new BackupError(`the backup's table ${table} is malformed`);
  }
  const names = p.columns as unknown[];
  const bad = names.filter((c) => typeof c !== 'string' || !columns.has(c));
  if (bad.length) throw new BackupError(`the backup's table ${table} names columns it does not have: ${bad.map((c) => JSON.stringify(c)).join(', ')}`);
  if (new Set(names).size !== names.length) throw new BackupError(`the backup's table ${table} names a column twice`);
  if (!(p.rows as unknown[]).every((r) => Array.isArray(r) && r.length === names.length)) {
    throw new BackupError(`the backup's table ${table} has a row whose width does not match its columns`);
  }
}

/**
 * Restores into a database that has been migrated and holds no users. Everything happens in one owner
 * transaction; on any error nothing is written.
 */
export async function restoreBackup(db: Database, file: Uint8Array, passphrase: string): Promise<{ rows: number }> {
  const dump = openBackup(file, passphrase);
  return db.asOwner(async (sql) => {
    const existing = (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n;
    if (existing > 0) throw new BackupError('the target database already has an account; restore only into an empty instance');
    const applied = new Set((await sql.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const missing = dump.migrations.filter((m) => !applied.has(m));
    if (missing.length) throw new BackupError(`the backup was made by a newer version (migrations ${missing.join(', ')}); upgrade first`);
    // The file's table and column names are data: each must be one of the live schema's own before any
    // of them is put into a statement, and a file that names anything else restores nothing.
    const known = new Set<string>(BACKUP_TABLES);
    const unknownTables = Object.keys(dump.tables ?? {}).filter((t) => !known.has(t));
    if (unknownTables.length) throw new BackupError(`the backup names tables this version does not have: ${unknownTables.map((t) => JSON.stringify(t)).join(', ')}`);
    for (const t of BACKUP_TABLES) {
      const part = dump.tables[t];
      if (part) checkTablePart(t, part, new Set(await columnsOf(sql, t)));
    }
    // Restored rows keep their seq and audit hashes exactly: the stamping triggers are off for this
    // transaction only (ALTER TABLE is transactional), so a failure leaves them on.
    for (const t of BACKUP_TABLES) await sql.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    let rows = 0;
    for (const t of BACKUP_TABLES) {
      const part = dump.tables[t];
      if (!part) continue;
      const cols = part.columns;
      const identity = t === 'audit_logs' ? ' OVERRIDING SYSTEM VALUE' : '';
      for (const row of part.rows) {
        await sql.query(
          `INSERT INTO ${t} (${cols.map(quoteIdent).join(', ')})${identity} VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
          row.map(decodeValue),
        );
        rows++;
      }
    }
    for (const t of BACKUP_TABLES) await sql.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    await sql.query(`SELECT setval('replication_seq', GREATEST($1::bigint, 1))`, [dump.sequence]);
    // Documents in a shape retired after the backup was made are converted as their migration converted the live
    // rows, with new seqs (docs/schema-migrations.md).
    for (const [migration, statement] of Object.entries(DOCUMENT_MIGRATIONS)) if (!dump.migrations.includes(migration)) await sql.query(statement);
    await sql.query(`SELECT setval(pg_get_serial_sequence('audit_logs', 'id'), GREATEST((SELECT max(id) FROM audit_logs), 1))`);
    return { rows };
  });
}
