import type { RxCollection } from 'rxdb';
import type { FxRates } from '@mymidas/shared/ledger/fx';
import type { InvestmentWorth, LastClose } from '@mymidas/shared/invest/worth';
import type { Account, Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { readLatestDailyQuote } from '../../db/quotes-read.ts';
import { readRows } from '../ledger-data/replica-read.ts';

/**
 * The dashboard's investments (docs/investments.md, "Net worth"): what each account's investment transactions and
 * holdings add to net worth today, worked out by `@mymidas/shared/invest/worth` — the rule the server's daily
 * snapshot follows too. Read after the dashboard's first numbers are on screen, without the investment screens'
 * worker store (which holds every price of every series): the investment transactions and assets are read
 * straight from the replica's storage (plain documents, no RxDocuments or cached queries, dropped once valued),
 * each traded asset's last close comes from its newest year document, and the engine's code is loaded only when
 * there is something to value.
 */

export type DashboardInvestments =
  | { readonly kind: 'none' }
  | { readonly kind: 'valued'; readonly worth: InvestmentWorth; readonly rates: FxRates }
  | { readonly kind: 'error'; readonly message: string };

/** The currencies the investments need rates for: every trade's and every traded asset's. */
export function investmentCurrencies(trades: readonly InvestmentTransaction[], assets: readonly Asset[]): Set<string> {
  const traded = new Set(trades.map((t) => t.assetId));
  return new Set([...trades.map((t) => t.currency), ...assets.filter((a) => traded.has(a.id)).map((a) => a.currency)]);
}

/**
 * Values the investments on `today`. `ratesFor` gives the latest rates for a set of currencies into `base` (the
 * dashboard's own reader, so accounts and investments convert alike).
 */
export async function valueInvestments(
  db: ReplicaDatabase,
  accounts: readonly Account[],
  base: string,
  today: string,
  ratesFor: (currencies: Iterable<string>) => Promise<FxRates>,
): Promise<DashboardInvestments> {
  try {
    const collections = db.collections as Readonly<Record<string, RxCollection | undefined>>;
    const trades = collections.investment_transactions ? (await readRows<InvestmentTransaction>(collections.investment_transactions)).filter((t) => t.date <= today) : [];
    if (trades.length === 0) return { kind: 'none' };
    const assets = collections.assets ? await readRows<Asset>(collections.assets) : [];
    const traded = new Set(trades.map((t) => t.assetId));
    const closes = await Promise.all(assets.filter((a) => traded.has(a.id)).map(async (asset): Promise<LastClose | null> => {
      const q = await readLatestDailyQuote(db, asset.symbol, today);
      return q ? { assetId: asset.id, date: q.date, close: q.close, currency: q.currency } : null;
    }));
    const lastCloses = closes.filter((c): c is LastClose => c !== null);
    const [rates, { investmentWorth }] = await Promise.all([
      ratesFor(new Set([...accounts.map((a) => a.currency), ...investmentCurrencies(trades, assets)])),
      import('@mymidas/shared/invest/worth'),
    ]);
    const worth = investmentWorth({ transactions: trades, assets, accounts, lastCloses, rates, baseCurrency: base }, today);
    return { kind: 'valued', worth, rates };
  } catch (e) {
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}
