import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config/config.ts';
import { loadSecrets, type Secrets } from './config/local-secrets.ts';
import { FieldCipher, parseKey } from './crypto/field-cipher.ts';
import type { Database } from './store/database.ts';
import { migrate, type MigratableDatabase } from './store/migrate.ts';
import { sealClearFields } from './store/seal-clear-fields.ts';
import { PostgresDatabase, runtimeUrlFrom } from './store/postgres-database.ts';
import { tokenKeys, type TokenKeys } from './auth/tokens.ts';
import { Redis } from 'ioredis';
import { MemoryLimitStore, RedisLimitStore, type LimitStore } from './limits/store.ts';
import { Lifecycle } from './health/lifecycle.ts';
import { jsonLogger, type Logger } from './health/logging.ts';
import { BackupJob } from './backup/job.ts';
import { backupSettings } from './backup/settings.ts';

/** Everything the app needs, built once at start and passed in; nothing is constructed inside a route. */
export interface Services {
  config: Config;
  secrets: Secrets;
  db: MigratableDatabase;
  cipher: FieldCipher;
  keys: TokenKeys;
  version: string;
  limiterBackend: 'redis' | 'memory';
  /** Rate limits and lockouts: Redis when configured, else in-process. */
  limits: LimitStore;
  /** Requests in flight and open streams, for a clean shutdown (health/lifecycle.ts). */
  lifecycle: Lifecycle;
  /** Structured JSON logs (health/logging.ts). */
  logger: Logger;
  /** The nightly backup (started by start.ts) and the backups' status (backup/job.ts). */
  backups: BackupJob;
  close(): Promise<void>;
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function cipherFrom(secrets: Pick<Secrets, 'encryptionKey' | 'previousEncryptionKeys'>): FieldCipher {
  return new FieldCipher(parseKey(secrets.encryptionKey), secrets.previousEncryptionKeys.map(parseKey));
}

export async function openDatabase(config: Config): Promise<MigratableDatabase> {
  if (config.databaseUrl) {
    return PostgresDatabase.open({ ownerUrl: config.databaseUrl, appUrl: runtimeUrlFrom(config.databaseUrl, config.dbAppPassword) });
  }
  // Loaded only here: a PostgreSQL deployment never loads PGlite (its module alone is ~40 MB resident).
  const { PgliteDatabase } = await import('./store/pglite-database.ts');
  return PgliteDatabase.open(join(config.dataDir, 'pglite'));
}

export function openLimitStore(redisUrl: string | undefined, prefix = 'mymidas:'): LimitStore {
  if (!redisUrl) return new MemoryLimitStore();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  redis.on('error', (err: Error) => console.error('redis:', err.message));
  return new RedisLimitStore(redis, prefix);
}

export async function openServices(config: Config, opts: { db?: MigratableDatabase; limits?: LimitStore; env?: Record<string, string | undefined>; logger?: Logger } = {}): Promise<Services> {
  const backup = backupSettings(opts.env ?? process.env, config.dataDir);
  const secrets = loadSecrets(config);
  const db = opts.db ?? (await openDatabase(config));
  const limits = opts.limits ?? openLimitStore(config.redisUrl);
  await migrate(db, config.databaseUrl && config.dbAppPassword ? { appPassword: config.dbAppPassword } : {});
  const cipher = cipherFrom(secrets);
  // PII values stored in clear before their field was sealed: sealed before any request is served.
  await sealClearFields(db, cipher);
  // Tests log only warnings and errors (a request line per test request would bury their output).
  const logger = opts.logger ?? jsonLogger(undefined, undefined, config.environment === 'test' ? 'warn' : 'info');
  const version = appVersion();
  const backups = new BackupJob({
    source: { db, ...(config.databaseUrl ? { ownerUrl: config.databaseUrl } : {}) },
    settings: backup,
    passphrase: secrets.backupPassphrase,
    keys: { current: secrets.encryptionKey, previous: secrets.previousEncryptionKeys },
    appVersion: version,
    log: (event, fields) => logger.log(event.endsWith('failed') ? 'error' : 'info', event, fields as Record<string, string>),
  });
  return {
    config,
    secrets,
    db,
    cipher,
    keys: tokenKeys(secrets.jwtPrivateKeyPem, secrets.jwtPublicKeyPem, secrets.jwtKid),
    version,
    limiterBackend: limits.kind,
    limits,
    lifecycle: new Lifecycle(),
    logger,
    backups,
    async close() {
      await backups.stop();
      await limits.close();
      await db.close();
    },
  };
}

export type { Database };
