import type { Account, Asset, Category, CollectionName, Transaction } from '@mymidas/shared/schema';

/**
 * What e2e/dashboard-harness/seed.ts puts on window.dashboardHarness: a second tab on the app's origin
 * that opens the same encrypted replica (another RxDB instance, as another tab or a sync pull would
 * write), seeds the demo household, edits transactions, works out the dashboard's figures directly
 * from the replica documents with the ledger, and tampers with the stored snapshot. JSON in, JSON out.
 */

export const DASHBOARD_HARNESS_GLOBAL = 'dashboardHarness';
export const SNAPSHOT_DATABASE = 'mymidas-snapshot';

export interface SeedOptions {
  readonly transactions: number;
  readonly referenceDate: string;
  readonly years: number;
  readonly quotes: boolean;
  readonly seed?: string;
}

export interface SeedResult {
  readonly counts: Partial<Record<CollectionName, number>>;
  readonly ms: number;
}

export type HarnessChange =
  | { readonly op: 'insert'; readonly doc: Transaction }
  | { readonly op: 'patch'; readonly id: string; readonly patch: Partial<Transaction> }
  | { readonly op: 'remove'; readonly id: string };

/** The dashboard's figures computed straight from every document in the replica. */
export interface ExpectedFigures {
  readonly baseCurrency: string;
  readonly month: string;
  readonly asOf: string;
  readonly net: number;
  readonly assets: number;
  readonly liabilities: number;
  /** Ids of accounts left out of net worth for want of an FX rate. */
  readonly unconverted: string[];
  /** The holdings' market value within `assets` (held assets without a price count nothing). */
  readonly invested: number;
  /** Account id → balance in its own currency. */
  readonly balances: Record<string, number>;
  readonly monthCurrency: string;
  readonly monthIncome: number;
  readonly monthExpense: number;
  /** Category id ('' for none) → net total of the month in the month's currency (non-zero ones). */
  readonly byCategory: Record<string, number>;
  /** The newest ten transaction ids (date, then id, descending). */
  readonly recentIds: string[];
  readonly transactions: number;
}

export interface DashboardHarness {
  /** Opens (first time: creates) the replica under `password`; a cheap KDF keeps tests quick. */
  open(password: string, cheapKdf: boolean): Promise<void>;
  seed(options: SeedOptions): Promise<SeedResult>;
  insert(collection: CollectionName, docs: unknown[]): Promise<void>;
  transactions(): Promise<Transaction[]>;
  accounts(): Promise<Account[]>;
  categories(): Promise<Category[]>;
  assets(): Promise<Asset[]>;
  apply(changes: HarnessChange[]): Promise<void>;
  expected(month: string, asOf: string): Promise<ExpectedFigures>;
  snapshotRecordKeys(): Promise<string[]>;
  /** Flips one byte of a stored snapshot record's ciphertext, behind the app's back. */
  flipSnapshotByte(recordKey: string, offset: number): Promise<number>;
  close(): Promise<void>;
}
