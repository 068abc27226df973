import type { Category, Transaction } from '@mymidas/shared/schema';
import { categorisable, retag, withTransferPartners } from '@mymidas/shared/ledger/edits';
import type { LedgerChange } from '@mymidas/shared/ledger/edits';
import { describeAction } from '../ledger-data/undo.ts';
import { UNCATEGORISED, parseTags } from './tx-query.ts';

/** What the bulk actions need of the ledger: the rows by id, category names, and the write path. */
export interface BulkActionsLedger {
  transactionById(id: string): Transaction | undefined;
  readonly categoryById: ReadonlyMap<string, Category>;
  commit(label: string, changes: readonly LedgerChange[]): Promise<unknown>;
}

export interface UseBulkActionsOptions {
  readonly ledger: BulkActionsLedger;
  /** The ids the actions apply to. */
  readonly selected: () => ReadonlySet<string>;
  /** Called after a delete (the rows are gone). */
  readonly onDeleted?: () => void;
}

export interface UseBulkActionsReturn {
  /** Each returns the sentence for the status line; a refused action throws and changes nothing. */
  setCategory(choice: string): Promise<string>;
  tags(text: string, mode: 'add' | 'remove'): Promise<string>;
  cleared(cleared: boolean): Promise<string>;
  remove(): Promise<string>;
}

/**
 * The list's bulk actions over the selected transactions. Each is one action through the ledger's
 * write path, so it is checked as a whole and one "Undo" reverts all of it.
 */
export function useBulkActions(options: UseBulkActionsOptions): UseBulkActionsReturn {
  const { ledger } = options;
  const picked = (): Transaction[] => [...options.selected()].map((id) => ledger.transactionById(id)).filter((t): t is Transaction => t !== undefined);

  return {
    async setCategory(choice) {
      const categoryId = choice === UNCATEGORISED ? null : choice;
      const rows = picked();
      const targets = categorisable(rows);
      await ledger.commit('Categorised', targets.map((t) => ({ before: t, after: { ...t, categoryId } })));
      const name = categoryId ? ledger.categoryById.get(categoryId)?.name : 'Uncategorised';
      const skipped = rows.length - targets.length;
      return `${describeAction('Categorised', targets.length)} as ${name}${skipped ? ` (${skipped} transfers or splits left as they were)` : ''}.`;
    },
    async tags(text, mode) {
      const wanted = parseTags(text);
      if (wanted.length === 0) throw new RangeError('Type a tag first.');
      const changes = picked().flatMap((t) => {
        const next = retag(t.tags, wanted, mode);
        return next === null ? [] : [{ before: t, after: { ...t, tags: next } }];
      });
      await ledger.commit(mode === 'add' ? 'Tagged' : 'Untagged', changes);
      return `${describeAction(mode === 'add' ? 'Tagged' : 'Removed tags from', changes.length)}.`;
    },
    async cleared(cleared) {
      const changes = picked()
        .filter((t) => t.status !== 'reconciled' && (cleared ? t.status !== 'cleared' : t.status === 'cleared'))
        .map((t) => ({ before: t, after: { ...t, status: cleared ? ('cleared' as const) : ('uncleared' as const) } }));
      await ledger.commit(cleared ? 'Marked cleared' : 'Marked not cleared', changes);
      return `${describeAction(cleared ? 'Marked cleared:' : 'Marked not cleared:', changes.length)}.`;
    },
    async remove() {
      // A transfer leg goes with its other leg.
      const rows = withTransferPartners(picked(), (id) => ledger.transactionById(id));
      await ledger.commit('Deleted', rows.map((t) => ({ before: t, after: null })));
      options.onDeleted?.();
      return `${describeAction('Deleted', rows.length)}. Undo is available.`;
    },
  };
}
