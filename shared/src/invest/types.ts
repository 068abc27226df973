import type { AccountType, Asset, InvestmentTransaction } from '../schema/registry.ts';

/**
 * The investment engine's contract (issue 21): pure data in and out, structured-clonable (it crosses the compute
 * worker's boundary). Money is integer minor units; quantities, prices and rates are decimal text, computed
 * exactly (decimal.js or scaled integers), never as floats. Dates are calendar dates 'YYYY-MM-DD'.
 *
 * Conventions of `investment_transactions` (shared/src/demo/household.ts): `amount` is the cash effect on the
 * account in the trade currency with the fee included — buy negative, sell and dividend positive, split zero;
 * `fee` is the fee alone (≥ 0); `quantity` is the units bought, sold or transferred (for a split, the units
 * added); `splitRatio` is new units per old unit ("4" for 4-for-1, "0.1" for a 1-for-10 consolidation).
 */

/** Daily closes of one asset, ascending dates, in the asset's currency. */
export interface PriceSeries {
  readonly assetId: string;
  readonly currency: string;
  readonly dates: readonly string[];
  /** Decimal text, same order as `dates`. */
  readonly closes: readonly string[];
}

/** Rates into the base currency: one unit of `currency` in the base currency, latest on or before a date. */
export interface FxSeries {
  readonly currency: string;
  readonly dates: readonly string[];
  readonly rates: readonly string[];
}

export type InvestAccount = { readonly id: string; readonly type: AccountType; readonly currency: string };
export type InvestAsset = Pick<Asset, 'id' | 'symbol' | 'kind' | 'currency'>;

/** Tax-free wrappers: no capital gains tax (issue 21, bullet 3). */
export const TAX_FREE_ACCOUNT_TYPES: ReadonlySet<AccountType> = new Set(['cash_isa', 'stocks_shares_isa', 'lifetime_isa', 'sipp', 'workplace_pension']);

export interface InvestInputs {
  readonly transactions: readonly InvestmentTransaction[];
  readonly assets: readonly InvestAsset[];
  readonly accounts: readonly InvestAccount[];
  readonly prices: readonly PriceSeries[];
  readonly fx: readonly FxSeries[];
  readonly baseCurrency: string;
  /** A price older than this many days before the valuation date is marked stale (default 5). */
  readonly staleAfterDays?: number;
}

/** A problem in the data, reported rather than guessed around (e.g. selling more than is held). */
export interface InvestDataProblem {
  readonly transactionId: string | null;
  readonly kind: 'oversold' | 'no-price' | 'no-rate' | 'bad-split' | 'transfer-out-exceeds';
  readonly message: string;
}

export interface Holding {
  readonly accountId: string;
  readonly assetId: string;
  /** Units held, decimal text. */
  readonly quantity: string;
  /** Cost basis per unit in the base currency, decimal text (cost basis ÷ quantity). */
  readonly averageCost: string;
  /** Base currency minor units. */
  readonly costBasis: number;
  /** Null without a price on or before the date. */
  readonly marketValue: number | null;
  readonly price: string | null;
  readonly priceDate: string | null;
  /** The price is older than staleAfterDays. */
  readonly stale: boolean;
  readonly unrealisedGain: number | null;
  readonly realisedGain: number;
  /** Dividends received, base currency minor units. */
  readonly income: number;
  /** Fees paid (buys, sells and standalone fees), base currency minor units. */
  readonly fees: number;
}

export interface HoldingsResult {
  readonly date: string;
  readonly holdings: readonly Holding[];
  readonly problems: readonly InvestDataProblem[];
}

export type ReturnScope =
  | { readonly kind: 'portfolio' }
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'account-type'; readonly types: readonly AccountType[] }
  | { readonly kind: 'holding'; readonly accountId: string; readonly assetId: string };

export interface DateRange {
  readonly from: string;
  readonly to: string;
}

export interface ReturnFigures {
  readonly range: DateRange;
  /** Market value at the start (before that day's flows) and at the end, base currency minor units. */
  readonly startValue: number;
  readonly endValue: number;
  /**
   * Money put in minus money taken out over the range, dividends excluded (they are `income`): buys and standalone
   * fees in, sales out, transfers in and out at that day's market value (returns.ts). So the gain over the range is
   * endValue − startValue − netFlows + income.
   */
  readonly netFlows: number;
  /** Dividends received over the range (cash, base currency minor units). */
  readonly income: number;
  /** Days in the range, `from` and `to` included. Figures are annualised only from 365 days (see returns.ts). */
  readonly days: number;
  /** Time-weighted return, daily-linked, flows at the start of the day; fractions (0.05 = 5 %). Null when undefined. */
  readonly twrr: { readonly cumulative: number; readonly annualised: number } | null;
  /** Money-weighted return (XIRR). Null when no rate exists. */
  readonly mwrr: { readonly cumulative: number; readonly annualised: number } | null;
}

/** A daily series of market value, base currency minor units. */
export interface ValueSeries {
  readonly from: string;
  /** One value per day from `from`. */
  readonly values: readonly number[];
}

/** `portfolioReport`: everything the portfolio screens need, computed in one pass over the holdings. */
export interface PortfolioReport {
  /** Holdings at the range's end. */
  readonly holdings: HoldingsResult;
  /** The whole portfolio's value at the end of each day of the range. */
  readonly series: ValueSeries;
  readonly returns: ReturnFigures;
  readonly byAccount: readonly { readonly accountId: string; readonly returns: ReturnFigures }[];
  readonly byAccountType: readonly { readonly type: AccountType; readonly returns: ReturnFigures }[];
  readonly byHolding: readonly { readonly accountId: string; readonly assetId: string; readonly returns: ReturnFigures }[];
}

export type MatchRule = 'same-day' | 'bed-and-breakfast' | 'section-104';

export interface Disposal {
  readonly assetId: string;
  readonly accountId: string;
  readonly date: string;
  /** Units disposed, decimal text. */
  readonly quantity: string;
  /** Pence (GBP minor units): gross proceeds; the sale's fee is counted in `allowableCost` with the matched cost. */
  readonly proceeds: number;
  readonly allowableCost: number;
  readonly gain: number;
  readonly matches: readonly { readonly rule: MatchRule; readonly quantity: string; readonly cost: number }[];
  /** Held under a year (short) or longer (long), for users outside the UK: by acquisition date, matched units. */
  readonly term: 'short' | 'long' | 'mixed';
}

export interface TaxYearGains {
  /** e.g. '2023-24' (6 April 2023 – 5 April 2024). */
  readonly taxYear: string;
  readonly proceeds: number;
  readonly allowableCost: number;
  readonly gains: number;
  /** Positive number of pence. */
  readonly losses: number;
  readonly net: number;
}

export interface CapitalGainsOptions {
  /** Rates into GBP for trades in other currencies, at the trade date. */
  readonly fx?: readonly FxSeries[];
  /** Accounts by id: those of a tax-free type are excluded and listed in `excludedAccounts`. */
  readonly accounts?: readonly InvestAccount[];
}

export interface CapitalGainsResult {
  readonly disposals: readonly Disposal[];
  readonly taxYears: readonly TaxYearGains[];
  readonly excludedAccounts: readonly string[];
  readonly shortTerm: { readonly gains: number; readonly losses: number };
  readonly longTerm: { readonly gains: number; readonly losses: number };
  readonly problems: readonly InvestDataProblem[];
}
