import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Database, QueryResult, Sql, SqlValue } from '../store/database.ts';
import { SCHEDULES } from './feed-jobs.ts';
import { JobRunner, type JobDefinition, type JobName } from './runner.ts';

/**
 * The timetable with fake timers: node-schedule's own timers and clock, the runner's lease calls answered by a
 * stand-in database that grants every lease (the lease itself is tested on PGlite and PostgreSQL in
 * feed-jobs.test.ts).
 */
class GrantingDb implements Database {
  readonly backend = 'pglite' as const;
  readonly nextRuns = new Map<string, Date | null>();
  async withUser<T>(_u: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return fn(this.#sql);
  }
  async asOwner<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return fn(this.#sql);
  }
  async close(): Promise<void> {}
  readonly #sql: Sql = {
    query: async <R,>(text: string, params: readonly SqlValue[] = []): Promise<QueryResult<R>> => {
      if (text.includes('next_run_at')) this.nextRuns.set(String(params[0]), params[1] as Date | null);
      return { rows: [{ job: params[0] } as R], rowCount: 1 };
    },
  };
}

describe('the feed jobs\' timetable (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prices every 15 minutes, FX hourly at :07, the backfill daily at 02:20 and net worth daily at 23:50 UTC; next runs recorded', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-04T09:58:00Z') });
    const fired: [JobName, string][] = [];
    const db = new GrantingDb();
    const runner = new JobRunner({ db, log: () => undefined });
    const job = (name: JobName): JobDefinition => ({
      name, cron: SCHEDULES[name], leaseMs: 60_000,
      run: async () => {
        fired.push([name, new Date().toISOString().slice(11, 16)]);
        return {};
      },
    });
    runner.start([job('prices'), job('fx'), job('backfill'), job('net-worth')]);
    expect(runner.nextRun('prices')?.toISOString()).toBe('2026-12-04T10:00:00.000Z');
    expect(runner.nextRun('fx')?.toISOString()).toBe('2026-12-04T10:07:00.000Z');
    expect(runner.nextRun('backfill')?.toISOString()).toBe('2026-12-05T02:20:00.000Z');
    expect(runner.nextRun('net-worth')?.toISOString()).toBe('2026-12-04T23:50:00.000Z');

    await vi.advanceTimersByTimeAsync(2 * 60_000 - 1);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([['prices', '10:00']]);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(fired).toEqual([['prices', '10:00'], ['fx', '10:07'], ['prices', '10:15'], ['prices', '10:30'], ['prices', '10:45'], ['prices', '11:00']]);
    expect(db.nextRuns.get('prices')?.toISOString()).toBe('2026-12-04T11:15:00.000Z');
    fired.length = 0;
    // To the next morning: net worth once before midnight, the backfill once at 02:20.
    await vi.advanceTimersByTimeAsync(Date.parse('2026-12-05T03:00:00Z') - Date.now());
    const daily = fired.filter(([name]) => name === 'net-worth' || name === 'backfill');
    expect(daily).toEqual([['net-worth', '23:50'], ['backfill', '02:20']]);
    expect(fired.filter(([name]) => name === 'prices')).toHaveLength(64);
    expect(fired.filter(([name]) => name === 'fx')).toHaveLength(16);
    await runner.stop();
    await vi.advanceTimersByTimeAsync(3 * 3_600_000);
    expect(fired.filter(([name]) => name === 'prices')).toHaveLength(64);
  });

  it('a run still going when its next time comes is not started twice in this process', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-04T09:59:00Z') });
    let leased = false;
    const db = new GrantingDb();
    // The lease is held by the first run until it finishes.
    const realAsOwner = db.asOwner.bind(db);
    db.asOwner = async <T,>(fn: (sql: Sql) => Promise<T>) => realAsOwner(async (sql) => fn({
      query: async <R,>(text: string, params?: readonly SqlValue[]) => {
        if (text.startsWith('UPDATE feed_jobs SET lease_holder = $2')) {
          if (leased) return { rows: [], rowCount: 0 } as QueryResult<R>;
          leased = true;
        }
        if (text.includes('lease_holder = NULL')) leased = false;
        return sql.query<R>(text, params);
      },
    }));
    const runner = new JobRunner({ db, log: () => undefined });
    let runs = 0;
    runner.start([{ name: 'backfill', cron: '*/15 * * * *', leaseMs: 60 * 60_000, run: async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 40 * 60_000));
      return {};
    } }]);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    // Fired at 10:00, 10:15, 10:30 and 10:45: the first ran until 10:40, the next two found the job busy.
    expect(runs).toBe(2);
    // The run in progress (from 10:45) is waited for by stop(), then nothing fires any more.
    const stopped = runner.stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    await stopped;
    expect(runs).toBe(2);
  });
});
