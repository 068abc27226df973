import { z } from 'zod';
import { ACCOUNT_TYPES, calendarDate, currency, id } from '@mymidas/shared/schema';
import type { DateRange, InvestAccount, ReturnScope } from '@mymidas/shared/invest';

/**
 * What the invest area accepts from the UI thread (issue 21), checked with zod where it enters the worker. A
 * refusal names the first problem and changes nothing.
 */

export class InvestRequestError extends Error {
  override readonly name = 'InvestRequestError';
}

const MAX_ACCOUNTS = 5000;

const rangeSchema = z
  .object({ from: calendarDate(), to: calendarDate() })
  .strict()
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['from'] });

const accountSchema = z.object({ id: id(), type: z.enum(ACCOUNT_TYPES), currency: currency() }).strict();

export const setAccountsSchema = z.object({ accounts: z.array(accountSchema).max(MAX_ACCOUNTS), baseCurrency: currency() }).strict();
export const portfolioRequestSchema = z.object({ from: calendarDate(), to: calendarDate(), baseCurrency: currency().optional() }).strict()
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['from'] });
export const holdingsRequestSchema = z.object({ date: calendarDate(), baseCurrency: currency().optional() }).strict();

const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('portfolio') }).strict(),
  z.object({ kind: z.literal('account'), accountId: id() }).strict(),
  z.object({ kind: z.literal('account-type'), types: z.array(z.enum(ACCOUNT_TYPES)).min(1) }).strict(),
  z.object({ kind: z.literal('holding'), accountId: id(), assetId: id() }).strict(),
]);
export const returnsRequestSchema = z.object({ scope: scopeSchema, range: rangeSchema, baseCurrency: currency().optional() }).strict();
export const priceSeriesRequestSchema = z
  .object({ assetId: id(), from: calendarDate().optional(), to: calendarDate().optional() })
  .strict()
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { message: 'from must not be after to', path: ['from'] });

export const assetTransactionsRequestSchema = z.object({ assetId: id() }).strict();

export type InvestSetAccounts = { readonly accounts: readonly InvestAccount[]; readonly baseCurrency: string };
export type InvestPortfolioRequest = { readonly from: string; readonly to: string; readonly baseCurrency?: string };
export type InvestHoldingsRequest = { readonly date: string; readonly baseCurrency?: string };
export type InvestReturnsRequest = { readonly scope: ReturnScope; readonly range: DateRange; readonly baseCurrency?: string };
export type InvestPriceSeriesRequest = { readonly assetId: string; readonly from?: string; readonly to?: string };
export type InvestAssetTransactionsRequest = { readonly assetId: string };

/** Parses `value` with `schema`, or throws InvestRequestError naming the first problem. */
export function parseInvest<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new InvestRequestError(`${what}: ${issue.message}${path}`);
}
