import { Decimal } from '../money/money.ts';
import type { Account, Asset, InvestmentTransaction, Quote, QuoteDoc } from '../schema/registry.ts';
import { expandQuotes } from '../quotes/quotes.ts';
import type { FxSeries, InvestInputs, PriceSeries } from './types.ts';

/**
 * Builds the engine's inputs from replicated documents (for tests, scripts and any caller holding the documents):
 * price quotes grouped per asset by symbol, FX quotes turned into rates into the base currency — a "USD/GBP" close
 * is the rate itself, a "GBP/USD" close is inverted to 20 significant digits (as the ledger and budgets do); on a
 * date quoted both ways the direct quote wins. Only investment-type accounts that hold transactions are needed,
 * but all accounts given are passed on.
 */
export function investInputsFromDocs(docs: {
  readonly accounts: readonly Pick<Account, 'id' | 'type' | 'currency'>[];
  readonly assets: readonly Asset[];
  readonly investment_transactions: readonly InvestmentTransaction[];
  /** The stored quotes documents (series by year; latest-price documents are passed over). */
  readonly quotes: readonly QuoteDoc[];
}, baseCurrency: string, staleAfterDays?: number): InvestInputs {
  const symbolToAsset = new Map(docs.assets.map((a) => [a.symbol, a]));
  const priceRows = new Map<string, Quote[]>();
  const fxRows = new Map<string, Map<string, { rate: string; direct: boolean }>>();
  for (const q of expandQuotes(docs.quotes)) {
    if (q.kind === 'price') {
      const asset = symbolToAsset.get(q.series);
      if (!asset) continue;
      const list = priceRows.get(asset.id) ?? [];
      list.push(q);
      priceRows.set(asset.id, list);
      continue;
    }
    const [left, right] = q.series.split('/');
    if (!left || !right) continue;
    let currency: string;
    let direct: boolean;
    if (right === baseCurrency && left !== baseCurrency) {
      currency = left;
      direct = true;
    } else if (left === baseCurrency && right !== baseCurrency) {
      currency = right;
      direct = false;
    } else continue;
    if (!/[1-9]/.test(q.close)) continue;
    const byDate = fxRows.get(currency) ?? new Map<string, { rate: string; direct: boolean }>();
    fxRows.set(currency, byDate);
    if (byDate.get(q.date)?.direct && !direct) continue;
    const rate = direct ? q.close : new Decimal(1).div(q.close).toSignificantDigits(20).toFixed();
    byDate.set(q.date, { rate, direct });
  }
  const prices: PriceSeries[] = [];
  for (const [assetId, rows] of priceRows) {
    rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const dates: string[] = [];
    const closes: string[] = [];
    for (const r of rows) {
      if (dates.length > 0 && dates[dates.length - 1] === r.date) {
        closes[closes.length - 1] = r.close;
        continue;
      }
      dates.push(r.date);
      closes.push(r.close);
    }
    prices.push({ assetId, currency: rows[0]!.currency, dates, closes });
  }
  const fx: FxSeries[] = [];
  for (const [currency, byDate] of fxRows) {
    const dates = [...byDate.keys()].sort();
    fx.push({ currency, dates, rates: dates.map((d) => byDate.get(d)!.rate) });
  }
  return {
    transactions: docs.investment_transactions,
    assets: docs.assets.map((a) => ({ id: a.id, symbol: a.symbol, kind: a.kind, currency: a.currency })),
    accounts: docs.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })),
    prices, fx, baseCurrency, ...(staleAfterDays === undefined ? {} : { staleAfterDays }),
  };
}
