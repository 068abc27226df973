import { convertMinor } from '../money/money.ts';
import type { Account, Transaction } from '../schema/registry.ts';
import { addDays, daysBetween } from '../date/date.ts';
import { lookupRate } from './fx.ts';
import type { FxRates } from './fx.ts';
import { textSimilarity } from './text.ts';

/*
 * Transfer detection: pairs an outflow in one of the user's accounts with an inflow of the same size
 * in another. The input is one user's data: the replica and every server request hold a single
 * user's rows (RLS), and transactions whose account is not in `accounts` are ignored. `ownerOf` adds
 * an explicit owner check for callers that ever mix users.
 */

export class TransferError extends Error {
  override name = 'TransferError';
}

/** Cross-currency pairs are considered only with a rate table and a tolerance for the bank's spread. */
export interface CrossCurrencyOptions {
  readonly rates: FxRates;
  /** How far the converted outflow may be from the inflow, in basis points of the inflow (100 = 1%). */
  readonly toleranceBps: number;
}

export interface DetectOptions {
  /** Largest gap between the two dates, in days. Default 3. */
  readonly maxDays?: number;
  /** Pair keys the user rejected ({@link pairKey}); never suggested again. */
  readonly rejected?: Iterable<string>;
  readonly crossCurrency?: CrossCurrencyOptions;
  readonly ownerOf?: (t: Transaction) => string;
}

export interface TransferSuggestion {
  readonly key: string;
  readonly outflowId: string;
  readonly inflowId: string;
  readonly dayGap: number;
  /** Similarity of the two descriptions and merchants, 0..1. */
  readonly similarity: number;
  /** Null for same-currency pairs; the rate used otherwise. */
  readonly rate: string | null;
  /** |converted outflow − inflow| in the inflow's minor units; 0 for same-currency pairs. */
  readonly deviation: number;
}

/** The order-free key of a pair of transaction ids. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function eligible(t: Transaction, accountIds: ReadonlySet<string>): boolean {
  return t.transferId === null && t.amount !== 0 && t.splits.length === 0 && accountIds.has(t.accountId);
}

function label(t: Transaction): string {
  return `${t.description} ${t.merchant ?? ''}`;
}

function checkOptions(o: DetectOptions): number {
  const maxDays = o.maxDays ?? 3;
  if (!Number.isInteger(maxDays) || maxDays < 0 || maxDays > 31) throw new TransferError('maxDays must be a whole number of days from 0 to 31');
  const tol = o.crossCurrency?.toleranceBps;
  if (tol !== undefined && (!Number.isInteger(tol) || tol < 0 || tol > 1000)) {
    throw new TransferError('toleranceBps must be a whole number from 0 to 1000 (10%)');
  }
  return maxDays;
}

/** How far a cross-currency pair is off, or null when no rate exists or it is outside the tolerance. */
function crossCurrencyDeviation(out: Transaction, inflow: Transaction, fx: CrossCurrencyOptions): { rate: string; deviation: number } | null {
  const rate = lookupRate(fx.rates, out.currency, inflow.currency);
  if (!rate) return null;
  const converted = convertMinor(-out.amount, out.currency, inflow.currency, rate.rate);
  const deviation = Math.abs(converted - inflow.amount);
  return deviation * 10_000 <= inflow.amount * fx.toleranceBps ? { rate: rate.rate, deviation } : null;
}

/** Index of the first transaction dated on or after `date` in a date-sorted list. */
function firstOnOrAfter(sorted: readonly Transaction[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid]?.date ?? '') < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compareSuggestions(a: TransferSuggestion, b: TransferSuggestion): number {
  return a.dayGap - b.dayGap
    || b.similarity - a.similarity
    || a.deviation - b.deviation
    || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Suggests transfer pairs among unpaired transactions (no transferId, no splits, non-zero) in the
 * given accounts: opposite signs, different accounts, dates at most `maxDays` apart, the same amount
 * in the same currency — or, with `crossCurrency`, amounts that agree through the rate table within
 * the tolerance. Best pairs first (nearest dates, then most similar descriptions); each transaction
 * appears in at most one suggestion.
 */
export function detectTransfers(
  transactions: readonly Transaction[],
  accounts: readonly Account[],
  options: DetectOptions = {},
): TransferSuggestion[] {
  const maxDays = checkOptions(options);
  const accountIds = new Set(accounts.map((a) => a.id));
  const rejected = new Set(options.rejected ?? []);
  const owner = options.ownerOf;
  const pool = transactions.filter((t) => eligible(t, accountIds));
  const outflows = pool.filter((t) => t.amount < 0);
  const inflows = pool.filter((t) => t.amount > 0);
  const candidates: TransferSuggestion[] = [];

  const consider = (out: Transaction, inflow: Transaction, cross: { rate: string; deviation: number } | null) => {
    if (out.accountId === inflow.accountId || out.id === inflow.id) return;
    if (owner && owner(out) !== owner(inflow)) return;
    const dayGap = Math.abs(daysBetween(out.date, inflow.date));
    if (dayGap > maxDays) return;
    const key = pairKey(out.id, inflow.id);
    if (rejected.has(key)) return;
    candidates.push({
      key, outflowId: out.id, inflowId: inflow.id, dayGap,
      similarity: Math.round(textSimilarity(label(out), label(inflow)) * 1000) / 1000,
      rate: cross?.rate ?? null, deviation: cross?.deviation ?? 0,
    });
  };

  // Same currency: bucket inflows by currency and amount so only equal amounts are compared.
  const byAmount = new Map<string, Transaction[]>();
  for (const t of inflows) {
    const k = `${t.currency}:${t.amount}`;
    const list = byAmount.get(k);
    if (list) list.push(t);
    else byAmount.set(k, [t]);
  }
  for (const out of outflows) {
    for (const inflow of byAmount.get(`${out.currency}:${-out.amount}`) ?? []) consider(out, inflow, null);
  }

  // Across currencies only with a rate table: compare against inflows in a date window.
  const fx = options.crossCurrency;
  if (fx) {
    const sorted = [...inflows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    for (const out of outflows) {
      // One conversion per outflow and target currency; the pairs are then compared as integers.
      const converted = new Map<string, { rate: string; amount: number } | null>();
      const latest = addDays(out.date, maxDays);
      for (let i = firstOnOrAfter(sorted, addDays(out.date, -maxDays)); i < sorted.length; i++) {
        const inflow = sorted[i];
        if (!inflow || inflow.date > latest) break;
        if (inflow.currency === out.currency) continue;
        let c = converted.get(inflow.currency);
        if (c === undefined) {
          const rate = lookupRate(fx.rates, out.currency, inflow.currency);
          c = rate ? { rate: rate.rate, amount: convertMinor(-out.amount, out.currency, inflow.currency, rate.rate) } : null;
          converted.set(inflow.currency, c);
        }
        if (!c) continue;
        const deviation = Math.abs(c.amount - inflow.amount);
        if (deviation * 10_000 <= inflow.amount * fx.toleranceBps) consider(out, inflow, { rate: c.rate, deviation });
      }
    }
  }

  candidates.sort(compareSuggestions);
  const used = new Set<string>();
  const chosen: TransferSuggestion[] = [];
  for (const c of candidates) {
    if (used.has(c.outflowId) || used.has(c.inflowId)) continue;
    used.add(c.outflowId);
    used.add(c.inflowId);
    chosen.push(c);
  }
  return chosen;
}

/** Remembers a rejected suggestion (returns a new list; the caller persists it with the user's data). */
export function rejectSuggestion(rejected: readonly string[], suggestion: Pick<TransferSuggestion, 'outflowId' | 'inflowId'>): string[] {
  const key = pairKey(suggestion.outflowId, suggestion.inflowId);
  return rejected.includes(key) ? [...rejected] : [...rejected, key];
}

/**
 * Links two transactions as the legs of one transfer: each gets the other's id as transferId and
 * the transfer category. Refuses anything detection would not pair (apart from the date gap, which
 * the user may override). Returns new objects; the caller stamps and saves both in one write.
 */
export function confirmTransfer(
  a: Transaction,
  b: Transaction,
  transferCategoryId: string | null,
  options: { readonly crossCurrency?: CrossCurrencyOptions } = {},
): [Transaction, Transaction] {
  if (a.id === b.id) throw new TransferError('A transaction cannot be a transfer with itself');
  if (a.accountId === b.accountId) throw new TransferError('Both legs are in the same account');
  if (a.transferId !== null || b.transferId !== null) throw new TransferError('One of the transactions is already part of a transfer');
  if (a.splits.length > 0 || b.splits.length > 0) throw new TransferError('A split transaction cannot be a transfer leg');
  if (a.amount === 0 || Math.sign(a.amount) === Math.sign(b.amount)) throw new TransferError('A transfer needs one outflow and one inflow');
  const [out, inflow] = a.amount < 0 ? [a, b] : [b, a];
  if (out.currency === inflow.currency) {
    if (-out.amount !== inflow.amount) throw new TransferError('The two amounts differ');
  } else {
    if (!options.crossCurrency) throw new TransferError(`Cannot pair ${out.currency} with ${inflow.currency} without a rate table`);
    if (!crossCurrencyDeviation(out, inflow, options.crossCurrency)) {
      throw new TransferError(`The ${out.currency} and ${inflow.currency} amounts do not agree through the rate within the tolerance`);
    }
  }
  return [
    { ...a, transferId: b.id, categoryId: transferCategoryId },
    { ...b, transferId: a.id, categoryId: transferCategoryId },
  ];
}

/** Undoes a confirmed pair: both legs lose the link and the category. */
export function unlinkTransfer(a: Transaction, b: Transaction): [Transaction, Transaction] {
  if (a.transferId !== b.id || b.transferId !== a.id) throw new TransferError('These two transactions are not linked to each other');
  return [{ ...a, transferId: null, categoryId: null }, { ...b, transferId: null, categoryId: null }];
}

export interface NewTransfer {
  readonly from: Account;
  readonly to: Account;
  /** Positive, in minor units of `from`'s currency. */
  readonly amount: number;
  /** Positive, in minor units of `to`'s currency; required when the currencies differ. */
  readonly toAmount?: number;
  readonly date: string;
  readonly description: string;
  readonly categoryId: string | null;
  /** Ids for the two legs, made by the caller (UUIDv7). */
  readonly ids: readonly [string, string];
}

export type TransferLeg = Omit<Transaction, 'hlc'>;

/** Recording a transfer: both legs at once, linked to each other. */
export function transferLegs(t: NewTransfer): [TransferLeg, TransferLeg] {
  const [fromId, toId] = t.ids;
  if (fromId === toId) throw new TransferError('The two legs need different ids');
  if (t.from.id === t.to.id) throw new TransferError('Choose two different accounts');
  if (!Number.isSafeInteger(t.amount) || t.amount <= 0) throw new TransferError('The amount must be a positive whole number of minor units');
  daysBetween(t.date, t.date);
  let toAmount = t.amount;
  if (t.from.currency !== t.to.currency) {
    if (t.toAmount === undefined) throw new TransferError(`Give the amount received in ${t.to.currency}`);
    toAmount = t.toAmount;
  } else if (t.toAmount !== undefined && t.toAmount !== t.amount) {
    throw new TransferError('Both legs of a same-currency transfer carry the same amount');
  }
  if (!Number.isSafeInteger(toAmount) || toAmount <= 0) throw new TransferError('The received amount must be a positive whole number of minor units');
  const leg = (id: string, other: string, account: Account, amount: number): TransferLeg => ({
    id, accountId: account.id, date: t.date, amount, currency: account.currency, categoryId: t.categoryId, tags: [],
    merchant: null, description: t.description, notes: null, transferId: other, importHash: null, status: 'uncleared', splits: [],
  });
  return [leg(fromId, toId, t.from, -t.amount), leg(toId, fromId, t.to, toAmount)];
}
