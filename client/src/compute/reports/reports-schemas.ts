import { z } from 'zod';
import { MAX_PAGE_SIZE, MAX_TREND_WINDOW, REPORT_PRESETS } from '@mymidas/shared/reports';
import type {
  BudgetVsActualRequest, CashFlowRequest, CategoryBreakdownRequest, CategoryTransactionsRequest, IncomeExpenseRequest, InvestmentPerformanceRequest,
  NetWorthRequest, ReportFilters, ReportInputs, SpendingTrendsRequest,
} from '@mymidas/shared/reports';
import { ACCOUNT_TYPES, BUDGET_PERIODS, CATEGORY_KINDS, budgetSchema, calendarDate, currency, id, minorUnits, shortText } from '@mymidas/shared/schema';

/**
 * What the reports area accepts from the UI thread (issue 23), checked with zod where it enters the worker. A
 * refusal names the first problem and changes nothing.
 */

export class ReportRequestError extends Error {
  override readonly name = 'ReportRequestError';
}

const MAX_IDS = 5000;
const MAX_FX_DAYS = 100_000;
const MAX_TAGGED = 500_000;

const rateText = z.string().max(40).regex(/^\d+(\.\d+)?$/, 'must be a positive decimal number as text').refine((r) => /[1-9]/.test(r), 'must be greater than zero');

const fxSeriesSchema = z
  .object({ currency: currency(), dates: z.array(calendarDate()).max(MAX_FX_DAYS), rates: z.array(rateText).max(MAX_FX_DAYS) })
  .refine((s) => s.dates.length === s.rates.length, { message: 'dates and rates must pair up', path: ['rates'] })
  .refine((s) => s.dates.every((d, i) => i === 0 || s.dates[i - 1]! < d), { message: 'dates must be ascending, one rate per date', path: ['dates'] });

export const reportInputsSchema = z
  .object({
    baseCurrency: currency(),
    monthStartDay: z.number().int().min(1).max(28),
    weekStart: z.number().int().min(0).max(6),
    today: calendarDate().optional(),
    timezone: shortText(64).optional(),
    accounts: z.array(z.object({ id: id(), type: z.enum(ACCOUNT_TYPES), currency: currency(), openingBalance: minorUnits(), openingDate: calendarDate() })).max(MAX_IDS),
    categories: z.array(z.object({ id: id(), parentId: id().nullable(), kind: z.enum(CATEGORY_KINDS) })).max(MAX_IDS),
    fx: z.array(fxSeriesSchema).max(200),
    budgets: z.array(budgetSchema).max(2000),
    tagged: z.array(z.object({ id: id(), tags: z.array(shortText(40)).max(20) })).max(MAX_TAGGED),
  })
  .refine((i) => i.today !== undefined || i.timezone !== undefined, { message: 'give today or the time zone', path: ['today'] })
  .refine((i) => i.fx.every((s) => s.currency !== i.baseCurrency), { message: 'the base currency needs no FX series', path: ['fx'] })
  .refine((i) => new Set(i.fx.map((s) => s.currency)).size === i.fx.length, { message: 'one FX series per currency', path: ['fx'] })
  .refine((i) => new Set(i.accounts.map((a) => a.id)).size === i.accounts.length, { message: 'account ids must be unique', path: ['accounts'] });

export const filtersSchema = z
  .object({
    preset: z.enum(REPORT_PRESETS),
    from: calendarDate().optional(),
    to: calendarDate().optional(),
    accountIds: z.array(id()).max(MAX_IDS).optional(),
    categoryIds: z.array(id().nullable()).max(MAX_IDS).optional(),
    tags: z.array(shortText(40)).max(100).optional(),
  })
  .strict()
  .refine((f) => f.preset !== 'custom' || (f.from !== undefined && f.to !== undefined), { message: 'a custom range needs from and to', path: ['from'] })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, { message: 'from must not be after to', path: ['from'] });

const flowKind = z.enum(['expense', 'income']);

export const netWorthRequestSchema = z.object({ filters: filtersSchema, granularity: z.enum(['day', 'week', 'month']) }).strict();
export const incomeExpenseRequestSchema = z.object({ filters: filtersSchema, granularity: z.enum(['month', 'quarter', 'year']) }).strict();
export const cashFlowRequestSchema = z.object({ filters: filtersSchema, by: z.enum(['group', 'category']).optional() }).strict();
export const categoryBreakdownRequestSchema = z.object({ filters: filtersSchema, kind: flowKind }).strict();
export const categoryTransactionsRequestSchema = z
  .object({
    filters: filtersSchema, kind: flowKind, groupId: id().nullable().optional(), categoryId: id().nullable().optional(),
    page: z.number().int().min(0).max(1_000_000), pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE),
  })
  .strict()
  .refine((r) => (r.groupId === undefined) !== (r.categoryId === undefined), { message: 'give one of groupId and categoryId', path: ['groupId'] });
export const budgetVsActualRequestSchema = z
  .object({ filters: filtersSchema, budgetIds: z.array(id()).max(2000).optional(), kind: z.enum(BUDGET_PERIODS).optional() })
  .strict();
export const investmentPerformanceRequestSchema = z
  .object({
    filters: filtersSchema,
    granularity: z.enum(['week', 'month', 'quarter', 'year']),
    benchmark: z
      .union([
        z.object({ assetId: id() }).strict(),
        z.object({ label: shortText(80), dates: z.array(calendarDate()).min(1).max(MAX_FX_DAYS), closes: z.array(rateText).min(1).max(MAX_FX_DAYS) }).strict()
          .refine((b) => b.dates.length === b.closes.length, { message: 'dates and closes must pair up', path: ['closes'] })
          .refine((b) => b.dates.every((d, i) => i === 0 || b.dates[i - 1]! < d), { message: 'dates must ascend', path: ['dates'] }),
      ])
      .optional(),
  })
  .strict();
export const spendingTrendsRequestSchema = z
  .object({ filters: filtersSchema, categoryId: id().nullable(), window: z.number().int().min(1).max(MAX_TREND_WINDOW).optional() })
  .strict();

export type ReportInputsPush = Omit<ReportInputs, 'today'> & { readonly today?: string; readonly timezone?: string };

/** Parses `value` with `schema`, or throws ReportRequestError naming the first problem. */
export function parseReport<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new ReportRequestError(`${what}: ${issue.message}${path}`);
}

// The request types are the shared ones: a schema that drifted from them fails to compile here.
export const SCHEMAS = {
  inputs: reportInputsSchema as z.ZodType<ReportInputsPush>,
  filters: filtersSchema as z.ZodType<ReportFilters>,
  netWorth: netWorthRequestSchema as z.ZodType<NetWorthRequest>,
  incomeExpense: incomeExpenseRequestSchema as z.ZodType<IncomeExpenseRequest>,
  cashFlow: cashFlowRequestSchema as z.ZodType<CashFlowRequest>,
  categoryBreakdown: categoryBreakdownRequestSchema as z.ZodType<CategoryBreakdownRequest>,
  categoryTransactions: categoryTransactionsRequestSchema as z.ZodType<CategoryTransactionsRequest>,
  budgetVsActual: budgetVsActualRequestSchema as z.ZodType<BudgetVsActualRequest>,
  investmentPerformance: investmentPerformanceRequestSchema as z.ZodType<InvestmentPerformanceRequest>,
  spendingTrends: spendingTrendsRequestSchema as z.ZodType<SpendingTrendsRequest>,
};
