import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackup, verifyBackup } from '../../sync-server/src/backup/sql-backup.ts';
import type { Database } from '../../sync-server/src/store/database.ts';

/**
 * One sample of the backup suites, in its own process so its peak memory is the backup's alone:
 *   node --import tsx bench/suites/backup-child.ts <pglite dir | postgres owner URL> <key hex> backup|open
 * `open` opens the database and counts the transactions (the baseline); `backup` then writes a full backup.
 * Prints {"maxRssMB":…, "ms":…, "bytes":…} — this process's peak resident set, MB: VmHWM from
 * /proc/self/status, the high-water mark of this program's own memory since it started. Not getrusage's
 * maxRSS: Linux carries the PARENT's peak over a fork and exec into it, so a child of a bench runner that
 * holds 280 MB reports at least 280 MB whatever it does (logged as inheritedMaxRssMB, for comparison). On
 * PostgreSQL pg_dump is a process of its own and is not counted.
 * `backup` with a fourth argument writes the backup into that folder and keeps it (for `verify`).
 * `verify`: <backup file> <cache dir> verify — the verification that follows a backup (verifyBackup: a restore
 * into a scratch PGlite), its empty-database snapshot cached in <cache dir>; prints the same JSON.
 */
const [where, key, mode, keep] = process.argv.slice(2);
if (mode === 'verify') await verifySample(where!, key!);
if (!where || !key || (mode !== 'backup' && mode !== 'open')) throw new Error('usage: backup-child.ts <pglite dir | postgres URL> <key hex> backup|open [keep dir] | <backup file> <cache dir> verify');
const postgres = /^postgres(ql)?:/.test(where);
// Only the backend in use is loaded, as scripts/backup.sh does: PGlite's module alone is ~40 MB resident.
async function open(): Promise<Database> {
  if (!postgres) return (await import('../../sync-server/src/store/pglite-database.ts')).PgliteDatabase.open(where!);
  const { PostgresDatabase, runtimeUrlFrom } = await import('../../sync-server/src/store/postgres-database.ts');
  return PostgresDatabase.open({ ownerUrl: where!, appUrl: runtimeUrlFrom(where!, process.env.TEST_DB_APP_PASSWORD) });
}
const db = await open();
const started = performance.now();
let bytes = 0;
const n = (await db.asOwner((sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions'))).rows[0]!.n;
if (mode === 'backup') {
  const out = keep ?? mkdtempSync(join(tmpdir(), 'mymidas-bench-backup-'));
  try {
    const { manifest, file } = await createBackup({ db, ...(postgres ? { ownerUrl: where } : {}) }, { dir: out, passphrase: 'bench backup passphrase', keys: { current: key, previous: [] }, appVersion: 'bench' });
    if (manifest.tables.transactions !== n) throw new Error(`backup counted ${manifest.tables.transactions} transactions, the database holds ${n}`);
    bytes = manifest.bytes;
    if (keep) console.log(file);
  } finally {
    if (!keep) rmSync(out, { recursive: true, force: true });
  }
}
const ms = performance.now() - started;
await db.close();
report(ms, bytes, n);

function report(ms: number, bytes: number, transactions: number): void {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('no VmHWM in /proc/self/status: the backup suites measure peak memory on Linux');
  console.log(JSON.stringify({ maxRssMB: Number(hwm[1]) / 1024, inheritedMaxRssMB: process.resourceUsage().maxRSS / 1024, ms, bytes, transactions }));
}

async function verifySample(file: string, cacheDir: string): Promise<never> {
  const started = performance.now();
  const m = await verifyBackup(file, 'bench backup passphrase', new Date(), { cacheDir });
  report(performance.now() - started, m.bytes, m.tables.transactions ?? 0);
  process.exit(0);
}
