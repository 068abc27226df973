import { inject, type InjectionKey } from 'vue';
import { unexpectedAnswer } from '../../api/errors.ts';
import { createHttpClient, type AccessTokens } from '../../api/http.ts';

/** GET /api/v1/backups/status (sync-server/src/backup/job.ts BackupStatus), as the settings page reads it. */
export interface BackupStatusView {
  readonly state: 'ok' | 'failing' | 'stale' | 'none' | 'off';
  readonly schedule: string | null;
  readonly timezone: string;
  readonly retentionDays: number;
  readonly nextRunAt: string | null;
  readonly lastRun: { readonly at: string; readonly ok: boolean; readonly error?: string } | null;
  readonly lastGood: { readonly file: string; readonly createdAt: string; readonly ageHours: number; readonly bytes: number; readonly rows: number } | null;
  readonly backups: number;
  readonly verified: number;
}

const STATES = new Set(['ok', 'failing', 'stale', 'none', 'off']);

export function parseBackupStatus(body: unknown): BackupStatusView {
  const v = (body ?? {}) as Record<string, unknown>;
  if (!STATES.has(String(v.state)) || typeof v.retentionDays !== 'number') throw unexpectedAnswer(200, 'the backup status');
  return v as unknown as BackupStatusView;
}

export type BackupStatusApi = () => Promise<BackupStatusView>;
export const BACKUP_STATUS_API: InjectionKey<BackupStatusApi> = Symbol('backup-status-api');

export function useBackupStatusApi(tokens: AccessTokens): BackupStatusApi {
  const provided = inject(BACKUP_STATUS_API, null);
  if (provided) return provided;
  const http = createHttpClient({ tokens });
  return async () => parseBackupStatus(await http.json('/backups/status', { method: 'GET', auth: 'bearer' }));
}

/** "03:00 every night" for the default cron; the expression itself otherwise. */
export function describeSchedule(cron: string | null, timezone: string): string {
  if (!cron) return 'Nightly backups are turned off (BACKUP_SCHEDULE=off).';
  const m = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(cron);
  if (m) return `Every night at ${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')} (${timezone}).`;
  return `On the schedule "${cron}" (${timezone}).`;
}

export function describeSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
