import type { FieldCipher } from '../crypto/field-cipher.ts';
import { JobRunner, type JobDefinition, type JobName } from '../jobs/runner.ts';
import { feedJobs } from '../jobs/feed-jobs.ts';
import type { ChangeBus } from '../replication/bus.ts';
import type { Database } from '../store/database.ts';
import { feedConfigFrom, type FeedConfig } from './config.ts';
import { ProviderGate } from './gate.ts';
import type { Fetch } from './http.ts';
import { createProviders, type Providers } from './providers.ts';
import { createQuoteWriter, type QuoteWriter } from './quote-writer.ts';

/** The feeds of one server: providers, their backoff, the quote writer, the jobs and their runner. */
export interface Feeds {
  readonly config: FeedConfig;
  readonly providers: Providers;
  readonly gate: ProviderGate;
  readonly writer: QuoteWriter;
  readonly runner: JobRunner;
  readonly jobs: readonly JobDefinition[];
  job(name: JobName): JobDefinition;
}

export interface FeedsDeps {
  db: Database;
  cipher: FieldCipher;
  /** The server's BASE_CURRENCY, for users without settings. */
  baseCurrency: string;
  bus?: ChangeBus;
}

export interface FeedsOptions {
  config?: FeedConfig;
  /** The clock of providers, backoff, jobs and the quote writer (tests pin it). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: Fetch;
  log?: (msg: string) => void;
  holder?: string;
  ecbCacheMs?: number;
}

export function createFeeds(deps: FeedsDeps, opts: FeedsOptions = {}): Feeds {
  const config = opts.config ?? feedConfigFrom(process.env);
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((m: string) => console.log(m));
  const providers = createProviders(config, { now, log, ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.ecbCacheMs !== undefined ? { ecbCacheMs: opts.ecbCacheMs } : {}) });
  const gate = new ProviderGate({ db: deps.db, now, ...(opts.sleep ? { sleep: opts.sleep } : {}) });
  const writer = createQuoteWriter({ db: deps.db, cipher: deps.cipher, now: () => new Date(now()), ...(deps.bus ? { bus: deps.bus } : {}) });
  const jobs = feedJobs({ db: deps.db, cipher: deps.cipher, writer, providers, gate, baseCurrency: deps.baseCurrency, backfillChunkDays: config.backfillChunkDays, ...(deps.bus ? { bus: deps.bus } : {}) });
  const runner = new JobRunner({ db: deps.db, now, log, ...(opts.holder ? { holder: opts.holder } : {}) });
  return {
    config, providers, gate, writer, runner, jobs,
    job(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no feed job "${name}"`);
      return job;
    },
  };
}

const installed = new WeakMap<object, Feeds>();

/**
 * The feeds of a running server (one per Services, built from the environment on first use), shared by the
 * routes, the scheduler in start.ts and the health check. Tests install their own (`installFeeds`) first.
 */
export function feedsFor(services: { db: Database; cipher: FieldCipher; config: { baseCurrency: string } }, bus?: ChangeBus): Feeds {
  let feeds = installed.get(services);
  if (!feeds) {
    feeds = createFeeds({ db: services.db, cipher: services.cipher, baseCurrency: services.config.baseCurrency, ...(bus ? { bus } : {}) });
    installed.set(services, feeds);
  }
  return feeds;
}

export function installFeeds(services: object, feeds: Feeds): void {
  installed.set(services, feeds);
}
