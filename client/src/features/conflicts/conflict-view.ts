import { formatMoney } from '@mymidas/shared/money';
import { parseHlc } from '@mymidas/shared/sync';

/**
 * Words for the conflict log screen: what a document is called, how a field is named, and how a
 * value reads. Pure functions of the data, so the page stays a thin template.
 */

const COLLECTION_LABELS: Record<string, string> = {
  accounts: 'Account',
  categories: 'Category',
  transactions: 'Transaction',
  budgets: 'Budget',
  recurring_rules: 'Recurring rule',
  attachments: 'Attachment',
  assets: 'Asset',
  investment_transactions: 'Investment transaction',
  settings: 'Setting',
  rules: 'Categorisation rule',
};

export function collectionLabel(collection: string): string {
  return COLLECTION_LABELS[collection] ?? collection;
}

/** "openingBalance" → "opening balance", "_deleted" → "deleted". */
export function fieldLabel(field: string): string {
  if (field === '_deleted') return 'deleted';
  return field
    .replace(/^_+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

/** A short name for the document a conflict belongs to, from its current state when it is on the device. */
export function documentLabel(collection: string, docId: string, doc: Record<string, unknown> | null): string {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  if (doc) {
    const name = text(doc.name) ?? text(doc.merchant) ?? text(doc.description) ?? text(doc.symbol) ?? text(doc.fileName) ?? text(doc.month);
    const date = text(doc.date);
    if (name) return date && collection === 'transactions' ? `${name} (${date})` : name;
  }
  return `${collectionLabel(collection)} ${docId.slice(0, 8)}`;
}

const MONEY_FIELD = /amount|balance|limit|price|fee|target|value/i;

/** How a field value reads on screen. Money fields (integer minor units) use the document's currency. */
export function formatValue(field: string, value: unknown, doc: Record<string, unknown> | null): string {
  if (value === undefined) return '(not set)';
  if (value === null) return '(empty)';
  if (field === '_deleted') return value === true ? 'deleted' : 'present';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    const currency = typeof doc?.currency === 'string' ? doc.currency : null;
    if (currency && Number.isInteger(value) && MONEY_FIELD.test(field)) {
      try {
        return formatMoney(value, currency);
      } catch {
        return String(value);
      }
    }
    return String(value);
  }
  if (typeof value === 'string') return value === '' ? '(empty text)' : value;
  return JSON.stringify(value);
}

/** The wall-clock time of an HLC stamp, for "edited at". Null when the stamp is not an HLC. */
export function stampTime(stamp: string): Date | null {
  try {
    const { ms } = parseHlc(stamp);
    return Number.isFinite(ms) && ms > 0 ? new Date(ms) : null;
  } catch {
    return null;
  }
}

export function formatWhen(date: Date | null, locale = 'en-GB'): string {
  if (!date) return 'unknown time';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
