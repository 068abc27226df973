import { z } from 'zod';
import { providerFetch, readJson, type Fetch } from './http.ts';
import { ProviderError, type DailyBar, type DailySeries, type PriceProvider, type ProviderQuote, type SearchHit, type SearchProvider } from './types.ts';
import { checkBars, checkQuote, dateAtOffset, notInFuture, numberText, positiveText } from './validate.ts';

/**
 * Crypto through CoinGecko's public REST API (plain HTTP, every answer checked with zod): `simple/price` for the
 * latest price, `coins/{id}/market_chart/range` for daily history (the last point of each UTC day is that day's
 * close; CoinGecko gives no daily open/high/low here), `search` for coins. A demo API key, when configured, goes
 * in the `x-cg-demo-api-key` header.
 */

export interface CoinGeckoOptions {
  baseUrl: string;
  apiKey?: string;
  fetch?: Fetch;
  now?: () => number;
}

const pricePoint = z.tuple([z.number(), z.number().nullable()]);
const marketChartSchema = z.object({
  prices: z.array(pricePoint),
  market_caps: z.array(pricePoint).optional(),
  total_volumes: z.array(pricePoint),
});
const searchSchema = z.object({
  coins: z.array(z.object({ id: z.string().min(1), name: z.string(), symbol: z.string(), api_symbol: z.string().optional(), market_cap_rank: z.number().nullable().optional() }).loose()),
});

export class CoinGeckoProvider implements PriceProvider, SearchProvider {
  readonly name = 'coingecko' as const;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: Fetch | undefined;
  readonly #now: () => number;

  constructor(opts: CoinGeckoOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#headers = { Accept: 'application/json', ...(opts.apiKey ? { 'x-cg-demo-api-key': opts.apiKey } : {}) };
    this.#fetch = opts.fetch;
    this.#now = opts.now ?? Date.now;
  }

  async #get(path: string, params: Record<string, string>): Promise<unknown> {
    const url = `${this.#base}${path}?${new URLSearchParams(params).toString()}`;
    return readJson('coingecko', await providerFetch('coingecko', url, { headers: this.#headers }, this.#fetch));
  }

  async latest(id: string, currency: string): Promise<ProviderQuote> {
    const vs = currency.toLowerCase();
    const body = await this.#get('/simple/price', { ids: id, vs_currencies: vs, include_last_updated_at: 'true', precision: 'full' });
    const schema = z.record(z.string(), z.object({ last_updated_at: z.number().int() }).catchall(z.unknown()));
    const parsed = schema.safeParse(body);
    const entry = parsed.success ? parsed.data[id] : undefined;
    if (!entry) throw new ProviderError('coingecko', parsed.success ? 'not-found' : 'malformed', `simple/price has no ${id} in ${vs}`);
    if (!(vs in entry)) throw new ProviderError('coingecko', 'malformed', `simple/price for ${id} lacks ${vs}`);
    const price = positiveText('coingecko', entry[vs], `${id} price`);
    const at = entry.last_updated_at * 1000;
    notInFuture('coingecko', at, `${id} price`, this.#now());
    return checkQuote('coingecko', { price, asOf: new Date(at).toISOString(), date: dateAtOffset(at, 0), currency: currency.toUpperCase() }, this.#now());
  }

  async daily(id: string, currency: string, from: string, to: string): Promise<DailySeries> {
    const now = this.#now();
    const start = Math.floor(Date.parse(`${from}T00:00:00Z`) / 1000);
    const end = Math.floor(Math.min(Date.parse(`${to}T23:59:59Z`), now) / 1000);
    const body = await this.#get(`/coins/${encodeURIComponent(id)}/market_chart/range`, { vs_currency: currency.toLowerCase(), from: String(start), to: String(end), precision: 'full' });
    const parsed = marketChartSchema.safeParse(body);
    if (!parsed.success) throw new ProviderError('coingecko', 'malformed', `market_chart ${id}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    const volumes = new Map<string, number>();
    for (const [ms, v] of parsed.data.total_volumes) if (v !== null) volumes.set(dateAtOffset(ms, 0), v);
    const closes = new Map<string, { ms: number; price: number | null }>();
    for (const [ms, price] of parsed.data.prices) {
      notInFuture('coingecko', ms, `${id} point`, now);
      const date = dateAtOffset(ms, 0);
      const seen = closes.get(date);
      if (!seen || ms >= seen.ms) closes.set(date, { ms, price });
    }
    const bars: DailyBar[] = [];
    for (const [date, { price }] of closes) {
      if (date < from || date > to) continue;
      const volume = volumes.get(date);
      if (volume !== undefined && (!Number.isFinite(volume) || volume < 0)) throw new ProviderError('coingecko', 'malformed', `${id} ${date} volume is ${volume}`);
      bars.push({ date, open: null, high: null, low: null, close: positiveText('coingecko', price, `${id} ${date} price`), volume: volume === undefined ? null : numberText(Math.round(volume)) });
    }
    return { currency: currency.toUpperCase(), bars: checkBars('coingecko', bars, dateAtOffset(now, 0)) };
  }

  async search(query: string): Promise<SearchHit[]> {
    const body = await this.#get('/search', { query });
    const parsed = searchSchema.safeParse(body);
    if (!parsed.success) throw new ProviderError('coingecko', 'malformed', `search: ${parsed.error.issues[0]?.message}`);
    return parsed.data.coins.slice(0, 10).map((c) => ({ provider: 'coingecko', providerId: c.id, symbol: c.symbol.toUpperCase(), name: c.name, kind: 'crypto', exchange: null, currency: null, isin: null }));
  }
}
