import type { Budget } from '../../schema/registry.ts';
import type { SnapshotDoc } from '../../snapshot/snapshot.ts';
import type { BudgetCategory, BudgetInputs } from '../types.ts';

/** Small builders for budget engine tests: transactions, budgets and inputs with sensible defaults. */

let sequence = 0;

export interface TxOptions {
  readonly currency?: string;
  readonly status?: SnapshotDoc['status'];
  readonly transferId?: string | null;
  readonly splits?: readonly { readonly categoryId: string | null; readonly amount: number }[];
  readonly accountId?: string;
  readonly id?: string;
}

export function tx(date: string, amount: number, categoryId: string | null, o: TxOptions = {}): SnapshotDoc {
  sequence += 1;
  return {
    id: o.id ?? `tx-${sequence}`,
    date,
    amount,
    currency: o.currency ?? 'GBP',
    accountId: o.accountId ?? 'acc-main',
    categoryId,
    status: o.status ?? 'cleared',
    transferId: o.transferId ?? null,
    splits: o.splits ?? [],
  };
}

export function budget(o: Partial<Budget> & { readonly id: string; readonly categoryId: string }): Budget {
  return {
    hlc: '0000000000000:0000:test',
    period: 'monthly',
    weekStart: 1,
    startDate: '2020-01-01',
    endDate: null,
    amounts: [{ from: '2020-01-01', amount: 10_000 }],
    currency: 'GBP',
    rollover: 'none',
    alertThreshold: 80,
    alerts: [],
    ...o,
  };
}

export const CATEGORIES: readonly BudgetCategory[] = [
  { id: 'food', parentId: null, kind: 'expense' },
  { id: 'groceries', parentId: 'food', kind: 'expense' },
  { id: 'eating-out', parentId: 'food', kind: 'expense' },
  { id: 'coffee', parentId: 'eating-out', kind: 'expense' },
  { id: 'travel', parentId: null, kind: 'expense' },
  { id: 'fuel', parentId: 'travel', kind: 'expense' },
  { id: 'home', parentId: null, kind: 'expense' },
  { id: 'salary', parentId: null, kind: 'income' },
  { id: 'interest', parentId: null, kind: 'income' },
  { id: 'moves', parentId: null, kind: 'transfer' },
];

export function inputs(o: Partial<BudgetInputs> = {}): BudgetInputs {
  return {
    budgets: [],
    categories: CATEGORIES,
    baseCurrency: 'GBP',
    monthStartDay: 1,
    fx: [],
    scheduled: [],
    today: '2026-06-15',
    ...o,
  };
}
