import type { AccountBalance, CategoryTotal, MonthSummary, NetWorth, NetWorthAccount } from './aggregates.ts';
import type { Checkpoint } from './snapshot.ts';

/** What the compute worker's snapshot handlers answer (client/src/workers): plain, structured-clonable data. */

export type SnapshotState =
  | { readonly state: 'ready'; readonly transactions: number; readonly checkpoint: Checkpoint; readonly loadMs: number }
  | { readonly state: 'rebuild-needed'; readonly reason: 'empty' | 'corrupt' | 'schema-version' | 'out-of-step'; readonly detail: string };

export interface DashboardRequest {
  /** The month for income/expense, 'YYYY-MM'. */
  readonly month: string;
  /** Accounts with type, currency and opening balance (from the replica's small accounts collection). */
  readonly accounts: readonly NetWorthAccount[];
  /** Balances and net worth as of this date (inclusive); every row when absent. */
  readonly asOf?: string;
}

export interface Dashboard {
  readonly netWorth: NetWorth;
  readonly month: MonthSummary;
  readonly balances: readonly AccountBalance[];
  readonly checkpoint: Checkpoint;
  /** Time spent computing in the worker. */
  readonly computedInMs: number;
}

export interface TimedTotals {
  readonly totals: readonly CategoryTotal[];
  readonly computedInMs: number;
}
