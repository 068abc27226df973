import { z } from 'zod';
import { ACCOUNT_TYPES, CATEGORY_KINDS, calendarDate, currency, id, minorUnits, recurringRuleSchema } from '@mymidas/shared/schema';
import type { RecurringRule } from '@mymidas/shared/schema';
import type { FxSeries } from '@mymidas/shared/budget';

/**
 * What the forecasts area accepts from the UI thread (issue 24), checked with zod where it enters the worker.
 * A refusal names the first problem and changes nothing.
 */

export class ForecastRequestError extends Error {
  override readonly name = 'ForecastRequestError';
}

const rateText = z.string().max(40).regex(/^\d+(\.\d+)?$/, 'must be a positive decimal number as text');

const fxSeriesSchema = z
  .object({ currency: currency(), dates: z.array(calendarDate()).max(100_000), rates: z.array(rateText).max(100_000) })
  .refine((s) => s.dates.length === s.rates.length, { message: 'dates and rates must pair up', path: ['rates'] });

export const forecastAccountSchema = z.object({
  id: id(),
  name: z.string().min(1).max(120),
  type: z.enum(ACCOUNT_TYPES),
  currency: currency(),
  openingBalance: minorUnits(),
  openingDate: calendarDate(),
  closed: z.boolean(),
  /** A credit card's limit: its balance may go down to −limit before the day is at risk. */
  creditLimit: minorUnits().nullable(),
});

export const forecastCategorySchema = z.object({
  id: id(),
  name: z.string().min(1).max(80),
  parentId: id().nullable(),
  kind: z.enum(CATEGORY_KINDS),
});

export const forecastInputsSchema = z.object({
  /** The user's today in settings.timezone. */
  today: calendarDate(),
  baseCurrency: currency(),
  /** settings.budgetStartDay (the net-worth months are budget months). */
  monthStartDay: z.number().int().min(1).max(28),
  accounts: z.array(forecastAccountSchema).max(2000),
  categories: z.array(forecastCategorySchema).max(5000),
  /** Rates into the base currency of each foreign currency in use; empty: the investment store's FX series are used. */
  fx: z.array(fxSeriesSchema).max(200),
  rules: z.array(recurringRuleSchema).max(5000),
});

export type ForecastAccount = z.infer<typeof forecastAccountSchema>;
export type ForecastCategory = z.infer<typeof forecastCategorySchema>;
export interface ForecastInputs {
  readonly today: string;
  readonly baseCurrency: string;
  readonly monthStartDay: number;
  readonly accounts: readonly ForecastAccount[];
  readonly categories: readonly ForecastCategory[];
  readonly fx: readonly FxSeries[];
  readonly rules: readonly RecurringRule[];
}

export const runRequestSchema = z.object({
  /** Chosen by the page; names the run for forecastCancel and forecastProgress. */
  jobId: z.string().min(1).max(80),
  /** Ignore a cached result and fit again. */
  refresh: z.boolean().optional(),
});
export type ForecastRunRequest = z.infer<typeof runRequestSchema>;

export const monteCarloRequestSchema = z.object({
  seed: z.number().int().optional(),
  paths: z.number().int().min(100).max(10_000).optional(),
  /** Months ahead (the target date's month is found by the page). */
  months: z.number().int().min(1).max(600),
  /** Minor units of the base currency added at each month's end. */
  monthlyContribution: minorUnits(),
  /** Minor units of the base currency. */
  targetValue: minorUnits().optional(),
  targetMonth: z.number().int().min(1).max(600).optional(),
});
export type MonteCarloRequest = z.infer<typeof monteCarloRequestSchema>;

export function parseForecast<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new ForecastRequestError(`${what}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
}
