import { LIABILITY_TYPES } from '../../schema/registry.ts';
import type { AccountOpening, AccountBalance, CategoryTotal, DayRange, MonthSummary, NetWorth, NetWorthAccount } from '../aggregates.ts';
import type { SnapshotDoc } from '../snapshot.ts';

/**
 * The reference the snapshot is tested against: the same aggregates computed the slow, obvious way from a
 * plain list of documents — string date comparison, objects, no dictionaries, no typed arrays.
 */

interface Line {
  date: string;
  amount: number;
  currency: string;
  accountId: string;
  categoryId: string | null;
  transfer: boolean;
}

function lines(docs: readonly SnapshotDoc[]): Line[] {
  return docs.flatMap((d) => {
    const base = { date: d.date, currency: d.currency, accountId: d.accountId, transfer: d.transferId !== null };
    return d.splits.length === 0 ? [{ ...base, amount: d.amount, categoryId: d.categoryId }] : d.splits.map((s) => ({ ...base, amount: s.amount, categoryId: s.categoryId }));
  });
}

function totals(ls: Line[]): CategoryTotal[] {
  const map = new Map<string, CategoryTotal>();
  for (const l of ls) {
    const key = `${l.currency}|${l.categoryId ?? ''}`;
    const t = map.get(key) ?? { categoryId: l.categoryId, currency: l.currency, total: 0, count: 0 };
    map.set(key, { ...t, total: t.total + l.amount, count: t.count + 1 });
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

export function naiveCategoryTotals(docs: readonly SnapshotDoc[], range: DayRange = {}): CategoryTotal[] {
  return totals(lines(docs).filter((l) => !l.transfer && (range.from === undefined || l.date >= range.from) && (range.to === undefined || l.date <= range.to)));
}

export function naiveMonthSummary(docs: readonly SnapshotDoc[], month: string): MonthSummary {
  const inMonth = lines(docs).filter((l) => !l.transfer && l.date.startsWith(`${month}-`));
  const currencies = [...new Set(inMonth.map((l) => l.currency))].sort();
  return {
    month,
    currencies: currencies.map((currency) => {
      const mine = inMonth.filter((l) => l.currency === currency);
      return {
        currency,
        income: mine.filter((l) => l.amount > 0).reduce((a, l) => a + l.amount, 0),
        expense: mine.filter((l) => l.amount < 0).reduce((a, l) => a + l.amount, 0),
        byCategory: totals(mine),
      };
    }),
  };
}

export function naiveAccountBalances(docs: readonly SnapshotDoc[], openings: readonly AccountOpening[], asOf?: string): AccountBalance[] {
  const map = new Map<string, AccountBalance>();
  for (const o of openings) map.set(`${o.id}|${o.currency}`, { accountId: o.id, currency: o.currency, balance: o.openingBalance });
  for (const l of lines(docs)) {
    if (asOf !== undefined && l.date > asOf) continue;
    const key = `${l.accountId}|${l.currency}`;
    const b = map.get(key) ?? { accountId: l.accountId, currency: l.currency, balance: 0 };
    map.set(key, { ...b, balance: b.balance + l.amount });
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
}

export function naiveNetWorth(docs: readonly SnapshotDoc[], accounts: readonly NetWorthAccount[], asOf?: string): NetWorth {
  const balances = naiveAccountBalances(docs, accounts, asOf);
  const byType: NetWorth['byType'][number][] = [];
  const byCurrency: NetWorth['byCurrency'][number][] = [];
  for (const currency of [...new Set(balances.map((b) => b.currency))].sort()) {
    let assets = 0;
    let liabilities = 0;
    let seen = false;
    const types = [...new Set(accounts.map((a) => a.type))].sort();
    for (const type of types) {
      const ids = new Set(accounts.filter((a) => a.type === type).map((a) => a.id));
      const mine = balances.filter((b) => b.currency === currency && ids.has(b.accountId));
      if (mine.length === 0) continue;
      seen = true;
      const total = mine.reduce((a, b) => a + b.balance, 0);
      byType.push({ type, currency, total });
      if (LIABILITY_TYPES.has(type)) liabilities += total;
      else assets += total;
    }
    if (seen) byCurrency.push({ currency, assets, liabilities, net: assets + liabilities });
  }
  return { byType, byCurrency };
}
