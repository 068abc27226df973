import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAccessToken } from '../auth/tokens.ts';
import { loadConfig } from '../config/config.ts';
import { openLimitStore, openServices, type Services } from '../services.ts';
import { FieldCipher, parseKey } from '../crypto/field-cipher.ts';
import { migrate, type MigratableDatabase } from '../store/migrate.ts';
import { PgliteDatabase } from '../store/pglite-database.ts';
import { PostgresDatabase, runtimeUrlFrom } from '../store/postgres-database.ts';
import type { StorageBackend } from '../store/database.ts';

/**
 * Integration tests run on every backend available: always PGlite, and real PostgreSQL when
 * TEST_DATABASE_URL names an owner role (as .ci/run sets it). Under CI nothing may be left out.
 */
export function testBackends(): StorageBackend[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set: real PostgreSQL tests would be left out');
  if (!url) {
    warnOnce('TEST_DATABASE_URL is not set: storage tests run on PGlite only (real PostgreSQL NOT tested).');
    return ['pglite'];
  }
  return ['pglite', 'postgres'];
}

const warned = new Set<string>();
function warnOnce(msg: string): void {
  if (warned.has(msg)) return;
  warned.add(msg);
  console.warn(`\n*** ${msg} ***\n`);
}

export interface TestDatabase {
  db: MigratableDatabase;
  backend: StorageBackend;
  /** For real Postgres: the owner URL of this test's own database (for a second process). */
  ownerUrl?: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database for one test file: in-memory PGlite, or a new database on the server. */
export async function openTestDatabase(backend: StorageBackend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const db = await PgliteDatabase.open();
    await migrate(db);
    return { db, backend, dispose: () => db.close() };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const name = `mymidas_t_${randomBytes(6).toString('hex')}`;
  const admin = PostgresDatabase.open({ ownerUrl: base, appUrl: base });
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const ownerUrl = new URL(base);
  ownerUrl.pathname = `/${name}`;
  const db = PostgresDatabase.open({ ownerUrl: ownerUrl.toString(), appUrl: runtimeUrlFrom(ownerUrl.toString(), process.env.TEST_DB_APP_PASSWORD) });
  await migrate(db);
  return {
    db,
    backend,
    ownerUrl: ownerUrl.toString(),
    async dispose() {
      await db.close();
      const drop = PostgresDatabase.open({ ownerUrl: base, appUrl: base });
      await drop.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => drop.exec(`DROP DATABASE IF EXISTS ${name}`));
      await drop.close();
    },
  };
}

export function testCipher(previous: string[] = []): FieldCipher {
  return new FieldCipher(parseKey(randomBytes(32).toString('hex')), previous.map(parseKey));
}

/** Creates a user row as that user (registration path), returning its id. */
export async function createUser(db: MigratableDatabase, email = `${randomUUID()}@example.test`): Promise<string> {
  const id = randomUUID();
  await db.withUser(id, (sql) => sql.query('INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)', [id, email, 'x']));
  return id;
}

/** Full services over a fresh test database, with secrets generated in a temporary folder. */
export async function openTestServices(
  backend: StorageBackend,
  env: Record<string, string> = {},
  opts: { limits?: 'memory' | 'redis' } = {},
): Promise<{ services: Services; t: TestDatabase }> {
  const t = await openTestDatabase(backend);
  const dir = mkdtempSync(join(tmpdir(), 'mymidas-test-'));
  const config = loadConfig({ ENVIRONMENT: 'test', ...env }, dir);
  let limits;
  if (opts.limits === 'redis') {
    const url = process.env.TEST_REDIS_URL;
    if (!url) throw new Error('TEST_REDIS_URL is not set');
    limits = openLimitStore(url, `mymidas-test:${randomBytes(4).toString('hex')}:`);
  }
  const services = await openServices(config, { db: t.db, ...(limits ? { limits } : {}) });
  return {
    services: {
      ...services,
      close: async () => {
        await services.limits.close();
        await t.dispose();
      },
    },
    t,
  };
}

/** Limit stores to test: in-process always, Redis when TEST_REDIS_URL is set (required under CI). */
export function testLimitStores(): ('memory' | 'redis')[] {
  if (process.env.TEST_REDIS_URL) return ['memory', 'redis'];
  if (process.env.CI === 'true') throw new Error('CI=true but TEST_REDIS_URL is not set: Redis tests would be left out');
  warnOnce('TEST_REDIS_URL is not set: limit tests run on the in-process store only (Redis NOT tested).');
  return ['memory'];
}

/** Pairs each limit store with a storage backend so both of each are covered without a full matrix. */
export function testStacks(): { backend: StorageBackend; limits: 'memory' | 'redis'; name: string }[] {
  const backends = testBackends();
  const stores = testLimitStores();
  const n = Math.max(backends.length, stores.length);
  return Array.from({ length: n }, (_, i) => {
    const backend = backends[Math.min(i, backends.length - 1)]!;
    const limits = stores[Math.min(i, stores.length - 1)]!;
    return { backend, limits, name: `${backend} + ${limits} limits` };
  });
}

/** A user with a live session (a refresh family) and a valid access token, without going through login. */
export async function signedInUser(services: Services, email?: string): Promise<{ userId: string; familyId: string; token: string }> {
  const userId = await createUser(services.db, email);
  const familyId = randomUUID();
  await services.db.withUser(userId, (sql) =>
    sql.query(
      `INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 day')`,
      [randomUUID(), userId, familyId, randomBytes(32).toString('hex')],
    ),
  );
  const token = await signAccessToken(services.keys, { userId, familyId });
  return { userId, familyId, token };
}
