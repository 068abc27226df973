import type { AccountType } from '../../schema/registry.ts';
import type { NetWorthAccount } from '../aggregates.ts';
import type { SnapshotDoc } from '../snapshot.ts';

/**
 * A small deterministic ledger for the snapshot's tests, browser test and benchmark (the shared demo
 * household generator is not there yet): accounts of a few types in GBP and EUR, categories, and
 * transactions spread over several years with some splits, transfers and every status.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticId(prefix: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix.toString(16).padStart(8, '0')}-0000-7000-8000-${hex}`;
}

const TYPES: AccountType[] = ['current', 'savings', 'credit_card', 'cash_isa', 'mortgage', 'cash'];
const STATUSES = ['pending', 'uncleared', 'cleared', 'reconciled'] as const;

export function syntheticAccounts(count = 6): NetWorthAccount[] {
  return Array.from({ length: count }, (_, i) => ({
    id: syntheticId(0xacc0, i + 1),
    type: TYPES[i % TYPES.length]!,
    currency: i % 5 === 4 ? 'EUR' : 'GBP',
    openingBalance: (i + 1) * 10_000 * (TYPES[i % TYPES.length] === 'mortgage' ? -20 : 1),
  }));
}

export function syntheticCategories(count = 24): string[] {
  return Array.from({ length: count }, (_, i) => syntheticId(0xca7, i + 1));
}

export interface SyntheticLedger {
  readonly accounts: NetWorthAccount[];
  readonly categories: string[];
  readonly transactions: SnapshotDoc[];
}

/** `count` transactions dated from 2022-01-01 over `years` years, same seed → same ledger. */
export function syntheticLedger(count: number, seed = 1, years = 4): SyntheticLedger {
  const rnd = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const accounts = syntheticAccounts();
  const categories = syntheticCategories();
  const start = Date.UTC(2022, 0, 1);
  const span = years * 365;
  const transactions: SnapshotDoc[] = [];
  for (let i = 0; i < count; i++) {
    const account = pick(accounts);
    const date = new Date(start + Math.floor(rnd() * span) * 86_400_000).toISOString().slice(0, 10);
    const income = rnd() < 0.15;
    const amount = income ? 1 + Math.floor(rnd() * 400_000) : -(1 + Math.floor(rnd() * 25_000));
    const transfer = rnd() < 0.05;
    let splits: SnapshotDoc['splits'] = [];
    if (!transfer && rnd() < 0.05) {
      const first = Math.trunc(amount / 3);
      splits = [{ categoryId: pick(categories), amount: first }, { categoryId: pick(categories), amount: amount - first }];
    }
    transactions.push({
      id: syntheticId(0x7a0, i + 1),
      date,
      amount,
      currency: account.currency,
      accountId: account.id,
      categoryId: transfer || rnd() < 0.03 ? null : pick(categories),
      status: pick(STATUSES),
      transferId: transfer ? syntheticId(0x7f0, i + 1) : null,
      splits,
    });
  }
  return { accounts, categories, transactions };
}
