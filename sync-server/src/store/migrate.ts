import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RUNTIME_ROLE, type Database } from './database.ts';

export interface MigratableDatabase extends Database {
  exec(script: string): Promise<void>;
}

/** postgres/init/*.sql run here, as the owner role (the docker container itself runs only the roles script there); later migrations follow. */
export const MIGRATION_DIRS = [
  fileURLToPath(new URL('../../../postgres/init/', import.meta.url)),
  fileURLToPath(new URL('../../../postgres/migrations/', import.meta.url)),
];

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dirs: readonly string[] = MIGRATION_DIRS): Promise<Migration[]> {
  const out: Migration[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      if (!/^[0-9]{3}_[a-z0-9_]+\.sql$/.test(f)) throw new Error(`migration file name "${f}" must look like 001_name.sql`);
      const sql = await readFile(dir + f, 'utf8');
      out.push({ name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') });
    }
  }
  return out;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Applies every migration not yet recorded, each in its own transaction under an advisory lock so
 * two servers starting together cannot interleave. Every file is itself idempotent, so a database whose
 * init scripts ran in a container before the runner saw it is brought up to date without harm.
 */
export async function migrate(db: MigratableDatabase, opts: { appPassword?: string; migrations?: Migration[] } = {}): Promise<string[]> {
  const migrations = opts.migrations ?? (await loadMigrations());
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied = new Map(
    (await db.asOwner((sql) => sql.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations'))).rows.map((r) => [r.name, r.checksum]),
  );
  const ran: string[] = [];
  for (const m of migrations) {
    const known = applied.get(m.name);
    if (known === m.checksum) continue;
    if (known && known !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`);
    await db.exec(`BEGIN;
SELECT pg_advisory_xact_lock(8090001);
${m.sql}
;
INSERT INTO schema_migrations (name, checksum) VALUES (${literal(m.name)}, ${literal(m.checksum)}) ON CONFLICT (name) DO NOTHING;
COMMIT;`);
    ran.push(m.name);
  }
  if (opts.appPassword) {
    await db.exec(`ALTER ROLE ${RUNTIME_ROLE} WITH LOGIN PASSWORD ${literal(opts.appPassword)}`);
  }
  return ran;
}
