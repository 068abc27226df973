import { Router } from 'express';
import { Decimal } from '@mymidas/shared/money';
import { todayIn } from '@mymidas/shared/date';
import type { Asset, Settings } from '@mymidas/shared/schema';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/require-user.ts';
import { AppError } from '../http/errors.ts';
import { applyLimit } from '../limits/rate-limit.ts';
import { busFor } from '../replication/bus.ts';
import type { Services } from '../services.ts';
import { liveDocs } from '../jobs/book.ts';
import { feedsFor } from './feeds.ts';
import { QuoteDataError } from '@mymidas/shared/quotes';
import { readFeedStatus } from './status.ts';
import { ProviderError, type SearchHit } from './types.ts';

/**
 * `GET /feeds/status`, `GET /assets/search?q=` and `POST /assets/:id/price` (docs/feeds.md). Signed-in users only.
 *
 * Manual prices are a server endpoint, not a user document: quotes are server-owned (clients only pull them),
 * so a price the user types goes through the same quote writer as the feeds — one series, one read path for
 * every device — and is accepted only for the user's own assets whose provider is "manual" (a feed would
 * overwrite any other). The asset stays a user document; its price series is the server's, marked `manual`.
 */

export const SEARCH_POLICY = { name: 'asset-search', limit: 30, windowMs: 60_000 };

const searchQuery = z.object({ q: z.string().trim().min(1, 'type at least one character').max(64, 'at most 64 characters') });
const PRICE = /^\d{1,12}(\.\d{1,10})?$/;
const manualPrice = z.object({
  price: z.string().trim().regex(PRICE, 'a price such as 12.34').refine((p) => !PRICE.test(p) || new Decimal(p).gt(0), 'a price must be more than zero'),
  date: z.iso.date('a date as YYYY-MM-DD'),
}).strict();

export function feedRoutes(services: Services): Router {
  const router = Router();
  const auth = requireUser({ keys: services.keys, db: services.db });
  const feeds = () => feedsFor(services, busFor(services));

  router.get('/feeds/status', auth, async (_req, res) => {
    res.json(await readFeedStatus(services.db));
  });

  router.get('/assets/search', auth, async (req, res) => {
    const { userId } = currentUser(res);
    await applyLimit(services.limits, SEARCH_POLICY, `user:${userId}`, res);
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw AppError.validation(parsed.error, 'query');
    const q = parsed.data.q;
    const f = feeds();
    const sources = [
      { name: 'yahoo' as const, run: () => f.gate.call('yahoo', () => f.providers.yahoo.search(q)) },
      { name: 'coingecko' as const, run: () => f.gate.call('coingecko', () => f.providers.coingecko.search(q)) },
    ];
    const settled = await Promise.allSettled(sources.map((s) => s.run()));
    const results: SearchHit[] = [];
    const problems: string[] = [];
    let retryAfterMs: number | null = null;
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') results.push(...r.value);
      else {
        const err = r.reason as unknown;
        problems.push(err instanceof ProviderError ? err.message : `${sources[i]!.name}: search failed`);
        if (err instanceof ProviderError && err.retryAfterMs !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, err.retryAfterMs);
        if (!(err instanceof ProviderError)) console.error('asset search:', err);
      }
    });
    if (problems.length === sources.length) {
      const headers: Record<string, string> = retryAfterMs !== null ? { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) } : {};
      throw new AppError(503, 'feed-unavailable', 'Search is not available', `No price provider answered: ${problems.join('; ')}`, { problems }, headers);
    }
    res.json({ query: q, results, partial: problems.length > 0, problems });
  });

  router.post('/assets/:id/price', auth, async (req, res) => {
    const { userId } = currentUser(res);
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw AppError.notFound('No such asset.');
    const body = manualPrice.safeParse(req.body ?? {});
    if (!body.success) throw AppError.validation(body.error);
    const { asset, timezone } = await services.db.withUser(userId, async (sql) => {
      const assets = await liveDocs<Asset>(sql, services.cipher, 'assets');
      const settings = await liveDocs<Settings>(sql, services.cipher, 'settings');
      return { asset: assets.find((a) => a.id === id.data), timezone: settings[0]?.timezone };
    });
    if (!asset) throw AppError.notFound('No such asset (is it synced yet?).');
    if (asset.provider !== 'manual') throw AppError.conflict(`${asset.symbol} is priced by ${asset.provider}; only an asset with the provider "manual" takes typed prices.`, 'priced-by-provider');
    const today = todayIn(timezone);
    if (body.data.date > today) {
      const message = `a price cannot be dated after today (${today})`;
      throw new AppError(422, 'validation', 'Some values are not valid', `body.date: ${message}`, { errors: [{ path: 'body.date', message }] });
    }
    const price = new Decimal(body.data.price).toFixed();
    const key = { kind: 'price' as const, series: asset.symbol, currency: asset.currency };
    const f = feeds();
    try {
      await f.writer.writeDailyBars(userId, key, 'manual', [{ date: body.data.date, open: null, high: null, low: null, close: price, volume: null }]);
      const latest = await f.writer.readLatest(userId, key);
      const asOf = `${body.data.date}T12:00:00.000Z`;
      if (!latest || Date.parse(latest.asOf) <= Date.parse(asOf)) await f.writer.writeLatest(userId, key, { price, asOf, source: 'manual' });
    } catch (err) {
      if (err instanceof QuoteDataError) throw AppError.conflict(err.message, 'price-refused');
      throw err;
    }
    res.status(201).json({ assetId: asset.id, series: asset.symbol, date: body.data.date, price, currency: asset.currency, source: 'manual' });
  });

  return router;
}
