// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routeLocationKey } from 'vue-router';
import { docsFromDailyQuotes, latestDoc } from '@mymidas/shared/quotes';
import type { Asset, InvestmentTransaction, Quote, Settings } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ComputeSession, ComputeStatus } from '../../compute/compute-session.ts';
import { startInvestFeed } from '../../compute/invest/invest-feed.ts';
import type { InvestFeed } from '../../compute/invest/invest-feed.ts';
import { createInvestHandlers } from '../../compute/invest/invest-handlers.ts';
import type { InvestPersistence } from '../../compute/invest/invest-persist.ts';
import { InvestStore } from '../../compute/invest/invest-store.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import InvestmentAssetPage from './InvestmentAssetPage.vue';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const HLC = '1764000000000:0000:test';
const GIA = testUuid(1);
const ISA = testUuid(2);
const VWRL = testUuid(10);
const BARE = testUuid(11);

const memory = (): Promise<InvestPersistence> =>
  Promise.resolve({ load: () => Promise.resolve({ store: new InvestStore(), emptyReason: 'memory' }), save: () => Promise.resolve(), clear: () => Promise.resolve(), close: () => undefined });

function price(date: string, o: string, h: string, l: string, c: string, v: string): Quote {
  return { id: `price:VWRL:${date}`, hlc: HLC, kind: 'price', series: 'VWRL', date, open: o, high: h, low: l, close: c, volume: v, currency: 'GBP', source: 'test' };
}
let n = 100;
function trade(over: Partial<InvestmentTransaction> & Pick<InvestmentTransaction, 'kind' | 'date' | 'quantity' | 'amount'>): InvestmentTransaction {
  n += 1;
  return { id: testUuid(n, 3), hlc: HLC, accountId: GIA, assetId: VWRL, unitPrice: null, fee: 0, currency: 'GBP', splitRatio: null, notes: null, ...over };
}
const assetDoc = (id: string, symbol: string, name: string): Asset => ({ id, hlc: HLC, symbol, name, kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: null });
const settings: Settings = { id: testUuid(40), hlc: HLC, baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', budgetStartDay: 1, idleLockMinutes: 15 };

/** A stand-in worker: the real invest area in memory, called as Comlink would (arguments cloned), fed by the real feed. */
function standInSession(db: ReplicaDatabase) {
  const handlers = createInvestHandlers({ openPersistence: memory }) as unknown as Record<string, (...args: unknown[]) => unknown>;
  const api = new Proxy({}, {
    get: (_, name: string) => (name === 'then' ? undefined : async (...args: unknown[]) => handlers[name]!(...args.map((a) => (a instanceof Object && !Array.isArray(a) && Object.keys(a).length === 0 ? a : structuredClone(a))))),
  });
  let feed: InvestFeed | null = null;
  const status: ComputeStatus = { phase: 'ready', transactions: 0, revision: 1 };
  const session = {
    worker: { api, terminate: () => undefined },
    get invest() {
      feed ??= startInvestFeed({ collections: db.collections, api: api as never, key: {} as CryptoKey, databaseName: 'test', pageSize: 50 });
      return feed;
    },
    status: () => status,
    onStatus: () => () => undefined,
    checkConsistency: async () => 'consistent',
    async stop() {
      feed?.stop();
    },
  } as unknown as ComputeSession;
  return { session, stop: () => feed?.stop() };
}

let db: ReplicaDatabase;
let worker: ReturnType<typeof standInSession>;
let w: VueWrapper | null = null;

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: GIA, type: 'investment_gia', name: 'Larch GIA' }), account({ id: ISA, type: 'stocks_shares_isa', name: 'Larch ISA', sortOrder: 1 })]);
  await db.settings.insert(settings);
  await db.assets.bulkInsert([assetDoc(VWRL, 'VWRL', 'All-World'), assetDoc(BARE, 'NEWF', 'New fund')]);
  await db.quotes.bulkInsert(docsFromDailyQuotes([
    price('2024-01-02', '99', '101', '98', '100', '1000'), price('2024-03-01', '108', '112', '107', '110', '1500'),
    price('2024-06-03', '121', '122', '118.5', '120', '900'), price('2024-06-04', '120', '121.5', '119', '121', '800'),
  ]));
  await db.investment_transactions.bulkInsert([
    trade({ kind: 'buy', date: '2024-01-02', quantity: '10', unitPrice: '100', amount: -100_000 }),
    trade({ kind: 'buy', date: '2024-01-02', quantity: '4', unitPrice: '100', amount: -40_000, accountId: ISA }),
    trade({ kind: 'sell', date: '2024-06-03', quantity: '5', unitPrice: '120', amount: 59_500, fee: 500 }),
  ]);
  worker = standInSession(db);
});

afterEach(async () => {
  w?.unmount();
  w = null;
  worker.stop();
  await db.close();
});

function open(assetId: string): VueWrapper {
  const pinia = createPinia();
  w = mount(InvestmentAssetPage, {
    global: {
      plugins: [pinia],
      provide: { [REPLICA_PORT as symbol]: portFor(db), [routeLocationKey as symbol]: { params: { assetId } } },
      stubs: {
        RouterLink: { props: ['to'], template: '<a :href="to"><slot /></a>' },
        AssetCandles: { props: ['candles', 'window', 'currency'], template: '<div data-testid="asset-candles" :data-count="candles.length" :data-from="window && window.from" :data-to="window && window.to" />' },
      },
    },
  });
  const compute = useComputeStore(pinia);
  compute.bind({ start: async () => worker.session });
  return w;
}

describe('InvestmentAssetPage', () => {
  it('shows the asset, its latest price and date, candles over the chosen range with a text summary, its holdings per account and its transactions', async () => {
    const page = open(VWRL);
    expect(page.find('[data-testid="asset-status"]').text()).not.toBe('');
    await until(() => page.find('[data-testid="asset-transactions"]').exists() && page.find('[data-testid="asset-holdings"]').exists(), 'the asset page');
    expect(page.find('h1').text()).toBe('VWRL — All-World');
    expect(page.find('[data-testid="asset-latest"]').text()).toContain('£121.00');
    expect(page.find('[data-testid="asset-latest"]').text()).toContain('4 Jun 2024');
    const chart = page.find('[data-testid="asset-candles"]');
    expect(chart.attributes('data-count')).toBe('4');
    // 1Y by default: a year back from the last price, clamped to the first.
    expect(chart.attributes('data-from')).toBe('2024-01-02');
    const summary = page.find('[data-testid="asset-summary"]').text();
    expect(summary).toContain('high £122.00 on 3 Jun 2024');
    expect(summary).toContain('low £98.00 on 2 Jan 2024');
    expect(summary).toContain('up £21.00 (+21.00%) from £100.00');

    await page.find('[data-testid="preset-1M"]').trigger('click');
    expect(page.find('[data-testid="preset-1M"]').attributes('aria-pressed')).toBe('true');
    expect(page.find('[data-testid="asset-candles"]').attributes('data-from')).toBe('2024-05-04');
    expect(page.find('[data-testid="asset-summary"]').text()).toContain('up £1.00 (+0.83%) from £120.00');

    const rows = page.findAll('[data-testid="asset-holdings"] tbody tr').map((r) => r.text());
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.includes('Larch GIA'))).toContain('£605.00');
    expect(rows.find((r) => r.includes('Larch ISA'))).toContain('£484.00');

    const trades = page.findAll('[data-testid="asset-transactions"] li').map((li) => li.text());
    expect(trades).toHaveLength(3);
    // Newest first.
    expect(trades[0]).toMatch(/Sell\s+5 units at £120\.00 · Larch GIA/);
    expect(trades[0]).toContain('fee £5.00');
  });

  it('says so when an asset has no prices, and shows no chart', async () => {
    const page = open(BARE);
    await until(() => page.find('[data-testid="asset-no-prices"]').exists(), 'the no-prices notice');
    expect(page.find('h1').text()).toBe('NEWF — New fund');
    expect(page.find('[data-testid="asset-no-prices"]').text()).toContain('no prices for NEWF');
    expect(page.find('[data-testid="asset-candles"]').exists()).toBe(false);
    await until(() => page.find('[data-testid="asset-no-transactions"]').exists(), 'the empty transactions');
  });
});

describe('InvestmentAssetPage: editing and deleting a trade', () => {
  const storedTrades = async () => (await db.investment_transactions.find().exec()).map((d) => d.toMutableJSON() as InvestmentTransaction);
  const gia = (page: VueWrapper) => page.findAll('[data-testid="asset-holdings"] tbody tr').map((r) => r.text()).find((r) => r.includes('Larch GIA')) ?? '';
  const sellRow = (page: VueWrapper) => page.findAll('[data-testid="asset-transactions"] li').find((li) => /Sell/.test(li.text()));

  it('each trade has an Edit button named for it; the editor opens prefilled, refuses a sell above the holding without itself, and saves', async () => {
    const page = open(VWRL);
    await until(() => page.find('[data-testid="asset-transactions"]').exists() && page.find('[data-testid="asset-holdings"]').exists(), 'the asset page');
    const edits = page.findAll('[data-testid="trade-edit"]');
    expect(edits).toHaveLength(3);
    expect(edits[0]!.text()).toBe('Edit');
    expect(edits[0]!.attributes('aria-label')).toBe('Edit sell of 3 Jun 2024, 5 units, £595.00');
    expect(edits[0]!.element.tagName).toBe('BUTTON');

    await sellRow(page)!.get('[data-testid="trade-edit"]').trigger('click');
    await until(() => page.find('[data-testid="trade-editor"]').exists(), 'the editor');
    const editor = page.get('[data-testid="trade-editor"]');
    expect(editor.get('h2').text()).toBe('Edit investment transaction');
    await until(() => (editor.get('select[id$="-assetId"]').element as HTMLSelectElement).value === VWRL, 'the asset chosen');
    expect((editor.get('select[id$="-kind"]').element as HTMLSelectElement).value).toBe('sell');
    expect((editor.get('input[id$="-quantity"]').element as HTMLInputElement).value).toBe('5');
    expect((editor.get('input[id$="-unitPrice"]').element as HTMLInputElement).value).toBe('120');
    expect((editor.get('input[id$="-fee"]').element as HTMLInputElement).value).toBe('5.00');

    // The GIA held 10 on the day without this sale (5 counting it): 11 is refused, 10 would not be.
    await editor.get('input[id$="-quantity"]').setValue('11');
    await editor.trigger('submit');
    await until(() => editor.find('[data-testid="trade-quantity-error"]').exists(), 'the refusal');
    expect(editor.get('[data-testid="trade-quantity-error"]').text()).toBe('you cannot sell 11 VWRL — Larch GIA held 10 on 3 Jun 2024.');
    expect((await storedTrades()).find((t) => t.kind === 'sell')?.quantity).toBe('5');

    await editor.get('input[id$="-quantity"]').setValue('8');
    await editor.trigger('submit');
    await until(() => !page.find('[data-testid="trade-editor"]').exists(), 'the editor closed');
    expect(page.get('[data-testid="trade-edit-status"]').text()).toBe('Sell of VWRL on 2024-06-03 saved.');
    const sale = (await storedTrades()).find((t) => t.kind === 'sell');
    expect(sale).toMatchObject({ quantity: '8', amount: 8 * 12_000 - 500, fee: 500 });
    // The figures follow from the worker: 10 − 8 = 2 units left in the GIA, worth 2 × £121.
    await until(() => gia(page).includes('£242.00'), 'the holding after the edit');
    await until(() => /8 units/.test(sellRow(page)?.text() ?? ''), 'the list after the edit');
  });

  it('delete asks first, then removes the trade; Undo delete puts it back', async () => {
    const page = open(VWRL);
    await until(() => page.find('[data-testid="asset-transactions"]').exists() && page.find('[data-testid="asset-holdings"]').exists(), 'the asset page');
    await sellRow(page)!.get('[data-testid="trade-edit"]').trigger('click');
    await until(() => page.find('[data-testid="trade-delete"]').exists(), 'the editor');
    await page.get('[data-testid="trade-delete"]').trigger('click');
    await flushPromises();
    // Nothing is deleted until the deletion is confirmed; "Keep it" steps back.
    expect(page.find('[data-testid="trade-confirm-delete"]').exists()).toBe(true);
    expect(await storedTrades()).toHaveLength(3);
    await page.get('[data-testid="trade-keep"]').trigger('click');
    expect(page.find('[data-testid="trade-confirm-delete"]').exists()).toBe(false);
    await page.get('[data-testid="trade-delete"]').trigger('click');
    await flushPromises();
    await page.get('[data-testid="trade-confirm-delete"]').trigger('click');
    await until(() => page.find('[data-testid="trade-undo-delete"]').exists(), 'the undo');
    expect(page.get('[data-testid="trade-edit-status"]').text()).toContain('Sell of VWRL on 2024-06-03 deleted.');
    expect((await storedTrades()).map((t) => t.kind).sort()).toEqual(['buy', 'buy']);
    await until(() => page.findAll('[data-testid="asset-transactions"] li').length === 2, 'the list without the sale');
    await until(() => gia(page).includes('£1,210.00'), 'the holding without the sale');

    await page.get('[data-testid="trade-undo-delete"]').trigger('click');
    await until(() => !page.find('[data-testid="trade-undo-delete"]').exists(), 'the undo done');
    expect(page.get('[data-testid="trade-edit-status"]').text()).toBe('Delete undone: the sell of 3 Jun 2024 is back.');
    expect((await storedTrades()).find((t) => t.kind === 'sell')).toMatchObject({ quantity: '5', amount: 59_500, fee: 500 });
    await until(() => page.findAll('[data-testid="asset-transactions"] li').length === 3, 'the sale back in the list');
    await until(() => gia(page).includes('£605.00'), 'the holding with the sale again');
  });

  it('shows the feed\'s latest intraday price while it is newer than the last close, and follows it as it changes', async () => {
    const page = open(VWRL);
    await until(() => page.find('[data-testid="asset-latest"]').exists(), 'the asset page');
    expect(page.find('[data-testid="asset-intraday"]').exists()).toBe(false);
    // A price from the day after the last close (4 Jun 2024, £121): shown with the move since that close.
    const key = { kind: 'price' as const, series: 'VWRL', currency: 'GBP' };
    await db.quotes.insert(latestDoc(key, { price: '123', asOf: '2024-06-05T14:00:00Z', source: 'yahoo' }, { hlc: HLC }));
    await until(() => page.find('[data-testid="asset-intraday"]').exists(), 'the latest price');
    const line = page.find('[data-testid="asset-intraday"]').text();
    expect(line).toContain('£123.00');
    expect(line).toContain('+1.65% on the close of 4 Jun 2024');
    expect(line).toContain('(source: yahoo)');
    // A later price replaces it on the page.
    const stored = await db.quotes.findOne({ selector: { series: 'VWRL', period: 'latest' } }).exec();
    await stored!.incrementalPatch({ price: '119.5', asOf: '2024-06-05T15:30:00Z' });
    await until(() => page.find('[data-testid="asset-intraday"]').text().includes('£119.50'), 'the newer latest price');
    expect(page.find('[data-testid="asset-intraday"]').text()).toContain('−1.24% on the close of 4 Jun 2024');
  });

  it('does not show a latest price older than the last close', async () => {
    await db.quotes.insert(latestDoc({ kind: 'price', series: 'VWRL', currency: 'GBP' }, { price: '118', asOf: '2024-06-01T14:00:00Z', source: 'yahoo' }, { hlc: HLC }));
    const page = open(VWRL);
    await until(() => page.find('[data-testid="asset-latest"]').exists(), 'the asset page');
    await flushPromises();
    expect(page.find('[data-testid="asset-latest"]').text()).toContain('£121.00');
    expect(page.find('[data-testid="asset-intraday"]').exists()).toBe(false);
  });
});
