import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, Sql } from '../store/database.ts';

/**
 * Writes a plain-SQL dump of the whole database (schema and data) to `emit`, one piece at a time.
 * - PostgreSQL: `pg_dump` from PATH, on a snapshot exported by a transaction that also counts the rows,
 *   so the counts and the dump see the same data. The password goes in the environment, not argv.
 * - PGlite: pg_dump through @electric-sql/pglite-tools for the schema (pre-data and post-data sections,
 *   small), and the data read here through a cursor in one repeatable-read transaction and written as
 *   INSERTs a few rows at a time (pglite-tools hands back the whole dump as one string, which for a large
 *   household would not keep memory flat). Nothing else runs on the embedded database meanwhile.
 * Both outputs are made portable (see `portable`): PostgreSQL 15's psql restores a dump PGlite (18) made.
 */
export interface DumpSource {
  db: Database;
  /** The owner role's URL, for pg_dump; required for PostgreSQL. */
  ownerUrl?: string;
}

export interface DumpInfo {
  /** Rows per table, in the dump's own snapshot. */
  tables: Record<string, number>;
  migrations: string[];
}

export class DumpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpError';
  }
}

/**
 * The dump runs before anything else: the runtime role the GRANTs name is created if missing (needs
 * CREATEROLE; a no-op where it exists), so `psql` restores the file into an empty database on its own.
 */
const PREAMBLE = `--
-- MyMidas backup: a plain-SQL dump (schema and data). Restore into an EMPTY database:
--   gpg --decrypt FILE.sql.gz.gpg | gunzip | psql -v ON_ERROR_STOP=1 --single-transaction -d DB
-- PII columns are sealed under ENCRYPTION_KEY (AES-256-GCM); the server needs that key to read them.
--
DO $mymidas$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mymidas_app') THEN
    CREATE ROLE mymidas_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END
$mymidas$;

`;

const FORCE_RLS = /^ALTER TABLE ONLY \S+ FORCE ROW LEVEL SECURITY;$/;
const OWNER_POLICY = /^(CREATE POLICY \S+_owner ON \S+) TO \S+ (USING \(true\) WITH CHECK \(true\);)$/;

/**
 * Line filter over pg_dump's text that makes it restorable by an older server and by another owner role:
 * - settings an older server does not know (`SET transaction_timeout`, PostgreSQL 17+) are dropped;
 * - psql meta-commands (`\restrict`/`\unrestrict`, pg_dump 17.6+) are dropped — they only guard psql;
 * - FORCE ROW LEVEL SECURITY is moved to the end: pg_dump puts it with the table, before the data and the
 *   policies, so a restore by a non-superuser owner would be refused every row;
 * - the owner's own policies (`<table>_owner`, made by migration 004 for the role that ran it) name
 *   CURRENT_USER, so they follow whichever role restores the file.
 */
export class Portable {
  private readonly deferred: string[] = [];

  line(text: string): string | null {
    if (text.startsWith('SET transaction_timeout')) return null;
    if (text.startsWith('\\restrict') || text.startsWith('\\unrestrict')) return null;
    if (FORCE_RLS.test(text)) {
      this.deferred.push(text);
      return null;
    }
    const m = OWNER_POLICY.exec(text);
    if (m) return `${m[1]} TO CURRENT_USER ${m[2]}`;
    return text;
  }

  end(): string {
    return this.deferred.length ? `\n-- Row-level security forced on the owner too, after the data and the policies.\n${this.deferred.join('\n')}\n` : '';
  }
}

/** How every line Portable.line may change or drop begins; any other line passes unchanged. */
const TOUCHED_PREFIXES = ['SET transaction_timeout', '\\restrict', '\\unrestrict', 'ALTER TABLE ONLY ', 'CREATE POLICY '].map((p) => Buffer.from(p));
const LONGEST_PREFIX = Math.max(...TOUCHED_PREFIXES.map((p) => p.length));
const NL = 0x0a;

/**
 * Portable over a byte stream: a line that cannot begin like one Portable may touch (every INSERT) passes on
 * as a slice of the chunk it came in, however long; a line that may is held until its end and given to
 * Portable.line (such lines are short schema statements). Memory is one chunk plus at most one held line.
 */
export class PortableBytes {
  /** Bytes at the start of a line not yet known to pass (too short to tell, or a line being held). */
  private held: Buffer | null = null;
  /** Inside a line already known to pass unchanged. */
  private passing = false;

  constructor(private readonly portable: Portable) {}

  push(chunk: Buffer): Buffer[] {
    const buf = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = null;
    const out: Buffer[] = [];
    let run = 0; // start of the bytes passing unchanged, not yet in `out`
    let i = 0;
    while (i < buf.length) {
      const nl = buf.indexOf(NL, i);
      const end = nl < 0 ? buf.length : nl + 1;
      if (this.passing) {
        this.passing = nl < 0;
        i = end;
        continue;
      }
      const kind = classify(buf.subarray(i, Math.min(end, i + LONGEST_PREFIX)), nl >= 0);
      if (kind === 'pass') {
        this.passing = nl < 0;
        i = end;
        continue;
      }
      if (run < i) out.push(buf.subarray(run, i));
      if (kind === 'undecided' || nl < 0) {
        this.held = Buffer.from(buf.subarray(i));
        return out;
      }
      const kept = this.portable.line(buf.toString('utf8', i, nl));
      if (kept !== null) out.push(Buffer.from(`${kept}\n`));
      i = run = end;
    }
    if (run < buf.length) out.push(run === 0 ? buf : buf.subarray(run));
    return out;
  }

  /** The held rest (a last line without a newline) and Portable's deferred lines. */
  end(): Buffer[] {
    const out: Buffer[] = [];
    if (this.held) {
      const kept = this.portable.line(this.held.toString('utf8'));
      if (kept !== null) out.push(Buffer.from(kept));
      this.held = null;
    }
    const tail = this.portable.end();
    if (tail) out.push(Buffer.from(tail));
    return out;
  }
}

/** Whether a line beginning with `head` may be touched; `complete`: the line ends within `head`'s chunk. */
function classify(head: Buffer, complete: boolean): 'pass' | 'touch' | 'undecided' {
  let undecided = false;
  for (const p of TOUCHED_PREFIXES) {
    const n = Math.min(p.length, head.length);
    if (head.compare(p, 0, n, 0, n) !== 0) continue;
    if (head.length >= p.length) return 'touch';
    if (!complete) undecided = true;
  }
  return undecided ? 'undecided' : 'pass';
}

type Emit = (piece: string | Buffer) => Promise<void>;

export async function writeDump(source: DumpSource, emit: Emit): Promise<DumpInfo> {
  // PGlite and its pg_dump are loaded only for a PGlite database: on PostgreSQL they would cost the backup
  // process tens of MB of memory for nothing (bench suite backup-memory-postgres).
  if (source.db.backend === 'pglite') {
    const { PgliteDatabase } = await import('../store/pglite-database.ts');
    if (source.db instanceof PgliteDatabase) return source.db.exclusive((pg) => dumpPglite(pg, emit));
  }
  if (source.db.backend === 'postgres') {
    if (!source.ownerUrl) throw new DumpError('a PostgreSQL backup needs the owner role URL (DATABASE_URL)');
    return dumpPostgres(source.db, source.ownerUrl, emit);
  }
  throw new DumpError(`cannot dump a ${source.db.backend} database`);
}

async function emitPortable(text: string, portable: Portable, emit: Emit): Promise<void> {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const kept = portable.line(line);
    if (kept !== null) out.push(kept);
  }
  await emit(out.join('\n') + '\n');
}

const MAX_STATEMENT_CHARS = 1 << 20;
const MAX_ROWS_PER_INSERT = 500;

async function dumpPglite(pg: PGlite, emit: Emit): Promise<DumpInfo> {
  const { pgDump } = await import('@electric-sql/pglite-tools/pg_dump');
  const portable = new Portable();
  await emit(PREAMBLE);
  const schema = async (section: string): Promise<string> => {
    try {
      const file = await pgDump({ pg, args: [`--section=${section}`, '--no-owner'] });
      return await file.text();
    } finally {
      // pg_dump ran on the server's own session and left its settings there (row_security off among
      // them, under which every RLS query would fail): back to the defaults.
      await pg.exec('RESET ALL');
    }
  };
  await emitPortable(await schema('pre-data'), portable, emit);
  const tables: Record<string, number> = {};
  let migrations: string[] = [];
  await pg.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // Values are written as text literals: in forms any server reads back exactly.
    await pg.exec(`SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; SET LOCAL TimeZone = 'UTC'; SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'`);
    // Every name below is schema-qualified: the dump's search_path is empty.
    await emit('\n--\n-- Data\n--\n\n');
    const rels = await pg.query<{ oid: number; name: string; qname: string }>(
      `SELECT c.oid::int AS oid, c.relname AS name, format('%I.%I', n.nspname, c.relname) AS qname
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    );
    for (const rel of rels.rows) {
      const cols = await pg.query<{ name: string; identity: string }>(
        `SELECT quote_ident(attname) AS name, attidentity::text AS identity FROM pg_attribute
          WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
        [rel.oid],
      );
      const names = cols.rows.map((c) => c.name);
      const overriding = cols.rows.some((c) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
      const head = `INSERT INTO ${rel.qname} (${names.join(', ')})${overriding} VALUES\n`;
      await pg.exec(`DECLARE mymidas_dump NO SCROLL CURSOR FOR SELECT ${names.map((n, i) => `quote_nullable(${n}) AS c${i}`).join(', ')} FROM ${rel.qname}`);
      let count = 0;
      let batch = 1;
      let rows: string[] = [];
      let size = 0;
      const flush = async () => {
        if (!rows.length) return;
        await emit(head + rows.join(',\n') + ';\n');
        rows = [];
        size = 0;
      };
      for (;;) {
        const res = await pg.query<Record<string, string>>(`FETCH ${batch} FROM mymidas_dump`);
        if (!res.rows.length) break;
        let fetched = 0;
        for (const r of res.rows) {
          const row = `(${names.map((_, i) => r[`c${i}`]).join(', ')})`;
          fetched += row.length;
          rows.push(row);
          size += row.length;
          count++;
          if (size >= MAX_STATEMENT_CHARS || rows.length >= MAX_ROWS_PER_INSERT) await flush();
        }
        // Rows per fetch grow while they are small (large attachment blobs are fetched one at a time).
        const perRow = fetched / res.rows.length;
        batch = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_STATEMENT_CHARS / Math.max(perRow, 1)), batch * 2));
      }
      await flush();
      await pg.exec('CLOSE mymidas_dump');
      tables[rel.name] = count;
      if (rel.name === 'schema_migrations') {
        migrations = (await pg.query<{ name: string }>('SELECT name FROM public.schema_migrations ORDER BY name')).rows.map((r) => r.name);
      }
    }
    const seqs = await pg.query<{ name: string; value: string | number | null }>(
      `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value AS value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
    );
    const setvals = seqs.rows.filter((s) => s.value !== null).map((s) => `SELECT pg_catalog.setval(${quoteLiteral(s.name)}, ${String(s.value)}, true);`);
    if (setvals.length) await emit(`\n${setvals.join('\n')}\n\n`);
  } finally {
    await pg.exec('COMMIT');
  }
  await emitPortable(await schema('post-data'), portable, emit);
  await emit(portable.end());
  return { tables, migrations };
}

function quoteLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Rows in every table of the public schema (names qualified: a restore runs with an empty search_path). */
export async function countTables(sql: Sql): Promise<Record<string, number>> {
  const rels = await sql.query<{ name: string; qname: string }>(
    `SELECT c.relname AS name, format('%I.%I', n.nspname, c.relname) AS qname FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const r of rels.rows) out[r.name] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${r.qname}`)).rows[0]!.n;
  return out;
}

async function countRows(sql: Sql): Promise<{ tables: Record<string, number>; migrations: string[] }> {
  const tables = await countTables(sql);
  const migrations = (await sql.query<{ name: string }>('SELECT name FROM public.schema_migrations ORDER BY name')).rows.map((r) => r.name);
  return { tables, migrations };
}

async function dumpPostgres(db: Database, ownerUrl: string, emit: Emit): Promise<DumpInfo> {
  const url = new URL(ownerUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return db.asOwner(async (sql) => {
    await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const snapshot = (await sql.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const info = await countRows(sql);
    await emit(PREAMBLE);
    // --enable-row-security: the owner is under FORCE ROW LEVEL SECURITY too, and its own policies let it see every row.
    const child = spawn('pg_dump', ['--no-owner', '--inserts', '--enable-row-security', `--snapshot=${snapshot}`, '--no-password', '--dbname', url.toString()], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' ? new DumpError('pg_dump is not on PATH: a PostgreSQL backup needs the PostgreSQL client tools (pg_dump) of the server\'s major version or newer') : err),
      );
    });
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    await spawned;
    // pg_dump's bytes go on as they come (Buffers, no text): only the few lines the portability filter may
    // change are held and rewritten (PortableBytes), so neither a long INSERT line (an attachment's bytes)
    // nor the rest of the dump is ever decoded or copied here.
    const portable = new Portable();
    const bytes = new PortableBytes(portable);
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const piece of bytes.push(chunk)) await emit(piece);
    }
    for (const piece of bytes.end()) await emit(piece);
    await emit(portable.end());
    const [code, signal] = await exited;
    if (code !== 0) throw new DumpError(`pg_dump failed (${signal ?? `exit ${code}`}): ${stderr.trim().replaceAll(password || '\u0000', '***')}`);
    return info;
  });
}
