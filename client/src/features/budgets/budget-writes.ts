import { budgetSchema } from '@mymidas/shared/schema';
import type { Budget, Category } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { stampAfter } from '../../sync/clock.ts';
import { budgetRule, withAmountFrom } from './budget-page-model.ts';
import type { AmountChange } from './budget-page-model.ts';
import { periodContaining } from '@mymidas/shared/budget';

/**
 * Budget writes on the replica: create, edit, change the amount from a period on, end, delete, and the
 * page's "copy last period". Each document is checked (the schema and the rules below) before anything is
 * written, stamped with the replica's clock after the stamp it had (sync/clock.ts), and edited in place with
 * `incrementalModify`, so fields this path does not own — the `alerts` other devices record — are kept as
 * they are stored at the moment of the write.
 */

/** What the editor makes: a budget without its id, stamp and raised alerts. */
export type BudgetDraft = Omit<Budget, 'id' | 'hlc' | 'alerts'>;
/** The fields an edit may change (never `alerts`, `id`, `hlc`). */
export type BudgetPatch = Partial<Omit<Budget, 'id' | 'hlc' | 'alerts'>>;

/** A write refused with a message for people; nothing was written. */
export class BudgetWriteError extends Error {
  override readonly name = 'BudgetWriteError';
}

const FIELD_NAMES: Readonly<Record<string, string>> = {
  categoryId: 'Category', period: 'Period', weekStart: 'Week starts on', startDate: 'Start', endDate: 'End', amounts: 'Amount',
  currency: 'Currency', rollover: 'Rollover', alertThreshold: 'Alert threshold',
};

function checked(doc: Budget, categories: ReadonlyMap<string, Category>): Budget {
  const parsed = budgetSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = FIELD_NAMES[String(first?.path[0] ?? '')] ?? 'The budget';
    throw new BudgetWriteError(`${field}: ${first?.message ?? 'not valid'}.`);
  }
  const category = categories.get(doc.categoryId);
  if (!category) throw new BudgetWriteError('Category: the category chosen no longer exists.');
  if (category.kind !== 'expense') throw new BudgetWriteError(`Category: ${category.name} is not a spending category.`);
  if (doc.amounts.some((a) => a.amount < 0)) throw new BudgetWriteError('Amount: a budget cannot be below zero.');
  if (doc.endDate !== null && doc.endDate < doc.startDate) throw new BudgetWriteError('End: the budget cannot end before it starts.');
  return parsed.data as Budget;
}

async function categoriesOf(db: ReplicaDatabase): Promise<Map<string, Category>> {
  const docs = await db.categories.find().exec();
  return new Map(docs.map((d) => [d.id, d.toMutableJSON() as Category]));
}

async function settingsStartDay(db: ReplicaDatabase): Promise<number> {
  const s = await db.settings.findOne().exec();
  return (s?.toMutableJSON() as { budgetStartDay?: number } | undefined)?.budgetStartDay ?? 1;
}

/** Whether two budgets of the same category and period kind apply to a common period. */
function overlaps(a: BudgetDraft, b: Budget, monthStartDay: number): boolean {
  if (a.categoryId !== b.categoryId || a.period !== b.period) return false;
  const rule = budgetRule(b, monthStartDay);
  const startOf = (d: string) => periodContaining(rule, d).start;
  const aEnd = a.endDate === null ? '9999-12-31' : startOf(a.endDate);
  const bEnd = b.endDate === null ? '9999-12-31' : startOf(b.endDate);
  return startOf(a.startDate) <= bEnd && startOf(b.startDate) <= aEnd;
}

export async function createBudget(db: ReplicaDatabase, draft: BudgetDraft): Promise<Budget> {
  const [categories, monthStartDay, existing] = await Promise.all([categoriesOf(db), settingsStartDay(db), db.budgets.find({ selector: { categoryId: draft.categoryId } }).exec()]);
  const doc = checked({ ...draft, id: newId(), hlc: await stampAfter(db), alerts: [] }, categories);
  const clash = existing.map((d) => d.toMutableJSON() as Budget).find((b) => overlaps(draft, b, monthStartDay));
  if (clash) {
    const name = categories.get(draft.categoryId)?.name ?? 'This category';
    throw new BudgetWriteError(`Category: ${name} already has a ${draft.period} budget for these periods — edit that one instead.`);
  }
  await db.budgets.insert(doc);
  return doc;
}

/**
 * Edits a budget: `change` gets the budget as stored at the moment of the write and returns the fields to
 * change. Refused (nothing written) when the result is not a valid budget.
 */
export async function updateBudget(db: ReplicaDatabase, id: string, change: (current: Budget) => BudgetPatch): Promise<Budget> {
  const doc = await db.budgets.findOne(id).exec();
  if (!doc) throw new BudgetWriteError('This budget no longer exists (deleted on another device?).');
  const categories = await categoriesOf(db);
  const hlc = await stampAfter(db, doc.hlc);
  // Checked once before writing, so a refusal throws here rather than inside RxDB's modify loop.
  checked({ ...(doc.toMutableJSON() as Budget), ...change(doc.toMutableJSON() as Budget), hlc }, categories);
  let saved: Budget | null = null;
  await doc.incrementalModify((data) => {
    const current = data as Budget;
    saved = checked({ ...current, ...change(current), hlc }, categories);
    return { ...data, ...saved };
  });
  return saved ?? checked(doc.toMutableJSON() as Budget, categories);
}

/** The amount from the period starting `from` on; earlier periods keep theirs, later recorded changes stay. */
export function setAmountFrom(db: ReplicaDatabase, id: string, from: string, amount: number): Promise<Budget> {
  if (!Number.isSafeInteger(amount)) throw new BudgetWriteError('Amount: must be a whole number of minor units.');
  return updateBudget(db, id, (b) => ({ amounts: withAmountFrom(b.amounts, from, amount) }));
}

/** Ends a budget with the period containing `endDate` (null: it goes on). */
export function endBudget(db: ReplicaDatabase, id: string, endDate: string | null): Promise<Budget> {
  return updateBudget(db, id, () => ({ endDate }));
}

/** Deletes a budget (a stamped delete, so it syncs and wins over older edits). */
export async function deleteBudget(db: ReplicaDatabase, id: string): Promise<void> {
  const doc = await db.budgets.findOne(id).exec();
  if (!doc) return;
  const stamped = await doc.incrementalPatch({ hlc: await stampAfter(db, doc.hlc) });
  await stamped.remove();
}

/**
 * Writes planned amount changes (copy last period, set from an average): each budget gets its amount from the
 * change's period on and, when it ended in the previous period, continues. All are checked before any is
 * written. Returns how many budgets changed.
 */
export async function applyAmountChanges(db: ReplicaDatabase, changes: readonly AmountChange[]): Promise<number> {
  const categories = await categoriesOf(db);
  const patchOf = (c: AmountChange) => (b: Budget): BudgetPatch => ({
    amounts: withAmountFrom(b.amounts, c.from, c.amount),
    ...(c.reopen ? { endDate: null } : {}),
  });
  for (const c of changes) checked({ ...c.budget, ...patchOf(c)(c.budget) }, categories);
  let n = 0;
  for (const c of changes) {
    await updateBudget(db, c.budget.id, patchOf(c));
    n += 1;
  }
  return n;
}
