import { ACCOUNT_TYPES, LIABILITY_TYPES } from '@mymidas/shared/schema';
import type { Account, AccountType } from '@mymidas/shared/schema';

/** Labels and groups for the fifteen account types of the data model. */
export const ACCOUNT_TYPE_LABELS: Readonly<Record<AccountType, string>> = {
  current: 'Current account',
  savings: 'Savings account',
  cash_isa: 'Cash ISA',
  stocks_shares_isa: 'Stocks & shares ISA',
  lifetime_isa: 'Lifetime ISA',
  credit_card: 'Credit card',
  investment_gia: 'General investment account',
  workplace_pension: 'Workplace pension',
  sipp: 'SIPP (self-invested pension)',
  crypto_wallet: 'Crypto wallet',
  loan: 'Loan',
  mortgage: 'Mortgage',
  cash: 'Cash',
  other_asset: 'Other asset',
  other_liability: 'Other liability',
};

export interface AccountTypeGroup {
  readonly id: string;
  readonly label: string;
  readonly types: readonly AccountType[];
}

/** Every type appears in exactly one group (checked by the unit test). */
export const ACCOUNT_TYPE_GROUPS: readonly AccountTypeGroup[] = [
  { id: 'banking', label: 'Everyday banking', types: ['current', 'cash'] },
  { id: 'savings', label: 'Savings and ISAs', types: ['savings', 'cash_isa', 'lifetime_isa'] },
  { id: 'investments', label: 'Investments and pensions', types: ['stocks_shares_isa', 'investment_gia', 'workplace_pension', 'sipp', 'crypto_wallet'] },
  { id: 'borrowing', label: 'Cards and borrowing', types: ['credit_card', 'loan', 'mortgage'] },
  { id: 'other', label: 'Other', types: ['other_asset', 'other_liability'] },
];

/** Types for which a credit limit and an APR make sense. */
export const CREDIT_TYPES: ReadonlySet<AccountType> = new Set(['credit_card', 'loan', 'mortgage']);

export function isLiability(type: AccountType): boolean {
  return LIABILITY_TYPES.has(type);
}

export function groupOfType(type: AccountType): AccountTypeGroup {
  const g = ACCOUNT_TYPE_GROUPS.find((x) => x.types.includes(type));
  if (!g) throw new Error(`account type ${type} is in no group`);
  return g;
}

/** Accounts in display order: sortOrder, then name, then id (stable whatever the insertion order). */
export function sortAccounts(accounts: readonly Account[]): Account[] {
  return [...accounts].sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface AccountGroup {
  readonly type: AccountType;
  readonly label: string;
  readonly accounts: Account[];
}

/** Groups by account type in the model's order of types; empty types are left out. */
export function groupAccountsByType(accounts: readonly Account[]): AccountGroup[] {
  const sorted = sortAccounts(accounts);
  const out: AccountGroup[] = [];
  for (const type of ACCOUNT_TYPES) {
    const list = sorted.filter((a) => a.type === type);
    if (list.length > 0) out.push({ type, label: ACCOUNT_TYPE_LABELS[type], accounts: list });
  }
  return out;
}

/**
 * Moves one account up or down among `ordered` (the list as shown) and returns the accounts whose
 * sortOrder must change so the whole list reads 0, 10, 20… in the new order. Empty when it cannot move.
 */
export function reorderAccounts(ordered: readonly Account[], id: string, direction: -1 | 1): { id: string; sortOrder: number }[] {
  const index = ordered.findIndex((a) => a.id === id);
  const target = index + direction;
  if (index < 0 || target < 0 || target >= ordered.length) return [];
  const next = [...ordered];
  const [moved] = next.splice(index, 1);
  next.splice(target, 0, moved!);
  const changes: { id: string; sortOrder: number }[] = [];
  next.forEach((a, i) => {
    const sortOrder = i * 10;
    if (a.sortOrder !== sortOrder) changes.push({ id: a.id, sortOrder });
  });
  return changes;
}

/** The sortOrder for a new account: after every existing one. */
export function nextSortOrder(accounts: readonly Account[]): number {
  return accounts.reduce((max, a) => Math.max(max, a.sortOrder + 10), 0);
}
