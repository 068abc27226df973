import { convertMinor } from '../../money/money.ts';
import { addDays, weekday } from '../../date/date.ts';
import type { Budget } from '../../schema/registry.ts';
import type { SnapshotDoc } from '../../snapshot/snapshot.ts';
import type { BudgetInputs, Period } from '../types.ts';

/**
 * The budget rules written the slow, obvious way over the transaction documents themselves (not the snapshot):
 * the reference the engine's property test compares against. Periods are found by walking day by day to the
 * nearest day that starts one.
 */

export type LedgerDoc = SnapshotDoc & { readonly _deleted?: boolean };

function startsPeriod(b: Budget, monthStartDay: number, date: string): boolean {
  const month = Number(date.slice(5, 7));
  const dom = Number(date.slice(8, 10));
  switch (b.period) {
    case 'weekly': return weekday(date) === b.weekStart;
    case 'monthly': return dom === monthStartDay;
    case 'quarterly': return dom === monthStartDay && (month - 1) % 3 === 0;
    case 'yearly': return dom === monthStartDay && month === 1;
  }
}

export function naivePeriod(b: Budget, monthStartDay: number, date: string): Period {
  let start = date;
  while (!startsPeriod(b, monthStartDay, start)) start = addDays(start, -1);
  let end = addDays(date, 1);
  while (!startsPeriod(b, monthStartDay, end)) end = addDays(end, 1);
  return { start, end: addDays(end, -1) };
}

export function naiveCovered(inputs: BudgetInputs, categoryId: string): Set<string> {
  const covered = new Set([categoryId]);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of inputs.categories) {
      if (c.parentId !== null && covered.has(c.parentId) && !covered.has(c.id)) {
        covered.add(c.id);
        grew = true;
      }
    }
  }
  return covered;
}

function rateOn(inputs: BudgetInputs, currency: string, date: string): string | null {
  const series = inputs.fx.find((f) => f.currency === currency);
  let rate: string | null = null;
  series?.dates.forEach((d, i) => {
    if (d <= date) rate = series.rates[i]!;
  });
  return rate;
}

/** −(sum of the lines) of covered categories in [from, to], summed per (category, currency, day) then converted. */
export function naiveSpent(docs: readonly LedgerDoc[], inputs: BudgetInputs, covered: ReadonlySet<string>, period: Period, pendingOnly = false): { spent: number; missing: Set<string> } {
  const groups = new Map<string, { currency: string; date: string; sum: number }>();
  for (const doc of docs) {
    if (doc._deleted === true || doc.transferId !== null) continue;
    if (doc.date < period.start || doc.date > period.end) continue;
    if (pendingOnly && doc.status !== 'pending') continue;
    const lines = doc.splits.length > 0 ? doc.splits : [{ categoryId: doc.categoryId, amount: doc.amount }];
    for (const line of lines) {
      if (line.categoryId === null || !covered.has(line.categoryId)) continue;
      const key = `${line.categoryId}|${doc.currency}|${doc.date}`;
      const g = groups.get(key) ?? { currency: doc.currency, date: doc.date, sum: 0 };
      g.sum += line.amount;
      groups.set(key, g);
    }
  }
  let total = 0;
  const missing = new Set<string>();
  for (const g of groups.values()) {
    if (g.currency === inputs.baseCurrency) total += g.sum;
    else if (g.sum !== 0) {
      const rate = rateOn(inputs, g.currency, g.date);
      if (rate === null) missing.add(g.currency);
      else total += convertMinor(g.sum, g.currency, inputs.baseCurrency, rate);
    }
  }
  return { spent: -total + 0, missing };
}

export interface NaiveFigures {
  readonly period: Period;
  readonly amount: number;
  readonly carried: number;
  readonly spent: number;
  readonly pending: number;
  readonly available: number;
  /** Currencies of this period's rows left out for want of a rate. */
  readonly missing: ReadonlySet<string>;
}

/** Every period of a budget from its first (containing startDate) to the one containing `until`, chained. */
export function naiveChain(docs: readonly LedgerDoc[], inputs: BudgetInputs, b: Budget, until: string): NaiveFigures[] {
  const covered = naiveCovered(inputs, b.categoryId);
  const last = b.endDate !== null && b.endDate < until ? naivePeriod(b, inputs.monthStartDay, b.endDate) : naivePeriod(b, inputs.monthStartDay, until);
  const figures: NaiveFigures[] = [];
  let carried = 0;
  for (let p = naivePeriod(b, inputs.monthStartDay, b.startDate); p.start <= last.start; p = naivePeriod(b, inputs.monthStartDay, addDays(p.end, 1))) {
    const inForce = b.amounts.filter((a) => a.from <= p.start);
    const amount = (inForce.length > 0 ? inForce[inForce.length - 1]! : b.amounts[0]!).amount;
    const spent = naiveSpent(docs, inputs, covered, p);
    const pending = naiveSpent(docs, inputs, covered, p, true);
    const available = amount + carried - spent.spent;
    figures.push({ period: p, amount, carried, spent: spent.spent, pending: pending.spent, available, missing: spent.missing });
    carried = b.rollover === 'none' ? 0 : b.rollover === 'unspent' ? Math.max(0, available) : available;
  }
  return figures;
}

/** Spending (positive) per date of the covered categories in [from, to]: each (category, currency, day) summed, then converted. */
export function naiveDailySpending(docs: readonly LedgerDoc[], inputs: BudgetInputs, covered: ReadonlySet<string>, from: string, to: string): Map<string, number> {
  const groups = new Map<string, { currency: string; date: string; sum: number }>();
  for (const doc of docs) {
    if (doc._deleted === true || doc.transferId !== null || doc.date < from || doc.date > to) continue;
    const lines = doc.splits.length > 0 ? doc.splits : [{ categoryId: doc.categoryId, amount: doc.amount }];
    for (const line of lines) {
      if (line.categoryId === null || !covered.has(line.categoryId)) continue;
      const key = `${line.categoryId}|${doc.currency}|${doc.date}`;
      const g = groups.get(key) ?? { currency: doc.currency, date: doc.date, sum: 0 };
      g.sum += line.amount;
      groups.set(key, g);
    }
  }
  const byDate = new Map<string, number>();
  for (const g of groups.values()) {
    let value: number | null = g.sum;
    if (g.currency !== inputs.baseCurrency && g.sum !== 0) {
      const rate = rateOn(inputs, g.currency, g.date);
      value = rate === null ? null : convertMinor(g.sum, g.currency, inputs.baseCurrency, rate);
    }
    if (value !== null) byDate.set(g.date, (byDate.get(g.date) ?? 0) - value);
  }
  return byDate;
}
