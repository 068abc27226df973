import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import schedule from 'node-schedule';
import type { Database } from '../store/database.ts';

/**
 * Runs the feed jobs: on a node-schedule timetable in the server process, or once from the CLI. A job runs
 * in one process at a time, whatever the number of servers on the database: before running, a process takes
 * the job's lease in `feed_jobs` with one UPDATE … WHERE the lease is free or expired (PostgreSQL and PGlite
 * decide that atomically); it renews the lease every third of its length while the job works, and gives it
 * back when done. A process that dies mid-run holds nothing: its lease runs out. Each run records its start,
 * its success or its error (the first line, 500 characters at most), its duration and its summary; the
 * scheduler also writes the next time it will fire. (Why a lease and not pg_advisory_lock: a session lock
 * pins a pooled connection for the length of a backfill and cannot be taken on the embedded single-connection
 * PGlite; the lease row is also the record the status page reads.)
 */

export type JobName = 'prices' | 'backfill' | 'fx' | 'net-worth';
export const JOB_NAMES: readonly JobName[] = ['prices', 'backfill', 'fx', 'net-worth'];

export type JobSummary = Record<string, number | string>;

export interface JobContext {
  /** The run's clock (ms). */
  now(): number;
  log(msg: string): void;
  /** Errors that did not stop the run (one series refused, one user skipped): recorded as the run's error. */
  problem(msg: string): void;
}

export interface JobDefinition {
  readonly name: JobName;
  /** node-schedule cron rule, in UTC. */
  readonly cron: string;
  /** How long a run may hold the job before another process may take it (renewed while running). */
  readonly leaseMs: number;
  run(ctx: JobContext): Promise<JobSummary>;
}

export type RunOutcome =
  | { readonly status: 'ok'; readonly summary: JobSummary; readonly problems: readonly string[] }
  | { readonly status: 'failed'; readonly error: string; readonly problems: readonly string[] }
  | { readonly status: 'busy' };

export interface JobRunnerOptions {
  db: Database;
  now?: () => number;
  log?: (msg: string) => void;
  /** Identifies this process in the lease (host:pid:random). */
  holder?: string;
}

export class JobRunner {
  readonly holder: string;
  readonly #db: Database;
  readonly #now: () => number;
  readonly #log: (msg: string) => void;
  readonly #scheduled = new Map<JobName, schedule.Job>();
  readonly #running = new Set<Promise<unknown>>();

  constructor(opts: JobRunnerOptions) {
    this.#db = opts.db;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log ?? ((m) => console.log(m));
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  async #take(job: JobDefinition): Promise<boolean> {
    return this.#db.asOwner(async (sql) => {
      await sql.query('INSERT INTO feed_jobs (job) VALUES ($1) ON CONFLICT (job) DO NOTHING', [job.name]);
      const res = await sql.query(
        `UPDATE feed_jobs SET lease_holder = $2, lease_until = now() + make_interval(secs => $3), last_run_at = $4
          WHERE job = $1 AND (lease_until IS NULL OR lease_until < now()) RETURNING job`,
        [job.name, this.holder, job.leaseMs / 1000, new Date(this.#now())],
      );
      return res.rowCount === 1;
    });
  }

  async #renew(job: JobDefinition): Promise<void> {
    await this.#db.asOwner((sql) => sql.query(
      'UPDATE feed_jobs SET lease_until = now() + make_interval(secs => $3) WHERE job = $1 AND lease_holder = $2', [job.name, this.holder, job.leaseMs / 1000]));
  }

  async #finish(job: JobDefinition, started: number, outcome: Exclude<RunOutcome, { status: 'busy' }>): Promise<void> {
    const now = new Date(this.#now());
    const duration = Math.max(0, Math.round(this.#now() - started));
    const error = outcome.status === 'failed' ? outcome.error : outcome.problems.length > 0 ? outcome.problems.join('; ') : null;
    const summary = outcome.status === 'ok' ? { ...outcome.summary, problems: outcome.problems.length } : { problems: outcome.problems.length };
    await this.#db.asOwner((sql) => sql.query(
      `UPDATE feed_jobs SET lease_holder = NULL, lease_until = NULL, last_duration_ms = $3, last_summary = $4,
              last_success_at = CASE WHEN $5 THEN $2 ELSE last_success_at END,
              last_error_at = CASE WHEN $6::text IS NULL THEN last_error_at ELSE $2 END,
              last_error = CASE WHEN $6::text IS NULL THEN last_error ELSE $6::text END
        WHERE job = $1 AND lease_holder = $7`,
      [job.name, now, duration, summary, outcome.status === 'ok' && outcome.problems.length === 0, error === null ? null : error.slice(0, 1000), this.holder],
    ));
  }

  /**
   * Runs `job` once if no other process is running it. A run with problems (some series refused) counts as
   * an error for the record, though what it did store stays stored.
   */
  async runOnce(job: JobDefinition): Promise<RunOutcome> {
    if (!(await this.#take(job))) {
      this.#log(`feeds: ${job.name} is running elsewhere; this run skipped`);
      return { status: 'busy' };
    }
    const started = this.#now();
    const problems: string[] = [];
    const heartbeat = setInterval(() => void this.#renew(job).catch((err: unknown) => this.#log(`feeds: ${job.name} lease not renewed: ${String(err)}`)), Math.max(1000, job.leaseMs / 3));
    heartbeat.unref?.();
    const ctx: JobContext = {
      now: this.#now,
      log: (m) => this.#log(`feeds: ${job.name}: ${m}`),
      problem: (m) => {
        problems.push(m);
        this.#log(`feeds: ${job.name}: ${m}`);
      },
    };
    let outcome: Exclude<RunOutcome, { status: 'busy' }>;
    try {
      const summary = await job.run(ctx);
      outcome = { status: 'ok', summary, problems };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#log(`feeds: ${job.name} failed: ${message}`);
      outcome = { status: 'failed', error: message.split('\n')[0]!.slice(0, 500), problems };
    } finally {
      clearInterval(heartbeat);
    }
    await this.#finish(job, started, outcome);
    return outcome;
  }

  /** Puts every job on its timetable (UTC). Runs overlap neither here nor across processes. */
  start(jobs: readonly JobDefinition[]): void {
    for (const job of jobs) {
      if (this.#scheduled.has(job.name)) continue;
      const scheduled = schedule.scheduleJob(job.name, { rule: job.cron, tz: 'Etc/UTC' }, () => {
        const run = this.runOnce(job)
          .catch((err: unknown) => this.#log(`feeds: ${job.name} could not run: ${String(err)}`))
          .finally(() => {
            this.#running.delete(run);
            void this.#recordNext(job);
          });
        this.#running.add(run);
      });
      if (!scheduled) throw new Error(`feeds: the schedule "${job.cron}" of ${job.name} is not valid`);
      this.#scheduled.set(job.name, scheduled);
      void this.#recordNext(job);
    }
  }

  nextRun(name: JobName): Date | null {
    const next = this.#scheduled.get(name)?.nextInvocation();
    return next ? new Date(next.getTime()) : null;
  }

  async #recordNext(job: JobDefinition): Promise<void> {
    const next = this.nextRun(job.name);
    await this.#db
      .asOwner((sql) => sql.query('INSERT INTO feed_jobs (job, next_run_at) VALUES ($1, $2) ON CONFLICT (job) DO UPDATE SET next_run_at = $2', [job.name, next]))
      .catch((err: unknown) => this.#log(`feeds: next run of ${job.name} not recorded: ${String(err)}`));
  }

  /** Stops the timetable and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const job of this.#scheduled.values()) job.cancel();
    this.#scheduled.clear();
    await Promise.allSettled([...this.#running]);
  }
}
