import { z } from 'zod';

/**
 * The feeds' settings, from the environment (docs/feeds.md has the table). Base URLs are configurable so
 * that tests — and anyone behind a caching proxy — can point the real provider code elsewhere.
 */
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const envSchema = z.object({
  FEEDS_ENABLED: flag.optional(),
  ENVIRONMENT: z.string().optional(),
  YAHOO_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://query2.finance.yahoo.com'),
  COINGECKO_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.coingecko.com/api/v3'),
  COINGECKO_API_KEY: z.string().min(1).optional(),
  ECB_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://www.ecb.europa.eu/stats/eurofxref'),
  FEEDS_BACKFILL_CHUNK_DAYS: z.coerce.number().int().min(7).max(3660).default(365),
});

export interface FeedConfig {
  /** Scheduler on in the server process (default: on, except under ENVIRONMENT=test). */
  enabled: boolean;
  yahooBaseUrl: string;
  coingeckoBaseUrl: string;
  coingeckoApiKey?: string;
  ecbBaseUrl: string;
  /** Days of history asked for per provider request while backfilling. */
  backfillChunkDays: number;
}

export function feedConfigFrom(env: Record<string, string | undefined>): FeedConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid feed configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  return {
    enabled: e.FEEDS_ENABLED ?? e.ENVIRONMENT !== 'test',
    yahooBaseUrl: e.YAHOO_BASE_URL,
    coingeckoBaseUrl: e.COINGECKO_BASE_URL,
    ...(e.COINGECKO_API_KEY ? { coingeckoApiKey: e.COINGECKO_API_KEY } : {}),
    ecbBaseUrl: e.ECB_BASE_URL,
    backfillChunkDays: e.FEEDS_BACKFILL_CHUNK_DAYS,
  };
}
