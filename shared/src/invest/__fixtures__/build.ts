import type { AccountType, InvestmentTransaction } from '../../schema/registry.ts';
import type { FxSeries, InvestAccount, InvestAsset, InvestInputs, PriceSeries } from '../types.ts';

/** Small builders for the engine's hand-worked tests. */

let next = 0;

export function tx(
  kind: InvestmentTransaction['kind'], date: string, quantity: string, amount: number,
  extra: Partial<Pick<InvestmentTransaction, 'unitPrice' | 'fee' | 'currency' | 'splitRatio' | 'accountId' | 'assetId' | 'id'>> = {},
): InvestmentTransaction {
  next += 1;
  return {
    id: extra.id ?? `tx-${String(next).padStart(5, '0')}`, hlc: '1700000000000:0000:test', accountId: extra.accountId ?? 'gia', assetId: extra.assetId ?? 'abc',
    kind, date, quantity, unitPrice: extra.unitPrice ?? null, amount, fee: extra.fee ?? 0, currency: extra.currency ?? 'GBP',
    splitRatio: extra.splitRatio ?? null, notes: null,
  };
}

export const ACCOUNTS: InvestAccount[] = [
  { id: 'gia', type: 'investment_gia', currency: 'GBP' },
  { id: 'isa', type: 'stocks_shares_isa', currency: 'GBP' },
  { id: 'sipp', type: 'sipp', currency: 'GBP' },
];

export function account(id: string, type: AccountType): InvestAccount {
  return { id, type, currency: 'GBP' };
}

export const ASSETS: InvestAsset[] = [
  { id: 'abc', symbol: 'ABC.L', kind: 'stock', currency: 'GBP' },
  { id: 'xyz', symbol: 'XYZ.L', kind: 'etf', currency: 'GBP' },
  { id: 'usd', symbol: 'USDCO', kind: 'stock', currency: 'USD' },
];

export function prices(assetId: string, currency: string, rows: Record<string, string>): PriceSeries {
  const dates = Object.keys(rows).sort();
  return { assetId, currency, dates, closes: dates.map((d) => rows[d]!) };
}

export function fx(currency: string, rows: Record<string, string>): FxSeries {
  const dates = Object.keys(rows).sort();
  return { currency, dates, rates: dates.map((d) => rows[d]!) };
}

export function inputs(parts: Partial<InvestInputs> & Pick<InvestInputs, 'transactions'>): InvestInputs {
  return { assets: ASSETS, accounts: ACCOUNTS, prices: [], fx: [], baseCurrency: 'GBP', ...parts };
}
