import { CoinGeckoProvider } from './coingecko.ts';
import type { FeedConfig } from './config.ts';
import { EcbProvider } from './ecb.ts';
import type { Fetch } from './http.ts';
import { YahooProvider } from './yahoo.ts';

/** The three providers, built once from the feed configuration. */
export interface Providers {
  readonly yahoo: YahooProvider;
  readonly coingecko: CoinGeckoProvider;
  readonly ecb: EcbProvider;
}

export function createProviders(config: FeedConfig, opts: { fetch?: Fetch; now?: () => number; log?: (msg: string) => void; ecbCacheMs?: number } = {}): Providers {
  const common = { ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.now ? { now: opts.now } : {}) };
  return {
    yahoo: new YahooProvider({ baseUrl: config.yahooBaseUrl, ...common, ...(opts.log ? { log: opts.log } : {}) }),
    coingecko: new CoinGeckoProvider({ baseUrl: config.coingeckoBaseUrl, ...(config.coingeckoApiKey ? { apiKey: config.coingeckoApiKey } : {}), ...common }),
    ecb: new EcbProvider({ baseUrl: config.ecbBaseUrl, ...common, ...(opts.ecbCacheMs !== undefined ? { cacheMs: opts.ecbCacheMs } : {}) }),
  };
}
