import type { Transaction } from '@mymidas/shared/schema';

/**
 * One user action on transactions, as the list of documents it touched: `before` is the document
 * as it was (null when the action created it), `after` as it is now (null when deleted).
 */
export interface TransactionChange {
  readonly before: Transaction | null;
  readonly after: Transaction | null;
}

export interface UndoEntry {
  readonly label: string;
  readonly changes: readonly TransactionChange[];
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

/** A short sentence for the status line after an action, e.g. "Deleted 3 transactions". */
export function describeAction(verb: string, count: number): string {
  return `${verb} ${count.toLocaleString('en-GB')} transaction${count === 1 ? '' : 's'}`;
}
