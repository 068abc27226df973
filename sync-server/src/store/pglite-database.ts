import { PGlite, types } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
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

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = await PGlite.create(dataDir, {
      parsers: { [types.INT8]: (v: string) => Number(v) },
    });
    return new PgliteDatabase(db);
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

  async close(): Promise<void> {
    await this.serialise(() => this.db.close());
  }
}
