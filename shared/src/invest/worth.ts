import { dayNumber } from '../date/date.ts';
import { lookupRate } from '../ledger/fx.ts';
import type { FxRates } from '../ledger/fx.ts';
import { convertMinor } from '../money/money.ts';
import type { InvestmentTransaction } from '../schema/registry.ts';
import { holdingsAt } from './holdings.ts';
import { checkDate } from './prepare.ts';
import type { FxSeries, InvestAccount, InvestAsset, PriceSeries } from './types.ts';

/**
 * What each account's investments add to net worth on a date (the dashboard's net worth and the server's daily
 * snapshot, which must agree): the cash the investment transactions moved up to the date — buys out, sales and
 * dividends in, in the trade currency, as the net-worth report counts it (reports/net-worth.ts) — plus the
 * holdings at market value, from the investment engine's own holdings (`holdingsAt`: average cost, splits,
 * transfers, oversold sales taken as what was held).
 *
 * Rates are the ledger's (`FxRates`: the latest on or before the date, either direction of a pair), so the
 * investments convert exactly as the account balances beside them do: the cash per (account, currency), half-even;
 * each holding's value half-even into its price currency's minor units, then into the base (the engine's rule).
 * Prices are each asset's last daily close on or before the date (`lastCloses`); a held asset without one is left
 * out of the value and named in `unpriced`. An account with any of its investments in a currency that has no rate
 * is not valued at all (`unconverted`), as an account whose own currency has no rate is left out of net worth.
 */

/** An asset's price on the date: its last daily close on or before it, in the asset's price currency. */
export interface LastClose {
  readonly assetId: string;
  readonly date: string;
  /** Decimal text. */
  readonly close: string;
  readonly currency: string;
}

export interface InvestmentWorthInputs {
  readonly transactions: readonly InvestmentTransaction[];
  readonly assets: readonly InvestAsset[];
  readonly accounts: readonly InvestAccount[];
  readonly lastCloses: readonly LastClose[];
  readonly rates: FxRates;
  readonly baseCurrency: string;
}

export interface AccountInvestmentWorth {
  readonly accountId: string;
  /** Base-currency minor units: the cash moved by the account's investment transactions up to the date. */
  readonly cash: number;
  /** Base-currency minor units: the market value of what the account holds on the date (priced holdings only). */
  readonly holdings: number;
  /** Symbols of assets held on the date with no close on or before it: their value is not in `holdings`. */
  readonly unpriced: readonly string[];
  /** The oldest close used, or null when nothing held was priced. */
  readonly oldestPriceDate: string | null;
}

export interface InvestmentWorth {
  readonly date: string;
  readonly currency: string;
  /** Accounts with investment transactions on or before the date, each valued. */
  readonly byAccount: ReadonlyMap<string, AccountInvestmentWorth>;
  /** Accounts with investments in a currency that has no rate into the base: not valued (left out of net worth). */
  readonly unconverted: readonly { readonly accountId: string; readonly currencies: readonly string[] }[];
}

export function investmentWorth(inputs: InvestmentWorthInputs, date: string): InvestmentWorth {
  checkDate(date, 'the valuation date');
  const base = inputs.baseCurrency;
  const day = dayNumber(date);
  const assets = new Map(inputs.assets.map((a) => [a.id, a]));
  const closes = new Map(inputs.lastCloses.filter((c) => c.date <= date).map((c) => [c.assetId, c]));
  const rateOf = new Map<string, string | null>();
  const rate = (currency: string) => {
    if (!rateOf.has(currency)) rateOf.set(currency, lookupRate(inputs.rates, currency, base)?.rate ?? null);
    return rateOf.get(currency)!;
  };

  // Per account: its transactions up to the date, the cash they moved per currency, and the currencies involved.
  const perAccount = new Map<string, { txs: InvestmentTransaction[]; cash: Map<string, number>; currencies: Set<string> }>();
  for (const t of inputs.transactions) {
    if (dayNumber(t.date) > day) continue;
    let a = perAccount.get(t.accountId);
    if (!a) {
      a = { txs: [], cash: new Map(), currencies: new Set() };
      perAccount.set(t.accountId, a);
    }
    a.txs.push(t);
    a.cash.set(t.currency, (a.cash.get(t.currency) ?? 0) + t.amount);
    a.currencies.add(t.currency);
    const priced = closes.get(t.assetId)?.currency ?? assets.get(t.assetId)?.currency;
    if (priced !== undefined) a.currencies.add(priced);
  }

  const unconverted: { accountId: string; currencies: string[] }[] = [];
  const valued: InvestmentTransaction[] = [];
  const valuedAccounts: string[] = [];
  for (const [accountId, a] of perAccount) {
    const missing = [...a.currencies].filter((c) => rate(c) === null).sort();
    if (missing.length > 0) unconverted.push({ accountId, currencies: missing });
    else {
      valued.push(...a.txs);
      valuedAccounts.push(accountId);
    }
  }

  // The engine values each holding at the date's rate; trades' costs (not used here) take the same single rate.
  const used = new Set<string>();
  for (const id of valuedAccounts) for (const c of perAccount.get(id)!.currencies) if (c !== base) used.add(c);
  const fx: FxSeries[] = [...used].sort().map((currency) => ({ currency, dates: ['0001-01-01'], rates: [rate(currency)!] }));
  const prices: PriceSeries[] = [...closes.values()].map((c) => ({ assetId: c.assetId, currency: c.currency, dates: [c.date], closes: [c.close] }));
  const { holdings } = holdingsAt({ transactions: valued, assets: inputs.assets, accounts: inputs.accounts, prices, fx, baseCurrency: base }, date);

  const byAccount = new Map<string, AccountInvestmentWorth>();
  for (const accountId of valuedAccounts) {
    let cash = 0;
    for (const [currency, amount] of perAccount.get(accountId)!.cash) cash += currency === base ? amount : convertMinor(amount, currency, base, rate(currency)!);
    let value = 0;
    const unpriced: string[] = [];
    let oldest: string | null = null;
    for (const h of holdings) {
      if (h.accountId !== accountId) continue;
      if (h.marketValue === null) unpriced.push(assets.get(h.assetId)?.symbol ?? h.assetId);
      else {
        value += h.marketValue;
        if (h.priceDate !== null && (oldest === null || h.priceDate < oldest)) oldest = h.priceDate;
      }
    }
    byAccount.set(accountId, { accountId, cash, holdings: value, unpriced: unpriced.sort(), oldestPriceDate: oldest });
  }
  return { date, currency: base, byAccount, unconverted: unconverted.sort((a, b) => (a.accountId < b.accountId ? -1 : 1)) };
}

