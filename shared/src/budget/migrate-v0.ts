import type { z } from 'zod';
import { monthRange } from '../date/date.ts';
import { budgetSchemaV0, type Budget } from '../schema/registry.ts';

/**
 * Budgets schema version 0 → 1 (issue 20): the one conversion both the replica's RxDB migration strategy
 * (client/src/db/database.ts) and the server's SQL migration (postgres/migrations/009_budgets_v1.sql) perform,
 * so a device and the server turn the same version-0 document into the same version-1 document.
 *
 * A version-0 budget was one document per category and calendar month. It becomes a monthly budget for one
 * period, the one in which that month begins: it starts and ends on the month's 1st, with one amount in force
 * from the 1st.
 * The id and the edit stamp (hlc) are kept, so the document stays the same document for sync: the device and
 * the server each convert it and arrive at equal states, and nothing is merged or re-sent. Rollover `true`
 * (carry what is left over) is 'unspent'; `false` is 'none'. The fields version 0 did not have take their
 * defaults: weeks start on Monday (unused by monthly budgets), alerts at 80 %, no alert raised yet.
 *
 * Monthly periods of version 1 start on settings.budgetStartDay. With the start day 1 (the calendar month)
 * that period is exactly the month it had. With a later start day D it is the period from D of the month
 * before to D−1 of this month (see docs/schema-migrations.md): each converted month still counts in exactly
 * one period, so consecutive months of one category never overlap; nothing of the document is lost.
 */

export type BudgetV0 = z.infer<typeof budgetSchemaV0>;

export function migrateBudgetV0(doc: BudgetV0): Budget {
  const { first } = monthRange(doc.month);
  return {
    id: doc.id,
    hlc: doc.hlc,
    categoryId: doc.categoryId,
    period: 'monthly',
    weekStart: 1,
    startDate: first,
    endDate: first,
    amounts: [{ from: first, amount: doc.amount }],
    currency: doc.currency,
    rollover: doc.rollover ? 'unspent' : 'none',
    alertThreshold: 80,
    alerts: [],
  };
}

/** A stored document in the version-0 shape: it has the version-0 `month` field (version 1 has none). */
export function isBudgetV0Shaped(doc: object): boolean {
  return Object.hasOwn(doc, 'month');
}

export class BudgetMigrationError extends Error {
  override readonly name = 'BudgetMigrationError';
}

/**
 * A stored budget document, of either version, as version 1: a version-0 document is checked against the
 * version-0 schema and converted; a document already in the version-1 shape (e.g. pulled from a migrated server
 * by a device still on version 0) is returned as it is. A version-0 document that is not a valid one is refused
 * with BudgetMigrationError naming it and what is wrong: nothing is guessed.
 */
export function budgetToV1<T extends object>(doc: T): Budget | T {
  if (!isBudgetV0Shaped(doc)) return doc;
  const parsed = budgetSchemaV0.safeParse(doc);
  if (!parsed.success) {
    const rawId = (doc as { id?: unknown }).id;
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ');
    throw new BudgetMigrationError(`budget ${typeof rawId === 'string' ? rawId : '(no id)'} is not a valid version-0 budget and cannot be converted: ${problems}`);
  }
  return migrateBudgetV0(parsed.data);
}
