import { convertMinor } from '@mymidas/shared/money';
import type { Account, Category, Transaction } from '@mymidas/shared/schema';
import { addDays } from '@mymidas/shared/date';
import { latestFxRates, lookupRate } from '@mymidas/shared/ledger/fx';
import type { FxRate, FxRates } from '@mymidas/shared/ledger/fx';
import { confirmTransfer, detectTransfers, rejectSuggestion, transferLegs, TransferError } from '@mymidas/shared/ledger/transfers';
import type { CrossCurrencyOptions, TransferLeg, TransferSuggestion } from '@mymidas/shared/ledger/transfers';
import type { ReplicaDatabase } from '../../db/database.ts';
import { readLatestFxQuotes } from '../ledger-data/fx-read.ts';
import { newId } from '../../db/ids.ts';
import { ledgerWrites } from '../ledger-data/ledger-writes.ts';

/*
 * Transfers on the device: recording one (both legs in one write), and reviewing the pairs that
 * detection (shared/src/ledger/transfers.ts) suggests among unpaired transactions.
 */

export { todayLocal } from '@mymidas/shared/date';

/** The category transfers get: the first visible category of kind "transfer", or none. */
export function transferCategory(categories: readonly Category[]): Category | null {
  return [...categories].filter((c) => c.kind === 'transfer' && !c.hidden).sort((a, b) => a.sortOrder - b.sortOrder || (a.id < b.id ? -1 : 1))[0] ?? null;
}

/** The latest rate between every pair of the accounts' currencies and the base currency (indexed reads, never every quote). */
export async function loadFxRates(db: ReplicaDatabase): Promise<Map<string, FxRate>> {
  const [accounts, settings] = await Promise.all([db.accounts.find().exec(), db.settings.find().exec()]);
  const currencies = [...accounts.map((a) => a.currency), ...settings.map((s) => s.baseCurrency)];
  return latestFxRates(await readLatestFxQuotes(db, currencies));
}

/** What `amount` (minor units of `from`) comes to in `to` at the latest rate, or null without one. */
export function convertAtLatest(rates: FxRates, amount: number, from: string, to: string): { amount: number; rate: FxRate } | null {
  const rate = lookupRate(rates, from, to);
  if (!rate) return null;
  return { amount: convertMinor(amount, from, to, rate.rate), rate };
}

export interface RecordTransferInput {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  /** Positive, minor units of the source account's currency. */
  readonly amount: number;
  /** Positive, minor units of the destination's currency; required when the currencies differ. */
  readonly toAmount?: number;
  readonly date: string;
  readonly description: string;
  /** Defaults to the transfer category, if there is one. */
  readonly categoryId?: string | null;
}

/**
 * Records a transfer: both legs, linked to each other, through the ledger's one write path
 * (ledger-writes.ts), which refuses a closed account, checks that the legs agree, writes both or
 * neither, and makes the transfer the action "Undo" reverts.
 */
export async function recordTransfer(db: ReplicaDatabase, input: RecordTransferInput): Promise<[Transaction, Transaction]> {
  const [from, to] = await Promise.all([db.accounts.findOne(input.fromAccountId).exec(), db.accounts.findOne(input.toAccountId).exec()]);
  if (!from || !to) throw new TransferError('Choose two existing accounts.');
  let categoryId = input.categoryId;
  if (categoryId === undefined) {
    const cats = (await db.categories.find().exec()).map((c) => c.toMutableJSON() as Category);
    categoryId = transferCategory(cats)?.id ?? null;
  }
  const legs: [TransferLeg, TransferLeg] = transferLegs({
    from: from.toMutableJSON() as Account,
    to: to.toMutableJSON() as Account,
    amount: input.amount,
    ...(input.toAmount !== undefined ? { toAmount: input.toAmount } : {}),
    date: input.date,
    description: input.description.trim() || `Transfer to ${to.name}`,
    categoryId,
    ids: [newId(), newId()],
  });
  const { saved } = await ledgerWrites(db).commit('Transfer recorded', legs.map((after) => ({ before: null, after })));
  const byId = new Map(saved.map((t) => [t.id, t]));
  return [byId.get(legs[0].id)!, byId.get(legs[1].id)!];
}

/* ---------- detection review ---------- */

const REJECTED_DOC = 'transfer-rejections';

/**
 * Pairs the user said are not transfers. Kept in a local (device-only) document: the data model has
 * no field for them yet (docs/ledger.md, "Not decided here"). The keys are transaction ids only.
 */
export async function loadRejected(db: ReplicaDatabase): Promise<string[]> {
  const doc = await db.getLocal<{ keys: string[] }>(REJECTED_DOC);
  const keys = doc?.toJSON().data.keys;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

export interface DetectionOptions {
  /** Look at transactions dated from this many days before today. */
  readonly lookBackDays: number;
  readonly today: string;
  /** Largest gap between the two dates. Default 3. */
  readonly maxDays?: number;
  /** Cross-currency tolerance in basis points (100 = 1%); pairs across currencies need a rate. Default 150. */
  readonly toleranceBps?: number;
}

export interface ReviewItem {
  readonly suggestion: TransferSuggestion;
  readonly outflow: Transaction;
  readonly inflow: Transaction;
}

export interface DetectionResult {
  readonly items: ReviewItem[];
  readonly scanned: number;
  readonly ms: number;
  readonly crossCurrency: boolean;
}

function crossCurrencyFrom(rates: FxRates, toleranceBps: number): CrossCurrencyOptions | undefined {
  return rates.size > 0 ? { rates, toleranceBps } : undefined;
}

/**
 * Suggestions among the transactions of the look-back window (read through the date index, never
 * the whole history), across currencies only where the quotes hold a rate for the pair.
 */
export async function detectSuggestions(db: ReplicaDatabase, options: DetectionOptions): Promise<DetectionResult> {
  const started = performance.now();
  const since = addDays(options.today, -options.lookBackDays);
  const [docs, accounts, rejected, rates] = await Promise.all([
    db.transactions.find({ selector: { date: { $gte: since } }, sort: [{ date: 'asc' }] }).exec(),
    db.accounts.find().exec(),
    loadRejected(db),
    loadFxRates(db),
  ]);
  const txs = docs.map((d) => d.toMutableJSON() as Transaction);
  const byId = new Map(txs.map((t) => [t.id, t]));
  const cross = crossCurrencyFrom(rates, options.toleranceBps ?? 150);
  const suggestions = detectTransfers(txs, accounts.map((a) => a.toMutableJSON() as Account), {
    maxDays: options.maxDays ?? 3,
    rejected,
    ...(cross ? { crossCurrency: cross } : {}),
  });
  const items = suggestions.flatMap((s) => {
    const outflow = byId.get(s.outflowId);
    const inflow = byId.get(s.inflowId);
    return outflow && inflow ? [{ suggestion: s, outflow, inflow }] : [];
  });
  return { items, scanned: txs.length, ms: performance.now() - started, crossCurrency: cross !== undefined };
}

/** Links the two legs (each gets the other's id and the transfer category) after re-reading them. */
export async function confirmSuggestion(db: ReplicaDatabase, s: Pick<TransferSuggestion, 'outflowId' | 'inflowId'>, options: { toleranceBps?: number } = {}): Promise<[Transaction, Transaction]> {
  const [a, b] = await Promise.all([db.transactions.findOne(s.outflowId).exec(), db.transactions.findOne(s.inflowId).exec()]);
  if (!a || !b) throw new TransferError('One of the two transactions no longer exists.');
  const cats = (await db.categories.find().exec()).map((c) => c.toMutableJSON() as Category);
  const rates = await loadFxRates(db);
  const cross = crossCurrencyFrom(rates, options.toleranceBps ?? 150);
  const [na, nb] = confirmTransfer(a.toMutableJSON() as Transaction, b.toMutableJSON() as Transaction, transferCategory(cats)?.id ?? null, cross ? { crossCurrency: cross } : {});
  const before: [Transaction, Transaction] = [a.toMutableJSON() as Transaction, b.toMutableJSON() as Transaction];
  const { saved } = await ledgerWrites(db).commit('Linked as a transfer', [{ before: before[0], after: na }, { before: before[1], after: nb }]);
  const byId = new Map(saved.map((t) => [t.id, t]));
  return [byId.get(na.id)!, byId.get(nb.id)!];
}

/** Remembers that a pair is not a transfer, so it is never suggested again on this device. */
export async function rejectPair(db: ReplicaDatabase, s: Pick<TransferSuggestion, 'outflowId' | 'inflowId'>): Promise<string[]> {
  const next = rejectSuggestion(await loadRejected(db), s);
  await db.upsertLocal(REJECTED_DOC, { keys: next });
  return next;
}
