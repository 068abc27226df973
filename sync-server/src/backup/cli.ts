import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../config/config.ts';
import { loadSecrets, type Secrets } from '../config/local-secrets.ts';
import type { MigratableDatabase } from '../store/migrate.ts';
import type { Services } from '../services.ts';
import { keepKeys } from './keys.ts';
import { listBackups } from './files.ts';
import { backupKeys, BackupError, createBackup, restoreBackup, verifyBackup } from './sql-backup.ts';

/**
 * The backup commands behind scripts/backup.sh and scripts/restore.sh (docs/operations.md):
 *   backup [--dir D] [--no-verify]   write a backup now and verify it
 *   restore --list [--dir D]         the backups: date, size, rows, verified or not
 *   restore --verify FILE            decrypt, checksum, restore into a scratch database, compare counts
 *   restore FILE [--force]           into an empty database; --force replaces the current one (all or nothing)
 * Exit codes: 0 done, 1 refused or failed (the message says why), 2 usage.
 */
const USAGE = `usage:
  backup.sh [--dir DIR] [--no-verify]
  restore.sh --list [--dir DIR]
  restore.sh --verify FILE
  restore.sh FILE [--force]`;

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function backupDir(config: Config, args: readonly string[] = []): string {
  return resolve(option(args, '--dir') ?? process.env.BACKUP_DIR ?? join(config.dataDir, 'backups'));
}

async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const { openServices } = await import('../services.ts');
  const services = await openServices(loadConfig(process.env));
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * The database a backup reads, prepared as the server prepares it at start (migrations applied, PII left in
 * clear by an older version sealed) but without the rest of the server: a backup process loads the one
 * storage backend in use, no Redis, no routes, no jobs (PGlite's module alone is ~40 MB resident).
 */
async function withBackupDatabase<T>(fn: (db: MigratableDatabase, config: Config, secrets: Secrets) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const secrets = loadSecrets(config);
  let db: MigratableDatabase;
  if (config.databaseUrl) {
    const { PostgresDatabase, runtimeUrlFrom } = await import('../store/postgres-database.ts');
    db = PostgresDatabase.open({ ownerUrl: config.databaseUrl, appUrl: runtimeUrlFrom(config.databaseUrl, config.dbAppPassword) });
  } else {
    const { PgliteDatabase } = await import('../store/pglite-database.ts');
    db = await PgliteDatabase.open(join(config.dataDir, 'pglite'));
  }
  try {
    const [{ migrate }, { sealClearFields }, { FieldCipher, parseKey }] = await Promise.all([
      import('../store/migrate.ts'), import('../store/seal-clear-fields.ts'), import('../crypto/field-cipher.ts'),
    ]);
    await migrate(db, config.databaseUrl && config.dbAppPassword ? { appPassword: config.dbAppPassword } : {});
    await sealClearFields(db, new FieldCipher(parseKey(secrets.encryptionKey), secrets.previousEncryptionKeys.map(parseKey)));
    return await fn(db, config, secrets);
  } finally {
    await db.close();
  }
}

function appVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function backupCommand(args: readonly string[]): Promise<number> {
  const { file, passphrase } = await withBackupDatabase(async (db, config, secrets) => {
    const { file, manifest } = await createBackup({ db, ...(config.databaseUrl ? { ownerUrl: config.databaseUrl } : {}) }, {
      dir: backupDir(config, args), passphrase: secrets.backupPassphrase, keys: backupKeys(secrets), appVersion: appVersion(),
    });
    console.log(file);
    console.error(`${manifest.rows} rows in ${Object.keys(manifest.tables).length} tables, ${size(manifest.bytes)}`);
    return { file, passphrase: secrets.backupPassphrase };
  });
  // After the database is closed: the check restores into a scratch PGlite of its own.
  if (!args.includes('--no-verify')) {
    await verifyBackup(file, passphrase);
    console.error('verified: restored into a scratch database, row counts match the manifest');
  }
  return 0;
}

function listCommand(args: readonly string[]): number {
  const dir = backupDir(loadConfig(process.env), args);
  const entries = listBackups(dir);
  if (!entries.length) {
    console.log(`no backups in ${dir}`);
    return 0;
  }
  console.log(['date (UTC)'.padEnd(20), 'size'.padStart(10), 'rows'.padStart(9), 'transactions'.padStart(13), '  verified', '  file'].join(''));
  for (const e of entries) {
    const m = e.manifest;
    const verified = !m ? 'no manifest' : m.verified === null ? 'not yet' : m.verified.ok ? `yes ${m.verified.at.slice(0, 16).replace('T', ' ')}` : 'FAILED';
    console.log([
      e.createdAt.toISOString().slice(0, 19).replace('T', ' ').padEnd(20),
      size(e.bytes).padStart(10),
      String(m?.rows ?? '?').padStart(9),
      String(m?.tables.transactions ?? '?').padStart(13),
      `  ${verified}`,
      `  ${e.name}`,
    ].join(''));
  }
  return 0;
}

/** The passphrase without opening the database (verify must not touch it; embedded it may be in use). */
function passphrase(config: Config): string {
  if (config.backupPassphrase) return config.backupPassphrase;
  const file = join(config.secretsDir, 'backup_passphrase');
  if (!existsSync(file)) throw new BackupError(`no BACKUP_PASSPHRASE and no ${file}`);
  return readFileSync(file, 'utf8').trim();
}

async function verifyCommand(file: string): Promise<number> {
  const config = loadConfig(process.env);
  // The scratch database's empty-database snapshot is cached with the server's backups, wherever FILE is.
  const m = await verifyBackup(resolve(file), passphrase(config), new Date(), { cacheDir: join(backupDir(config), 'cache') });
  console.log(`${file}: verified — checksum, decryption and a restore into a scratch database; ${m.rows} rows match the manifest`);
  return 0;
}

async function restoreCommand(file: string, args: readonly string[]): Promise<number> {
  return withServices(async (services) => {
    if (file.endsWith('.mmb')) {
      const { restoreBackup: restoreLegacy } = await import('./backup.ts');
      const { rows } = await restoreLegacy(services.db, readFileSync(file), services.secrets.backupPassphrase);
      console.log(`restored ${rows} rows from ${file} (the older .mmb format)`);
      return 0;
    }
    const res = await restoreBackup(services.db, resolve(file), {
      passphrase: services.secrets.backupPassphrase,
      force: args.includes('--force'),
      keys: backupKeys(services.secrets),
      keysFrom: backupDir(services.config, args),
    });
    console.log(`restored ${res.rows} rows from ${file} (made ${res.manifest.createdAt} by MyMidas ${res.manifest.app.version})`);
    if (res.resealed) console.log(`re-sealed ${res.resealed} rows from a retired encryption key under the current one`);
    return 0;
  });
}

/** Before a key rotation: the keys the server holds now, kept (encrypted) beside the backups that need them. */
async function keepKeysCommand(args: readonly string[]): Promise<number> {
  const config = loadConfig(process.env);
  const secrets = loadSecrets(config);
  const dir = backupDir(config, args);
  const ids = await keepKeys(dir, [secrets.encryptionKey, ...secrets.previousEncryptionKeys], secrets.backupPassphrase);
  console.error(`kept encryption keys ${ids.join(', ')} in ${join(dir, 'keys')} for the backups made with them`);
  return 0;
}

export async function runBackupCli(argv: readonly string[]): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    if (cmd === 'backup') return await backupCommand(args);
    if (cmd === 'keep-keys') return await keepKeysCommand(args);
    if (cmd === 'restore') {
      if (args.includes('--list')) return listCommand(args);
      const verify = option(args, '--verify');
      if (verify) return await verifyCommand(verify);
      const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--dir');
      if (file) return await restoreCommand(file, args);
    }
    console.error(USAGE);
    return 2;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runBackupCli(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
