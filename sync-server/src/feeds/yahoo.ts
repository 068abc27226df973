import YahooFinance from 'yahoo-finance2';
import { Decimal } from '@mymidas/shared/money';
import { z } from 'zod';
import { providerFetch, type Fetch } from './http.ts';
import { ProviderError, type DailyBar, type DailySeries, type PriceProvider, type ProviderQuote, type SearchHit, type SearchProvider } from './types.ts';
import { checkBars, checkQuote, dateAtOffset, notInFuture, positiveText } from './validate.ts';

/**
 * Stocks, ETFs, funds and currency pairs through `yahoo-finance2` (chart for latest prices and daily OHLCV,
 * search for symbols, names and ISINs). The library builds the requests and checks the answer against its
 * own schema; its fetch is ours, so that requests go to the configured base URL (tests: the replay server),
 * a 429 keeps its Retry-After, and a non-2xx answer becomes a ProviderError before the library sees it. The
 * library's result is then checked again here (zod, positive prices, no future dates) before anything is
 * returned. Its notices and version check are off. The `quote` module is not used: it needs Yahoo's cookie
 * and crumb dance, and chart's meta carries the same latest price and time.
 */

/** The host yahoo-finance2 builds its URLs with (its YF_QUERY_HOST). */
const YAHOO_HOST = 'https://query2.finance.yahoo.com';

/** Yahoo's chart arrays carry float32 values (187.14999389648438 for 187.15): seven significant digits is what they hold. */
const FLOAT32_DIGITS = 7;

/** Sub-unit currencies Yahoo quotes some markets in (London in pence): the code and the divisor to the ISO currency. */
const SUBUNITS: Record<string, { currency: string; divisor: number }> = {
  GBp: { currency: 'GBP', divisor: 100 },
  GBX: { currency: 'GBP', divisor: 100 },
  ZAc: { currency: 'ZAR', divisor: 100 },
  ILA: { currency: 'ILS', divisor: 100 },
};

export interface YahooOptions {
  baseUrl: string;
  fetch?: Fetch;
  now?: () => number;
  log?: (msg: string) => void;
}

const metaSchema = z.object({
  currency: z.string().min(1),
  symbol: z.string().min(1),
  regularMarketPrice: z.number(),
  regularMarketTime: z.date(),
  gmtoffset: z.number().int(),
});
const chartSchema = z.object({
  meta: metaSchema,
  quotes: z.array(z.object({
    date: z.date(),
    open: z.number().nullable().optional(),
    high: z.number().nullable().optional(),
    low: z.number().nullable().optional(),
    close: z.number().nullable().optional(),
    volume: z.number().nullable().optional(),
  })),
});
const searchSchema = z.object({
  quotes: z.array(z.object({
    symbol: z.string().optional(),
    isYahooFinance: z.boolean(),
    quoteType: z.string().optional(),
    shortname: z.string().optional(),
    longname: z.string().optional(),
    exchange: z.string().optional(),
    exchDisp: z.string().optional(),
  }).loose()),
});

const KINDS: Record<string, SearchHit['kind']> = { EQUITY: 'stock', ETF: 'etf', MUTUALFUND: 'fund', CRYPTOCURRENCY: 'crypto', MONEYMARKET: 'fund', BOND: 'bond' };
const ISIN = /^[A-Z]{2}[A-Z0-9]{9}\d$/;

export class YahooProvider implements PriceProvider, SearchProvider {
  readonly name = 'yahoo' as const;
  readonly #yf: InstanceType<typeof YahooFinance>;
  readonly #now: () => number;

  constructor(opts: YahooOptions) {
    const base = opts.baseUrl.replace(/\/+$/, '');
    const outer = opts.fetch ?? fetch;
    const log = opts.log ?? ((m: string) => console.warn(m));
    this.#now = opts.now ?? Date.now;
    const routed = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const target = url.startsWith(YAHOO_HOST) ? base + url.slice(YAHOO_HOST.length) : url;
      return providerFetch('yahoo', target, init, outer);
    };
    const quiet = (...args: unknown[]) => log(`yahoo-finance2: ${args.map(String).join(' ')}`);
    this.#yf = new YahooFinance({
      suppressNotices: ['yahooSurvey', 'ripHistorical'],
      versionCheck: false,
      validation: { logErrors: false, logOptionsErrors: false },
      queue: { concurrency: 2 },
      logger: { info: () => undefined, debug: () => undefined, dir: () => undefined, warn: quiet, error: quiet },
      fetch: routed as typeof fetch,
    });
  }

  /** The library's own errors (its schema check, a body that is not JSON, Yahoo's error object) are malformed answers. */
  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (/not found|No data found|delisted/i.test(message)) throw new ProviderError('yahoo', 'not-found', `${what}: ${message.slice(0, 200)}`);
      throw new ProviderError('yahoo', 'malformed', `${what}: ${message.slice(0, 200)}`);
    }
  }

  async #chart(symbol: string, period1: Date, period2: Date) {
    const raw = await this.#call(`chart ${symbol}`, () => this.#yf.chart(symbol, { period1, period2, interval: '1d', events: '', return: 'array' }));
    const parsed = chartSchema.safeParse(raw);
    if (!parsed.success) throw new ProviderError('yahoo', 'malformed', `chart ${symbol}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    const sub = SUBUNITS[parsed.data.meta.currency];
    const currency = sub ? sub.currency : parsed.data.meta.currency;
    const scale = (text: string) => (sub ? new Decimal(text).div(sub.divisor).toFixed() : text);
    return { ...parsed.data, currency, scale };
  }

  async latest(symbol: string): Promise<ProviderQuote> {
    const now = this.#now();
    const chart = await this.#chart(symbol, new Date(now - 7 * 86_400_000), new Date(now));
    const price = chart.scale(positiveText('yahoo', chart.meta.regularMarketPrice, `${symbol} price`, FLOAT32_DIGITS));
    const at = chart.meta.regularMarketTime.getTime();
    return checkQuote('yahoo', { price, asOf: new Date(at).toISOString(), date: dateAtOffset(at, chart.meta.gmtoffset), currency: chart.currency }, now);
  }

  async daily(symbol: string, _currency: string, from: string, to: string): Promise<DailySeries> {
    const now = this.#now();
    // period2 is exclusive and in UTC: a day past `to` covers markets east of UTC; bars outside [from, to] are dropped.
    const chart = await this.#chart(symbol, new Date(`${from}T00:00:00Z`), new Date(Math.min(Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000, now)));
    const offset = chart.meta.gmtoffset;
    const today = dateAtOffset(now, offset);
    const bars: DailyBar[] = [];
    for (const q of chart.quotes) {
      const ts = q.date.getTime();
      notInFuture('yahoo', ts, `${symbol} bar`, now);
      // A day with no close is a day without trading that Yahoo lists anyway (a holiday row): skipped, not stored.
      if (q.close === null || q.close === undefined) continue;
      const date = dateAtOffset(ts, offset);
      if (date < from || date > to) continue;
      const price = (v: number | null | undefined, what: string) => (v === null || v === undefined ? null : chart.scale(positiveText('yahoo', v, `${symbol} ${date} ${what}`, FLOAT32_DIGITS)));
      const volume = q.volume === null || q.volume === undefined ? null : q.volume;
      if (volume !== null && (!Number.isFinite(volume) || volume < 0)) throw new ProviderError('yahoo', 'malformed', `${symbol} ${date} volume is ${volume}`);
      bars.push({ date, open: price(q.open, 'open'), high: price(q.high, 'high'), low: price(q.low, 'low'), close: price(q.close, 'close')!, volume: volume === null ? null : String(Math.round(volume)) });
    }
    return { currency: chart.currency, bars: checkBars('yahoo', bars, today) };
  }

  /** FX pair "USD/GBP" (1 USD in GBP) as Yahoo's symbol USDGBP=X. */
  static pairSymbol(from: string, to: string): string {
    return `${from}${to}=X`;
  }

  async search(query: string): Promise<SearchHit[]> {
    const raw = await this.#call('search', () => this.#yf.search(query, { quotesCount: 10, newsCount: 0, enableFuzzyQuery: false }));
    const parsed = searchSchema.safeParse(raw);
    if (!parsed.success) throw new ProviderError('yahoo', 'malformed', `search: ${parsed.error.issues[0]?.message}`);
    const isin = ISIN.test(query.trim().toUpperCase()) ? query.trim().toUpperCase() : null;
    const hits: SearchHit[] = [];
    for (const q of parsed.data.quotes) {
      if (!q.isYahooFinance || !q.symbol) continue;
      const kind = KINDS[q.quoteType ?? ''];
      if (!kind || kind === 'crypto') continue; // crypto comes from CoinGecko
      hits.push({ provider: 'yahoo', providerId: q.symbol, symbol: q.symbol, name: q.longname ?? q.shortname ?? q.symbol, kind, exchange: q.exchDisp ?? q.exchange ?? null, currency: null, isin });
    }
    return hits;
  }
}
