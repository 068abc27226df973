import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import type { Asset, InvestmentTransaction, Quote, QuoteDoc } from '@mymidas/shared/schema';
import { openTestReplica, testUuid } from '../../testing/test-replica.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { createInvestHandlers } from './invest-handlers.ts';
import type { InvestHandlers } from './invest-handlers.ts';
import { startInvestFeed } from './invest-feed.ts';
import type { InvestFeed } from './invest-feed.ts';
import type { InvestCollection } from './invest-store.ts';

const HLC = '1764000000000:0000:test';
const ASSET = testUuid(1, 1);
const ACCOUNT = testUuid(2, 1);

function quote(series: string, date: string, close: string, kind: Quote['kind'] = 'price'): Quote {
  return { id: `${kind}:${series}:${date}`, hlc: HLC, kind, series, date, open: null, high: null, low: null, close, volume: null, currency: kind === 'fx' ? 'USD' : 'GBP', source: 'test' };
}
const asset: Asset = { id: ASSET, hlc: HLC, symbol: 'VWRL', name: 'All-World', kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: null };
const buy: InvestmentTransaction = {
  id: testUuid(3, 1), hlc: HLC, accountId: ACCOUNT, assetId: ASSET, kind: 'buy', date: '2024-01-02', quantity: '10', unitPrice: '100',
  amount: -100_000, fee: 0, currency: 'GBP', splitRatio: null, notes: null,
};

/** The year documents of these days (one per series and year), as the server stores them. */
const years = (quotes: readonly Quote[]): QuoteDoc[] => docsFromDailyQuotes(quotes);

function dates(n: number, from = '2024-01-01'): string[] {
  return Array.from({ length: n }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));
}

/** The worker's handlers called directly, counting the documents each collection's sync calls carried. */
function counted(handlers: InvestHandlers) {
  const read: Record<InvestCollection, number> = { quotes: 0, investment_transactions: 0, assets: 0 };
  const api = {
    investOpen: handlers.investOpen,
    investClose: async () => handlers.investClose(),
    investDropQuotes: handlers.investDropQuotes,
    investFlush: handlers.investFlush,
    investSync: (c: InvestCollection, docs: readonly unknown[], checkpoint: Parameters<InvestHandlers['investSync']>[2], persist?: boolean) => {
      read[c] += docs.length;
      return handlers.investSync(c, docs, checkpoint, persist);
    },
  };
  return { api, read };
}

describe('investment feed (UI side of the invest area)', () => {
  let db: ReplicaDatabase;
  let key: CryptoKey;
  const feeds: InvestFeed[] = [];
  beforeEach(async () => {
    globalThis.indexedDB = new IDBFactory();
    key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    db = await openTestReplica();
  });
  afterEach(async () => {
    for (const f of feeds.splice(0)) f.stop();
    await db.close();
  });

  function start(handlers: InvestHandlers, pageSize = 50, startAfter?: Promise<unknown>) {
    const { api, read } = counted(handlers);
    const feed = startInvestFeed({ collections: db.collections, api: api as never, key, databaseName: 'replica-snapshot', pageSize, startAfter });
    feeds.push(feed);
    return { feed, read };
  }

  it('reads every quotes document page by page the first time, then only what changed since its stored checkpoints', async () => {
    // Two series over two years: 2023's last 20 days and 2024's first 100 of VWRL, 30 days of GBP/USD.
    const vwrl = dates(120, '2023-12-12').map((d, i) => quote('VWRL', d, (100 + i / 4).toFixed(2)));
    await db.quotes.bulkInsert(years(vwrl));
    await db.quotes.bulkInsert(years(dates(30).map((d) => quote('GBP/USD', d, '1.27', 'fx'))));
    await db.assets.insert(asset);
    await db.investment_transactions.insert(buy);

    const first = createInvestHandlers();
    const one = start(first, 2);
    await one.feed.caughtUp;
    expect(one.feed.status().phase).toBe('ready');
    expect(one.read).toEqual({ quotes: 3, investment_transactions: 1, assets: 1 });
    expect(first.investState()).toMatchObject({ state: 'ready', quotes: 150, series: 2, transactions: 1, assets: 1 });

    // Live: the 2024 document rewritten by the server (a new day, a day gone) and 2023's deleted reach the
    // worker through the change stream.
    const in2024 = vwrl.filter((q) => q.date.startsWith('2024') && q.date !== '2024-01-01');
    await db.quotes.upsert(years([...in2024, quote('VWRL', '2024-06-01', '131')])[0]!);
    await (await db.quotes.findOne('price:VWRL:2023').exec())!.remove();
    await one.feed.idle();
    expect(first.investState()).toMatchObject({ quotes: 30 + in2024.length + 1 });
    const series = first.investPriceSeries({ assetId: ASSET });
    expect(series.dates[0]).toBe('2024-01-02');
    expect(series.dates.at(-1)).toBe('2024-06-01');
    one.feed.stop();
    first.investClose();

    // The app opens again: the stored store is loaded; the one document written while it was closed is all that is read.
    await db.quotes.upsert(years([...in2024, quote('VWRL', '2024-06-01', '131'), quote('VWRL', '2024-06-02', '132')])[0]!);
    const second = createInvestHandlers();
    const two = start(second);
    await two.feed.caughtUp;
    expect(two.read.quotes).toBe(1);
    expect(second.investState()).toMatchObject({ state: 'ready', quotes: 30 + in2024.length + 2, transactions: 1, assets: 1, emptyReason: null });
    expect(second.investPriceSeries({ assetId: ASSET, from: '2024-05-31' })).toMatchObject({ dates: ['2024-06-01', '2024-06-02'], closes: ['131', '132'] });
  });

  it('opens the store only after the snapshot is ready, with the changes made meanwhile applied after the catch-up', async () => {
    const ten = dates(10).map((d) => quote('VWRL', d, '100'));
    await db.quotes.bulkInsert(years(ten));
    await db.assets.insert(asset);
    let snapshotReady!: () => void;
    const handlers = createInvestHandlers();
    const { feed } = start(handlers, 50, new Promise<void>((resolve) => (snapshotReady = resolve)));
    await db.quotes.upsert(years([...ten, quote('VWRL', '2024-02-01', '105')])[0]!);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handlers.investState()).toEqual({ state: 'closed' });
    expect(feed.status().phase).toBe('starting');
    snapshotReady();
    await feed.caughtUp;
    await feed.idle();
    expect(handlers.investState()).toMatchObject({ state: 'ready', quotes: 11, assets: 1 });
  });
});
