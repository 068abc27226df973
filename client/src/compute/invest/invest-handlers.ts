import { capitalGains, holdingsAt, portfolioReport, returnsFor } from '@mymidas/shared/invest';
import type { CapitalGainsResult, FxSeries, HoldingsResult, InvestAccount, InvestInputs, PriceSeries, ReturnFigures } from '@mymidas/shared/invest';
import { dayNumber } from '@mymidas/shared/snapshot/days';
import { fxSeriesFromQuotes } from '../../features/budgets/budget-inputs.ts';
import type { InvestShare } from '../compute-area.ts';
import { openInvestPersistence } from './invest-persist.ts';
import type { InvestPersistence } from './invest-persist.ts';
import {
  assetTransactionsRequestSchema, holdingsRequestSchema, parseInvest, portfolioRequestSchema, priceSeriesRequestSchema, returnsRequestSchema, setAccountsSchema,
} from './invest-schemas.ts';
import type {
  InvestAssetTransactionsRequest, InvestHoldingsRequest, InvestPortfolioRequest, InvestPriceSeriesRequest, InvestReturnsRequest, InvestSetAccounts,
} from './invest-schemas.ts';
import type { InvestmentTransaction } from '@mymidas/shared/schema';
import { INVEST_COLLECTIONS, InvestStore, InvestStoreInputError, unpackExtras } from './invest-store.ts';
import type { InvestCheckpoints, InvestCollection, StorageCheckpoint } from './invest-store.ts';

/**
 * The invest area of the compute worker (issue 21). It holds the investment store (invest-store.ts: every
 * price and FX close as compact columns, the investment transactions and the assets), loaded from its sealed
 * records in the snapshot's database on open and kept current by the session's invest feed (invest-feed.ts:
 * catch-up pages from each collection's stored checkpoint, then change events). The UI thread pushes the
 * accounts (few) and the base currency with `investSetAccounts`; every answer is then worked out here by the
 * pure engines of `@mymidas/shared/invest` over inputs built from the store — one inputs object per store
 * revision, accounts push and base currency, so the engines' per-inputs work is done once.
 */

export type InvestState =
  | { readonly state: 'closed' }
  | {
    readonly state: 'ready';
    readonly checkpoints: InvestCheckpoints;
    readonly quotes: number;
    readonly series: number;
    readonly transactions: number;
    readonly assets: number;
    /** Why the store opened empty (nothing stored yet, or records that failed to open); null when it loaded. */
    readonly emptyReason: string | null;
    readonly loadMs: number;
  };

export interface InvestSyncResult {
  readonly revision: number;
  /** A quote was deleted by id alone: the feed must read the quotes again from the start (investDropQuotes first). */
  readonly quotesRereadNeeded: boolean;
}

/**
 * One asset's daily prices over a range for its candlestick chart: parallel columns, decimal text, ascending by
 * date; open/high/low/volume null on a day whose quote has none.
 */
export interface InvestPriceSeries {
  readonly assetId: string;
  readonly symbol: string;
  readonly name: string;
  readonly currency: string;
  readonly dates: string[];
  readonly opens: (string | null)[];
  readonly highs: (string | null)[];
  readonly lows: (string | null)[];
  readonly closes: string[];
  readonly volumes: (string | null)[];
}

export interface InvestHandlers {
  /** Opens the investment store in the snapshot's database under the device key and loads it. */
  investOpen(databaseName: string, key: CryptoKey): Promise<InvestState>;
  investState(): InvestState;
  /**
   * Applies replica documents of one collection (catch-up page or change events) and moves its checkpoint; stores
   * the change unless `persist` is false (catch-up pages: the feed calls investFlush once the collection is read).
   */
  investSync(collection: InvestCollection, docs: readonly unknown[], checkpoint: StorageCheckpoint | null, persist?: boolean): Promise<InvestSyncResult>;
  /** Stores whatever changed since the last write. */
  investFlush(): Promise<void>;
  /** Forgets every quote and the quotes checkpoint (before reading them again). */
  investDropQuotes(): Promise<void>;
  investClose(): void;
  /** The accounts (id, type, currency) and the base currency every later answer uses. */
  investSetAccounts(request: InvestSetAccounts): void;
  /** The whole portfolio over a range: holdings at its end, the daily value series, TWRR/MWRR, per account. */
  investPortfolio(request: InvestPortfolioRequest): ReturnType<typeof portfolioReport>;
  investHoldings(request: InvestHoldingsRequest): HoldingsResult;
  investReturns(request: InvestReturnsRequest): ReturnFigures;
  /** UK capital gains of every disposal, tax-free accounts excluded (rates into GBP from the FX quotes). */
  investCapitalGains(): CapitalGainsResult;
  investPriceSeries(request: InvestPriceSeriesRequest): InvestPriceSeries;
  /** One asset's investment transactions in every account, by date then id (empty when it has none). */
  investAssetTransactions(request: InvestAssetTransactionsRequest): InvestmentTransaction[];
}

export class InvestNotReadyError extends Error {
  override readonly name = 'InvestNotReadyError';
}

export interface InvestHandlerOptions {
  /** Where the store is kept; default the sealed records in the snapshot's IndexedDB database. */
  readonly openPersistence?: (databaseName: string, key: CryptoKey) => Promise<InvestPersistence>;
  /** Where other areas (reports) find this area's engine inputs (compute-area.ts InvestShare). */
  readonly share?: InvestShare;
}

interface FxQuoteLike {
  readonly kind: 'fx';
  readonly series: string;
  readonly date: string;
  readonly close: string;
}

export function createInvestHandlers(options: InvestHandlerOptions = {}): InvestHandlers {
  const openPersistence = options.openPersistence ?? openInvestPersistence;
  let persistence: InvestPersistence | null = null;
  let store: InvestStore | null = null;
  let opened: InvestState = { state: 'closed' };
  let accounts: { readonly accounts: readonly InvestAccount[]; readonly baseCurrency: string } | null = null;
  let accountsRevision = 0;
  let cached: { key: string; inputs: InvestInputs } | null = null;
  /** Inverted FX closes by close text, kept between builds (budget-inputs.ts fxSeriesFromQuotes). */
  const inverses = new Map<string, string>();

  function requireStore(): InvestStore {
    if (!store) throw new InvestNotReadyError('the investment store is not open: call investOpen first');
    return store;
  }

  function state(loadMs = 0, emptyReason: string | null = null): InvestState {
    const s = requireStore();
    return {
      state: 'ready', checkpoints: { ...s.checkpoints }, quotes: s.quoteCount(), series: s.series.size,
      transactions: s.transactions.size, assets: s.assets.size, emptyReason, loadMs,
    };
  }

  function fxQuotes(s: InvestStore, names: readonly string[]): FxQuoteLike[] {
    const out: FxQuoteLike[] = [];
    for (const name of names) {
      const columns = s.seriesOf('fx', name);
      if (!columns) continue;
      const dates = InvestStore.datesOf(columns);
      for (let i = 0; i < dates.length; i++) out.push({ kind: 'fx', series: name, date: dates[i]!, close: columns.closes[i]! });
    }
    return out;
  }

  /** Rates into `base` for each currency, from the FX series quoted either way ("EUR/GBP" or "GBP/EUR"). */
  function fxInto(s: InvestStore, base: string, currencies: Iterable<string>): FxSeries[] {
    const out: FxSeries[] = [];
    for (const c of new Set(currencies)) {
      if (c === base) continue;
      const names = [`${c}/${base}`, `${base}/${c}`];
      const series = fxSeriesFromQuotes(c, base, fxQuotes(s, names), { inverses });
      if (series.dates.length > 0) out.push(series);
    }
    return out;
  }

  function currenciesOf(s: InvestStore, accountList: readonly InvestAccount[]): string[] {
    const out = new Set<string>();
    for (const a of accountList) out.add(a.currency);
    for (const a of s.assets.values()) out.add(a.currency);
    for (const t of s.transactions.values()) out.add(t.currency);
    return [...out];
  }

  function inputsFor(baseOverride: string | undefined): InvestInputs {
    const s = requireStore();
    if (!accounts) throw new InvestNotReadyError('the accounts have not been set (investSetAccounts) in this worker');
    const base = baseOverride ?? accounts.baseCurrency;
    const key = `${s.revision}|${accountsRevision}|${base}`;
    if (cached?.key === key) return cached.inputs;
    const assets = [...s.assets.values()].map((a) => ({ id: a.id, symbol: a.symbol, kind: a.kind, currency: a.currency }));
    const prices: PriceSeries[] = [];
    for (const a of assets) {
      const columns = s.seriesOf('price', a.symbol);
      if (!columns) continue;
      // The store's own arrays (a change replaces them, never edits them in place): nothing copied per build.
      prices.push({ assetId: a.id, currency: a.currency, dates: InvestStore.datesOf(columns), closes: columns.closes });
    }
    const transactions = [...s.transactions.values()].sort(byDateThenId);
    const inputs: InvestInputs = {
      transactions, assets, accounts: accounts.accounts, prices, fx: fxInto(s, base, currenciesOf(s, accounts.accounts)), baseCurrency: base,
    };
    cached = { key, inputs };
    return inputs;
  }

  if (options.share) options.share.inputs = (base) => (store !== null && accounts !== null ? inputsFor(base) : null);

  function close(): void {
    persistence?.close();
    persistence = null;
    store = null;
    cached = null;
    opened = { state: 'closed' };
  }

  async function save(s: InvestStore): Promise<void> {
    if (persistence) await persistence.save(s);
  }

  return {
    async investOpen(databaseName, key) {
      close();
      const started = performance.now();
      persistence = await openPersistence(databaseName, key);
      const loaded = await persistence.load();
      store = loaded.store;
      cached = null;
      opened = state(performance.now() - started, loaded.emptyReason);
      return opened;
    },
    investState: () => (store ? state(opened.state === 'ready' ? opened.loadMs : 0, opened.state === 'ready' ? opened.emptyReason : null) : { state: 'closed' }),
    async investSync(collection, docs, checkpoint, persist = true) {
      const s = requireStore();
      if (!(INVEST_COLLECTIONS as readonly string[]).includes(collection)) throw new InvestStoreInputError(`not an investment collection: ${String(collection)}`);
      if (!Array.isArray(docs)) throw new InvestStoreInputError('docs must be an array');
      const outcome = s.sync(collection, docs, checkpoint);
      if (persist) await save(s);
      return { revision: s.revision, quotesRereadNeeded: outcome.quotesRereadNeeded };
    },
    async investFlush() {
      await save(requireStore());
    },
    async investDropQuotes() {
      const s = requireStore();
      s.dropQuotes();
      await save(s);
    },
    investClose: close,
    investSetAccounts(request) {
      accounts = parseInvest(setAccountsSchema, request, 'investSetAccounts');
      accountsRevision += 1;
    },
    investPortfolio(request) {
      const r = parseInvest(portfolioRequestSchema, request, 'investPortfolio');
      return portfolioReport(inputsFor(r.baseCurrency), { from: r.from, to: r.to });
    },
    investHoldings(request) {
      const r = parseInvest(holdingsRequestSchema, request, 'investHoldings');
      return holdingsAt(inputsFor(r.baseCurrency), r.date);
    },
    investReturns(request) {
      const r = parseInvest(returnsRequestSchema, request, 'investReturns');
      return returnsFor(inputsFor(r.baseCurrency), r.scope, r.range);
    },
    investCapitalGains() {
      const s = requireStore();
      // UK gains are in pounds whatever the base currency: rates into GBP for every other trade currency.
      const inputs = inputsFor(undefined);
      const fx = inputs.baseCurrency === 'GBP' ? inputs.fx : fxInto(s, 'GBP', currenciesOf(s, inputs.accounts));
      return capitalGains(inputs.transactions, { fx, accounts: inputs.accounts });
    },
    investPriceSeries(request) {
      const r = parseInvest(priceSeriesRequestSchema, request, 'investPriceSeries');
      const s = requireStore();
      const asset = s.assets.get(r.assetId);
      if (!asset) throw new InvestStoreInputError(`no asset ${r.assetId}`);
      const columns = s.seriesOf('price', asset.symbol);
      const head = { assetId: asset.id, symbol: asset.symbol, name: asset.name, currency: asset.currency };
      if (!columns) return { ...head, dates: [], opens: [], highs: [], lows: [], closes: [], volumes: [] };
      const from = r.from === undefined ? 0 : InvestStore.lowerBound(columns.days, dayNumber(r.from));
      const to = r.to === undefined ? columns.days.length : InvestStore.lowerBound(columns.days, dayNumber(r.to) + 1);
      const n = Math.max(0, to - from);
      const opens = new Array<string | null>(n);
      const highs = new Array<string | null>(n);
      const lows = new Array<string | null>(n);
      const volumes = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const e = unpackExtras(columns.extras[from + i] ?? null);
        opens[i] = e.open;
        highs[i] = e.high;
        lows[i] = e.low;
        volumes[i] = e.volume;
      }
      return { ...head, dates: InvestStore.datesOf(columns, from, to), opens, highs, lows, closes: columns.closes.slice(from, to), volumes };
    },
    investAssetTransactions(request) {
      const r = parseInvest(assetTransactionsRequestSchema, request, 'investAssetTransactions');
      const s = requireStore();
      if (!s.assets.has(r.assetId)) throw new InvestStoreInputError(`no asset ${r.assetId}`);
      return [...s.transactions.values()].filter((t) => t.assetId === r.assetId).sort(byDateThenId);
    },
  };
}

function byDateThenId(x: InvestmentTransaction, y: InvestmentTransaction): number {
  return x.date < y.date ? -1 : x.date > y.date ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
}
