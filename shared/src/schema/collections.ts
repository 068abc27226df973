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

/** Budget periods (issue 20). Monthly, quarterly and yearly periods start on `settings.budgetStartDay`. */
export const BUDGET_PERIODS = ['weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type BudgetPeriodKind = (typeof BUDGET_PERIODS)[number];
/** none; carry what is left forward (never below zero); carry what is left or overspent forward (may be negative). */
export const BUDGET_ROLLOVERS = ['none', 'unspent', 'unspent-and-overspend'] as const;
export type BudgetRollover = (typeof BUDGET_ROLLOVERS)[number];
/** threshold: spent reached the alert threshold; over: spent passed the amount; projected: likely to run over. */
export const BUDGET_ALERT_KINDS = ['threshold', 'over', 'projected'] as const;
export type BudgetAlertKind = (typeof BUDGET_ALERT_KINDS)[number];

/** The version-0 shape: one document per category and calendar month (kept for the schema migration). */
export const budgetSchemaV0 = z.object({
  ...base,
  month: calendarMonth(),
  categoryId: id(),
  amount: minorUnits(),
  currency: currency(),
  rollover: z.boolean(),
});

/**
 * A budget (version 1): a category — or a parent category, covering its children — with a period, an amount in
 * the base currency that can change from a given period on (`amounts`, sorted by `from`; the entry in force on
 * a period's first day is that period's amount, so past periods keep theirs), a rollover mode and an alert
 * threshold. `alerts` records the alerts already raised, once per period and kind, by whichever device saw the
 * crossing first; the other devices read it here and stay quiet.
 */
export const budgetSchema = z.object({
  ...base,
  categoryId: id(),
  period: z.enum(BUDGET_PERIODS),
  /** Weekly budgets: the weekday a week starts on, 0 = Sunday … 6 = Saturday. Ignored by other periods. */
  weekStart: z.number().int().min(0).max(6),
  /** The budget applies to the periods that contain or follow this date… */
  startDate: calendarDate(),
  /** …up to the period containing this date (none: open-ended). */
  endDate: calendarDate().nullable(),
  amounts: z
    .array(z.object({ from: calendarDate(), amount: minorUnits() }))
    .min(1)
    .max(500)
    .refine((a) => a.every((e, i) => i === 0 || a[i - 1]!.from < e.from), { message: 'amount changes must be in date order, one per date' }),
  currency: currency(),
  rollover: z.enum(BUDGET_ROLLOVERS),
  /** Percent of the period's amount (plus rollover) at which an alert is raised; 80 by default. */
  alertThreshold: z.number().int().min(1).max(100),
  alerts: z
    .array(z.object({ period: calendarDate(), kind: z.enum(BUDGET_ALERT_KINDS), at: instant() }))
    .max(200),
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

/**
 * One day's quote of a price or FX series: the shape of `quotes` version 0, which stored one document per
 * series and day (116,359 in the demo household). Quotes are now stored by series and year (quoteSchema);
 * this is the row that `@mymidas/shared/quotes` reads back out of them, and what the engines take.
 */
export const quoteSchemaV0 = z.object({
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

/** Days a year document can hold (a leap year). */
export const QUOTE_YEAR_MAX_DAYS = 366;
/** `period` of the document holding a series' latest (intraday) price. */
export const QUOTE_LATEST_PERIOD = 'latest';

/**
 * Prices (OHLCV) and FX rates, version 1: one document per series and calendar year (`period` "2026") holding
 * that year's days as parallel arrays — `days` (0 = 1 January, strictly ascending), `open`, `high`, `low`,
 * `close`, `volume` as decimal text (never floats; null where the source gave none) — and one document per
 * series with its latest price (`period` "latest", `price` set, arrays empty). `source` is who supplied the
 * data and `asOf` when (the latest price's own instant; for a year, when it was last written). Server-owned:
 * clients only pull. Reading and merging: `@mymidas/shared/quotes`; docs/investments.md, "Prices".
 */
export const quoteSchema = z
  .object({
    /** `<kind>:<series>:<period>@<owner>` (quotes/ids.ts): ids are unique across users on the server. */
    id: z.string().min(1).max(100),
    hlc: hlc(),
    kind: z.enum(['price', 'fx']),
    /** Asset symbol for prices, "GBP/USD" for FX. */
    series: shortText(40),
    period: z.string().max(6).regex(/^(\d{4}|latest)$/, 'must be a year as YYYY or "latest"'),
    currency: currency(),
    source: shortText(40),
    asOf: instant(),
    days: z.array(z.number().int().min(0).max(QUOTE_YEAR_MAX_DAYS - 1)).max(QUOTE_YEAR_MAX_DAYS),
    open: z.array(decimalText().nullable()).max(QUOTE_YEAR_MAX_DAYS),
    high: z.array(decimalText().nullable()).max(QUOTE_YEAR_MAX_DAYS),
    low: z.array(decimalText().nullable()).max(QUOTE_YEAR_MAX_DAYS),
    close: z.array(decimalText()).max(QUOTE_YEAR_MAX_DAYS),
    volume: z.array(decimalText().nullable()).max(QUOTE_YEAR_MAX_DAYS),
    /** The latest price (period "latest" only; null in a year document). */
    price: decimalText().nullable(),
  })
  .superRefine((doc, ctx) => {
    const columns = ['days', 'open', 'high', 'low', 'close', 'volume'] as const;
    if (doc.period === QUOTE_LATEST_PERIOD) {
      if (doc.price === null) ctx.addIssue({ code: 'custom', path: ['price'], message: 'the latest price is missing' });
      for (const c of columns) if (doc[c].length > 0) ctx.addIssue({ code: 'custom', path: [c], message: 'a latest-price document holds no days' });
      return;
    }
    if (doc.price !== null) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a year document has no latest price' });
    const n = doc.days.length;
    if (n === 0) ctx.addIssue({ code: 'custom', path: ['days'], message: 'a year document holds at least one day' });
    for (const c of columns) if (doc[c].length !== n) ctx.addIssue({ code: 'custom', path: [c], message: `must hold one value per day (${n}), has ${doc[c].length}` });
    const year = Number(doc.period);
    const daysInYear = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
    for (let i = 0; i < n; i++) {
      const d = doc.days[i]!;
      if (d >= daysInYear) ctx.addIssue({ code: 'custom', path: ['days', i], message: `${year} has no day ${d}` });
      if (i > 0 && d <= doc.days[i - 1]!) ctx.addIssue({ code: 'custom', path: ['days', i], message: 'days must be strictly ascending' });
    }
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
