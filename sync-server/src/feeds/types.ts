/**
 * What every market-data provider offers the jobs (docs/feeds.md). Prices and rates are decimal text from the
 * moment an answer is validated; nothing a provider returns is stored before it has passed its zod schema and
 * the checks in validate.ts.
 */

/** One day of a series as the quote writer stores it (the same shape as quote-writer.ts's DailyBar). */
export interface DailyBar {
  readonly date: string;
  readonly open: string | null;
  readonly high: string | null;
  readonly low: string | null;
  readonly close: string;
  readonly volume: string | null;
}

/** A provider's daily bars with the currency they are in (the provider's word: Yahoo's meta, the pair's quote side). */
export interface DailySeries {
  readonly currency: string;
  readonly bars: DailyBar[];
}

export type ProviderName = 'yahoo' | 'coingecko' | 'ecb';

/** A security the jobs can ask about: the provider's own id (Yahoo symbol, CoinGecko coin id, "GBP/USD"). */
export interface ProviderQuote {
  readonly price: string;
  /** When the provider says the price was true (ISO instant, UTC). */
  readonly asOf: string;
  /** The market's calendar date of that instant (the day whose close this price becomes). */
  readonly date: string;
  readonly currency: string;
}

export interface SearchHit {
  readonly provider: 'yahoo' | 'coingecko';
  /** Yahoo symbol or CoinGecko coin id: what the asset's `providerId` holds. */
  readonly providerId: string;
  readonly symbol: string;
  readonly name: string;
  readonly kind: 'stock' | 'etf' | 'fund' | 'bond' | 'crypto' | 'other';
  readonly exchange: string | null;
  readonly currency: string | null;
  readonly isin: string | null;
}

export interface PriceProvider {
  readonly name: ProviderName;
  latest(providerId: string, currency: string): Promise<ProviderQuote>;
  /** Daily bars with from ≤ date ≤ to (calendar dates in the market's own time zone), oldest first. */
  daily(providerId: string, currency: string, from: string, to: string): Promise<DailySeries>;
}

export interface SearchProvider {
  search(query: string): Promise<SearchHit[]>;
}

export type ProviderErrorKind = 'rate-limited' | 'http' | 'network' | 'malformed' | 'not-found';

/** Every failure of a provider call, in one shape the backoff and the job records understand. */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    /** HTTP status, when there was an answer. */
    readonly status: number | null = null,
    /** From a 429's (or 503's) Retry-After, in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}
