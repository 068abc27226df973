import type { Subscription } from 'rxjs';
import type { CategorisationRule, Transaction } from '@mymidas/shared/schema';
import {
  categorise, compileRule, compileRules, learnMerchantCategories, ruleFromTransaction, suggestCategory,
} from '@mymidas/shared/ledger/rules';
import type { CompiledRule, MerchantCategory, MerchantModel, RuleDraft, RuleFromTransactionOptions } from '@mymidas/shared/ledger/rules';
import type { ReplicaDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { stampAfter } from '../../sync/clock.ts';

/*
 * Categorisation rules on the device: the rule documents (the `rules` collection, conditions and
 * actions sealed as PII), applying them when a transaction is entered, and the category learned
 * from the user's history. The rule engine itself is shared/src/ledger/rules.ts.
 */

/** Rules in the order they apply: priority, then id. */
export async function loadRules(db: ReplicaDatabase): Promise<CategorisationRule[]> {
  const docs = await db.rules.find({ sort: [{ priority: 'asc' }] }).exec();
  return docs.map((d) => d.toMutableJSON() as CategorisationRule).sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface RuleCache {
  compiled: Promise<CompiledRule[]> | null;
  model: Promise<MerchantModel> | null;
  subs: Subscription[];
}
const caches = new WeakMap<ReplicaDatabase, RuleCache>();

/** How many of the most recent transactions the learned suggestion is based on. */
export const LEARN_FROM_RECENT = 5000;

function cacheFor(db: ReplicaDatabase): RuleCache {
  let c = caches.get(db);
  if (!c) {
    const fresh: RuleCache = { compiled: null, model: null, subs: [] };
    fresh.subs.push(db.rules.$.subscribe(() => { fresh.compiled = null; }));
    fresh.subs.push(db.transactions.$.subscribe(() => { fresh.model = null; }));
    void db.onClose.push(async () => {
      for (const s of fresh.subs) s.unsubscribe();
    });
    caches.set(db, fresh);
    c = fresh;
  }
  return c;
}

/** Forgets the compiled rules (also done on every change event; this covers our own writes at once). */
function rulesChanged(db: ReplicaDatabase): void {
  const c = caches.get(db);
  if (c) c.compiled = null;
}

/** The enabled rules, compiled once and again only after a rule changes. Throws a RuleError for a broken rule. */
export function compiledRules(db: ReplicaDatabase): Promise<CompiledRule[]> {
  const c = cacheFor(db);
  c.compiled ??= loadRules(db).then(compileRules).catch((e: unknown) => {
    c.compiled = null;
    throw e;
  });
  return c.compiled;
}

/**
 * Merchant → category counts learned from the most recent categorised transactions (the newest
 * LEARN_FROM_RECENT by date: reading ten years of history to suggest a category would be slow, and
 * recent habits are the better guide). Recomputed lazily after transactions change.
 */
export function merchantModel(db: ReplicaDatabase): Promise<MerchantModel> {
  const c = cacheFor(db);
  c.model ??= db.transactions
    .find({ selector: { date: { $gte: '0000-01-01' } }, sort: [{ date: 'desc' }], limit: LEARN_FROM_RECENT })
    .exec()
    .then((docs) => learnMerchantCategories(docs.map((d) => d.toMutableJSON() as Transaction)))
    .catch((e: unknown) => {
      c.model = null;
      throw e;
    });
  return c.model;
}

export interface EntryResult {
  /** The transaction with the rules' category, tags and merchant filled in (only where empty). */
  readonly transaction: Transaction;
  readonly changed: boolean;
  /** Ids of the rules that set something. */
  readonly appliedRules: readonly string[];
  /** The merchant's usual category, offered (never applied) when no rule set one. */
  readonly suggestion: MerchantCategory | null;
  /** Set when the rules could not run (a broken rule): the transaction is returned unchanged. */
  readonly error: string | null;
}

/**
 * For the transaction editor, when saving a new or edited transaction: runs the enabled rules over
 * it (filling only empty fields, so the user's own choices stay) and looks up the learned category.
 * Never throws for a bad rule — saving a transaction must not depend on the rule set being valid.
 */
export async function applyRulesOnEntry(db: ReplicaDatabase, tx: Transaction): Promise<EntryResult> {
  let rules: CompiledRule[];
  try {
    rules = await compiledRules(db);
  } catch (e) {
    return { transaction: tx, changed: false, appliedRules: [], suggestion: null, error: `Rules not applied: ${(e as Error).message}` };
  }
  let model: MerchantModel;
  try {
    model = await merchantModel(db);
  } catch {
    model = new Map();
  }
  const { result, suggestion } = categorise(tx, rules, model);
  return { transaction: result.transaction, changed: result.changed, appliedRules: result.appliedRules, suggestion, error: null };
}

/** The learned category for a merchant or description, or null. */
export async function suggestCategoryFor(db: ReplicaDatabase, t: Pick<Transaction, 'merchant' | 'description'>): Promise<MerchantCategory | null> {
  return suggestCategory(t, await merchantModel(db));
}

export type RuleInputDoc = Pick<CategorisationRule, 'name' | 'enabled' | 'conditions' | 'actions'> & { readonly priority?: number };

const PRIORITY_STEP = 10;
const MAX_PRIORITY = 10_000;

async function nextPriority(db: ReplicaDatabase): Promise<number> {
  const last = await db.rules.findOne({ selector: {}, sort: [{ priority: 'desc' }] }).exec();
  return Math.min(MAX_PRIORITY, (last?.priority ?? 0) + PRIORITY_STEP);
}

/** Drops empty optional actions so a cleared field does not count as "sets merchant to ''". */
function cleanActions(a: CategorisationRule['actions']): CategorisationRule['actions'] {
  const out: CategorisationRule['actions'] = {};
  if (a.categoryId) out.categoryId = a.categoryId;
  const tags = (a.tags ?? []).map((t) => t.trim()).filter((t) => t !== '');
  if (tags.length > 0) out.tags = [...new Set(tags)];
  if (a.merchant !== undefined && a.merchant.trim() !== '') out.merchant = a.merchant.trim();
  return out;
}

function cleanConditions(cs: CategorisationRule['conditions']): CategorisationRule['conditions'] {
  return cs.map((c) => {
    const base = { field: c.field, op: c.op, value: c.value.trim() };
    return c.op === 'between' ? { ...base, value2: (c.value2 ?? '').trim() } : base;
  });
}

/** Creates a rule (checked by the engine first: a rule that would not compile is refused). Last in order unless a priority is given. */
export async function createRule(db: ReplicaDatabase, input: RuleInputDoc): Promise<CategorisationRule> {
  const draft: RuleDraft = {
    name: input.name.trim(),
    priority: input.priority ?? (await nextPriority(db)),
    enabled: input.enabled,
    conditions: cleanConditions(input.conditions),
    actions: cleanActions(input.actions),
  };
  compileRule(draft);
  const doc: CategorisationRule = { id: newId(), hlc: await stampAfter(db), ...draft };
  await db.rules.insert(doc);
  rulesChanged(db);
  return doc;
}

export async function updateRule(db: ReplicaDatabase, id: string, input: RuleInputDoc): Promise<CategorisationRule> {
  const doc = await db.rules.findOne(id).exec();
  if (!doc) throw new Error('This rule no longer exists.');
  const next: RuleDraft = {
    name: input.name.trim(),
    priority: input.priority ?? doc.priority,
    enabled: input.enabled,
    conditions: cleanConditions(input.conditions),
    actions: cleanActions(input.actions),
  };
  compileRule(next);
  // incrementalModify replaces the actions object whole (a patch would merge a removed action back in).
  const hlc = await stampAfter(db, doc.hlc);
  const saved = await doc.incrementalModify((d) => ({ ...d, ...next, hlc }));
  rulesChanged(db);
  return saved.toMutableJSON() as CategorisationRule;
}

export async function setRuleEnabled(db: ReplicaDatabase, id: string, enabled: boolean): Promise<void> {
  const doc = await db.rules.findOne(id).exec();
  if (!doc) return;
  if (enabled) compileRule({ ...doc.toMutableJSON(), enabled });
  await doc.incrementalPatch({ enabled, hlc: await stampAfter(db, doc.hlc) });
  rulesChanged(db);
}

export async function deleteRule(db: ReplicaDatabase, id: string): Promise<void> {
  const doc = await db.rules.findOne(id).exec();
  if (!doc) return;
  const stamped = await doc.incrementalPatch({ hlc: await stampAfter(db, doc.hlc) });
  await stamped.remove();
  rulesChanged(db);
}

/**
 * Puts the rules in the given order (ids, first applies first) by renumbering priorities 10, 20, …;
 * only rules whose priority changes are written. Rules not listed keep their place after these.
 */
export async function reorderRules(db: ReplicaDatabase, orderedIds: readonly string[]): Promise<number> {
  const all = await loadRules(db);
  const listed = new Set(orderedIds);
  const order = [...orderedIds.filter((id) => all.some((r) => r.id === id)), ...all.filter((r) => !listed.has(r.id)).map((r) => r.id)];
  let written = 0;
  for (const [i, id] of order.entries()) {
    const priority = Math.min(MAX_PRIORITY, (i + 1) * PRIORITY_STEP);
    const doc = await db.rules.findOne(id).exec();
    if (!doc || doc.priority === priority) continue;
    await doc.incrementalPatch({ priority, hlc: await stampAfter(db, doc.hlc) });
    written += 1;
  }
  rulesChanged(db);
  return written;
}

/** Swaps a rule with its neighbour ("move up" / "move down"). Returns false at either end. */
export async function moveRule(db: ReplicaDatabase, id: string, direction: -1 | 1): Promise<boolean> {
  const ids = (await loadRules(db)).map((r) => r.id);
  const i = ids.indexOf(id);
  const j = i + direction;
  if (i < 0 || j < 0 || j >= ids.length) return false;
  [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  await reorderRules(db, ids);
  return true;
}

/** The rule "create rule from this transaction" would make, for the user to check before saving. */
export function proposeRuleFrom(tx: Transaction, options: RuleFromTransactionOptions = {}): RuleDraft {
  return ruleFromTransaction(tx, options);
}

/** "Create rule from this transaction": saves the proposed rule, last in order. */
export async function createRuleFromTransaction(db: ReplicaDatabase, tx: Transaction, options: RuleFromTransactionOptions = {}): Promise<CategorisationRule> {
  const draft = ruleFromTransaction(tx, options);
  return createRule(db, { name: draft.name, enabled: true, conditions: draft.conditions, actions: draft.actions, ...(options.priority !== undefined ? { priority: options.priority } : {}) });
}

/** How many of the most recent transactions a rule would match (for the editor's preview). */
export async function previewRule(db: ReplicaDatabase, input: RuleInputDoc, sample = 500): Promise<{ matched: Transaction[]; of: number }> {
  const rule = compileRule({ name: input.name || 'Preview', priority: 0, enabled: true, conditions: cleanConditions(input.conditions), actions: cleanActions(input.actions) });
  const docs = await db.transactions.find({ selector: { date: { $gte: '0000-01-01' } }, sort: [{ date: 'desc' }], limit: sample }).exec();
  const txs = docs.map((d) => d.toMutableJSON() as Transaction);
  return { matched: txs.filter((t) => rule.matches(t)), of: txs.length };
}
