import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import schedule from 'node-schedule';
import type { DumpSource } from './dump.ts';
import { listBackups } from './files.ts';
import { applyRetention, isGood } from './retention.ts';
import type { BackupSettings } from './settings.ts';
import { createBackup, type BackupKeys } from './sql-backup.ts';
import { verifyInChild } from './verify-child.ts';
import { parseKey } from '../crypto/field-cipher.ts';

/** What the last run did, kept in `<backups>/status.json` so a restart still knows of a failure. */
export interface RunRecord {
  at: string;
  ok: boolean;
  file?: string;
  verified?: boolean;
  /** Why it failed, in words (no secrets: paths and the error's message only). */
  error?: string;
  removed?: string[];
}

export interface BackupStatus {
  state: 'ok' | 'failing' | 'stale' | 'none' | 'off';
  schedule: string | null;
  timezone: string;
  retentionDays: number;
  nextRunAt: string | null;
  lastRun: RunRecord | null;
  lastGood: { file: string; createdAt: string; ageHours: number; bytes: number; rows: number } | null;
  backups: number;
  verified: number;
  /** Hours after which a backup is reported stale. */
  maxAgeHours: number;
}

const STATUS_FILE = 'status.json';

export function readRun(dir: string): RunRecord | null {
  const file = join(dir, STATUS_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return null;
  }
}

function writeRun(dir: string, run: RunRecord): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, STATUS_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(run, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The backups' state from the folder itself (and the last run's record): for the settings page, health and readiness. */
export function backupStatus(settings: BackupSettings, now = new Date(), nextRun: Date | null = null): BackupStatus {
  const entries = listBackups(settings.dir);
  const good = [...entries].reverse().find(isGood) ?? null;
  const lastRun = readRun(settings.dir);
  const ageHours = good ? (now.getTime() - good.createdAt.getTime()) / 3_600_000 : null;
  let state: BackupStatus['state'];
  if (lastRun && !lastRun.ok) state = 'failing';
  else if (!good) state = settings.schedule === null ? 'off' : 'none';
  else if (ageHours! > settings.maxAgeHours) state = 'stale';
  else state = 'ok';
  return {
    state,
    schedule: settings.schedule,
    timezone: settings.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    retentionDays: settings.retentionDays,
    nextRunAt: nextRun ? nextRun.toISOString() : null,
    lastRun,
    lastGood: good
      ? { file: good.name, createdAt: good.createdAt.toISOString(), ageHours: Math.round(ageHours! * 10) / 10, bytes: good.bytes, rows: good.manifest?.rows ?? 0 }
      : null,
    backups: entries.length,
    verified: entries.filter(isGood).length,
    maxAgeHours: settings.maxAgeHours,
  };
}

export interface BackupJobOptions {
  source: DumpSource;
  settings: BackupSettings;
  passphrase: string;
  keys: BackupKeys;
  appVersion: string;
  log: (event: string, fields: Record<string, unknown>) => void;
  /** The clock the backup's name, verification and retention use; tests move it. */
  clock?: () => Date;
}

/**
 * The nightly backup: write, verify what was written, then apply retention. A failure is logged, kept
 * in status.json (shown on the settings page and by health) and leaves every older backup in place.
 * One run at a time; stop() cancels the schedule and waits for a run in progress.
 */
export class BackupJob {
  private job: schedule.Job | null = null;
  private running: Promise<RunRecord> | null = null;

  constructor(private readonly opts: BackupJobOptions) {}

  start(): void {
    const { schedule: cron, timezone } = this.opts.settings;
    if (!cron || this.job) return;
    this.job = schedule.scheduleJob({ rule: cron, ...(timezone ? { tz: timezone } : {}) }, () => void this.runNow());
  }

  nextRun(): Date | null {
    const next = this.job?.nextInvocation();
    return next ? new Date(next.getTime()) : null;
  }

  status(): BackupStatus {
    return backupStatus(this.opts.settings, this.now(), this.nextRun());
  }

  private now(): Date {
    return this.opts.clock ? this.opts.clock() : new Date();
  }

  runNow(): Promise<RunRecord> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<RunRecord> {
    const { settings, passphrase, keys } = this.opts;
    const at = this.now();
    let record: RunRecord;
    let file: string | undefined;
    try {
      ({ file } = await createBackup(this.opts.source, { dir: settings.dir, passphrase, keys, appVersion: this.opts.appVersion, now: at }));
      // In a child process: the scratch database's memory is the child's, not the server's (verify-child.ts).
      const verified = await verifyInChild(file, passphrase, this.now());
      this.opts.log('backup.verified', { file: basename(file), verifyPeakMB: Math.round(verified.peakMB) });
      const own = [keys.current, ...keys.previous].map((k) => parseKey(k).idHex);
      const { removed } = applyRetention(settings.dir, this.now(), settings.retentionDays, own);
      record = { at: at.toISOString(), ok: true, file: basename(file), verified: true, removed };
      this.opts.log('backup.done', { file: basename(file), removed: removed.length });
    } catch (err) {
      record = { at: at.toISOString(), ok: false, ...(file ? { file: basename(file), verified: false } : {}), error: err instanceof Error ? err.message : String(err) };
      this.opts.log('backup.failed', { error: record.error, ...(file ? { file: basename(file) } : {}) });
    }
    writeRun(settings.dir, record);
    return record;
  }

  async stop(): Promise<void> {
    this.job?.cancel();
    this.job = null;
    await this.running?.catch(() => undefined);
  }
}
