import type { RecurringRule, Transaction } from '@mymidas/shared/schema';

/**
 * One user action on transactions, as the list of documents it touched: `before` is the document
 * as it was (null when the action created it), `after` as it is now (null when deleted).
 */
export interface TransactionChange {
  readonly before: Transaction | null;
  readonly after: Transaction | null;
}

/** A recurring rule the same action changed (posting an occurrence moves the rule on). */
export interface RecurringRuleChange {
  readonly before: RecurringRule | null;
  readonly after: RecurringRule | null;
}

export interface UndoEntry {
  readonly label: string;
  readonly changes: readonly TransactionChange[];
  readonly recurring?: readonly RecurringRuleChange[];
}

/**
 * What undoing an action writes: documents it created are deleted, documents it changed or deleted
 * are put back as they were (the caller gives them a fresh HLC stamp, so the undo is itself an edit
 * that syncs and wins over the undone one).
 */
export function undoPlan(entry: UndoEntry): { restore: Transaction[]; remove: string[] } {
  const restore: Transaction[] = [];
  const remove: string[] = [];
  for (const c of entry.changes) {
    if (c.before === null) {
      if (c.after !== null) remove.push(c.after.id);
    } else restore.push(c.before);
  }
  return { restore, remove };
}

/** The changes that undo an action: each change reversed (what was created goes, what was changed or deleted comes back). */
export function reverseChanges(entry: UndoEntry): { changes: TransactionChange[]; recurring: RecurringRuleChange[] } {
  return {
    changes: entry.changes.map((c) => ({ before: c.after, after: c.before })),
    recurring: (entry.recurring ?? []).map((c) => ({ before: c.after, after: c.before })),
  };
}

/** A short sentence for the status line after an action, e.g. "Deleted 3 transactions". */
export function describeAction(verb: string, count: number): string {
  return `${verb} ${count.toLocaleString('en-GB')} transaction${count === 1 ? '' : 's'}`;
}
