import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia } from 'pinia';
import { createApp, effectScope, ref } from 'vue';
import type { EffectScope, Ref } from 'vue';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import type { Asset, InvestmentTransaction, Quote, Settings } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ComputeSession, ComputeStatus } from '../../compute/compute-session.ts';
import { startInvestFeed } from '../../compute/invest/invest-feed.ts';
import type { InvestFeed } from '../../compute/invest/invest-feed.ts';
import { createInvestHandlers } from '../../compute/invest/invest-handlers.ts';
import type { InvestPersistence } from '../../compute/invest/invest-persist.ts';
import type { InvestSetAccounts } from '../../compute/invest/invest-schemas.ts';
import { InvestStore } from '../../compute/invest/invest-store.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until } from '../../testing/test-port.ts';
import { useCapitalGains, useInvestFeed, useInvestHoldings, useInvestPortfolio, usePriceSeries } from './invest-data.ts';
import type { InvestOpenRange, InvestRange } from './invest-data.ts';

const HLC = '1764000000000:0000:test';
const GIA = testUuid(1);
const ISA = testUuid(2);
const CURRENT = testUuid(3);
const VWRL = testUuid(10);

const memory = (): Promise<InvestPersistence> =>
  Promise.resolve({ load: () => Promise.resolve({ store: new InvestStore(), emptyReason: 'memory' }), save: () => Promise.resolve(), clear: () => Promise.resolve(), close: () => undefined });

function price(date: string, close: string): Quote {
  return { id: `price:VWRL:${date}`, hlc: HLC, kind: 'price', series: 'VWRL', date, open: null, high: null, low: null, close, volume: null, currency: 'GBP', source: 'test' };
}

let n = 100;
function trade(over: Partial<InvestmentTransaction> & Pick<InvestmentTransaction, 'kind' | 'date' | 'quantity' | 'amount'>): InvestmentTransaction {
  n += 1;
  return { id: testUuid(n, 3), hlc: HLC, accountId: GIA, assetId: VWRL, unitPrice: null, fee: 0, currency: 'GBP', splitRatio: null, notes: null, ...over };
}

const asset: Asset = { id: VWRL, hlc: HLC, symbol: 'VWRL', name: 'All-World', kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: null };
const settings: Settings = { id: testUuid(40), hlc: HLC, baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', budgetStartDay: 1, idleLockMinutes: 15 };

/**
 * A compute session whose worker is the real invest area (its store in memory), fed by the real investment feed
 * from the test replica; the worker is called as Comlink would (clones). `invest` starts the feed on first read.
 */
function fakeSession(db: ReplicaDatabase, pushes: InvestSetAccounts[]) {
  const handlers = createInvestHandlers({ openPersistence: memory });
  const clone = <T>(v: T): T => structuredClone(v);
  const api = {
    investOpen: handlers.investOpen,
    investClose: async () => handlers.investClose(),
    investDropQuotes: handlers.investDropQuotes,
    investFlush: handlers.investFlush,
    investSync: handlers.investSync,
    investSetAccounts: async (r: InvestSetAccounts) => {
      pushes.push(clone(r));
      handlers.investSetAccounts(clone(r));
    },
    investPortfolio: async (r: Parameters<typeof handlers.investPortfolio>[0]) => handlers.investPortfolio(clone(r)),
    investHoldings: async (r: Parameters<typeof handlers.investHoldings>[0]) => handlers.investHoldings(clone(r)),
    investCapitalGains: async () => handlers.investCapitalGains(),
    investPriceSeries: async (r: Parameters<typeof handlers.investPriceSeries>[0]) => handlers.investPriceSeries(clone(r)),
  };
  let feed: InvestFeed | null = null;
  let reads = 0;
  const status: ComputeStatus = { phase: 'ready', transactions: 0, revision: 1 };
  const session: ComputeSession = {
    worker: { api, terminate: () => undefined } as unknown as ComputeSession['worker'],
    get invest() {
      reads += 1;
      // A page of 2 documents, so the catch-up of the quotes is seen in steps.
      feed ??= startInvestFeed({ collections: db.collections, api: api as unknown as Parameters<typeof startInvestFeed>[0]['api'], key: {} as CryptoKey, databaseName: 'test', pageSize: 2 });
      return feed;
    },
    status: () => status,
    onStatus: () => () => undefined,
    checkConsistency: async () => 'consistent',
    async stop() {
      feed?.stop();
    },
  };
  return { session, reads: () => reads, stop: () => feed?.stop() };
}

let db: ReplicaDatabase;
let scope: EffectScope;
let pushes: InvestSetAccounts[];
let worker: ReturnType<typeof fakeSession>;
const SELL = trade({ kind: 'sell', date: '2024-06-03', quantity: '5', unitPrice: '120', amount: 60_000 });

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([
    account({ id: GIA, type: 'investment_gia' }), account({ id: ISA, type: 'stocks_shares_isa', sortOrder: 1 }), account({ id: CURRENT, sortOrder: 2 }),
  ]);
  await db.settings.insert(settings);
  await db.assets.insert(asset);
  // Five year documents (prices from before the first trade in three earlier years), so the catch-up in pages of two is seen in steps.
  await db.quotes.bulkInsert(docsFromDailyQuotes([price('2020-06-01', '70'), price('2021-06-01', '80'), price('2022-06-01', '85'), price('2023-06-01', '90'), price('2024-01-02', '100'), price('2024-03-01', '110'), price('2024-06-03', '120'), price('2024-06-04', '121'), price('2024-06-05', '119')]));
  await db.investment_transactions.bulkInsert([
    trade({ kind: 'buy', date: '2024-01-02', quantity: '10', unitPrice: '100', amount: -100_000 }),
    trade({ kind: 'buy', date: '2024-01-02', quantity: '4', unitPrice: '100', amount: -40_000, accountId: ISA }),
    SELL,
  ]);
  pushes = [];
  worker = fakeSession(db, pushes);
  scope = effectScope();
});

afterEach(async () => {
  scope.stop();
  worker.stop();
  await db.close();
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount<T>(fn: () => T, session: ComputeSession = worker.session): T {
  const app = createApp({});
  app.use(createPinia());
  app.provide(REPLICA_PORT, portFor(db));
  return app.runWithContext(() => {
    useComputeStore().bind({ start: async () => session });
    return scope.run(fn)!;
  });
}

describe('investment data (UI side of the invest area)', () => {
  it('starts the feed, shows its catch-up with a total, and pushes the accounts and base currency', async () => {
    const phases: string[] = [];
    const progress: string[] = [];
    const { status, ready } = mount(() => {
      const feed = useInvestFeed();
      return feed;
    });
    scope.run(() => {
      // Recorded as they happen (the catch-up of five quotes documents in pages of two passes by in a few ticks).
      const stop = setInterval(() => {
        const s = status.value;
        if (phases.at(-1) !== s.phase) phases.push(s.phase);
        if (s.progress) progress.push(`${s.progress.collection} ${s.progress.done} of ${s.progress.total ?? '?'}`);
        if (s.phase === 'ready') clearInterval(stop);
      }, 0);
    });
    await until(() => ready.value, 'the feed ready', flush);
    expect(worker.reads()).toBeGreaterThan(0);
    expect(phases).toContain('catching-up');
    expect(phases.at(-1)).toBe('ready');
    expect(progress.some((p) => /^quotes \d of 5$/.test(p))).toBe(true);
    const last = pushes.at(-1)!;
    expect(last.baseCurrency).toBe('GBP');
    expect(last.accounts).toEqual([
      { id: GIA, type: 'investment_gia', currency: 'GBP' }, { id: ISA, type: 'stocks_shares_isa', currency: 'GBP' }, { id: CURRENT, type: 'current', currency: 'GBP' },
    ]);
  });

  it('answers the portfolio for a range, and asks again when the range or the trades change', async () => {
    const range: Ref<InvestRange | null> = ref({ from: '2024-01-02', to: '2024-06-03' });
    const { data, loading, error } = mount(() => useInvestPortfolio(range));
    expect(loading.value).toBe(true);
    await until(() => data.value !== null, 'the portfolio', flush);
    expect(loading.value).toBe(false);
    expect(error.value).toBeNull();
    // GIA: 5 units left at 120 = £600; ISA: 4 at 120 = £480.
    expect(data.value!.returns.endValue).toBe(108_000);
    expect(data.value!.holdings.date).toBe('2024-06-03');
    expect(data.value!.series.from).toBe('2024-01-02');

    range.value = { from: '2024-01-02', to: '2024-06-05' };
    await until(() => data.value?.holdings.date === '2024-06-05', 'the longer range', flush);
    expect(data.value!.returns.endValue).toBe(9 * 11_900);

    // A trade synced in: the feed applies it, its revision moves, the answer follows.
    await db.investment_transactions.insert(trade({ kind: 'buy', date: '2024-06-04', quantity: '1', unitPrice: '121', amount: -12_100 }));
    await until(() => data.value?.returns.endValue === 10 * 11_900, 'the portfolio with the new buy', flush);

    range.value = { from: '2024-06-05', to: '2024-01-02' };
    await until(() => error.value !== null, 'the refusal', flush);
    expect(error.value).toMatch(/from must not be after to/);
    expect(loading.value).toBe(false);
  });

  it('answers holdings at a date, nothing for a null date, and a price series over an open range', async () => {
    const date: Ref<string | null> = ref(null);
    const assetId: Ref<string | null> = ref(VWRL);
    const window: Ref<InvestOpenRange> = ref({ from: '2024-03-01' });
    const { holdings, series } = mount(() => ({ holdings: useInvestHoldings(date), series: usePriceSeries(assetId, window) }));
    await until(() => series.data.value !== null, 'the price series', flush);
    expect(holdings.data.value).toBeNull();
    expect(holdings.loading.value).toBe(false);
    expect(series.data.value!.dates).toEqual(['2024-03-01', '2024-06-03', '2024-06-04', '2024-06-05']);
    expect(series.data.value!.closes[0]).toBe('110');

    date.value = '2024-03-01';
    await until(() => holdings.data.value !== null, 'the holdings', flush);
    const gia = holdings.data.value!.holdings.find((h) => h.accountId === GIA)!;
    expect(gia).toMatchObject({ quantity: '10', costBasis: 100_000, marketValue: 110_000, priceDate: '2024-03-01', unrealisedGain: 10_000 });

    window.value = { to: '2024-01-02' };
    // Up to the first trade's day: that day and the four earlier years' prices.
    await until(() => series.data.value?.dates.length === 5 && series.data.value.dates.at(-1) === '2024-01-02', 'the shorter series', flush);
    assetId.value = testUuid(99);
    await until(() => series.error.value !== null, 'the unknown asset', flush);
    expect(series.error.value).toMatch(/no asset/);
  });

  it('pushes the accounts again when one changes type, and the capital gains follow', async () => {
    const { data } = mount(() => useCapitalGains());
    await until(() => data.value !== null, 'the gains', flush);
    // 5 units sold at £120 from a pool of 10 at £100: a £100 gain.
    expect(data.value!.disposals.map((d) => [d.date, d.gain, d.matches[0]!.rule])).toEqual([['2024-06-03', 10_000, 'section-104']]);
    expect(data.value!.taxYears[0]).toMatchObject({ taxYear: '2024-25', net: 10_000 });

    const pushesBefore = pushes.length;
    await (await db.accounts.findOne(GIA).exec())!.incrementalPatch({ type: 'stocks_shares_isa' });
    await until(() => data.value?.disposals.length === 0, 'the gains without the (now tax-free) account', flush);
    expect(data.value!.excludedAccounts).toContain(GIA);
    expect(pushes.length).toBe(pushesBefore + 1);

    // A change that is not the id, type or currency (the name) pushes nothing.
    await (await db.accounts.findOne(GIA).exec())!.incrementalPatch({ name: 'Renamed' });
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 5));
    expect(pushes.length).toBe(pushesBefore + 1);
  });

  it('says so when the session has no investment store', async () => {
    // A session as the test fakes elsewhere make it: no `invest`.
    const bare: ComputeSession = { worker: worker.session.worker, status: worker.session.status, onStatus: worker.session.onStatus, checkConsistency: worker.session.checkConsistency, stop: worker.session.stop };
    const { status, ready } = mount(() => useInvestFeed(), bare);
    await until(() => status.value.phase === 'error', 'the error', flush);
    expect(status.value.message).toMatch(/not available/);
    expect(ready.value).toBe(false);
  });
});
