import { lookupRate } from '@mymidas/shared/ledger/fx';
import type { FxRates } from '@mymidas/shared/ledger/fx';
import type { Conversion } from '@mymidas/shared/ledger/balances';
import { withInvestments } from '@mymidas/shared/invest/with-investments';
import type { AccountInvestmentWorth, InvestmentWorth } from '@mymidas/shared/invest/worth';
import { convertMinor, minor } from '@mymidas/shared/money';
import { LIABILITY_TYPES } from '@mymidas/shared/schema';
import type { Account, Category } from '@mymidas/shared/schema';
import type { Overview } from '../../compute/snapshot/snapshot-engine.ts';

/**
 * The dashboard's arithmetic on what the worker answered: a few dozen accounts and categories, never
 * the transactions. Conversion to the base currency uses the ledger's rate lookup and the money
 * module's half-even conversion, exactly as shared/src/ledger/balances.ts does.
 */

export interface AccountRow {
  readonly id: string;
  readonly name: string;
  readonly type: Account['type'];
  readonly currency: string;
  readonly closed: boolean;
  readonly liability: boolean;
  /** Balance in the account's own currency, minor units. */
  readonly balance: number;
  readonly inBase: Conversion;
  /** What the account's investments add (base currency), when it has any. */
  readonly investments: AccountInvestmentWorth | null;
  /** Currencies of the account's investments without a rate to the base: the account is then left out. */
  readonly investmentsUnconverted: readonly string[];
  /** The account's value in the base currency: `inBase` plus its investments; unconverted when either has no rate. */
  readonly worth: Conversion;
  /** Transactions recorded in another currency than the account's (shown as a warning). */
  readonly otherCurrencies: readonly { readonly currency: string; readonly balance: number }[];
}

export interface NetWorthFigures {
  readonly currency: string;
  readonly assets: number;
  /** What is owed, as a positive number. */
  readonly liabilities: number;
  /** assets − liabilities. */
  readonly net: number;
  /** Accounts left out for want of an FX rate (`currency`: the one(s) without a rate): the figure is incomplete while this is non-empty. */
  readonly unconverted: readonly { readonly id: string; readonly name: string; readonly currency: string }[];
  /** The holdings' market value within `assets`, and what is missing from it; null when nothing is invested. */
  readonly investments: {
    readonly holdings: number;
    /** Symbols held with no price on or before today: left out of the value. */
    readonly unpriced: readonly string[];
    readonly oldestPriceDate: string | null;
  } | null;
}

export interface CategoryRow {
  readonly categoryId: string | null;
  readonly name: string;
  /** Net total of the month in this category (income positive, spending negative). */
  readonly total: number;
  readonly count: number;
}

export interface MonthFigures {
  readonly month: string;
  readonly currency: string;
  readonly income: number;
  /** A negative number. */
  readonly expense: number;
  readonly spending: readonly CategoryRow[];
  readonly earning: readonly CategoryRow[];
  /** The same month in other currencies (never added to the base figures). */
  readonly otherCurrencies: readonly { readonly currency: string; readonly income: number; readonly expense: number }[];
}

/**
 * Each account's balance (from the worker's overview) in its own currency and in the base currency, and — given
 * the investments' valuation (`@mymidas/shared/invest/worth`) — its worth with its investments added.
 */
export function accountRows(accounts: readonly Account[], overview: Pick<Overview, 'balances'>, baseCurrency: string, rates: FxRates, investments: InvestmentWorth | null = null): AccountRow[] {
  return accounts.map((a) => {
    const own = overview.balances.filter((b) => b.accountId === a.id);
    const balance = own.find((b) => b.currency === a.currency)?.balance ?? a.openingBalance;
    let inBase: Conversion;
    if (a.currency === baseCurrency) inBase = { status: 'base', amount: minor(balance) };
    else {
      const rate = lookupRate(rates, a.currency, baseCurrency);
      inBase = rate
        ? { status: 'converted', amount: convertMinor(balance, a.currency, baseCurrency, rate.rate), rate: rate.rate, rateDate: rate.date }
        : { status: 'unconverted' };
    }
    return {
      id: a.id, name: a.name, type: a.type, currency: a.currency, closed: a.closed, liability: LIABILITY_TYPES.has(a.type), balance, inBase,
      investments: investments?.byAccount.get(a.id) ?? null, worth: withInvestments(inBase, a.id, investments),
      investmentsUnconverted: investments?.unconverted.find((u) => u.accountId === a.id)?.currencies ?? [],
      otherCurrencies: own.filter((b) => b.currency !== a.currency && b.balance !== 0).map((b) => ({ currency: b.currency, balance: b.balance })),
    };
  });
}

/** Net worth = assets − liabilities over the accounts that could be valued in the base currency, investments included. */
export function netWorthOf(rows: readonly AccountRow[], baseCurrency: string): NetWorthFigures {
  let assets = 0;
  let liabilities = 0;
  const unconverted: { id: string; name: string; currency: string }[] = [];
  let invested: { holdings: number; unpriced: string[]; oldestPriceDate: string | null } | null = null;
  for (const r of rows) {
    if (r.worth.status === 'unconverted') {
      // The currency without a rate: the account's own, or its investments' when only those have none.
      unconverted.push({ id: r.id, name: r.name, currency: r.inBase.status === 'unconverted' ? r.currency : r.investmentsUnconverted.join(', ') });
      continue;
    }
    if (r.liability) liabilities -= r.worth.amount;
    else assets += r.worth.amount;
    const i = r.investments;
    if (i) {
      invested ??= { holdings: 0, unpriced: [], oldestPriceDate: null };
      invested.holdings += i.holdings;
      invested.unpriced.push(...i.unpriced);
      if (i.oldestPriceDate !== null && (invested.oldestPriceDate === null || i.oldestPriceDate < invested.oldestPriceDate)) invested.oldestPriceDate = i.oldestPriceDate;
    }
  }
  if (invested) invested.unpriced = [...new Set(invested.unpriced)].sort();
  return { currency: baseCurrency, assets, liabilities, net: assets - liabilities, unconverted, investments: invested };
}

/** Category name with its parent ("Food › Groceries"); "Uncategorised" for none; the id when unknown. */
export function categoryName(categories: ReadonlyMap<string, Category>, id: string | null): string {
  if (id === null) return 'Uncategorised';
  const c = categories.get(id);
  if (!c) return 'Unknown category';
  const parent = c.parentId ? categories.get(c.parentId) : undefined;
  return parent ? `${parent.name} › ${c.name}` : c.name;
}

/** The month in the base currency (or, when nothing is in it, the busiest currency), split into spending and earning. */
export function monthFigures(month: Overview['month'], baseCurrency: string, categories: ReadonlyMap<string, Category>): MonthFigures {
  const main = month.currencies.find((c) => c.currency === baseCurrency)
    ?? [...month.currencies].sort((a, b) => b.byCategory.length - a.byCategory.length)[0];
  const rows = (main?.byCategory ?? []).map((t): CategoryRow => ({ categoryId: t.categoryId, name: categoryName(categories, t.categoryId), total: t.total, count: t.count }));
  return {
    month: month.month,
    currency: main?.currency ?? baseCurrency,
    income: main?.income ?? 0,
    expense: main?.expense ?? 0,
    spending: rows.filter((r) => r.total < 0).sort((a, b) => a.total - b.total || a.name.localeCompare(b.name)),
    earning: rows.filter((r) => r.total > 0).sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)),
    otherCurrencies: month.currencies.filter((c) => c !== main).map((c) => ({ currency: c.currency, income: c.income, expense: c.expense })),
  };
}

/** The FX series that can value `currencies` in the base currency, both directions ("USD/GBP", "GBP/USD"). */
export function fxSeriesFor(currencies: Iterable<string>, baseCurrency: string): string[] {
  const out = new Set<string>();
  for (const c of currencies) {
    if (c === baseCurrency) continue;
    out.add(`${c}/${baseCurrency}`);
    out.add(`${baseCurrency}/${c}`);
  }
  return [...out].sort();
}

