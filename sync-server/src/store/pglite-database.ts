import { PGlite, types } from '@electric-sql/pglite';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { assertUserId, normaliseRow, RUNTIME_ROLE, type Database, type QueryResult, type Sql, type SqlValue } from './database.ts';

/**
 * Embedded PostgreSQL (PGlite). It has a single session and runs as a superuser, so:
 * - transactions are serialised in-process (a promise queue), never interleaved;
 * - each user transaction does `SET LOCAL ROLE mymidas_app`, which makes RLS apply as on real Postgres.
 *   The difference from the server backend: the session user could RESET ROLE; only our own code talks
 *   to this session (no socket is exposed), see docs/security.md.
 */
export class PgliteDatabase implements Database {
  readonly backend = 'pglite' as const;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: PGlite, private readonly lockFile?: string) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    let lockFile: string | undefined;
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      lockFile = `${dataDir}.lock`;
      takeLock(lockFile);
    }
    try {
      const db = await PGlite.create(dataDir, {
        parsers: { [types.INT8]: (v: string) => Number(v) },
      });
      return new PgliteDatabase(db, lockFile);
    } catch (err) {
      if (lockFile) rmSync(lockFile, { force: true });
      throw err;
    }
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private transaction<T>(setup: (sql: Sql) => Promise<void>, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.serialise(() =>
      this.db.transaction(async (tx) => {
        const sql: Sql = {
          async query<R>(text: string, params: readonly SqlValue[] = []): Promise<QueryResult<R>> {
            const res = await tx.query<Record<string, unknown>>(text, params as unknown[]);
            return { rows: res.rows.map((r) => normaliseRow<R>(r)), rowCount: res.affectedRows ?? res.rows.length };
          },
        };
        await setup(sql);
        return fn(sql);
      }),
    );
  }

  withUser<T>(userId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
    assertUserId(userId);
    return this.transaction(async (sql) => {
      await sql.query(`SET LOCAL ROLE ${RUNTIME_ROLE}`);
      await sql.query(`SELECT set_config('app.user_id', $1, true)`, [userId ?? '']);
    }, fn);
  }

  asOwner<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.transaction(async () => undefined, fn);
  }

  /** Runs a multi-statement script (migrations) outside the user path. */
  exec(script: string): Promise<void> {
    return this.serialise(async () => {
      await this.db.exec(script);
    });
  }

  /** The PGlite instance alone, with no transaction of ours running meanwhile (backup's pg_dump). */
  exclusive<T>(fn: (pg: PGlite) => Promise<T>): Promise<T> {
    return this.serialise(() => fn(this.db));
  }

  async close(): Promise<void> {
    await this.serialise(() => this.db.close());
    if (this.lockFile) rmSync(this.lockFile, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite's files belong to one process at a time: a second server (or a CLI command while the server
 * runs) would corrupt them. A pid lock file refuses that with a clear message; a stale one is taken over.
 */
function takeLock(lockFile: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (pid && alive(pid)) {
        throw new Error(`the embedded database is in use by process ${pid}; stop it first (lock: ${lockFile})`);
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock the embedded database (${lockFile})`);
}
