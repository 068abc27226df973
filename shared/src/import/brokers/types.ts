import type { InvestmentTransaction } from '../../schema/registry.ts';

/** Every broker export `detectAndParse` recognises. */
export const BROKER_FORMATS = ['trading212', 'freetrade', 'investengine', 'vanguard_uk', 'hargreaves_lansdown', 'ibkr'] as const;
export type BrokerFormat = (typeof BROKER_FORMATS)[number];

/** How a trade names its asset: what the import matches an `assets` document by (ISIN first, then symbol, then name). */
export interface TradeAsset {
  /** Ticker as the broker writes it, upper case; null when the export has none (Vanguard UK, HL). */
  readonly symbol: string | null;
  readonly isin: string | null;
  readonly name: string;
  /** The currency the asset is quoted in, as far as the export says (else the cash currency). */
  readonly currency: string;
}

/**
 * One broker statement row as an investment transaction draft, in the shape of `investment_transactions`
 * (conventions in shared/src/invest/types.ts): `amount` is the cash effect in `currency` with the fee included
 * (buy negative; sell and dividend positive), `fee` ≥ 0, quantity and price decimal text as the file writes
 * them (thousands separators and a sign removed). The asset is named, not yet resolved to an id.
 */
export interface ParsedTrade {
  /** 1-based line of the file the row starts on. */
  readonly line: number;
  readonly kind: InvestmentTransaction['kind'];
  readonly date: string;
  readonly quantity: string;
  readonly unitPrice: string | null;
  readonly amount: number;
  readonly fee: number;
  readonly currency: string;
  readonly splitRatio: string | null;
  /** What the file says beyond the fields (withholding tax, the price in another currency...), kept in `notes`. */
  readonly notes: string | null;
  readonly asset: TradeAsset;
  /** The broker's own id for the row, when it has one. */
  readonly reference: string | null;
}

/** A row that is not an investment transaction (a deposit, cash interest, a currency exchange): shown, not imported. */
export interface SkippedRow {
  readonly line: number;
  readonly reason: string;
}
