import type { InvestmentTransaction } from '@mymidas/shared/schema';
import { Decimal, valueOf } from '@mymidas/shared/money';
import { parseAmountInput } from '../ledger-data/format.ts';

/**
 * The add/edit investment transaction form, without Vue: what a person typed → a transaction draft in the
 * conventions of `investment_transactions` (shared/src/invest/types.ts), or a message per field.
 *
 * The amount is worked out, never typed: the cash effect on the account in the asset's currency, fee included —
 *   buy:          −(quantity × unit price + fee)
 *   sell:         quantity × unit price − fee (refused when the fee is more than the sale's value)
 *   dividend:     quantity × dividend per unit − fee (the fee: tax withheld or a charge)
 *   fee:          −fee (a platform charge; quantity 0)
 *   split:        0; the ratio is new units per old unit; the units added are worked out from the holding on the
 *                 day (investment-writes.ts), so the form's quantity is not used
 *   transfer in:  −fee; the unit price is the cost carried over per unit (needed for the cost basis)
 *   transfer out: −fee; no price
 * Quantity × price is rounded half-even to the minor unit (valueOf, as the demo household and the importers do).
 */

export type TradeKind = InvestmentTransaction['kind'];
export type TradeField = 'kind' | 'accountId' | 'assetId' | 'date' | 'quantity' | 'unitPrice' | 'fee' | 'splitRatio' | 'notes';

export interface TradeForm {
  kind: TradeKind;
  accountId: string;
  assetId: string;
  date: string;
  quantity: string;
  unitPrice: string;
  fee: string;
  splitRatio: string;
  notes: string;
}

/** A draft without id and stamp; for a split `quantity` is filled in by the write from the holding. */
export type TradeDraft = Omit<InvestmentTransaction, 'id' | 'hlc'>;
export type TradeFormErrors = Partial<Record<TradeField, string>>;
export type TradeFormResult = { readonly ok: true; readonly draft: TradeDraft } | { readonly ok: false; readonly errors: TradeFormErrors };

export const TRADE_KIND_LABELS: Readonly<Record<TradeKind, string>> = {
  buy: 'Buy', sell: 'Sell', dividend: 'Dividend', fee: 'Fee', split: 'Split or consolidation', transfer_in: 'Transfer in', transfer_out: 'Transfer out',
};

export const TRADE_FIELD_LABELS: Readonly<Record<TradeField, string>> = {
  kind: 'Kind', accountId: 'Account', assetId: 'Asset', date: 'Date', quantity: 'Quantity', unitPrice: 'Unit price', fee: 'Fee',
  splitRatio: 'Split ratio', notes: 'Notes',
};

/** What each kind asks for. */
export function tradeFieldsFor(kind: TradeKind): { quantity: boolean; unitPrice: 'required' | 'none'; fee: boolean; splitRatio: boolean } {
  switch (kind) {
    case 'buy': case 'sell': case 'dividend': case 'transfer_in': return { quantity: true, unitPrice: 'required', fee: true, splitRatio: false };
    case 'transfer_out': return { quantity: true, unitPrice: 'none', fee: true, splitRatio: false };
    case 'fee': return { quantity: false, unitPrice: 'none', fee: true, splitRatio: false };
    case 'split': return { quantity: false, unitPrice: 'none', fee: false, splitRatio: true };
  }
}

/** Label of the price field: what the price means for this kind. */
export function unitPriceLabel(kind: TradeKind): string {
  if (kind === 'dividend') return 'Dividend per unit';
  if (kind === 'transfer_in') return 'Cost per unit carried over';
  return 'Unit price';
}

export function emptyTradeForm(over: Partial<TradeForm> = {}): TradeForm {
  return { kind: 'buy', accountId: '', assetId: '', date: '', quantity: '', unitPrice: '', fee: '0', splitRatio: '', notes: '', ...over };
}

/** The form for an existing transaction. */
export function tradeFormFor(tx: InvestmentTransaction, feeText: string): TradeForm {
  return {
    kind: tx.kind, accountId: tx.accountId, assetId: tx.assetId, date: tx.date, quantity: tx.kind === 'split' || tx.kind === 'fee' ? '' : tx.quantity,
    unitPrice: tx.unitPrice ?? '', fee: feeText, splitRatio: tx.splitRatio ?? '', notes: tx.notes ?? '',
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Decimal text as stored ("1,000.50" → "1000.5", ".5" → "0.5"), or null when it is not a number ≥ 0. */
export function decimalInput(text: string): string | null {
  const cleaned = text.replace(/[\s,£$€]/g, '').replace(/^\./, '0.');
  if (!/^\d+(\.\d+)?$/.test(cleaned) || cleaned.length > 40) return null;
  return new Decimal(cleaned).toFixed();
}

function positive(text: string, errors: TradeFormErrors, field: TradeField, what: string): string | null {
  if (text.trim() === '') {
    errors[field] = `enter ${what}`;
    return null;
  }
  const value = decimalInput(text);
  if (value === null) errors[field] = `${what} must be a number like 12.5`;
  else if (new Decimal(value).lte(0)) errors[field] = `${what} must be more than zero`;
  else return value;
  return null;
}

/**
 * Reads the form. `currency` is the asset's (trades are in the asset's currency). Checks only what the form
 * itself can tell; the account's type, the asset's existence and the holding are the write's checks.
 */
export function readTradeForm(form: TradeForm, currency: string): TradeFormResult {
  const errors: TradeFormErrors = {};
  const wants = tradeFieldsFor(form.kind);
  if (!(form.kind in TRADE_KIND_LABELS)) errors.kind = 'choose what kind of transaction this is';
  if (form.accountId === '') errors.accountId = 'choose the investment account';
  if (form.assetId === '') errors.assetId = 'choose the asset';
  if (!validDate(form.date)) errors.date = form.date === '' ? 'enter the date' : 'enter a real date (YYYY-MM-DD)';

  const quantity = wants.quantity ? positive(form.quantity, errors, 'quantity', 'the quantity') : '0';
  const unitPrice = wants.unitPrice === 'required' ? positive(form.unitPrice, errors, 'unitPrice', form.kind === 'dividend' ? 'the dividend per unit' : 'the unit price') : null;
  const splitRatio = wants.splitRatio ? positive(form.splitRatio, errors, 'splitRatio', 'the ratio') : null;
  if (splitRatio !== null && new Decimal(splitRatio).eq(1)) errors.splitRatio = 'a ratio of 1 changes nothing (4 for a 4-for-1 split, 0.1 for 1-for-10)';

  let fee = 0;
  if (wants.fee && form.fee.trim() !== '') {
    try {
      fee = parseAmountInput(form.fee, currency);
      if (fee < 0) errors.fee = 'the fee cannot be below zero';
    } catch (e) {
      errors.fee = e instanceof Error ? e.message : 'not an amount';
    }
  }
  if (form.kind === 'fee' && !errors.fee && fee <= 0) errors.fee = 'enter the fee charged';
  if (form.notes.length > 2000) errors.notes = 'keep notes under 2,000 characters';

  let amount = 0;
  if (quantity !== null && unitPrice !== null && !errors.fee) {
    const value = valueOf(quantity, unitPrice, currency);
    if (!Number.isSafeInteger(value)) errors.quantity = 'quantity × price is too large';
    else if (form.kind === 'buy') amount = -(value + fee);
    else if (form.kind === 'sell' || form.kind === 'dividend') {
      amount = value - fee;
      if (amount < 0) errors.fee = `the fee is more than the ${form.kind === 'sell' ? "sale's value" : 'dividend'}`;
    } else amount = fee > 0 ? -fee : 0;
  } else if (form.kind === 'fee' || form.kind === 'transfer_out') amount = fee > 0 ? -fee : 0;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    draft: {
      kind: form.kind, accountId: form.accountId, assetId: form.assetId, date: form.date, quantity: quantity ?? '0', unitPrice,
      amount, fee: wants.fee ? fee : 0, currency, splitRatio, notes: form.notes.trim() === '' ? null : form.notes.trim(),
    },
  };
}
