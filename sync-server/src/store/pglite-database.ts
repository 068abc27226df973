import { PGlite, types } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

  /**
   * Opens (or creates) the database in `dataDir`, in memory without one. `from`: an empty-database snapshot
   * (emptySnapshot()) a NEW data dir starts from instead of running initdb — initdb is the costly part of
   * creating a PGlite database (a second WASM instance; ~870 MB peak against ~435 MB from a snapshot).
   * `sharedBuffers`: PostgreSQL's shared_buffers (PGlite's default 128MB), smaller for a short-lived scratch
   * database, whose buffers are WASM memory the process keeps until it exits.
   */
  static async open(dataDir?: string, opts: { from?: string; sharedBuffers?: string } = {}): Promise<PgliteDatabase> {
    let lockFile: string | undefined;
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      lockFile = `${dataDir}.lock`;
      takeLock(lockFile);
    }
    try {
      const db = await PGlite.create(dataDir, {
        parsers: { [types.INT8]: (v: string) => Number(v) },
        ...(opts.from ? { loadDataDir: new Blob([readFileSync(opts.from)]) } : {}),
        ...(opts.sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${opts.sharedBuffers}`] } : {}),
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

/** The installed @electric-sql/pglite's version: a snapshot of its data dir is only valid for that version. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const SNAPSHOT = /^pglite-(.+)-empty\.tar\.gz$/;

/**
 * A freshly initialised, empty PGlite data dir as a gzipped tarball (`dumpDataDir`), cached in `cacheDir`
 * under the PGlite version (`pglite-<version>-empty.tar.gz`), so scratch databases (a backup's verification)
 * start from it instead of running initdb each time. Built on first use — that one time costs initdb's peak —
 * and rebuilt after a PGlite upgrade (the other versions' snapshots are removed). Written to a temporary
 * name and renamed, so a crash never leaves a partial snapshot under the real name.
 */
export async function emptySnapshot(cacheDir: string): Promise<string> {
  const version = pgliteVersion();
  const name = `pglite-${version}-empty.tar.gz`;
  const file = join(cacheDir, name);
  if (existsSync(file)) return file;
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const pg = await PGlite.create();
  try {
    const tarball = await pg.dumpDataDir('gzip');
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await tarball.arrayBuffer()), { mode: 0o600 });
    renameSync(tmp, file);
  } finally {
    await pg.close();
  }
  for (const other of readdirSync(cacheDir)) {
    if (other !== name && SNAPSHOT.test(other)) rmSync(join(cacheDir, other), { force: true });
  }
  return file;
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
