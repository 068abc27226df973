import { z } from 'zod';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from '../protocol/limits.ts';
import { calendarDate, calendarMonth, currency, decimalText, hlc, id, instant, minorUnits, optionalRef, shortText } from './fields.ts';

/**
 * The replicated data model: one definition per collection, from which the RxDB JSON schema,
 * the server's validator and the PII field list are all derived (see derive.ts). RxDB's open core
 * opens at most 13 collections per process; the replicated model uses 12.
 */

export const ACCOUNT_TYPES = [
  'current', 'savings', 'cash_isa', 'stocks_shares_isa', 'lifetime_isa', 'credit_card', 'investment_gia',
  'workplace_pension', 'sipp', 'crypto_wallet', 'loan', 'mortgage', 'cash', 'other_asset', 'other_liability',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export const LIABILITY_TYPES: ReadonlySet<AccountType> = new Set(['credit_card', 'loan', 'mortgage', 'other_liability']);

const base = {
  id: id(),
  /** Stamp of the last edit (hybrid logical clock). */
  hlc: hlc(),
};

export const accountSchema = z.object({
  ...base,
  name: shortText(120).min(1, 'an account needs a name'),
  type: z.enum(ACCOUNT_TYPES),
  currency: currency(),
  institution: shortText(120).nullable(),
  accountRef: shortText(64).nullable(),
  openingBalance: minorUnits(),
  openingDate: calendarDate(),
  creditLimit: minorUnits().nullable(),
  apr: decimalText().nullable(),
  closed: z.boolean(),
  sortOrder: z.number().int().min(0).max(1_000_000),
  notes: shortText(2000).nullable(),
});

export const CATEGORY_KINDS = ['income', 'expense', 'transfer'] as const;
export const categorySchema = z.object({
  ...base,
  name: shortText(80).min(1),
  parentId: optionalRef(),
  kind: z.enum(CATEGORY_KINDS),
  color: z.string().regex(/^#[0-9a-f]{6}$/i),
  icon: shortText(40),
  sortOrder: z.number().int().min(0).max(1_000_000),
  hidden: z.boolean(),
});

export const TRANSACTION_STATUSES = ['pending', 'uncleared', 'cleared', 'reconciled'] as const;
export const splitLineSchema = z.object({
  id: id(),
  categoryId: optionalRef(),
  amount: minorUnits(),
  memo: shortText(200).nullable(),
});
export const transactionSchema = z
  .object({
    ...base,
    accountId: id(),
    date: calendarDate(),
    amount: minorUnits(),
    currency: currency(),
    categoryId: optionalRef(),
    tags: z.array(shortText(40)).max(20),
    merchant: shortText(200).nullable(),
    description: shortText(500),
    notes: shortText(2000).nullable(),
    transferId: optionalRef(),
    importHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    status: z.enum(TRANSACTION_STATUSES),
    splits: z.array(splitLineSchema).max(50),
  })
  .refine((t) => t.splits.length === 0 || t.splits.reduce((s, l) => s + l.amount, 0) === t.amount, {
    message: 'split lines must add up to the transaction amount',
    path: ['splits'],
  });

export const budgetSchema = z.object({
  ...base,
  month: calendarMonth(),
  categoryId: id(),
  amount: minorUnits(),
  currency: currency(),
  rollover: z.boolean(),
});

export const recurringRuleSchema = z.object({
  ...base,
  name: shortText(120).min(1),
  /** RFC 5545 RRULE text, e.g. "FREQ=MONTHLY;BYMONTHDAY=-1". */
  rrule: z.string().min(5).max(500).regex(/^(RRULE:)?FREQ=/, 'must be RFC 5545 RRULE text'),
  startDate: calendarDate(),
  endDate: calendarDate().nullable(),
  accountId: id(),
  amount: minorUnits(),
  currency: currency(),
  categoryId: optionalRef(),
  payee: shortText(200).nullable(),
  autoPost: z.boolean(),
  lastPostedDate: calendarDate().nullable(),
  skippedDates: z.array(calendarDate()).max(500),
});

export const attachmentSchema = z.object({
  ...base,
  transactionId: id(),
  fileName: shortText(255),
  mimeType: z.enum(ATTACHMENT_TYPES),
  size: z.number().int().min(1).max(MAX_ATTACHMENT_BYTES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  uploadedAt: instant().nullable(),
});

export const ASSET_KINDS = ['stock', 'etf', 'fund', 'bond', 'crypto', 'cash', 'other'] as const;
export const assetSchema = z.object({
  ...base,
  symbol: shortText(32).min(1),
  name: shortText(200),
  kind: z.enum(ASSET_KINDS),
  currency: currency(),
  provider: z.enum(['yahoo', 'coingecko', 'manual']),
  providerId: shortText(64).nullable(),
  isin: z.string().regex(/^[A-Z]{2}[A-Z0-9]{9}\d$/).nullable(),
});

export const INVESTMENT_KINDS = ['buy', 'sell', 'dividend', 'split', 'fee', 'transfer_in', 'transfer_out'] as const;
export const investmentTransactionSchema = z.object({
  ...base,
  accountId: id(),
  assetId: id(),
  kind: z.enum(INVESTMENT_KINDS),
  date: calendarDate(),
  quantity: decimalText(),
  unitPrice: decimalText().nullable(),
  amount: minorUnits(),
  fee: minorUnits().min(0),
  currency: currency(),
  /** For splits: new shares per old share as a decimal, e.g. "4" for a 4-for-1. */
  splitRatio: decimalText().nullable(),
  notes: shortText(2000).nullable(),
});

/** Prices (OHLCV) and FX rates are one kind of series. Server-owned: clients only pull. */
export const quoteSchema = z.object({
  id: z.string().min(1).max(80),
  hlc: hlc(),
  kind: z.enum(['price', 'fx']),
  /** Asset symbol for prices, "GBP/USD" for FX. */
  series: shortText(40),
  date: calendarDate(),
  open: decimalText().nullable(),
  high: decimalText().nullable(),
  low: decimalText().nullable(),
  close: decimalText(),
  volume: decimalText().nullable(),
  currency: currency(),
  source: shortText(40),
});

/** Daily net worth computed by the server job. Server-owned. */
export const netWorthSnapshotSchema = z.object({
  ...base,
  date: calendarDate(),
  currency: currency(),
  assets: minorUnits(),
  liabilities: minorUnits(),
  byAccount: z.record(z.string(), minorUnits()),
});

export const settingsSchema = z.object({
  ...base,
  baseCurrency: currency(),
  locale: shortText(20),
  /** IANA zone in which calendar dates are read, e.g. Europe/London. */
  timezone: shortText(64),
  budgetStartDay: z.number().int().min(1).max(28),
  idleLockMinutes: z.number().int().min(1).max(1440),
});

export const RULE_FIELDS = ['description', 'merchant', 'amount', 'accountId'] as const;
export const RULE_OPS = ['contains', 'equals', 'starts_with', 'regex', 'gt', 'lt', 'between'] as const;
export const categorisationRuleSchema = z.object({
  ...base,
  name: shortText(120),
  priority: z.number().int().min(0).max(10_000),
  enabled: z.boolean(),
  conditions: z
    .array(z.object({ field: z.enum(RULE_FIELDS), op: z.enum(RULE_OPS), value: shortText(200), value2: shortText(200).optional() }))
    .min(1)
    .max(10),
  actions: z.object({
    categoryId: optionalRef().optional(),
    tags: z.array(shortText(40)).max(20).optional(),
    merchant: shortText(200).optional(),
  }),
});
