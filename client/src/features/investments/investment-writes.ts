import { investmentTransactionSchema } from '@mymidas/shared/schema';
import type { Account, Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import { Decimal } from '@mymidas/shared/money';
import { dateLabel } from '@mymidas/shared/date';
import type { ReplicaDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { stampAfter } from '../../sync/clock.ts';
import { INVESTMENT_ACCOUNT_TYPES } from '../import/import-invest-plan.ts';
import { TRADE_FIELD_LABELS, type TradeDraft, type TradeField } from './investment-trade-form.ts';

/**
 * Investment transaction writes on the replica: add, edit, delete. Each document is checked before anything is
 * written — the schema, the account (it exists and is an investment account), the asset (it exists, and the trade
 * is in its currency) and the holding — stamped with the replica's clock after the stamp it had (sync/clock.ts)
 * and edited in place with `incrementalModify`.
 *
 * The holding check reads the replica's own investment transactions of that asset (an indexed query on
 * [assetId, date], `date ≤` the trade's date) and keeps that account's: units bought, transferred in and added by
 * splits, less units sold and transferred out, in date order, a day's split applied before its trading (as the
 * engines do). A sell or transfer out of more than that holding (the transaction being edited left out) is refused
 * with the units held on that date. Later trades are not re-checked: an edit that makes a later sale oversold is
 * the engines' data problem to report ('oversold'), as for imported histories.
 */

/** A write refused with a message for people; nothing was written. `field` is the form field it is about. */
export class InvestmentWriteError extends Error {
  override readonly name = 'InvestmentWriteError';
  constructor(message: string, readonly field: TradeField | null = null) {
    super(message);
  }
}

function refuse(field: TradeField, message: string): never {
  throw new InvestmentWriteError(`${TRADE_FIELD_LABELS[field]}: ${message}`, field);
}

const SCHEMA_FIELDS: ReadonlySet<string> = new Set(Object.keys(TRADE_FIELD_LABELS));

function schemaChecked(doc: InvestmentTransaction): InvestmentTransaction {
  const parsed = investmentTransactionSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const key = String(first?.path[0] ?? '');
    const field = SCHEMA_FIELDS.has(key) ? (key as TradeField) : null;
    throw new InvestmentWriteError(`${field ? TRADE_FIELD_LABELS[field] : 'The transaction'}: ${first?.message ?? 'not valid'}.`, field);
  }
  return parsed.data as InvestmentTransaction;
}

function units(text: string): string {
  return new Decimal(text).toFixed();
}

/**
 * Units of `assetId` held in `accountId` on `date` (that day's trades included), from the replica's own
 * investment transactions; `exceptId` leaves one out (the transaction being edited). Decimal text.
 */
export async function unitsHeldOn(db: ReplicaDatabase, accountId: string, assetId: string, date: string, exceptId: string | null = null): Promise<string> {
  const docs = await db.investment_transactions.find({ selector: { assetId, date: { $lte: date } }, sort: [{ assetId: 'asc' }, { date: 'asc' }] }).exec();
  const txs = docs.map((d) => d.toMutableJSON() as InvestmentTransaction).filter((t) => t.accountId === accountId && t.id !== exceptId);
  // Within a day a split first (it applies to the units held before that day's trading), then the rest.
  txs.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : Number(b.kind === 'split') - Number(a.kind === 'split')));
  let held = new Decimal(0);
  for (const t of txs) {
    if (t.kind === 'buy' || t.kind === 'transfer_in') held = held.plus(t.quantity);
    else if (t.kind === 'sell' || t.kind === 'transfer_out') held = held.minus(t.quantity);
    else if (t.kind === 'split') held = t.splitRatio !== null && new Decimal(t.splitRatio).gt(0) ? held.times(t.splitRatio) : held.plus(t.quantity);
    if (held.lt(0)) held = new Decimal(0); // an oversold history is a data problem; never a negative holding
  }
  return held.toFixed();
}

async function checked(db: ReplicaDatabase, draft: TradeDraft, exceptId: string | null): Promise<TradeDraft> {
  const [accountDoc, assetDoc] = await Promise.all([db.accounts.findOne(draft.accountId).exec(), db.assets.findOne(draft.assetId).exec()]);
  const account = accountDoc?.toMutableJSON() as Account | undefined;
  const asset = assetDoc?.toMutableJSON() as Asset | undefined;
  if (!account) refuse('accountId', 'the account chosen no longer exists.');
  if (!INVESTMENT_ACCOUNT_TYPES.has(account.type)) refuse('accountId', `${account.name} is not an investment account.`);
  if (account.closed) refuse('accountId', `${account.name} is closed.`);
  if (!asset) refuse('assetId', 'the asset chosen no longer exists.');
  if (draft.currency !== asset.currency) refuse('unitPrice', `${asset.symbol} trades in ${asset.currency}; enter the price in ${asset.currency}.`);

  if (draft.kind === 'sell' || draft.kind === 'transfer_out' || draft.kind === 'split') {
    const held = await unitsHeldOn(db, draft.accountId, draft.assetId, draft.date, exceptId);
    const on = dateLabel(draft.date);
    if (draft.kind === 'split') {
      if (new Decimal(held).isZero()) refuse('date', `${account.name} held no ${asset.symbol} on ${on}, so there is nothing to split.`);
      // The units the split adds (negative for a consolidation), in the stored convention.
      return { ...draft, quantity: units(new Decimal(held).times(draft.splitRatio ?? '1').minus(held).toFixed()) };
    }
    if (new Decimal(draft.quantity).gt(held)) {
      const verb = draft.kind === 'sell' ? 'sell' : 'transfer out';
      refuse('quantity', `you cannot ${verb} ${units(draft.quantity)} ${asset.symbol} — ${account.name} held ${held} on ${on}.`);
    }
  }
  return draft;
}

export async function createInvestmentTransaction(db: ReplicaDatabase, draft: TradeDraft): Promise<InvestmentTransaction> {
  const ready = await checked(db, draft, null);
  const doc = schemaChecked({ ...ready, id: newId(), hlc: await stampAfter(db) });
  await db.investment_transactions.insert(doc);
  return doc;
}

/** Replaces an investment transaction's fields with the draft's (checked as a new one would be, itself left out). */
export async function updateInvestmentTransaction(db: ReplicaDatabase, id: string, draft: TradeDraft): Promise<InvestmentTransaction> {
  const doc = await db.investment_transactions.findOne(id).exec();
  if (!doc) throw new InvestmentWriteError('This transaction no longer exists (deleted on another device?).');
  const ready = await checked(db, draft, id);
  const hlc = await stampAfter(db, doc.hlc);
  const next = schemaChecked({ ...(doc.toMutableJSON() as InvestmentTransaction), ...ready, id, hlc });
  await doc.incrementalModify((data) => ({ ...data, ...next }));
  return next;
}

/**
 * Deletes an investment transaction (a stamped delete, so it syncs and wins over older edits). Returns the
 * document as it was, for "Undo" (`restoreInvestmentTransaction`), or null when it was already gone.
 */
export async function deleteInvestmentTransaction(db: ReplicaDatabase, id: string): Promise<InvestmentTransaction | null> {
  const doc = await db.investment_transactions.findOne(id).exec();
  if (!doc) return null;
  const before = doc.toMutableJSON() as InvestmentTransaction;
  const stamped = await doc.incrementalPatch({ hlc: await stampAfter(db, doc.hlc) });
  await stamped.remove();
  return before;
}

/**
 * Undoes a delete: the transaction as it was, back under its own id with a fresh stamp after the one it had
 * (as the ledger's undo restores a transaction), so the undo is itself an edit that syncs. Its account and asset
 * must still exist; the holding is not re-checked (it was there before the delete).
 */
export async function restoreInvestmentTransaction(db: ReplicaDatabase, tx: InvestmentTransaction): Promise<InvestmentTransaction> {
  const [accountDoc, assetDoc] = await Promise.all([db.accounts.findOne(tx.accountId).exec(), db.assets.findOne(tx.assetId).exec()]);
  if (!accountDoc) throw new InvestmentWriteError('The account of this transaction no longer exists, so it cannot be put back.');
  if (!assetDoc) throw new InvestmentWriteError('The asset of this transaction no longer exists, so it cannot be put back.');
  const doc = schemaChecked({ ...tx, hlc: await stampAfter(db, tx.hlc) });
  await db.investment_transactions.upsert(doc);
  return doc;
}
