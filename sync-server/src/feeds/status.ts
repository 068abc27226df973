import { JOB_NAMES, type JobName, type JobSummary } from '../jobs/runner.ts';
import { SCHEDULES } from '../jobs/feed-jobs.ts';
import type { Database } from '../store/database.ts';
import type { ProviderName } from './types.ts';

/**
 * What the feeds did last, from feed_jobs and feed_providers (migration 010): the body of
 * `GET /api/v1/feeds/status` and the feeds part of `/api/v1/health`.
 */

export interface JobStatus {
  readonly name: JobName;
  /** node-schedule cron rule, UTC. */
  readonly schedule: string;
  readonly lastRunAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastError: string | null;
  readonly lastDurationMs: number | null;
  readonly summary: JobSummary;
  readonly nextRunAt: string | null;
  readonly running: boolean;
  /** Has not succeeded for a day (a daily job: for 25 hours), or has only ever failed. */
  readonly degraded: boolean;
}

export interface ProviderStatus {
  readonly name: ProviderName;
  readonly failures: number;
  readonly backoffUntil: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly lastSuccessAt: string | null;
}

export interface FeedStatus {
  readonly checkedAt: string;
  readonly jobs: readonly JobStatus[];
  readonly providers: readonly ProviderStatus[];
}

const DAY = 86_400_000;
/** The daily jobs get an hour's grace over the day: a success exactly a day ago is on time. */
const STALE_AFTER: Record<JobName, number> = { prices: DAY, fx: DAY, backfill: DAY + 3_600_000, 'net-worth': DAY + 3_600_000 };
const PROVIDERS: readonly ProviderName[] = ['yahoo', 'coingecko', 'ecb'];

const iso = (d: unknown) => (d ? new Date(d as Date).toISOString() : null);

/**
 * A job is degraded when its last success is more than a day old, or when it has run and failed without
 * ever succeeding (the record does not keep how long it has been failing, so it is reported at once). A job
 * that has never run (a server started minutes ago, or with the scheduler off) is not.
 */
export function isDegraded(job: Pick<JobStatus, 'name' | 'lastRunAt' | 'lastSuccessAt' | 'lastErrorAt'>, now: number): boolean {
  if (!job.lastRunAt) return false;
  const limit = STALE_AFTER[job.name];
  if (job.lastSuccessAt) return now - Date.parse(job.lastSuccessAt) > limit;
  return job.lastErrorAt !== null;
}

export async function readFeedStatus(db: Database, now: number = Date.now()): Promise<FeedStatus> {
  const [jobs, providers] = await db.withUser(null, async (sql) => [
    (await sql.query<Record<string, unknown>>('SELECT * FROM feed_jobs')).rows,
    (await sql.query<Record<string, unknown>>('SELECT * FROM feed_providers')).rows,
  ]);
  const byJob = new Map(jobs.map((r) => [String(r.job), r]));
  const byProvider = new Map(providers.map((r) => [String(r.provider), r]));
  return {
    checkedAt: new Date(now).toISOString(),
    jobs: JOB_NAMES.map((name) => {
      const r = byJob.get(name);
      const base = {
        name,
        schedule: SCHEDULES[name],
        lastRunAt: iso(r?.last_run_at),
        lastSuccessAt: iso(r?.last_success_at),
        lastErrorAt: iso(r?.last_error_at),
        lastError: (r?.last_error as string | null | undefined) ?? null,
        lastDurationMs: (r?.last_duration_ms as number | null | undefined) ?? null,
        summary: (r?.last_summary as JobSummary | undefined) ?? {},
        nextRunAt: iso(r?.next_run_at),
        running: r?.lease_until ? Date.parse(iso(r.lease_until)!) > now : false,
      };
      return { ...base, degraded: isDegraded(base, now) };
    }),
    providers: PROVIDERS.map((name) => {
      const r = byProvider.get(name);
      return {
        name,
        failures: (r?.failures as number | undefined) ?? 0,
        backoffUntil: iso(r?.backoff_until),
        lastError: (r?.last_error as string | null | undefined) ?? null,
        lastErrorAt: iso(r?.last_error_at),
        lastSuccessAt: iso(r?.last_success_at),
      };
    }),
  };
}

/** The feeds part of the health answer. */
export async function feedHealth(db: Database, now: number = Date.now()): Promise<{ status: 'ok' | 'degraded'; degraded: JobName[] }> {
  const status = await readFeedStatus(db, now);
  const degraded = status.jobs.filter((j) => j.degraded).map((j) => j.name);
  return { status: degraded.length > 0 ? 'degraded' : 'ok', degraded };
}
