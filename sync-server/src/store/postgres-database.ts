import pg from 'pg';
import { assertUserId, normaliseRow, RUNTIME_ROLE, type Database, type QueryResult, type Sql, type SqlValue } from './database.ts';

const INT8_OID = 20;

function poolTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8_OID) return (v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe range`);
        return n;
      };
      return pg.types.getTypeParser(oid, format as 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export interface PostgresOptions {
  /** The owning role: runs migrations and operator commands. */
  ownerUrl: string;
  /** The runtime role's connection: NOSUPERUSER NOBYPASSRLS, owns no table. */
  appUrl: string;
  maxConnections?: number;
}

/** Derives the runtime role's URL from the owner's: same host and database, user mymidas_app. */
export function runtimeUrlFrom(ownerUrl: string, password?: string): string {
  const url = new URL(ownerUrl);
  url.username = RUNTIME_ROLE;
  url.password = password ? encodeURIComponent(password) : '';
  return url.toString();
}

export class PostgresDatabase implements Database {
  readonly backend = 'postgres' as const;

  private constructor(private readonly owner: pg.Pool, private readonly app: pg.Pool) {}

  static open(opts: PostgresOptions): PostgresDatabase {
    const max = opts.maxConnections ?? 10;
    const owner = new pg.Pool({ connectionString: opts.ownerUrl, max: 2, types: poolTypes() });
    const app = new pg.Pool({ connectionString: opts.appUrl, max, types: poolTypes() });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    owner.on('error', () => undefined);
    app.on('error', () => undefined);
    return new PostgresDatabase(owner, app);
  }

  private async transaction<T>(pool: pg.Pool, setup: (sql: Sql) => Promise<void>, fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    const sql: Sql = {
      async query<R>(text: string, params: readonly SqlValue[] = []): Promise<QueryResult<R>> {
        const res = await client.query(text, params as unknown[]);
        return { rows: res.rows.map((r: Record<string, unknown>) => normaliseRow<R>(r)), rowCount: res.rowCount ?? 0 };
      },
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      await setup(sql);
      const result = await fn(sql);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  withUser<T>(userId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
    assertUserId(userId);
    return this.transaction(this.app, async (sql) => {
      await sql.query(`SELECT set_config('app.user_id', $1, true)`, [userId ?? '']);
    }, fn);
  }

  asOwner<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.transaction(this.owner, async () => undefined, fn);
  }

  /** Multi-statement script as the owner (simple query protocol, no parameters). */
  async exec(script: string): Promise<void> {
    const client = await this.owner.connect();
    try {
      await client.query(script);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.owner.end(), this.app.end()]);
  }
}
