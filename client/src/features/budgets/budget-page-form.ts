import { isCalendarDate } from '@mymidas/shared/date';
import type { Budget, BudgetPeriodKind, BudgetRollover } from '@mymidas/shared/schema';
import { amountInputText, parseAmountInput } from '../ledger-data/format.ts';
import { amountAt, budgetRule } from './budget-page-model.ts';
import { periodContaining, shiftPeriod } from '@mymidas/shared/budget';
import type { BudgetDraft, BudgetPatch } from './budget-writes.ts';

/**
 * The budget editor's form as typed, and what it stands for: a new budget, or the fields of an edit plus an
 * amount change from a period on. Every problem is reported against its field, in words that say what to do.
 */

export interface BudgetForm {
  categoryId: string;
  kind: BudgetPeriodKind;
  /** 0 = Sunday … 6 = Saturday (weekly only). */
  weekStart: number;
  /** A new budget applies from the period containing this date. */
  startDate: string;
  amountText: string;
  /** An edit's new amount applies from the shown period or the one after it. */
  amountFrom: 'shown' | 'next';
  rollover: BudgetRollover;
  thresholdText: string;
  ends: boolean;
  endDate: string;
}

export type BudgetFormField = 'categoryId' | 'startDate' | 'amountText' | 'thresholdText' | 'endDate';
export type BudgetFormErrors = Partial<Record<BudgetFormField, string>>;

export const FIELD_LABELS: Readonly<Record<BudgetFormField, string>> = {
  categoryId: 'Category', startDate: 'Starts', amountText: 'Amount', thresholdText: 'Alert threshold', endDate: 'Ends on',
};

export interface FormContext {
  readonly currency: string;
  readonly monthStartDay: number;
  /** A date in the period the page shows. */
  readonly shownDate: string;
}

export function formFor(budget: Budget | null, defaults: { kind: BudgetPeriodKind; categoryId?: string }, ctx: FormContext): BudgetForm {
  if (!budget) {
    return {
      categoryId: defaults.categoryId ?? '', kind: defaults.kind, weekStart: 1, startDate: ctx.shownDate, amountText: '', amountFrom: 'shown',
      rollover: 'none', thresholdText: '80', ends: false, endDate: '',
    };
  }
  const from = amountStart(budget, 'shown', ctx);
  return {
    categoryId: budget.categoryId, kind: budget.period, weekStart: budget.weekStart, startDate: budget.startDate,
    amountText: amountInputText(amountAt(budget, from), ctx.currency), amountFrom: 'shown', rollover: budget.rollover,
    thresholdText: String(budget.alertThreshold), ends: budget.endDate !== null, endDate: budget.endDate ?? '',
  };
}

/** First day of the period an edited amount applies from. */
export function amountStart(budget: Pick<Budget, 'period' | 'weekStart'>, which: 'shown' | 'next', ctx: FormContext): string {
  const rule = budgetRule(budget, ctx.monthStartDay);
  const shown = periodContaining(rule, ctx.shownDate);
  return which === 'shown' ? shown.start : shiftPeriod(rule, shown, 1).start;
}

export type FormResult =
  | { readonly ok: false; readonly errors: BudgetFormErrors }
  | { readonly ok: true; readonly create: BudgetDraft }
  | { readonly ok: true; readonly edit: { readonly patch: BudgetPatch; readonly amount: { readonly from: string; readonly amount: number } | null } };

export function readForm(form: BudgetForm, budget: Budget | null, ctx: FormContext): FormResult {
  const errors: BudgetFormErrors = {};
  if (!budget && !form.categoryId) errors.categoryId = 'Choose the category this budget is for.';
  let amount = 0;
  try {
    amount = parseAmountInput(form.amountText, ctx.currency);
    if (amount < 0) errors.amountText = 'A budget cannot be below zero: enter how much you mean to spend, e.g. 250.00.';
  } catch {
    errors.amountText = `Enter how much each ${form.kind === 'weekly' ? 'week' : form.kind === 'monthly' ? 'month' : form.kind === 'quarterly' ? 'quarter' : 'year'} may spend, e.g. 250.00.`;
  }
  const threshold = Number(form.thresholdText.trim());
  if (form.thresholdText.trim() === '' || !Number.isInteger(threshold) || threshold < 1 || threshold > 100) {
    errors.thresholdText = 'Enter a whole percent from 1 to 100, e.g. 80.';
  }
  const startDate = budget ? budget.startDate : form.startDate;
  if (!budget && !isCalendarDate(form.startDate)) errors.startDate = 'Enter the date the budget starts from.';
  if (form.ends) {
    if (!isCalendarDate(form.endDate)) errors.endDate = 'Enter the date the budget ends on, or untick “Ends”.';
    else if (isCalendarDate(startDate) && form.endDate < startDate) errors.endDate = `The end cannot be before the start (${startDate}).`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const endDate = form.ends ? form.endDate : null;
  if (!budget) {
    const rule = budgetRule({ period: form.kind, weekStart: form.weekStart }, ctx.monthStartDay);
    return {
      ok: true,
      create: {
        categoryId: form.categoryId, period: form.kind, weekStart: form.weekStart, startDate, endDate,
        amounts: [{ from: periodContaining(rule, startDate).start, amount }], currency: ctx.currency, rollover: form.rollover, alertThreshold: threshold,
      },
    };
  }
  const from = amountStart(budget, form.amountFrom, ctx);
  return {
    ok: true,
    edit: {
      patch: { rollover: form.rollover, alertThreshold: threshold, endDate },
      amount: amountAt(budget, from) === amount ? null : { from, amount },
    },
  };
}
