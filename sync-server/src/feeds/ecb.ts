import { Decimal } from '@mymidas/shared/money';
import { z } from 'zod';
import { providerFetch, type Fetch } from './http.ts';
import { ProviderError, type DailyBar, type DailySeries, type PriceProvider, type ProviderQuote } from './types.ts';
import { checkBars, checkQuote } from './validate.ts';

/**
 * The European Central Bank's euro reference rates, the second source for FX: `eurofxref-daily.xml` (the
 * latest day), `eurofxref-hist-90d.xml` and `eurofxref-hist.xml` (history). Every rate is "1 EUR = rate X";
 * a pair FROM/TO is rate(TO) / rate(FROM), taken to 12 significant digits, in decimal arithmetic from the
 * text the file holds (no float ever). The files are read with strict patterns and each day's rates checked
 * with zod. The ECB publishes around 16:00 CET on working days; that time (15:00 UTC) is the rate's as-of.
 */

export interface EcbOptions {
  baseUrl: string;
  /** How long a fetched file serves further calls (default 10 minutes: one fetch per run serves every pair). */
  cacheMs?: number;
  fetch?: Fetch;
  now?: () => number;
}

const DAY_OPEN = /<Cube\s+time=['"](\d{4}-\d{2}-\d{2})['"]\s*>([\s\S]*?)<\/Cube>/g;
const RATE = /<Cube\s+currency=['"]([A-Z]{3})['"]\s+rate=['"]([^'"]*)['"]\s*\/>/g;
const daySchema = z.object({
  date: z.iso.date(),
  rates: z.record(z.string().regex(/^[A-Z]{3}$/), z.string().regex(/^\d+(\.\d+)?$/, 'a rate must be a positive decimal')).refine((r) => Object.keys(r).length > 0, 'a day without rates'),
});
export type EcbDay = z.infer<typeof daySchema>;

/** Parses an ECB reference-rate file into days, newest first as the ECB lists them. */
export function parseEcbXml(xml: string): EcbDay[] {
  if (!/<gesmes:Envelope[\s>]/.test(xml) || !xml.includes('eurofxref')) throw new ProviderError('ecb', 'malformed', 'not an ECB reference-rate file');
  const days: EcbDay[] = [];
  for (const m of xml.matchAll(DAY_OPEN)) {
    const rates: Record<string, string> = {};
    for (const r of m[2]!.matchAll(RATE)) rates[r[1]!] = r[2]!;
    const parsed = daySchema.safeParse({ date: m[1], rates });
    if (!parsed.success) throw new ProviderError('ecb', 'malformed', `day ${m[1]}: ${parsed.error.issues[0]?.message}`);
    for (const [c, rate] of Object.entries(parsed.data.rates)) if (!new Decimal(rate).gt(0)) throw new ProviderError('ecb', 'malformed', `${m[1]} ${c} rate is ${rate}`);
    days.push(parsed.data);
  }
  if (days.length === 0) throw new ProviderError('ecb', 'malformed', 'the file holds no day of rates');
  return days;
}

/** FROM/TO on a day: how many TO one FROM buys. Null when the ECB does not list either currency. */
export function crossRate(day: EcbDay, from: string, to: string): string | null {
  const of = (c: string) => (c === 'EUR' ? '1' : (day.rates[c] ?? null));
  const f = of(from);
  const t = of(to);
  if (f === null || t === null) return null;
  return new Decimal(t).div(f).toSignificantDigits(12).toFixed();
}

export class EcbProvider implements PriceProvider {
  readonly name = 'ecb' as const;
  readonly #base: string;
  readonly #fetch: Fetch | undefined;
  readonly #now: () => number;
  readonly #cacheMs: number;

  constructor(opts: EcbOptions) {
    this.#cacheMs = opts.cacheMs ?? 10 * 60_000;
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#fetch = opts.fetch;
    this.#now = opts.now ?? Date.now;
  }

  /** The files change once a day: one fetch serves every pair of a run. */
  readonly #cache = new Map<string, { at: number; days: EcbDay[] }>();

  async #file(name: string): Promise<EcbDay[]> {
    const cached = this.#cache.get(name);
    if (cached && this.#now() - cached.at < this.#cacheMs) return cached.days;
    const days = await this.#fetchFile(name);
    this.#cache.set(name, { at: this.#now(), days });
    return days;
  }

  async #fetchFile(name: string): Promise<EcbDay[]> {
    const res = await providerFetch('ecb', `${this.#base}/${name}`, { headers: { Accept: 'application/xml, text/xml' } }, this.#fetch);
    return parseEcbXml(await res.text());
  }

  static split(pair: string): [string, string] {
    const m = /^([A-Z]{3})\/([A-Z]{3})$/.exec(pair);
    if (!m) throw new ProviderError('ecb', 'not-found', `"${pair}" is not a currency pair`);
    return [m[1]!, m[2]!];
  }

  async latest(pair: string): Promise<ProviderQuote> {
    const [from, to] = EcbProvider.split(pair);
    const [day] = await this.#file('eurofxref-daily.xml');
    const rate = day ? crossRate(day, from, to) : null;
    if (!day || rate === null) throw new ProviderError('ecb', 'not-found', `no ECB rate for ${pair}`);
    return checkQuote('ecb', { price: rate, asOf: `${day.date}T15:00:00.000Z`, date: day.date, currency: to }, this.#now());
  }

  async daily(pair: string, _currency: string, from: string, to: string): Promise<DailySeries> {
    const [f, t] = EcbProvider.split(pair);
    const now = this.#now();
    const ninetyDaysAgo = new Date(now - 88 * 86_400_000).toISOString().slice(0, 10);
    const days = await this.#file(from >= ninetyDaysAgo ? 'eurofxref-hist-90d.xml' : 'eurofxref-hist.xml');
    const bars: DailyBar[] = [];
    for (const day of days) {
      if (day.date < from || day.date > to) continue;
      const rate = crossRate(day, f, t);
      if (rate !== null) bars.push({ date: day.date, open: null, high: null, low: null, close: rate, volume: null });
    }
    return { currency: t, bars: checkBars('ecb', bars, new Date(now).toISOString().slice(0, 10)) };
  }
}
