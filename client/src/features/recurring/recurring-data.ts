import type { RecurringRule, Transaction } from '@mymidas/shared/schema';
import {
  confirmOccurrence, editOccurrence, postDueOccurrences, skipOccurrence, splitRuleAt, upcomingOccurrences, validateRecurringRule,
} from '@mymidas/shared/ledger/recurring';
import type { OccurrenceChanges, RecurringRuleDraft, SeriesChanges, TransactionDraft, UpcomingOccurrence } from '@mymidas/shared/ledger/recurring';
import { addDays } from '@mymidas/shared/date';
import type { ReplicaDatabase } from '../../db/database.ts';
import { nameBasedId, newId } from '../../db/ids.ts';
import { stampAfter } from '../../sync/clock.ts';
import { ledgerWrites } from '../ledger-data/ledger-writes.ts';
import { expandOptionsFor } from './schedule.ts';

/*
 * Recurring rules on the device: saving them, listing upcoming occurrences, and posting due ones —
 * automatically on unlock for auto-post rules, or when the user confirms. The rules themselves
 * (expansion, posting, "this one" / "all future") are shared/src/ledger/recurring.ts.
 *
 * Posting is idempotent: the transaction of an occurrence has an id derived from the rule id and
 * the date, so posting twice — a crash between saving the transactions and the rule, two tabs, or
 * two devices posting offline — writes the same document and never a duplicate.
 */

export async function loadRecurring(db: ReplicaDatabase): Promise<RecurringRule[]> {
  const docs = await db.recurring_rules.find().exec();
  return docs.map((d) => d.toMutableJSON() as RecurringRule);
}

export function occurrenceTransactionId(ruleId: string, date: string): Promise<string> {
  return nameBasedId(`mymidas/recurring/${ruleId}/${date}`);
}

export function upcomingFor(rule: RecurringRule | RecurringRuleDraft, today: string, until: string, limit = 6): UpcomingOccurrence[] {
  return upcomingOccurrences(rule, today, until, { ...expandOptionsFor(rule.rrule), limit });
}

export async function createRecurring(db: ReplicaDatabase, draft: RecurringRuleDraft): Promise<RecurringRule> {
  validateRecurringRule(draft);
  const doc: RecurringRule = { id: newId(), hlc: await stampAfter(db), ...draft };
  await db.recurring_rules.insert(doc);
  return doc;
}

async function docOf(db: ReplicaDatabase, id: string) {
  const doc = await db.recurring_rules.findOne(id).exec();
  if (!doc) throw new Error('This recurring rule no longer exists.');
  return doc;
}

/** Replaces a rule's fields whole (used for edits before anything was posted, and for ending a series). */
async function replaceRule(db: ReplicaDatabase, rule: RecurringRule): Promise<void> {
  const doc = await docOf(db, rule.id);
  validateRecurringRule(rule);
  const hlc = await stampAfter(db, doc.hlc);
  await doc.incrementalModify((d) => ({ ...d, ...rule, hlc }));
}

/**
 * Saves the transaction drafts of occurrences under their stable ids, and the rule as it is after
 * posting them, as one action through the ledger's write path (ledger-writes.ts: checked — e.g. a
 * closed account is refused — and stamped). Occurrences already stored are left alone. Returns how
 * many transactions were written.
 */
async function postOccurrences(
  db: ReplicaDatabase, rule: RecurringRule, drafts: readonly TransactionDraft[], movedOn: RecurringRule | null, options: { label: string; undoable: boolean },
): Promise<number> {
  const changes = [];
  for (const d of drafts) changes.push({ before: null, after: { ...d, id: await occurrenceTransactionId(rule.id, d.date) } });
  const { saved } = await ledgerWrites(db).commit(options.label, changes, {
    keepExisting: true,
    undoable: options.undoable,
    recurring: movedOn ? [{ before: rule, after: movedOn }] : [],
  });
  return saved.length;
}

export interface PostingSummary {
  /** Transactions written by this run. */
  readonly posted: number;
  /** Manual rules with due occurrences, for the user to confirm or skip. */
  readonly awaiting: readonly { readonly rule: RecurringRule; readonly dates: readonly string[] }[];
  /** Rules that could not be expanded (bad RRULE text synced from elsewhere), by name. */
  readonly failed: readonly { readonly rule: RecurringRule; readonly message: string }[];
}

/**
 * Posts every due occurrence of every auto-post rule and lists what manual rules have due. Safe to
 * run on every open and unlock: a second run posts nothing. Runs under a Web Lock so two tabs do
 * not work through the same rules at once.
 */
export async function postDueRecurring(db: ReplicaDatabase, today: string): Promise<PostingSummary> {
  const run = async (): Promise<PostingSummary> => {
    let posted = 0;
    const awaiting: { rule: RecurringRule; dates: string[] }[] = [];
    const failed: { rule: RecurringRule; message: string }[] = [];
    for (const rule of await loadRecurring(db)) {
      try {
        const r = postDueOccurrences(rule, today, expandOptionsFor(rule.rrule));
        if (r.awaitingConfirmation.length > 0) awaiting.push({ rule, dates: r.awaitingConfirmation.map((o) => o.date) });
        if (r.drafts.length === 0) continue;
        const current = (await docOf(db, rule.id)).toMutableJSON() as RecurringRule;
        const moves = current.lastPostedDate === null || (r.rule.lastPostedDate !== null && r.rule.lastPostedDate > current.lastPostedDate);
        // Posted on their own, not by the user: they do not become the action "Undo" reverts.
        posted += await postOccurrences(db, current, r.drafts, moves ? { ...current, lastPostedDate: r.rule.lastPostedDate } : null, { label: `Posted ${rule.name}`, undoable: false });
      } catch (e) {
        failed.push({ rule, message: (e as Error).message });
      }
    }
    return { posted, awaiting, failed };
  };
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('mymidas-recurring-posting', run) : run();
}

/** The user confirms the earliest due occurrence: its transaction is saved and the rule moves on. */
export async function confirmRecurring(db: ReplicaDatabase, rule: RecurringRule, date: string): Promise<Transaction> {
  const r = confirmOccurrence(rule, date, expandOptionsFor(rule.rrule));
  // One undoable action: undo removes the transaction and puts the occurrence back as due.
  await postOccurrences(db, rule, [r.draft], r.rule, { label: `Posted ${rule.name}`, undoable: true });
  const saved = await db.transactions.findOne(await occurrenceTransactionId(rule.id, date)).exec();
  if (!saved) throw new Error('The occurrence was not saved.');
  return saved.toMutableJSON() as Transaction;
}

export async function skipRecurring(db: ReplicaDatabase, rule: RecurringRule, date: string): Promise<void> {
  await replaceRule(db, skipOccurrence(rule, date, expandOptionsFor(rule.rrule)));
}

/** "Edit this one": the occurrence is skipped in the series and a one-off rule carries the change. */
export async function editThisOne(db: ReplicaDatabase, rule: RecurringRule, date: string, changes: OccurrenceChanges): Promise<RecurringRule> {
  const r = editOccurrence(rule, date, changes, expandOptionsFor(rule.rrule));
  const oneOff = await createRecurring(db, r.oneOff);
  await replaceRule(db, r.rule);
  return oneOff;
}

/**
 * "Edit all future" from an occurrence: the series ends the day before and a new rule with the
 * changes starts on it. From the first occurrence the rule is simply replaced.
 */
export async function editAllFuture(db: ReplicaDatabase, rule: RecurringRule, date: string, changes: SeriesChanges): Promise<RecurringRule> {
  const options = expandOptionsFor(rule.rrule);
  const { ended, next } = splitRuleAt(rule, date, changes, options);
  if (ended === null) {
    const replaced: RecurringRule = { ...next, id: rule.id, hlc: rule.hlc };
    await replaceRule(db, replaced);
    return replaced;
  }
  const created = await createRecurring(db, next);
  await replaceRule(db, ended);
  return created;
}

export async function deleteRecurring(db: ReplicaDatabase, id: string): Promise<void> {
  const doc = await docOf(db, id);
  const stamped = await doc.incrementalPatch({ hlc: await stampAfter(db, doc.hlc) });
  await stamped.remove();
}

/**
 * Saves an edited rule. With nothing posted yet it is replaced in place; otherwise the change
 * applies to all future occurrences: the series is split at the next unposted occurrence, so posted
 * history keeps the old amounts.
 */
export async function updateRecurring(db: ReplicaDatabase, rule: RecurringRule, next: RecurringRuleDraft, today: string): Promise<RecurringRule> {
  if (rule.lastPostedDate === null) {
    const replaced: RecurringRule = { ...next, id: rule.id, hlc: rule.hlc, lastPostedDate: null };
    await replaceRule(db, replaced);
    return replaced;
  }
  // Ten years ahead is far enough to find the next occurrence (and keeps rolled dates in range).
  const [first] = upcomingFor(rule, today, addDays(today, 3660), 1);
  if (!first) {
    // The series has no occurrence left to split at: the edit only changes the rule's fields.
    const replaced: RecurringRule = { ...next, id: rule.id, hlc: rule.hlc, lastPostedDate: rule.lastPostedDate, skippedDates: rule.skippedDates };
    await replaceRule(db, replaced);
    return replaced;
  }
  return editAllFuture(db, rule, first.date, {
    name: next.name, rrule: next.rrule, endDate: next.endDate, accountId: next.accountId, amount: next.amount,
    currency: next.currency, categoryId: next.categoryId, payee: next.payee, autoPost: next.autoPost,
  });
}
