import { addDays, todayIn } from '@mymidas/shared/date';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { ProviderGate } from '../feeds/gate.ts';
import type { Providers } from '../feeds/providers.ts';
import type { QuoteWriter, SeriesKey } from '../feeds/quote-writer.ts';
import { ProviderError, type DailySeries, type ProviderQuote } from '../feeds/types.ts';
import { YahooProvider } from '../feeds/yahoo.ts';
import type { ChangeBus } from '../replication/bus.ts';
import type { Database } from '../store/database.ts';
import { readBook, trackedSeries, userIds, type TrackedSeries } from './book.ts';
import { netWorthJob } from './net-worth.ts';
import type { JobContext, JobDefinition, JobSummary } from './runner.ts';

/**
 * The four feed jobs (docs/feeds.md): latest prices of held assets every 15 minutes, daily history backfilled
 * and topped up once a day, FX rates every hour, and the daily net-worth snapshot. Each fetches a series once
 * per run however many users hold it, then writes it for each of them through the quote writer (under each
 * user's replication lock; devices are hinted). A series a provider refuses is a problem of the run (recorded
 * as its error) and the other series go on.
 */

export interface FeedDeps {
  readonly db: Database;
  readonly cipher: FieldCipher;
  readonly writer: QuoteWriter;
  readonly providers: Providers;
  readonly gate: ProviderGate;
  /** The base currency of users without settings (the server's BASE_CURRENCY). */
  readonly baseCurrency: string;
  /** Days of history per provider request while backfilling. */
  readonly backfillChunkDays: number;
  readonly bus?: ChangeBus;
}

interface Holder {
  readonly userId: string;
  readonly series: TrackedSeries;
}

/** Every user's tracked series, grouped by what is fetched (provider, id, currency). */
async function seriesByFetch(deps: FeedDeps, ctx: JobContext, keep: (s: TrackedSeries) => boolean): Promise<{ users: number; groups: Map<string, Holder[]> }> {
  const groups = new Map<string, Holder[]>();
  const users = await userIds(deps.db);
  for (const userId of users) {
    let tracked: TrackedSeries[];
    try {
      const book = await readBook(deps.db, deps.cipher, userId, deps.baseCurrency);
      tracked = trackedSeries(book, todayIn(book.timezone, new Date(ctx.now())));
    } catch (err) {
      ctx.problem(`user ${userId.slice(0, 8)}: data not read (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    for (const s of tracked) {
      if (!keep(s)) continue;
      const key = `${s.provider}|${s.providerId}|${s.currency}`;
      const list = groups.get(key) ?? [];
      list.push({ userId, series: s });
      groups.set(key, list);
    }
  }
  return { users: users.length, groups };
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The latest quote of a tracked series; FX from Yahoo's pair, the ECB when Yahoo fails. */
async function latestOf(deps: FeedDeps, s: TrackedSeries): Promise<ProviderQuote & { source: string }> {
  if (s.provider === 'yahoo') return { ...(await deps.gate.call('yahoo', () => deps.providers.yahoo.latest(s.providerId))), source: 'yahoo' };
  if (s.provider === 'coingecko') return { ...(await deps.gate.call('coingecko', () => deps.providers.coingecko.latest(s.providerId, s.currency))), source: 'coingecko' };
  const [from, to] = s.series.split('/') as [string, string];
  try {
    return { ...(await deps.gate.call('yahoo', () => deps.providers.yahoo.latest(YahooProvider.pairSymbol(from, to)))), source: 'yahoo' };
  } catch (yahooErr) {
    try {
      return { ...(await deps.gate.call('ecb', () => deps.providers.ecb.latest(s.series))), source: 'ecb' };
    } catch (ecbErr) {
      throw new Error(`${describe(yahooErr)}; ${describe(ecbErr)}`);
    }
  }
}

/** Daily bars of a tracked series over [from, to]; FX from Yahoo's pair, the ECB when Yahoo fails. */
async function dailyOf(deps: FeedDeps, s: TrackedSeries, from: string, to: string): Promise<DailySeries & { source: string }> {
  if (s.provider === 'yahoo') return { ...(await deps.gate.call('yahoo', () => deps.providers.yahoo.daily(s.providerId, s.currency, from, to))), source: 'yahoo' };
  if (s.provider === 'coingecko') return { ...(await deps.gate.call('coingecko', () => deps.providers.coingecko.daily(s.providerId, s.currency, from, to))), source: 'coingecko' };
  const [a, b] = s.series.split('/') as [string, string];
  try {
    return { ...(await deps.gate.call('yahoo', () => deps.providers.yahoo.daily(YahooProvider.pairSymbol(a, b), b, from, to))), source: 'yahoo' };
  } catch (yahooErr) {
    try {
      return { ...(await deps.gate.call('ecb', () => deps.providers.ecb.daily(s.series, b, from, to))), source: 'ecb' };
    } catch (ecbErr) {
      throw new Error(`${describe(yahooErr)}; ${describe(ecbErr)}`);
    }
  }
}

const keyOf = (s: TrackedSeries, currency: string): SeriesKey => ({ kind: s.kind, series: s.series, currency });

/** Latest prices (or rates) of the series `keep` selects, one fetch each, written for every holder. */
async function latestRun(deps: FeedDeps, ctx: JobContext, keep: (s: TrackedSeries) => boolean): Promise<JobSummary> {
  const { users, groups } = await seriesByFetch(deps, ctx, keep);
  let written = 0;
  let refused = 0;
  for (const holders of groups.values()) {
    const s = holders[0]!.series;
    let quote: ProviderQuote & { source: string };
    try {
      quote = await latestOf(deps, s);
    } catch (err) {
      refused++;
      ctx.problem(`${s.series} (${s.provider} ${s.providerId}): ${describe(err)}`);
      continue;
    }
    for (const h of holders) {
      try {
        const key = keyOf(h.series, quote.currency);
        await deps.writer.writeLatest(h.userId, key, { price: quote.price, asOf: quote.asOf, source: quote.source });
        // The price is also its day's close until the day's full bar arrives (the backfill's top-up replaces
        // it): the engines value holdings and convert currencies from daily closes.
        await deps.writer.writeDailyBars(h.userId, key, quote.source, [{ date: quote.date, open: null, high: null, low: null, close: quote.price, volume: null }]);
        written++;
      } catch (err) {
        ctx.problem(`${s.series} for user ${h.userId.slice(0, 8)}: not stored (${describe(err)})`);
      }
    }
  }
  return { users, series: groups.size, written, refused };
}

/** FX also keeps the last week of daily rates current (the hourly run writes today's rate as its day's close). */
async function fxRun(deps: FeedDeps, ctx: JobContext): Promise<JobSummary> {
  const latest = await latestRun(deps, ctx, (s) => s.kind === 'fx');
  const { groups } = await seriesByFetch(deps, ctx, (s) => s.kind === 'fx');
  const today = new Date(ctx.now()).toISOString().slice(0, 10);
  let days = 0;
  for (const holders of groups.values()) {
    const s = holders[0]!.series;
    try {
      const got = await dailyOf(deps, s, addDays(today, -7), today);
      for (const h of holders) days += await deps.writer.writeDailyBars(h.userId, keyOf(h.series, got.currency), got.source, got.bars);
    } catch (err) {
      ctx.problem(`${s.series} daily rates: ${describe(err)}`);
    }
  }
  return { ...latest, days };
}

/** Date ranges of at most `days` days covering [from, to], oldest first. */
export function chunks(from: string, to: string, days: number): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (let start = from; start <= to; start = addDays(start, days)) {
    const end = addDays(start, days - 1);
    out.push({ from: start, to: end < to ? end : to });
  }
  return out;
}

/**
 * History for every tracked series from its first date, resumable: what is stored is read first, so a run
 * asks only for what is missing — the days after the newest stored bar (from that day on, oldest chunk first)
 * and, when the first trade is earlier than the oldest stored bar, the days before it (newest chunk first).
 * Each chunk is written as soon as it arrives, so the stored days stay one unbroken run and an interrupted
 * backfill continues where it stopped; the writer's idempotence means a day is never stored twice.
 */
async function backfillRun(deps: FeedDeps, ctx: JobContext): Promise<JobSummary> {
  const { users, groups } = await seriesByFetch(deps, ctx, () => true);
  const fetched = new Map<string, DailySeries & { source: string }>();
  let days = 0;
  let requests = 0;
  let refused = 0;
  for (const holders of groups.values()) {
    for (const h of holders) {
      const s = h.series;
      const today = todayIn(undefined, new Date(ctx.now()));
      try {
        const stored = await deps.writer.readDailyBars(h.userId, { kind: s.kind, series: s.series });
        const plan: { from: string; to: string }[] = [];
        if (stored.length === 0) plan.push(...chunks(s.from, today, deps.backfillChunkDays));
        else {
          const oldest = stored[0]!.date;
          const newest = stored[stored.length - 1]!.date;
          plan.push(...chunks(newest, today, deps.backfillChunkDays));
          if (s.from < oldest) plan.push(...chunks(s.from, addDays(oldest, -1), deps.backfillChunkDays).reverse());
        }
        for (const range of plan) {
          const cacheKey = `${s.provider}|${s.providerId}|${s.currency}|${range.from}|${range.to}`;
          let got = fetched.get(cacheKey);
          if (!got) {
            got = await dailyOf(deps, s, range.from, range.to);
            requests++;
            fetched.set(cacheKey, got);
          }
          if (got.bars.length > 0) days += await deps.writer.writeDailyBars(h.userId, keyOf(s, got.currency), got.source, got.bars);
        }
      } catch (err) {
        refused++;
        ctx.problem(`${s.series} history (${s.provider} ${s.providerId}): ${describe(err)}`);
        if (err instanceof ProviderError && err.kind === 'rate-limited') continue;
      }
    }
  }
  return { users, series: groups.size, requests, days, refused };
}

/** Timetables (UTC) and leases. */
export const SCHEDULES = {
  prices: '*/15 * * * *',
  fx: '7 * * * *',
  backfill: '20 2 * * *',
  'net-worth': '50 23 * * *',
} as const;

export function feedJobs(deps: FeedDeps): JobDefinition[] {
  return [
    { name: 'prices', cron: SCHEDULES.prices, leaseMs: 10 * 60_000, run: (ctx) => latestRun(deps, ctx, (s) => s.kind === 'price' && s.held) },
    { name: 'fx', cron: SCHEDULES.fx, leaseMs: 10 * 60_000, run: (ctx) => fxRun(deps, ctx) },
    { name: 'backfill', cron: SCHEDULES.backfill, leaseMs: 15 * 60_000, run: (ctx) => backfillRun(deps, ctx) },
    { name: 'net-worth', cron: SCHEDULES['net-worth'], leaseMs: 15 * 60_000, run: (ctx) => netWorthJob(deps, ctx) },
  ];
}
