import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHousehold } from '../../sync-server/src/backup/test-household.ts';
import { FieldCipher, parseKey } from '../../sync-server/src/crypto/field-cipher.ts';
import { migrate } from '../../sync-server/src/store/migrate.ts';
import { PgliteDatabase } from '../../sync-server/src/store/pglite-database.ts';
import { createUser, openTestDatabase, type TestDatabase } from '../../sync-server/src/testing/harness.ts';
import { defineSuite, type BenchContext } from '../lib/suite.ts';

/**
 * Backup memory (issue 25): the peak resident memory of a process that writes a full backup (SQL dump →
 * gzip → OpenPGP → file) of the demo household, each sample its own process (backup-child.ts) so nothing
 * else in the runner counts: the child's VmHWM (its own peak resident set since it started; getrusage's
 * maxRSS would include this runner's peak, which Linux hands down to a child). Baseline: the same process,
 * with the same modules loaded, opening the database and counting its rows.
 * - backup-memory-postgres: the server process's peak while pg_dump (its own process) dumps PostgreSQL
 *   (BENCH_DATABASE_URL or TEST_DATABASE_URL names the owner role). Target: under 200 MB.
 * - backup-memory-pglite: embedded PGlite lives inside the process (its WASM Postgres alone peaks at a few
 *   hundred MB just opening the household), so what is measured there is what the backup ADDS to that:
 *   backup peak − baseline peak. Target: under 200 MB. The absolute peaks are logged.
 * Its setup also logs the peak of the verification that follows a backup (a restore into a scratch PGlite,
 * each in its own child too), not a target: the scratch database made by initdb (as before its snapshot,
 * forced by a cache folder that cannot be created), started from a snapshot built on the spot (the first
 * verification after an install or a PGlite upgrade), and from the cached snapshot (every later one).
 */
interface State {
  where: string;
  key: string;
  dispose(): Promise<void>;
}

const child = fileURLToPath(new URL('./backup-child.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
const PG_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';

function run(args: string[]): string {
  return execFileSync(process.execPath, ['--import', tsx, child, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
}

/** The verification's peaks (VmHWM of the child doing it): scratch database by initdb, snapshot built, snapshot cached. */
function verifyPeaks(s: State, dir: string, log: (line: string) => void): void {
  const keep = join(dir, 'backups');
  const file = run([s.where, s.key, 'backup', keep]).trim().split('\n').at(-2)!;
  const cache = join(dir, 'cache');
  for (const [label, cacheDir] of [['scratch database by initdb', '/dev/null/cache'], ['snapshot built first', cache], ['snapshot cached', cache]] as const) {
    const r = JSON.parse(run([file, cacheDir, 'verify']).trim().split('\n').at(-1)!) as { maxRssMB: number; ms: number; transactions: number };
    log(`backup verify (${label}): peak ${r.maxRssMB.toFixed(1)} MB (VmHWM), ${(r.ms / 1000).toFixed(1)} s, ${r.transactions} transactions`);
  }
  rmSync(keep, { recursive: true, force: true });
}

function sample(s: State, mode: 'backup' | 'open', log: (line: string) => void): number {
  const out = run([s.where, s.key, mode]);
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as { maxRssMB: number; inheritedMaxRssMB: number; ms: number; bytes: number; transactions: number };
  log(
    `backup ${mode}: peak ${r.maxRssMB.toFixed(1)} MB (VmHWM; getrusage's maxRSS, the runner's peak included: ${r.inheritedMaxRssMB.toFixed(1)}), ` +
      `${(r.ms / 1000).toFixed(1)} s, ${r.transactions} transactions${r.bytes ? `, file ${(r.bytes / 1024 ** 2).toFixed(1)} MB` : ''}`,
  );
  return r.maxRssMB;
}

async function load(ctx: BenchContext, db: TestDatabase['db'], key: string): Promise<void> {
  const user = await createUser(db, 'bench@example.test');
  const years = ctx.size >= 50_000 ? 10 : 3;
  const { counts } = await loadHousehold({ db, cipher: new FieldCipher(parseKey(key)) }, user, { seed: 'bench-backup', transactions: ctx.size, years }, 20);
  ctx.log(`backup: household loaded (${counts.transactions} transactions, ${counts.quotes ?? 0} quotes, 20 attachments)`);
}

const common = {
  environment: 'node' as const,
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 5_000 },
  runs: { full: 3, quick: 1 },
  unit: 'MB',
  better: 'lower' as const,
  baselineName: 'the same process opening the database and counting its rows',
  target: { on: 'value' as const, max: 200 },
  teardown: (_ctx: BenchContext, s: State) => s.dispose(),
};

export const backupMemoryPglite = defineSuite<State & { baselineMB: number }>({
  ...common,
  name: 'backup-memory-pglite',
  description: 'memory a backup adds to a process holding the household in embedded PGlite (peak − baseline peak)',
  async setup(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'mymidas-bench-backup-db-'));
    const key = randomBytes(32).toString('hex');
    const db = await PgliteDatabase.open(join(dir, 'pglite'));
    try {
      await migrate(db);
      await load(ctx, db, key);
    } finally {
      await db.close();
    }
    const state = { where: join(dir, 'pglite'), key, baselineMB: 0, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    state.baselineMB = sample(state, 'open', ctx.log);
    verifyPeaks(state, dir, ctx.log);
    return state;
  },
  // The value is the memory the backup adds; the baseline column shows the open database's own peak.
  run: (ctx, s) => sample(s, 'backup', ctx.log) - s.baselineMB,
  baseline: (ctx, s) => sample(s, 'open', ctx.log),
});

export const backupMemoryPostgres = defineSuite<State>({
  ...common,
  name: 'backup-memory-postgres',
  description: 'peak memory of the server process writing a backup of the household on PostgreSQL (pg_dump apart)',
  async setup(ctx) {
    if (!PG_URL) throw new Error('backup-memory-postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL (an owner role)');
    const before = process.env.TEST_DATABASE_URL;
    process.env.TEST_DATABASE_URL = PG_URL;
    let t: TestDatabase;
    try {
      t = await openTestDatabase('postgres');
    } finally {
      if (before === undefined) delete process.env.TEST_DATABASE_URL;
      else process.env.TEST_DATABASE_URL = before;
    }
    const key = randomBytes(32).toString('hex');
    await load(ctx, t.db, key);
    return { where: t.ownerUrl!, key, dispose: () => t.dispose() };
  },
  run: (ctx, s) => sample(s, 'backup', ctx.log),
  baseline: (ctx, s) => sample(s, 'open', ctx.log),
});

/** The PostgreSQL suite runs when a database is named (as `.ci/run` and the other server suites do). */
export const backupSuites = PG_URL ? [backupMemoryPglite, backupMemoryPostgres] : [backupMemoryPglite];
