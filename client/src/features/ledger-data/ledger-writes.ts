import { shallowRef } from 'vue';
import type { ShallowRef } from 'vue';
import { recurringRuleSchema, transactionSchema } from '@mymidas/shared/schema';
import type { Account, Category, RecurringRule, Transaction } from '@mymidas/shared/schema';
import { LedgerEditError, checkLedgerEdit } from '@mymidas/shared/ledger/edits';
import type { LedgerChange, TransactionDoc } from '@mymidas/shared/ledger/edits';
import { validateRecurringRule } from '@mymidas/shared/ledger/recurring';
import type { ReplicaDatabase } from '../../db/database.ts';
import { stampAfter } from '../../sync/clock.ts';
import { reverseChanges } from './undo.ts';
import type { RecurringRuleChange, TransactionChange, UndoEntry } from './undo.ts';

/**
 * The one write path for ledger edits. Every screen that creates, edits or deletes transactions —
 * the editor, the list's bulk actions, reconciliation, the transfers page, recurring posts — hands
 * its action to `ledgerWrites(db).commit(label, changes)`, which:
 *
 * 1. checks every changed document against the schema and the ledger rules of
 *    `@mymidas/shared/ledger/edits` (closed accounts, transfer legs that agree, categories that
 *    exist) — all of them before anything is written, so a refused action changes nothing;
 * 2. stamps each document with the replica's clock, after the stamp it had;
 * 3. writes the documents (a failure part-way puts back what was already written);
 * 4. remembers the action as the one "Undo" reverts. Undo is itself an action through the same
 *    path (checked and stamped), so it syncs and wins over the undone edit.
 *
 * One instance per open database, shared by every screen (the Pinia store shows its `lastAction`).
 */

export type { LedgerChange, TransactionDoc };

export interface CommitOptions {
  /** False for writes the user did not make (automatic recurring posts): they do not become "Undo". Default true. */
  readonly undoable?: boolean;
  /** Recurring rules the action changes too (posting an occurrence moves its rule on); undone with it. */
  readonly recurring?: readonly RecurringRuleChange[];
  /**
   * A created document whose id is already stored is left as it is instead of refused (occurrences
   * of recurring rules have ids derived from the rule and date, so a second post is a no-op).
   */
  readonly keepExisting?: boolean;
}

export interface CommitResult {
  /** The documents written, as stamped. */
  readonly saved: readonly Transaction[];
  /** Ids of the transactions deleted. */
  readonly removed: readonly string[];
  /** Ids of created documents that were already stored (with `keepExisting`). */
  readonly existing: readonly string[];
}

export interface LedgerWrites {
  /** The last action, the one "Undo" reverts (null when there is none). */
  readonly lastAction: Readonly<ShallowRef<UndoEntry | null>>;
  commit(label: string, changes: readonly LedgerChange[], options?: CommitOptions): Promise<CommitResult>;
  /** Reverts the last action; null when there was nothing to undo. */
  undo(): Promise<{ label: string; result: CommitResult } | null>;
}

/** Stands in for a stamp while the schema is checked, before anything is stamped. */
const CHECK_STAMP = '0000000000000:0000:check';

function schemaMessage(issues: readonly { path: readonly PropertyKey[]; message: string }[], what: string): string {
  const first = issues[0];
  if (!first) return `${what} is not valid.`;
  const field = first.path.map(String).join('.');
  return `${what} was not saved: ${field === '' ? '' : `${field} `}${first.message}.`;
}

async function readMap<T extends { id: string }>(query: Promise<{ toMutableJSON(): unknown }[]>): Promise<Map<string, T>> {
  const docs = await query;
  return new Map(docs.map((d) => {
    const json = d.toMutableJSON() as T;
    return [json.id, json] as const;
  }));
}

function createWrites(db: ReplicaDatabase): LedgerWrites {
  const lastAction = shallowRef<UndoEntry | null>(null);
  // One action at a time: an undo must not interleave with the edit it reverts.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  async function storedTransactions(ids: Iterable<string>): Promise<Map<string, Transaction>> {
    const list = [...new Set(ids)];
    if (list.length === 0) return new Map();
    const found = await db.transactions.findByIds(list).exec();
    return new Map([...found.values()].map((d) => [d.id, d.toMutableJSON() as Transaction]));
  }

  /** Deletes carry a fresh stamp too (RxDB's remove() would keep the old one). */
  async function remove(id: string, hlc: string): Promise<void> {
    const doc = await db.transactions.findOne(id).exec();
    if (!doc) return;
    await doc.incrementalModify((data) => {
      const out = data as Transaction & { _deleted: boolean };
      out.hlc = hlc;
      out._deleted = true;
      return out;
    });
  }

  async function writeRecurring(changes: readonly RecurringRuleChange[]): Promise<RecurringRuleChange[]> {
    const done: RecurringRuleChange[] = [];
    for (const c of changes) {
      const id = c.after?.id ?? c.before?.id;
      if (!id) continue;
      const doc = await db.recurring_rules.findOne(id).exec();
      const hlc = await stampAfter(db, c.before?.hlc, doc?.hlc);
      if (c.after === null) {
        if (doc) await (await doc.incrementalPatch({ hlc })).remove();
        done.push({ before: c.before, after: null });
        continue;
      }
      const next: RecurringRule = { ...c.after, hlc };
      if (doc) await doc.incrementalModify((d) => ({ ...d, ...next }));
      else await db.recurring_rules.insert(next);
      done.push({ before: c.before, after: next });
    }
    return done;
  }

  async function write(label: string, changes: readonly LedgerChange[], options: CommitOptions): Promise<CommitResult & { entry: UndoEntry }> {
    const ids = new Set<string>();
    for (const c of changes) {
      const id = c.after?.id ?? c.before?.id;
      if (id) ids.add(id);
      const link = c.after?.transferId ?? c.before?.transferId;
      if (link) ids.add(link);
    }
    const [stored, accounts, categories] = await Promise.all([
      storedTransactions(ids),
      readMap<Account>(db.accounts.find().exec()),
      readMap<Category>(db.categories.find().exec()),
    ]);

    // 1. Check everything first: nothing is written unless the whole action is acceptable.
    const todo: LedgerChange<Transaction>[] = [];
    const existing: string[] = [];
    for (const c of changes) {
      if (c.after === null) {
        if (c.before && stored.has(c.before.id)) todo.push({ before: stored.get(c.before.id) ?? c.before, after: null });
        continue;
      }
      const current = stored.get(c.after.id);
      if (c.before === null && current) {
        if (options.keepExisting) {
          existing.push(c.after.id);
          continue;
        }
        throw new LedgerEditError('That transaction already exists.');
      }
      const parsed = transactionSchema.safeParse({ ...c.after, hlc: current?.hlc ?? CHECK_STAMP });
      if (!parsed.success) throw new LedgerEditError(schemaMessage(parsed.error.issues, c.after.description.trim() === '' ? 'The transaction' : `"${c.after.description.trim()}"`));
      todo.push({ before: c.before === null ? null : current ?? c.before, after: parsed.data });
    }
    checkLedgerEdit(todo, { accounts, categories, stored: (id) => stored.get(id) });
    for (const r of options.recurring ?? []) {
      if (r.after === null) continue;
      const parsed = recurringRuleSchema.safeParse(r.after);
      if (!parsed.success) throw new LedgerEditError(schemaMessage(parsed.error.issues, `The recurring item "${r.after.name}"`));
      validateRecurringRule(parsed.data);
    }

    // 2. Stamp, after each document's own stamp.
    const saved: Transaction[] = [];
    const removes: { id: string; hlc: string }[] = [];
    const done: TransactionChange[] = [];
    for (const c of todo) {
      if (c.after === null) {
        const before = c.before!;
        removes.push({ id: before.id, hlc: await stampAfter(db, before.hlc) });
        done.push({ before, after: null });
      } else {
        const doc: Transaction = { ...c.after, hlc: await stampAfter(db, c.before?.hlc, stored.get(c.after.id)?.hlc) };
        saved.push(doc);
        done.push({ before: c.before, after: doc });
      }
    }

    // 3. Write; a failure part-way puts back what had been written.
    if (saved.length > 0) {
      const res = await db.transactions.bulkUpsert(saved);
      if (res.error.length > 0) {
        const written = new Set(res.success.map((d) => d.id));
        await rollBack(done.filter((c) => c.after !== null && written.has(c.after.id)));
        throw new LedgerEditError(`Nothing was saved: ${res.error.length} transaction(s) were refused (${String(res.error[0]?.status ?? 'write error')}).`);
      }
    }
    const removedIds: string[] = [];
    try {
      for (const r of removes) {
        await remove(r.id, r.hlc);
        removedIds.push(r.id);
      }
    } catch (e) {
      await rollBack(done.filter((c) => c.after !== null || removedIds.includes(c.before?.id ?? '')));
      throw e;
    }
    const recurring = await writeRecurring(options.recurring ?? []);
    return { saved, removed: removedIds, existing, entry: { label, changes: done, recurring } };
  }

  /** Best effort: puts documents back as they were before a failed action. */
  async function rollBack(changes: readonly TransactionChange[]): Promise<void> {
    for (const c of changes) {
      try {
        if (c.before === null) {
          if (c.after) await remove(c.after.id, await stampAfter(db, c.after.hlc));
        } else {
          await db.transactions.upsert({ ...c.before, hlc: await stampAfter(db, c.before.hlc, c.after?.hlc) });
        }
      } catch {
        // Already reported by the caller's error; nothing more can be done here.
      }
    }
  }

  return {
    lastAction,
    commit(label, changes, options = {}) {
      return serial(async () => {
        const { entry, ...result } = await write(label, changes, options);
        if (options.undoable !== false && (entry.changes.length > 0 || (entry.recurring?.length ?? 0) > 0)) lastAction.value = entry;
        return result;
      });
    },
    undo() {
      return serial(async () => {
        const entry = lastAction.value;
        if (!entry) return null;
        const reversed = reverseChanges(entry);
        const { entry: _, ...result } = await write(`Undo ${entry.label}`, reversed.changes, { recurring: reversed.recurring });
        lastAction.value = null;
        return { label: entry.label, result };
      });
    },
  };
}

const instances = new WeakMap<ReplicaDatabase, LedgerWrites>();

/** The write path of an open replica: the same instance (and so the same "Undo") for every screen. */
export function ledgerWrites(db: ReplicaDatabase): LedgerWrites {
  let w = instances.get(db);
  if (!w) {
    w = createWrites(db);
    instances.set(db, w);
  }
  return w;
}
