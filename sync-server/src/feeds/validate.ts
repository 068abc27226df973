import { Decimal } from '@mymidas/shared/money';
import { z } from 'zod';
import { ProviderError, type DailyBar, type ProviderName, type ProviderQuote } from './types.ts';

/**
 * The checks every provider answer passes before anything of it is stored: numbers finite and positive
 * (a price of 0, −3 or NaN is a broken answer, not a price), dates real and not in the future, and the
 * numbers turned into decimal text. One bad row refuses the whole answer: a partial series stored as if it
 * were whole would hide the gap.
 */

/** How far ahead of this server's clock a provider's timestamp may be (clock skew between machines). */
export const CLOCK_SKEW_MS = 5 * 60_000;

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A JSON number as decimal text. `significant` trims float noise (Yahoo's arrays carry float32 values). */
export function numberText(n: number, significant?: number): string {
  const d = new Decimal(String(n));
  return (significant ? d.toSignificantDigits(significant) : d).toFixed();
}

/** Decimal text of a positive, finite price (or rate); anything else refuses the answer. */
export function positiveText(provider: ProviderName, value: unknown, what: string, significant?: number): string {
  const n = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new ProviderError(provider, 'malformed', `${what} is not a positive number (${String(value)})`);
  const text = typeof value === 'string' ? new Decimal(value.trim()).toFixed() : numberText(n, significant);
  if (!/[1-9]/.test(text)) throw new ProviderError(provider, 'malformed', `${what} rounds to zero (${String(value)})`);
  return text;
}

/** The calendar date of an instant at a fixed UTC offset (seconds), as exchanges report it. */
export function dateAtOffset(epochMs: number, offsetSeconds: number): string {
  return new Date(epochMs + offsetSeconds * 1000).toISOString().slice(0, 10);
}

/** Refuses an instant later than now (plus skew). */
export function notInFuture(provider: ProviderName, epochMs: number, what: string, now: number): void {
  if (!Number.isFinite(epochMs)) throw new ProviderError(provider, 'malformed', `${what} has no valid time`);
  if (epochMs > now + CLOCK_SKEW_MS) throw new ProviderError(provider, 'malformed', `${what} is dated in the future (${new Date(epochMs).toISOString()})`);
}

const barSchema = z.object({
  date: z.string().regex(DATE),
  open: z.string().nullable(),
  high: z.string().nullable(),
  low: z.string().nullable(),
  close: z.string(),
  volume: z.string().regex(/^\d+(\.\d+)?$/).nullable(),
});

/**
 * The last gate for a provider's bars: shape, positive prices, dates within [from, to] and not after
 * `today`, one bar per date, sorted. Throws (nothing stored) on the first bad bar.
 */
export function checkBars(provider: ProviderName, bars: readonly DailyBar[], today: string): DailyBar[] {
  const out: DailyBar[] = [];
  const seen = new Set<string>();
  for (const raw of bars) {
    const parsed = barSchema.safeParse(raw);
    if (!parsed.success) throw new ProviderError(provider, 'malformed', `a bar is malformed (${parsed.error.issues[0]?.message ?? 'shape'})`);
    const bar = parsed.data;
    if (bar.date > today) throw new ProviderError(provider, 'malformed', `a bar is dated in the future (${bar.date})`);
    if (seen.has(bar.date)) throw new ProviderError(provider, 'malformed', `two bars for ${bar.date}`);
    seen.add(bar.date);
    for (const field of ['open', 'high', 'low', 'close'] as const) {
      const v = bar[field];
      if (v !== null) positiveText(provider, v, `${bar.date} ${field}`);
    }
    out.push(bar);
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export function checkQuote(provider: ProviderName, q: ProviderQuote, now: number): ProviderQuote {
  positiveText(provider, q.price, 'price');
  notInFuture(provider, Date.parse(q.asOf), 'the price', now);
  if (!DATE.test(q.date)) throw new ProviderError(provider, 'malformed', `the price's date "${q.date}" is not a date`);
  if (!/^[A-Z]{3}$/.test(q.currency)) throw new ProviderError(provider, 'malformed', `currency "${q.currency}" is not an ISO 4217 code`);
  return q;
}
