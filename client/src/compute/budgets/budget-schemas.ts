import { z } from 'zod';
import type { BudgetHistoryRequest, BudgetInputs, BudgetPageRequest } from '@mymidas/shared/budget';
import { BUDGET_PERIODS, CATEGORY_KINDS, budgetSchema, calendarDate, currency, id, minorUnits } from '@mymidas/shared/schema';

/**
 * What the budgets area accepts from the UI thread (issue 20): the inputs and the two requests, checked
 * with zod where they enter the worker. A refusal names the first problem and changes nothing.
 */

export class BudgetRequestError extends Error {
  override readonly name = 'BudgetRequestError';
}

/** Upper bounds: a household's budgets, categories and rules are small; these only stop a runaway caller. */
const MAX_BUDGETS = 2000;
const MAX_CATEGORIES = 5000;
const MAX_SCHEDULED = 200_000;
const MAX_FX_DAYS = 100_000;
/** Periods one history request may ask for (the engine's own bound). */
export const MAX_HISTORY_PERIODS = 1000;

/** A rate into the base currency: a positive decimal, never a float. */
const rateText = z
  .string()
  .max(40)
  .regex(/^\d+(\.\d+)?$/, 'must be a positive decimal number as text')
  .refine((r) => /[1-9]/.test(r), 'must be greater than zero');

const fxSeriesSchema = z
  .object({
    currency: currency(),
    dates: z.array(calendarDate()).max(MAX_FX_DAYS),
    rates: z.array(rateText).max(MAX_FX_DAYS),
  })
  .refine((s) => s.dates.length === s.rates.length, { message: 'dates and rates must pair up', path: ['rates'] })
  .refine((s) => s.dates.every((d, i) => i === 0 || s.dates[i - 1]! < d), { message: 'dates must be ascending, one rate per date', path: ['dates'] });

export const budgetInputsSchema = z
  .object({
    budgets: z.array(budgetSchema).max(MAX_BUDGETS),
    categories: z.array(z.object({ id: id(), parentId: id().nullable(), kind: z.enum(CATEGORY_KINDS) })).max(MAX_CATEGORIES),
    baseCurrency: currency(),
    monthStartDay: z.number().int().min(1).max(28),
    fx: z.array(fxSeriesSchema).max(200),
    scheduled: z.array(z.object({ date: calendarDate(), categoryId: id().nullable(), amount: minorUnits(), currency: currency() })).max(MAX_SCHEDULED),
    today: calendarDate(),
  })
  .refine((i) => i.fx.every((s) => s.currency !== i.baseCurrency), { message: 'the base currency needs no FX series', path: ['fx'] })
  .refine((i) => new Set(i.fx.map((s) => s.currency)).size === i.fx.length, { message: 'one FX series per currency', path: ['fx'] })
  .refine((i) => new Set(i.budgets.map((b) => b.id)).size === i.budgets.length, { message: 'budget ids must be unique', path: ['budgets'] });

export const budgetPageRequestSchema = z.object({ date: calendarDate(), kind: z.enum(BUDGET_PERIODS).optional() }).strict();

export const budgetHistoryRequestSchema = z
  .object({
    budgetIds: z.array(id()).max(MAX_BUDGETS).optional(),
    periods: z.number().int().min(1).max(MAX_HISTORY_PERIODS),
    date: calendarDate(),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw new BudgetRequestError(`${what} refused: ${where}${first?.message ?? 'bad shape'}`);
}

export const parseBudgetInputs = (value: unknown): BudgetInputs => parse(budgetInputsSchema, value, 'budget inputs');
export const parseBudgetPageRequest = (value: unknown): BudgetPageRequest => parse(budgetPageRequestSchema, value, 'budget page request');
export const parseBudgetHistoryRequest = (value: unknown): BudgetHistoryRequest => parse(budgetHistoryRequestSchema, value, 'budget history request');
