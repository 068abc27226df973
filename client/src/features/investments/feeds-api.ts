import { inject, type InjectionKey } from 'vue';
import { createHttpClient, type AccessTokens } from '../../api/http.ts';

/**
 * The server's market-feed calls (docs/feeds.md): asset search through the providers, typed prices for manual
 * assets, and the feeds' status for the settings page. Bearer-authorised through the one HTTP client, whose
 * typed errors (problem+json, offline, signed out) the components word with `describeApiError`.
 */

export interface AssetHit {
  readonly provider: 'yahoo' | 'coingecko';
  readonly providerId: string;
  readonly symbol: string;
  readonly name: string;
  readonly kind: 'stock' | 'etf' | 'fund' | 'bond' | 'crypto' | 'other';
  readonly exchange: string | null;
  readonly currency: string | null;
  readonly isin: string | null;
}

export interface AssetSearchAnswer {
  readonly query: string;
  readonly results: readonly AssetHit[];
  readonly partial: boolean;
  readonly problems: readonly string[];
}

export interface FeedJobStatus {
  readonly name: 'prices' | 'backfill' | 'fx' | 'net-worth';
  readonly schedule: string;
  readonly lastRunAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastError: string | null;
  readonly nextRunAt: string | null;
  readonly running: boolean;
  readonly degraded: boolean;
}

export interface FeedProviderStatus {
  readonly name: 'yahoo' | 'coingecko' | 'ecb';
  readonly failures: number;
  readonly backoffUntil: string | null;
  readonly lastError: string | null;
  readonly lastSuccessAt: string | null;
}

export interface FeedStatusAnswer {
  readonly checkedAt: string;
  readonly jobs: readonly FeedJobStatus[];
  readonly providers: readonly FeedProviderStatus[];
}

export interface FeedsApi {
  search(query: string): Promise<AssetSearchAnswer>;
  status(): Promise<FeedStatusAnswer>;
  manualPrice(assetId: string, price: string, date: string): Promise<void>;
}

export function createFeedsApi(options: AccessTokens & { baseUrl?: string; fetch?: typeof globalThis.fetch }): FeedsApi {
  const http = createHttpClient({ baseUrl: options.baseUrl, fetch: options.fetch, tokens: options });
  return {
    async search(query) {
      const body = (await http.json(`/assets/search?q=${encodeURIComponent(query)}`, { method: 'GET', auth: 'bearer' })) as Partial<AssetSearchAnswer> | null;
      return { query, results: Array.isArray(body?.results) ? body.results : [], partial: body?.partial === true, problems: Array.isArray(body?.problems) ? body.problems : [] };
    },
    async status() {
      const body = (await http.json('/feeds/status', { method: 'GET', auth: 'bearer' })) as Partial<FeedStatusAnswer> | null;
      return { checkedAt: String(body?.checkedAt ?? ''), jobs: Array.isArray(body?.jobs) ? body.jobs : [], providers: Array.isArray(body?.providers) ? body.providers : [] };
    },
    async manualPrice(assetId, price, date) {
      await http.send(`/assets/${encodeURIComponent(assetId)}/price`, { method: 'POST', auth: 'bearer', json: { price, date } });
    },
  };
}

export const FEEDS_API: InjectionKey<FeedsApi> = Symbol('feeds-api');

/** The provided FeedsApi (tests, screenshots), or one over the real server with the session's access token. */
export function useFeedsApi(tokens: AccessTokens): FeedsApi {
  return inject(FEEDS_API, null) ?? createFeedsApi(tokens);
}

/** The currency an exchange suffix implies (".L" London → GBP), for a hit the provider gave none. */
export function currencyGuess(hit: AssetHit, baseCurrency: string): string {
  if (hit.currency) return hit.currency;
  if (hit.provider === 'coingecko') return baseCurrency;
  const suffix = /\.([A-Z]{1,3})$/.exec(hit.symbol)?.[1];
  const bySuffix: Record<string, string> = { L: 'GBP', IL: 'GBP', AS: 'EUR', PA: 'EUR', DE: 'EUR', F: 'EUR', MI: 'EUR', MC: 'EUR', SW: 'CHF', TO: 'CAD', AX: 'AUD', T: 'JPY', HK: 'HKD' };
  if (suffix) return bySuffix[suffix] ?? baseCurrency;
  return 'USD';
}
