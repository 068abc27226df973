import { convertMinor, minor } from '../money/money.ts';
import type { Minor } from '../money/money.ts';
import { LIABILITY_TYPES } from '../schema/collections.ts';
import type { Account, Transaction } from '../schema/registry.ts';
import { dateToUtc } from '../date/date.ts';
import { lookupRate } from './fx.ts';
import type { FxRates } from './fx.ts';

/*
 * Balances are signed from the user's side: money held is positive, money owed negative (a credit
 * card with £300 spent shows −30000). An account's opening balance is its balance at the start of
 * openingDate; transactions dated before it are already inside that figure and are not added again.
 */

export class BalanceError extends Error {
  override name = 'BalanceError';
}

export interface AccountBalance {
  readonly accountId: string;
  readonly currency: string;
  /** Opening balance + every transaction from openingDate to asOf. */
  readonly balance: Minor;
  /** Opening balance + cleared and reconciled transactions only. */
  readonly clearedBalance: Minor;
  readonly transactionCount: number;
  /** Transactions dated before openingDate (not counted): worth a warning in the UI. */
  readonly beforeOpening: number;
}

function checkTransaction(account: Account, t: Transaction): void {
  if (t.currency !== account.currency) {
    throw new BalanceError(`Transaction ${t.id} is in ${t.currency} but account "${account.name}" is in ${account.currency}`);
  }
  if (t.splits.length > 0 && t.splits.reduce((s, l) => s + l.amount, 0) !== t.amount) {
    throw new BalanceError(`Transaction ${t.id}: split lines do not add up to the amount`);
  }
}

function groupByAccount(transactions: Iterable<Transaction>): Map<string, Transaction[]> {
  const out = new Map<string, Transaction[]>();
  for (const t of transactions) {
    const list = out.get(t.accountId);
    if (list) list.push(t);
    else out.set(t.accountId, [t]);
  }
  return out;
}

function balanceOf(account: Account, own: readonly Transaction[], asOf: string | undefined): AccountBalance {
  let balance = account.openingBalance;
  let cleared = account.openingBalance;
  let count = 0;
  let before = 0;
  for (const t of own) {
    checkTransaction(account, t);
    if (asOf !== undefined && t.date > asOf) continue;
    if (t.date < account.openingDate) {
      before += 1;
      continue;
    }
    balance += t.amount;
    if (t.status === 'cleared' || t.status === 'reconciled') cleared += t.amount;
    count += 1;
  }
  return { accountId: account.id, currency: account.currency, balance: minor(balance), clearedBalance: minor(cleared), transactionCount: count, beforeOpening: before };
}

/** One account's balance; transactions of other accounts in the list are ignored. */
export function accountBalance(account: Account, transactions: Iterable<Transaction>, asOf?: string): AccountBalance {
  if (asOf !== undefined) dateToUtc(asOf);
  const own = [...transactions].filter((t) => t.accountId === account.id);
  return balanceOf(account, own, asOf);
}

/**
 * Totals per category, split-aware: a split transaction counts each line under its own category.
 * Key null = uncategorised. All transactions must be in `currency`.
 */
export function totalsByCategory(transactions: Iterable<Transaction>, currency: string): Map<string | null, Minor> {
  const out = new Map<string | null, number>();
  const add = (k: string | null, v: number) => out.set(k, (out.get(k) ?? 0) + v);
  for (const t of transactions) {
    if (t.currency !== currency) throw new BalanceError(`Transaction ${t.id} is in ${t.currency}, not ${currency}`);
    if (t.splits.length === 0) add(t.categoryId, t.amount);
    else {
      if (t.splits.reduce((s, l) => s + l.amount, 0) !== t.amount) throw new BalanceError(`Transaction ${t.id}: split lines do not add up to the amount`);
      for (const l of t.splits) add(l.categoryId, l.amount);
    }
  }
  return new Map([...out].map(([k, v]) => [k, minor(v)]));
}

export type Conversion =
  | { readonly status: 'base'; readonly amount: Minor }
  | { readonly status: 'converted'; readonly amount: Minor; readonly rate: string; readonly rateDate: string }
  | { readonly status: 'unconverted' };

export interface ConvertedBalance extends AccountBalance {
  readonly type: Account['type'];
  readonly closed: boolean;
  readonly inBase: Conversion;
}

export interface BalancesOptions {
  readonly baseCurrency: string;
  /** Latest rates (see latestFxRates); an account with no rate to the base is marked 'unconverted'. */
  readonly rates: FxRates;
  readonly asOf?: string;
}

/** Every account's balance, with its value in the base currency where a rate exists. */
export function accountBalances(accounts: readonly Account[], transactions: Iterable<Transaction>, options: BalancesOptions): ConvertedBalance[] {
  if (options.asOf !== undefined) dateToUtc(options.asOf);
  lookupRate(options.rates, options.baseCurrency, options.baseCurrency);
  const ids = new Set<string>();
  for (const a of accounts) {
    if (ids.has(a.id)) throw new BalanceError(`Account ${a.id} is listed twice`);
    ids.add(a.id);
  }
  const byAccount = groupByAccount(transactions);
  return accounts.map((a) => {
    const b = balanceOf(a, byAccount.get(a.id) ?? [], options.asOf);
    let inBase: Conversion;
    if (a.currency === options.baseCurrency) inBase = { status: 'base', amount: b.balance };
    else {
      const rate = lookupRate(options.rates, a.currency, options.baseCurrency);
      inBase = rate
        ? { status: 'converted', amount: convertMinor(b.balance, a.currency, options.baseCurrency, rate.rate), rate: rate.rate, rateDate: rate.date }
        : { status: 'unconverted' };
    }
    return { ...b, type: a.type, closed: a.closed, inBase };
  });
}

export interface NetWorth {
  readonly currency: string;
  readonly assets: Minor;
  /** What is owed, as a positive number. */
  readonly liabilities: Minor;
  /** assets − liabilities. */
  readonly netWorth: Minor;
  /** Accounts left out for want of a rate: the figures are incomplete while this is non-empty. */
  readonly unconverted: string[];
}

/** Net worth = assets − liabilities, over the accounts that could be valued in the base currency. */
export function netWorth(balances: readonly ConvertedBalance[], baseCurrency: string): NetWorth {
  let assets = 0;
  let liabilities = 0;
  const unconverted: string[] = [];
  for (const b of balances) {
    if (b.inBase.status === 'unconverted') {
      unconverted.push(b.accountId);
      continue;
    }
    if (LIABILITY_TYPES.has(b.type)) liabilities -= b.inBase.amount;
    else assets += b.inBase.amount;
  }
  return { currency: baseCurrency, assets: minor(assets), liabilities: minor(liabilities), netWorth: minor(assets - liabilities), unconverted };
}

export interface Reconciliation {
  /** Opening balance + cleared and reconciled transactions up to the statement date. */
  readonly clearedTotal: Minor;
  /** statement − clearedTotal; the user is done when it is zero. */
  readonly difference: Minor;
  /** Cleared transactions up to the statement date to mark reconciled — empty until the difference is zero. */
  readonly toReconcile: string[];
}

/** Compares the cleared side of an account with a bank statement's closing balance. */
export function reconcile(account: Account, transactions: Iterable<Transaction>, statementBalance: number, statementDate: string): Reconciliation {
  dateToUtc(statementDate);
  minor(statementBalance);
  let cleared = account.openingBalance;
  const candidates: string[] = [];
  for (const t of transactions) {
    if (t.accountId !== account.id) continue;
    checkTransaction(account, t);
    if (t.date > statementDate || t.date < account.openingDate) continue;
    if (t.status === 'cleared' || t.status === 'reconciled') cleared += t.amount;
    if (t.status === 'cleared') candidates.push(t.id);
  }
  const difference = statementBalance - cleared;
  return { clearedTotal: minor(cleared), difference: minor(difference), toReconcile: difference === 0 ? candidates : [] };
}

/**
 * Finishes a reconciliation: returns the transactions that change (cleared → reconciled). Refuses
 * while the difference is not zero, so nothing is marked against a statement that does not agree.
 */
export function finishReconciliation(account: Account, transactions: readonly Transaction[], statementBalance: number, statementDate: string): Transaction[] {
  const r = reconcile(account, transactions, statementBalance, statementDate);
  if (r.difference !== 0) throw new BalanceError(`The cleared total differs from the statement by ${r.difference} minor units`);
  const ids = new Set(r.toReconcile);
  return transactions.filter((t) => ids.has(t.id)).map((t) => ({ ...t, status: 'reconciled' as const }));
}
