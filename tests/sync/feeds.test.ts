import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { holdingsAt } from '@mymidas/shared/invest';
import { latestFxRates } from '@mymidas/shared/ledger/fx';
import { Decimal } from '@mymidas/shared/money';
import { expandQuotes } from '@mymidas/shared/quotes';
import type { Account, Asset, InvestmentTransaction, NetWorthSnapshot, QuoteDoc, Transaction } from '@mymidas/shared/schema';
import { accountBalances } from '@mymidas/shared/snapshot/aggregates';
import { buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import { accountRows, netWorthOf } from '../../client/src/features/dashboard/dashboard-model.ts';
import { valueInvestments } from '../../client/src/features/dashboard/investment-worth.ts';
import { createFeeds, installFeeds, type Feeds } from '../../sync-server/src/feeds/feeds.ts';
import { account, asset, cashTransaction, seedBook, settings, trade } from '../../sync-server/src/feeds/testing/book-fixtures.ts';
import { ReplayServer } from '../../sync-server/src/feeds/testing/replay-server.ts';
import { busFor } from '../../sync-server/src/replication/bus.ts';
import { testBackends } from '../../sync-server/src/testing/harness.ts';
import { Device } from './device.ts';
import { until } from './fixtures.ts';
import { TestSyncServer } from './server.ts';

/**
 * The feeds end to end: the server's jobs (real provider code against the replay server, the real quote
 * writer) and a device running the client's real sync engine and replica stack. What the device holds is
 * valued with the engines the app uses (the investment engine over the pulled quotes; the dashboard's own
 * net-worth model over the pulled accounts, transactions and rates).
 */
type Chart = { chart: { result: [{ meta: Record<string, unknown> }] } };
/** The recorded VWRL.L chart with its latest price and time replaced. */
const latestAt = (price: number, iso: string) => ({ edit: (r: unknown) => {
  const x = r as Chart;
  x.chart.result[0].meta.regularMarketPrice = price;
  x.chart.result[0].meta.regularMarketTime = Math.floor(Date.parse(iso) / 1000);
  return x;
} });

describe.each(testBackends())('market feeds reach devices (%s)', (backend) => {
  let server: TestSyncServer;
  let replay: ReplayServer;
  let feeds: Feeds;
  let clock = Date.parse('2026-12-04T18:00:00Z');
  const devices: Device[] = [];

  beforeAll(async () => {
    server = await TestSyncServer.open(backend);
    replay = await ReplayServer.start();
    const services = server.services;
    feeds = createFeeds({ db: services.db, cipher: services.cipher, baseCurrency: 'GBP', bus: busFor(services) }, { config: replay.config(), now: () => clock, log: () => undefined });
    installFeeds(services, feeds);
  }, 300_000);
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
    replay.clear();
    await server.services.db.asOwner((sql) => sql.query('DELETE FROM feed_providers'));
  });
  afterAll(async () => {
    await replay.close();
    await server.close();
  });

  async function investor() {
    const user = await server.newUser();
    const acc = account();
    const vwrl = asset();
    await seedBook(server.services.db, server.services.cipher, user.userId, { accounts: [acc], assets: [vwrl], trades: [trade(acc.id, vwrl.id, { date: '2026-11-02', quantity: '10' })], settings: [settings()] });
    const device = await Device.open(server, { name: `phone-${devices.length}`, token: () => user.token, collections: ['accounts', 'assets', 'investment_transactions', 'quotes'] });
    devices.push(device);
    return { user, device, acc, vwrl };
  }

  async function valueOnDevice(device: Device, date: string) {
    const all = async <T>(c: 'accounts' | 'assets' | 'investment_transactions' | 'quotes') => (await device.replica.db[c].find().exec()).map((d) => d.toJSON() as T);
    // The engine's inputs as the app's worker builds them: each asset's daily closes from the year documents.
    const assets = await all<Asset>('assets');
    const days = expandQuotes(await all<QuoteDoc>('quotes')).filter((q) => q.kind === 'price');
    const inputs = {
      transactions: await all<InvestmentTransaction>('investment_transactions'),
      assets: assets.map((a) => ({ id: a.id, symbol: a.symbol, kind: a.kind, currency: a.currency })),
      accounts: (await all<Account>('accounts')).map((a) => ({ id: a.id, type: a.type, currency: a.currency })),
      prices: assets.map((a) => {
        const own = days.filter((q) => q.series === a.symbol);
        return { assetId: a.id, currency: a.currency, dates: own.map((q) => q.date), closes: own.map((q) => q.close) };
      }).filter((p) => p.dates.length > 0),
      fx: [], baseCurrency: 'GBP',
    };
    const [h] = holdingsAt(inputs, date).holdings;
    return h!;
  }

  async function daysOnDevice(device: Device, series: string) {
    const docs = (await device.replica.db.quotes.find().exec()).map((d) => d.toJSON() as QuoteDoc);
    return expandQuotes(docs).filter((q) => q.series === series).map((q) => [q.date, q.close]);
  }

  it('a signed-in device receives a new price through its pull after the prices job runs, and its holding\'s value changes', async () => {
    clock = Date.parse('2026-12-04T12:00:00Z');
    const { device } = await investor();
    await feeds.runner.runOnce(feeds.job('backfill'));
    await device.engine.start();
    await device.engine.awaitInSync();
    const before = await valueOnDevice(device, '2026-12-04');
    expect(before.priceDate).toBe('2026-12-04');
    expect(before.price).toBe((await daysOnDevice(device, 'VWRL.L')).at(-1)![1]);
    expect(before.marketValue).not.toBeNull();

    // Later that day the price moves; the job stores it and the device is told to pull (SSE hint), no restart.
    clock = Date.parse('2026-12-04T18:00:00Z');
    replay.once('/chart/VWRL.L', latestAt(131.07, '2026-12-04T16:30:00Z'));
    expect((await feeds.runner.runOnce(feeds.job('prices'))).status).toBe('ok');
    await until('the device has the new price', async () => (await valueOnDevice(device, '2026-12-04')).price === '131.07');
    const after = await valueOnDevice(device, '2026-12-04');
    expect(after.marketValue).toBe(131_070);
    expect(after.marketValue).not.toBe(before.marketValue);
    expect(device.status.lastError).toBeNull();
  });

  it('a device offline during three daily runs gets all three days\' rows when it reconnects', async () => {
    const { device } = await investor();
    await device.engine.start();
    await device.engine.awaitInSync();
    expect(await daysOnDevice(device, 'VWRL.L')).toEqual([]);
    device.online.set(false);
    await until('paused', () => device.engine.state === 'paused');
    const runs: [string, number][] = [['2026-12-02', 124.18], ['2026-12-03', 125.02], ['2026-12-04', 126.4]];
    for (const [date, price] of runs) {
      clock = Date.parse(`${date}T18:00:00Z`);
      replay.once('/chart/VWRL.L', latestAt(price, `${date}T16:30:00Z`));
      expect((await feeds.runner.runOnce(feeds.job('prices'))).status).toBe('ok');
    }
    expect(await daysOnDevice(device, 'VWRL.L')).toEqual([]);
    device.online.set(true);
    await device.engine.awaitInSync();
    await until('three days on the device', async () => (await daysOnDevice(device, 'VWRL.L')).length === 3);
    expect(await daysOnDevice(device, 'VWRL.L')).toEqual(runs.map(([d, p]) => [d, String(p)]));
  });

  it('the daily net-worth snapshot equals the device\'s own net-worth computation (dashboard model) for the same date', async () => {
    clock = Date.parse('2026-12-04T18:00:00Z');
    const user = await server.newUser();
    const current = account({ name: 'Current', type: 'current', openingBalance: 152_030, openingDate: '2026-10-01' });
    const dollars = account({ name: 'US savings', type: 'savings', currency: 'USD', openingBalance: 500_000, openingDate: '2026-10-01', sortOrder: 1 });
    const card = account({ name: 'Card', type: 'credit_card', openingBalance: -12_000, openingDate: '2026-10-01', sortOrder: 2 });
    // £2,000 paid in to a brokerage; 10 VWRL.L bought with £1,185 of it; another 5 bought after the date.
    const brokerage = account({ name: 'Brokerage', type: 'investment_gia', openingBalance: 200_000, openingDate: '2026-10-01', sortOrder: 3 });
    const vwrl = asset();
    await seedBook(server.services.db, server.services.cipher, user.userId, {
      accounts: [current, dollars, card, brokerage],
      assets: [vwrl],
      trades: [trade(brokerage.id, vwrl.id), trade(brokerage.id, vwrl.id, { date: '2026-12-05', quantity: '5', amount: -64_000 })],
      settings: [settings({ timezone: 'Europe/London' })],
      transactions: [
        cashTransaction(current.id, { date: '2026-11-28', amount: 310_000, description: 'Salary' }),
        cashTransaction(current.id, { date: '2026-12-01', amount: -84_517 }),
        cashTransaction(current.id, { date: '2026-12-05', amount: -99_999, description: 'dated after the snapshot' }),
        cashTransaction(dollars.id, { date: '2026-11-15', amount: 123_457, currency: 'USD' }),
        cashTransaction(card.id, { date: '2026-12-02', amount: -4_561 }),
      ],
    });
    expect((await feeds.runner.runOnce(feeds.job('fx'))).status).toBe('ok');
    expect((await feeds.runner.runOnce(feeds.job('backfill'))).status).toBe('ok');
    expect(await feeds.runner.runOnce(feeds.job('net-worth'))).toMatchObject({ status: 'ok', problems: [] });

    const device = await Device.open(server, { name: 'laptop', token: () => user.token, collections: ['accounts', 'transactions', 'quotes', 'net_worth_snapshots', 'assets', 'investment_transactions'] });
    devices.push(device);
    await device.engine.start();
    await device.engine.awaitInSync();
    const [snapshot] = (await device.replica.db.net_worth_snapshots.find().exec()).map((d) => d.toJSON() as NetWorthSnapshot);
    expect(snapshot?.date).toBe('2026-12-04');

    // The device's own figure, as the dashboard works it out: the compute worker's balances from the
    // transactions snapshot, the latest FX rates on or before the date, the dashboard model's conversion.
    const accounts = (await device.replica.db.accounts.find().exec()).map((d) => d.toJSON() as Account);
    const transactions = (await device.replica.db.transactions.find().exec()).map((d) => d.toJSON() as Transaction);
    const fx = expandQuotes((await device.replica.db.quotes.find().exec()).map((d) => d.toJSON() as QuoteDoc)).filter((q) => q.kind === 'fx');
    const overview = { balances: accountBalances(buildSnapshot(transactions), accounts, '2026-12-04') };
    // The investments as the dashboard values them: its own reader over the replica (trades and assets paged from
    // storage, each asset's last close from its newest year document), the same rates.
    const invested = await valueInvestments(device.replica.db, accounts, 'GBP', '2026-12-04', async () => latestFxRates(fx, '2026-12-04'));
    if (invested.kind !== 'valued') throw new Error(`investments not valued: ${JSON.stringify(invested)}`);
    const rows = accountRows(accounts, overview, 'GBP', latestFxRates(fx, '2026-12-04'), invested.worth);
    const mine = netWorthOf(rows, 'GBP');
    expect(mine.unconverted).toEqual([]);
    expect({ currency: snapshot!.currency, assets: snapshot!.assets, liabilities: snapshot!.liabilities }).toEqual({ currency: mine.currency, assets: mine.assets, liabilities: mine.liabilities });
    expect(snapshot!.byAccount).toEqual(Object.fromEntries(rows.map((r) => [r.id, r.worth.status === 'unconverted' ? null : r.worth.amount])));
    // The brokerage: its £2,000, less the £1,185 of the buy on or before the date, plus 10 units at the last close.
    const close = (await daysOnDevice(device, 'VWRL.L')).filter(([d]) => d! <= '2026-12-04').at(-1)!;
    // 10 units × the close, in pence, half-even.
    const holdings = new Decimal(close[1]!).times(1_000).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();
    expect(snapshot!.byAccount[brokerage.id]).toBe(200_000 - 118_500 + holdings);
    expect(mine.investments).toMatchObject({ holdings, unpriced: [], oldestPriceDate: close[0] });
    // The figures are real: the dollar account was converted, the card is a liability, the 5 December row is left out.
    expect(mine.liabilities).toBe(16_561);
    expect(snapshot!.byAccount[current.id]).toBe(152_030 + 310_000 - 84_517);
    expect(snapshot!.byAccount[dollars.id]).not.toBe(623_457);
    expect(snapshot!.byAccount[dollars.id]).toBeGreaterThan(400_000);
  });
});
