import { join, resolve } from 'node:path';
import schedule from 'node-schedule';
import { ConfigError } from '../config/config.ts';

/**
 * The nightly backup's settings, from the environment (docs/operations.md):
 *   BACKUP_SCHEDULE        cron, 5 fields, default "0 3 * * *" (03:00); "off" turns the job off
 *   BACKUP_TIMEZONE        IANA zone the schedule is read in; default the server's own (TZ)
 *   BACKUP_RETENTION_DAYS  days of backups kept, default 30 (the only verified backup is never removed)
 *   BACKUP_DIR             default <DATA_DIR>/backups
 *   BACKUP_MAX_AGE_HOURS   the newest verified backup older than this is reported stale, default 36
 */
export interface BackupSettings {
  dir: string;
  schedule: string | null;
  timezone: string | undefined;
  retentionDays: number;
  maxAgeHours: number;
}

export function backupSettings(env: Record<string, string | undefined>, dataDir: string): BackupSettings {
  const problems: string[] = [];
  const cron = (env.BACKUP_SCHEDULE ?? '').trim() || '0 3 * * *';
  const off = cron === 'off';
  if (!off) {
    const fields = cron.split(/\s+/);
    const job = fields.length === 5 ? schedule.scheduleJob('mymidas-backup-schedule-check', cron, () => undefined) : null;
    if (!job) problems.push(`BACKUP_SCHEDULE: "${cron}" is not a five-field cron expression (minute hour day month weekday), or "off"`);
    else job.cancel();
  }
  const timezone = env.BACKUP_TIMEZONE?.trim() || undefined;
  if (timezone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      problems.push(`BACKUP_TIMEZONE: "${timezone}" is not an IANA time zone such as Europe/London`);
    }
  }
  const days = Number(env.BACKUP_RETENTION_DAYS ?? '30');
  if (!Number.isInteger(days) || days < 1 || days > 3650) problems.push('BACKUP_RETENTION_DAYS: a whole number of days from 1 to 3650');
  const maxAge = Number(env.BACKUP_MAX_AGE_HOURS ?? '36');
  if (!Number.isFinite(maxAge) || maxAge <= 0) problems.push('BACKUP_MAX_AGE_HOURS: a positive number of hours');
  if (problems.length) throw new ConfigError(problems);
  return {
    dir: resolve(env.BACKUP_DIR?.trim() || join(dataDir, 'backups')),
    schedule: off ? null : cron,
    timezone,
    retentionDays: days,
    maxAgeHours: maxAge,
  };
}
