import type { Account, Asset, InvestmentTransaction, Settings } from '@mymidas/shared/schema';
import { holdingsAt } from '@mymidas/shared/invest';
import { Decimal } from '@mymidas/shared/money';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Database, Sql } from '../store/database.ts';
import { openDoc } from '../store/documents.ts';
import type { CollectionName } from '@mymidas/shared/schema';

/**
 * What the jobs need to know of a user's data, read in the user's own RLS transaction (as a request would),
 * sealed fields opened with the server's field cipher: accounts, assets, investment transactions, settings.
 */

export interface UserBook {
  readonly userId: string;
  readonly baseCurrency: string;
  readonly timezone: string | undefined;
  readonly accounts: readonly Account[];
  readonly assets: readonly Asset[];
  readonly trades: readonly InvestmentTransaction[];
}

/** A series a job keeps: an asset's prices, or a currency's rate into the base currency. */
export interface TrackedSeries {
  readonly kind: 'price' | 'fx';
  /** The quote series: the asset's symbol, or "USD/GBP". */
  readonly series: string;
  readonly provider: 'yahoo' | 'coingecko' | 'fx';
  /** Yahoo symbol, CoinGecko coin id, or the pair again for FX. */
  readonly providerId: string;
  /** The currency asked for (an asset's own; the base for a rate). */
  readonly currency: string;
  /** The first date that needs a value (the first trade; for a rate, the first date the currency is used). */
  readonly from: string;
  /** Held now (prices job) — always true for rates in use. */
  readonly held: boolean;
}

/** Every user id, read as the owner (the jobs run for all users). */
export async function userIds(db: Database): Promise<string[]> {
  const res = await db.asOwner((sql) => sql.query<{ id: string }>('SELECT id FROM users ORDER BY id'));
  return res.rows.map((r) => String(r.id));
}

/** Every live document of a collection for the transaction's user, sealed fields opened. */
export async function liveDocs<T>(sql: Sql, cipher: FieldCipher, collection: CollectionName): Promise<T[]> {
  const res = await sql.query<Record<string, unknown>>(`SELECT * FROM ${collection} WHERE NOT deleted ORDER BY id`);
  return res.rows.map((row) => openDoc(cipher, collection, row) as T);
}

export async function readBook(db: Database, cipher: FieldCipher, userId: string, defaultBase: string): Promise<UserBook> {
  return db.withUser(userId, async (sql) => {
    const [accounts, assets, trades, settings] = [
      await liveDocs<Account>(sql, cipher, 'accounts'),
      await liveDocs<Asset>(sql, cipher, 'assets'),
      await liveDocs<InvestmentTransaction>(sql, cipher, 'investment_transactions'),
      await liveDocs<Settings>(sql, cipher, 'settings'),
    ];
    const prefs = settings[0];
    return { userId, baseCurrency: prefs?.baseCurrency ?? defaultBase, timezone: prefs?.timezone, accounts, assets, trades };
  });
}

/** Units held per asset today, with the investment engine's own rules (splits, transfers, oversold refused). */
function heldAssets(book: UserBook, today: string): Set<string> {
  try {
    const inputs = {
      transactions: book.trades,
      assets: book.assets.map((a) => ({ id: a.id, symbol: a.symbol, kind: a.kind, currency: a.currency })),
      accounts: book.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })),
      prices: [], fx: [], baseCurrency: book.baseCurrency,
    };
    const held = new Set<string>();
    for (const h of holdingsAt(inputs, today).holdings) if (new Decimal(h.quantity).gt(0)) held.add(h.assetId);
    return held;
  } catch {
    // Data the engine refuses (it says why on the device): every traded asset counts as held.
    return new Set(book.trades.map((t) => t.assetId));
  }
}

/** The series this user's data needs kept: every traded asset with a provider, and every currency in use. */
export function trackedSeries(book: UserBook, today: string): TrackedSeries[] {
  const firstTrade = new Map<string, string>();
  for (const t of book.trades) {
    const seen = firstTrade.get(t.assetId);
    if (!seen || t.date < seen) firstTrade.set(t.assetId, t.date);
  }
  const held = heldAssets(book, today);
  const out: TrackedSeries[] = [];
  const currencyFrom = new Map<string, string>();
  const useCurrency = (c: string, date: string) => {
    if (c === book.baseCurrency) return;
    const seen = currencyFrom.get(c);
    if (!seen || date < seen) currencyFrom.set(c, date);
  };
  for (const asset of book.assets) {
    const from = firstTrade.get(asset.id);
    if (!from) continue;
    useCurrency(asset.currency, from);
    if (asset.provider === 'manual') continue;
    out.push({ kind: 'price', series: asset.symbol, provider: asset.provider, providerId: asset.providerId ?? asset.symbol, currency: asset.currency, from, held: held.has(asset.id) });
  }
  for (const t of book.trades) useCurrency(t.currency, t.date);
  for (const a of book.accounts) if (!a.closed) useCurrency(a.currency, a.openingDate);
  for (const [currency, from] of currencyFrom) {
    const pair = `${currency}/${book.baseCurrency}`;
    out.push({ kind: 'fx', series: pair, provider: 'fx', providerId: pair, currency: book.baseCurrency, from, held: true });
  }
  return out;
}
