import type { Account, Category, Transaction } from '../schema/registry.ts';

/*
 * What makes an edit of the ledger acceptable, whoever makes it (the editor, the list's bulk actions,
 * the transfers page, a recurring post, undo). One user action is a list of changes, each the
 * document as it was (`before`, null when the action creates it) and as it will be (`after`, null
 * when the action deletes it). The whole list is checked before anything is written, so a refused
 * action changes nothing. Only what an action introduces is checked: tagging an old transaction
 * whose category was deleted on another device is not refused for that category.
 */

export class LedgerEditError extends Error {
  override name = 'LedgerEditError';
}

/** A transaction before it is stamped: the caller adds the HLC when it writes. */
export type TransactionDoc = Omit<Transaction, 'hlc'> & { readonly hlc?: string };

export interface LedgerChange<T extends TransactionDoc = TransactionDoc> {
  readonly before: Transaction | null;
  readonly after: T | null;
}

export interface EditContext {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly categories: ReadonlyMap<string, Category>;
  /** A stored transaction the action refers to without changing it (the other leg of a transfer). */
  readonly stored: (id: string) => Transaction | undefined;
}

const label = (t: Pick<Transaction, 'description' | 'date'>) => (t.description.trim() === '' ? `the transaction of ${t.date}` : `"${t.description}"`);

/** True when the change moves money: creating, deleting, or changing the amount, account, currency or date. */
export function affectsBalance(before: TransactionDoc | null, after: TransactionDoc | null): boolean {
  if (before === null || after === null) return before !== after;
  return before.amount !== after.amount || before.accountId !== after.accountId || before.currency !== after.currency || before.date !== after.date;
}

/** True when the change touches what links two legs of a transfer. */
function touchesTransfer(before: TransactionDoc | null, after: TransactionDoc): boolean {
  return before === null || before.transferId !== after.transferId || affectsBalance(before, after) || before.splits.length !== after.splits.length;
}

function closedMessage(account: Account): string {
  return `The account "${account.name}" is closed: reopen it on the Accounts page to change its transactions.`;
}

function newCategoryIds(before: TransactionDoc | null, after: TransactionDoc): string[] {
  const had = new Set<string | null>([before?.categoryId ?? null, ...(before?.splits ?? []).map((l) => l.categoryId)]);
  const ids = [after.categoryId, ...after.splits.map((l) => l.categoryId)];
  return ids.filter((id): id is string => id !== null && !had.has(id));
}

function checkLeg(doc: TransactionDoc, partner: TransactionDoc, ctx: EditContext): void {
  const where = label(doc);
  if (partner.transferId !== doc.id) throw new LedgerEditError(`The other leg of the transfer ${where} does not link back to it.`);
  if (partner.accountId === doc.accountId) throw new LedgerEditError(`Both legs of the transfer ${where} are in the same account.`);
  if (doc.splits.length > 0 || partner.splits.length > 0) throw new LedgerEditError(`A transfer leg cannot be split (${where}).`);
  if (doc.amount === 0 || Math.sign(doc.amount) === Math.sign(partner.amount)) {
    throw new LedgerEditError(`A transfer is one amount out and one in: the legs of ${where} do not have opposite signs.`);
  }
  if (doc.currency === partner.currency && doc.amount !== -partner.amount) {
    throw new LedgerEditError(`Both legs of a transfer in one currency carry the same amount (${where}).`);
  }
  const account = ctx.accounts.get(partner.accountId);
  if (!account) throw new LedgerEditError(`The account of the other leg of ${where} is not on this device.`);
  if (account.currency !== partner.currency) throw new LedgerEditError(`The other leg of ${where} is not in its account's currency (${account.currency}).`);
}

/**
 * Refuses, with a LedgerEditError naming the transaction, an action that would:
 * - touch one transaction twice, or change a transaction's id;
 * - put a transaction in an account that does not exist, or in a currency other than its account's;
 * - move money in or out of a closed account (new, deleted, or a changed amount, date or account);
 * - set a category (or a split line's category) that does not exist;
 * - leave a transfer with legs that disagree: the other leg missing or not linking back, both in one
 *   account, signs not opposite, different amounts in one currency, a split leg, either account closed;
 * - delete one leg of a transfer and leave the other linked to it.
 * Schema checks (field shapes, split lines adding up) are the schema's; this is about the ledger as a whole.
 */
export function checkLedgerEdit(changes: readonly LedgerChange[], ctx: EditContext): void {
  const seen = new Set<string>();
  const afterById = new Map<string, TransactionDoc>();
  const deleted = new Set<string>();
  for (const c of changes) {
    const id = c.after?.id ?? c.before?.id;
    if (id === undefined) continue;
    if (c.before && c.after && c.before.id !== c.after.id) throw new LedgerEditError('An edit cannot change a transaction\'s id.');
    if (seen.has(id)) throw new LedgerEditError(`One action changes ${label((c.after ?? c.before)!)} twice.`);
    seen.add(id);
    if (c.after) afterById.set(id, c.after);
    else deleted.add(id);
  }
  const current = (id: string): TransactionDoc | undefined => (deleted.has(id) ? undefined : afterById.get(id) ?? ctx.stored(id));

  for (const { before, after } of changes) {
    if (after === null) {
      if (before === null) continue;
      const account = ctx.accounts.get(before.accountId);
      if (account?.closed) throw new LedgerEditError(closedMessage(account));
      if (before.transferId !== null) {
        const partner = current(before.transferId);
        if (partner && partner.transferId === before.id) {
          throw new LedgerEditError(`The two legs of the transfer ${label(before)} are deleted together.`);
        }
      }
      continue;
    }
    const account = ctx.accounts.get(after.accountId);
    if (!account) throw new LedgerEditError(`The account of ${label(after)} is not on this device.`);
    if (after.currency !== account.currency) {
      throw new LedgerEditError(`${label(after)} is in ${after.currency} but the account "${account.name}" is in ${account.currency}.`);
    }
    if (affectsBalance(before, after)) {
      if (account.closed) throw new LedgerEditError(closedMessage(account));
      const was = before ? ctx.accounts.get(before.accountId) : undefined;
      if (was?.closed) throw new LedgerEditError(closedMessage(was));
    }
    for (const categoryId of newCategoryIds(before, after)) {
      if (!ctx.categories.has(categoryId)) throw new LedgerEditError(`The category chosen for ${label(after)} no longer exists.`);
    }
    if (after.transferId !== null && touchesTransfer(before, after)) {
      if (after.transferId === after.id) throw new LedgerEditError('A transaction cannot be a transfer with itself.');
      const partner = current(after.transferId);
      if (!partner) throw new LedgerEditError(`The other leg of the transfer ${label(after)} is missing.`);
      checkLeg(after, partner, ctx);
      const partnerAccount = ctx.accounts.get(partner.accountId);
      if (partnerAccount?.closed) throw new LedgerEditError(closedMessage(partnerAccount));
    }
  }
}

/**
 * The transactions a delete of `picked` has to take: each transfer leg brings its other leg, so a
 * transfer is never left half. Order is kept; a leg already picked is not added twice.
 */
export function withTransferPartners(picked: readonly Transaction[], lookup: (id: string) => Transaction | undefined): Transaction[] {
  const out = [...picked];
  const ids = new Set(picked.map((t) => t.id));
  for (const t of picked) {
    if (t.transferId === null || ids.has(t.transferId)) continue;
    const other = lookup(t.transferId);
    if (other) {
      out.push(other);
      ids.add(other.id);
    }
  }
  return out;
}

/**
 * The change an edit of one transfer leg makes to the other leg: date and description follow, and the
 * amount too (with the opposite sign) when both legs are in one currency. Null when nothing changes.
 */
export function mirrorTransferEdit(edited: TransactionDoc, other: Transaction): Transaction | null {
  const next: Transaction = {
    ...other,
    date: edited.date,
    description: edited.description,
    amount: other.currency === edited.currency ? -edited.amount : other.amount,
  };
  return next.date === other.date && next.description === other.description && next.amount === other.amount ? null : next;
}

/** Which of `rows` a bulk category change applies to: transfers and split transactions keep theirs. */
export function categorisable(rows: readonly Transaction[]): Transaction[] {
  return rows.filter((t) => t.transferId === null && t.splits.length === 0);
}

/** The most tags one transaction carries (the schema's limit). */
export const MAX_TAGS = 20;

/**
 * A transaction's tags after adding or removing `wanted`: added tags go after the existing ones
 * (no duplicates, at most MAX_TAGS). Null when the tags would not change.
 */
export function retag(tags: readonly string[], wanted: readonly string[], mode: 'add' | 'remove'): string[] | null {
  const next = mode === 'add' ? [...tags, ...wanted.filter((w, i) => !tags.includes(w) && wanted.indexOf(w) === i)].slice(0, MAX_TAGS) : tags.filter((x) => !wanted.includes(x));
  return next.length === tags.length && next.every((x, i) => x === tags[i]) ? null : next;
}
