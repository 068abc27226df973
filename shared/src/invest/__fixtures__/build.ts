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

/** GIA trades in ABC worked by hand in holdings.test.ts (and reused by worth.test.ts): 9 units left at cost £990. */
export function averageCostTrades(): InvestmentTransaction[] {
  return [
    // 10 @ £100 + £5 fee: cost 100 000, fee 500.
    tx('buy', '2024-01-10', '10', -100_500, { unitPrice: '100', fee: 500 }),
    // 5 @ £130 + £5: cost 165 000 for 15 units (average £110), fees 1 000.
    tx('buy', '2024-02-10', '5', -65_500, { unitPrice: '130', fee: 500 }),
    // 6 @ £120 − £5: gross 72 000; cost of 6 = 165 000 × 6/15 = 66 000; realised 6 000; 9 left at cost 99 000.
    tx('sell', '2024-03-01', '6', 71_500, { unitPrice: '120', fee: 500 }),
    // 9 × 50p.
    tx('dividend', '2024-03-15', '9', 450, { unitPrice: '0.5' }),
    // A platform fee of £2.50.
    tx('fee', '2024-04-01', '0', -250, { fee: 250 }),
  ];
}
