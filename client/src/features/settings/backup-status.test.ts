import { describe, expect, it } from 'vitest';
import { describeSchedule, describeSize, parseBackupStatus } from './backup-status.ts';

describe('the settings page\'s backup status', () => {
  it('reads the server\'s answer and refuses one of another shape', () => {
    const body = {
      state: 'failing', schedule: '0 3 * * *', timezone: 'Europe/London', retentionDays: 30, nextRunAt: '2026-12-08T03:00:00.000Z',
      lastRun: { at: '2026-12-07T03:00:00.000Z', ok: false, error: 'pg_dump is not on PATH' },
      lastGood: { file: '20261206_030000.sql.gz.gpg', createdAt: '2026-12-06T03:00:00.000Z', ageHours: 24.5, bytes: 7_340_032, rows: 120_000 },
      backups: 2, verified: 1,
    };
    expect(parseBackupStatus(body)).toEqual(body);
    expect(() => parseBackupStatus({ state: 'fine' })).toThrow();
    expect(() => parseBackupStatus(null)).toThrow();
  });

  it('says the schedule and sizes in words', () => {
    expect(describeSchedule('0 3 * * *', 'Europe/London')).toBe('Every night at 03:00 (Europe/London).');
    expect(describeSchedule('30 1 * * *', 'UTC')).toBe('Every night at 01:30 (UTC).');
    expect(describeSchedule('0 3 * * 0', 'UTC')).toBe('On the schedule "0 3 * * 0" (UTC).');
    expect(describeSchedule(null, 'UTC')).toMatch(/turned off/);
    expect(describeSize(7_340_032)).toBe('7.0 MB');
    expect(describeSize(2048)).toBe('2 KB');
  });
});
