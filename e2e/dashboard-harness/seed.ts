import { generateHousehold } from '@mymidas/shared/demo';
import { accountBalances, netWorth } from '@mymidas/shared/ledger/balances';
import { latestFxRates, lookupRate } from '@mymidas/shared/ledger/fx';
import type { FxRates } from '@mymidas/shared/ledger/fx';
import { holdingsAt, investInputsFromDocs } from '@mymidas/shared/invest';

import { convertMinor } from '@mymidas/shared/money';
import { expandQuotes } from '@mymidas/shared/quotes';
import type { Account, Asset, Category, CollectionName, InvestmentTransaction, QuoteDoc, Settings, Transaction } from '@mymidas/shared/schema';
import { naiveMonthSummary } from '@mymidas/shared/snapshot/__fixtures__/naive-aggregates';
import { openReplica } from '../../client/src/db/database.ts';
import type { Replica } from '../../client/src/db/database.ts';
import { DASHBOARD_HARNESS_GLOBAL, SNAPSHOT_DATABASE } from '../lib/dashboard-harness-api.ts';
import type { DashboardHarness, ExpectedFigures } from '../lib/dashboard-harness-api.ts';

/** The browser side of the dashboard test and the open-app benchmark (see dashboard-harness-api.ts). */

/**
 * What each account's investments add on `asOf`, by a different road from the dashboard's: the whole engine over
 * every price and rate (`investInputsFromDocs`, `holdingsAt`), plus the trades' cash per account and currency at
 * the ledger's rate. An account with a trade or a traded asset in a currency without a rate is not valued.
 */
async function investmentsByEngine(accounts: readonly Account[], base: string, rates: FxRates, quotes: readonly QuoteDoc[], asOf: string): Promise<{ extra: Map<string, number>; unconverted: Set<string>; holdings: number }> {
  const extra = new Map<string, number>();
  const unconverted = new Set<string>();
  let holdings = 0;
  const trades = (await all<InvestmentTransaction>('investment_transactions')).filter((t) => t.date <= asOf);
  if (trades.length === 0) return { extra, unconverted, holdings };
  const assets = await all<Asset>('assets');
  const assetCurrency = new Map(assets.map((a) => [a.id, a.currency]));
  for (const t of trades) {
    if (!lookupRate(rates, t.currency, base) || !lookupRate(rates, assetCurrency.get(t.assetId) ?? base, base)) unconverted.add(t.accountId);
  }
  const valued = trades.filter((t) => !unconverted.has(t.accountId));
  const inputs = investInputsFromDocs({ accounts, assets, investment_transactions: valued, quotes }, base);
  for (const h of holdingsAt(inputs, asOf).holdings) {
    extra.set(h.accountId, (extra.get(h.accountId) ?? 0) + (h.marketValue ?? 0));
    holdings += h.marketValue ?? 0;
  }
  const cash = new Map<string, number>();
  for (const t of valued) cash.set(`${t.accountId}\u0000${t.currency}`, (cash.get(`${t.accountId}\u0000${t.currency}`) ?? 0) + t.amount);
  for (const [key, amount] of cash) {
    const [accountId, currency] = key.split('\u0000') as [string, string];
    extra.set(accountId, (extra.get(accountId) ?? 0) + convertMinor(amount, currency, base, lookupRate(rates, currency, base)!.rate));
  }
  return { extra, unconverted, holdings };
}

const CHUNK = 2000;
let replica: Replica | null = null;

function db() {
  if (!replica) throw new Error('harness replica not open');
  return replica.db;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withSnapshotDb<T>(run: (idb: IDBDatabase) => Promise<T>): Promise<T> {
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(SNAPSHOT_DATABASE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await run(idb);
  } finally {
    idb.close();
  }
}

async function all<T>(collection: CollectionName): Promise<T[]> {
  const docs = await db()[collection].find().exec();
  return docs.map((d) => d.toJSON() as T);
}

const harness: DashboardHarness = {
  async open(password, cheapKdf) {
    replica ??= await openReplica({ password, ...(cheapKdf ? { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 } } : {}) });
  },

  async seed(options) {
    const started = performance.now();
    const buffers = new Map<CollectionName, unknown[]>();
    const counts: Partial<Record<CollectionName, number>> = {};
    const flush = async (collection: CollectionName) => {
      const docs = buffers.get(collection);
      if (!docs || docs.length === 0) return;
      buffers.set(collection, []);
      const result = await db()[collection].bulkInsert(docs as never[]);
      if (result.error.length > 0) throw new Error(`seeding ${collection}: ${JSON.stringify(result.error[0]).slice(0, 300)}`);
      counts[collection] = (counts[collection] ?? 0) + docs.length;
    };
    const household = generateHousehold({ transactions: options.transactions, referenceDate: options.referenceDate, years: options.years, quotes: options.quotes, seed: options.seed });
    for (const record of household) {
      const list = buffers.get(record.collection) ?? [];
      list.push(record.doc);
      buffers.set(record.collection, list);
      if (list.length >= CHUNK) await flush(record.collection);
    }
    for (const collection of buffers.keys()) await flush(collection);
    return { counts, ms: performance.now() - started };
  },

  async insert(collection, docs) {
    const result = await db()[collection].bulkInsert(docs as never[]);
    if (result.error.length > 0) throw new Error(`insert into ${collection}: ${JSON.stringify(result.error[0]).slice(0, 300)}`);
  },

  transactions: () => all<Transaction>('transactions'),
  accounts: () => all<Account>('accounts'),
  categories: () => all<Category>('categories'),
  assets: () => all<Asset>('assets'),

  async apply(changes) {
    for (const change of changes) {
      if (change.op === 'insert') await db().transactions.insert(change.doc);
      else {
        const doc = await db().transactions.findOne(change.id).exec();
        if (!doc) throw new Error(`no transaction ${change.id}`);
        if (change.op === 'remove') await doc.remove();
        else await doc.incrementalPatch(change.patch);
      }
    }
  },

  async expected(month, asOf): Promise<ExpectedFigures> {
    const [transactions, accounts, quotes, settings] = await Promise.all([
      all<Transaction>('transactions'),
      all<Account>('accounts'),
      all<QuoteDoc>('quotes'),
      all<Settings>('settings'),
    ]);
    const baseCurrency = settings[0]?.baseCurrency ?? 'GBP';
    const rates = latestFxRates(expandQuotes(quotes), asOf);
    const balances = accountBalances(accounts, transactions, { baseCurrency, rates, asOf });
    const invested = await investmentsByEngine(accounts, baseCurrency, rates, quotes, asOf);
    // Accounts whose investments cannot be converted are left out whole, as an account without a rate is.
    const cash = netWorth(balances.map((b) => (invested.unconverted.has(b.accountId) ? { ...b, inBase: { status: 'unconverted' as const } } : b)), baseCurrency);
    const extra = [...invested.extra.values()].reduce((sum, v) => sum + v, 0);
    const worth = { ...cash, assets: cash.assets + extra, netWorth: cash.netWorth + extra };
    const summary = naiveMonthSummary(transactions, month);
    const main = summary.currencies.find((c) => c.currency === baseCurrency) ?? [...summary.currencies].sort((a, b) => b.byCategory.length - a.byCategory.length)[0];
    const recentIds = [...transactions]
      .sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, 10)
      .map((t) => t.id);
    return {
      baseCurrency,
      month,
      asOf,
      net: worth.netWorth,
      assets: worth.assets,
      liabilities: worth.liabilities,
      unconverted: [...worth.unconverted].sort(),
      invested: invested.holdings,
      balances: Object.fromEntries(balances.map((b) => [b.accountId, b.balance])),
      monthCurrency: main?.currency ?? baseCurrency,
      monthIncome: main?.income ?? 0,
      monthExpense: main?.expense ?? 0,
      byCategory: Object.fromEntries((main?.byCategory ?? []).filter((c) => c.total !== 0).map((c) => [c.categoryId ?? '', c.total])),
      recentIds,
      transactions: transactions.length,
    };
  },

  snapshotRecordKeys: () =>
    withSnapshotDb(async (idb) => (await request(idb.transaction('records').objectStore('records').getAllKeys())).map(String).sort()),

  flipSnapshotByte: (recordKey, offset) =>
    withSnapshotDb(async (idb) => {
      const store = idb.transaction('records', 'readwrite').objectStore('records');
      const value = (await request(store.get(recordKey))) as { iv: Uint8Array; data: ArrayBuffer } | undefined;
      if (!value) throw new Error(`no stored snapshot record ${recordKey}`);
      const bytes = new Uint8Array(value.data.slice(0));
      const at = offset % bytes.length;
      bytes[at] = bytes[at]! ^ 0x01;
      await request(store.put({ iv: value.iv, data: bytes.buffer }, recordKey));
      return at;
    }),

  async close() {
    await replica?.close();
    replica = null;
  },
};

(window as unknown as Record<string, DashboardHarness>)[DASHBOARD_HARNESS_GLOBAL] = harness;
