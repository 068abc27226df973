import { Decimal, currencyExponent } from '../money/money.ts';
import { categorisationRuleSchema } from '../schema/collections.ts';
import type { CategorisationRule, Transaction } from '../schema/registry.ts';
import { compileSafePattern } from './safe-regex.ts';
import { normaliseMerchant, normaliseText } from './text.ts';

/*
 * Categorisation rules. Conditions of one rule are ANDed. Enabled rules run in priority order
 * (lower number first, then id); for each action field the first matching rule that sets it wins,
 * so a tagging rule and a category rule can both apply. Text conditions compare normalised text
 * (case, accents and punctuation ignored). Amount conditions compare the size of the amount
 * (refunds and purchases alike) in the transaction's own currency, e.g. "between 5 and 10" matches
 * −7.50 GBP.
 */

export class RuleError extends Error {
  override name = 'RuleError';
}

export type Condition = CategorisationRule['conditions'][number];
export type RuleDraft = Omit<CategorisationRule, 'id' | 'hlc'>;
type RuleInput = Pick<CategorisationRule, 'name' | 'priority' | 'enabled' | 'conditions' | 'actions'> & { readonly id?: string };

/** Normalised text of one transaction, worked out once however many rules look at it. */
class TextCache {
  private description: string | undefined;
  private merchant: string | null | undefined;
  constructor(private readonly t: Transaction) {}
  get(field: 'description' | 'merchant'): string | null {
    if (field === 'description') return (this.description ??= normaliseText(this.t.description));
    if (this.merchant === undefined) this.merchant = this.t.merchant === null ? null : normaliseText(this.t.merchant);
    return this.merchant;
  }
}

type Matcher = (t: Transaction, text: TextCache) => boolean;

export interface CompiledRule {
  readonly id: string | null;
  readonly name: string;
  readonly priority: number;
  readonly actions: CategorisationRule['actions'];
  readonly matches: (t: Transaction) => boolean;
  /** The same test sharing normalised text between rules (used by applyRules). */
  readonly matchesCached: Matcher;
}

const AMOUNT_VALUE = /^\d{1,13}(\.\d{1,4})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function textOf(t: Transaction, field: 'description' | 'merchant'): string | null {
  return field === 'description' ? t.description : t.merchant;
}

function compileCondition(c: Condition, where: string): Matcher {
  if (c.field === 'description' || c.field === 'merchant') {
    const field = c.field;
    if (c.op === 'regex') {
      let re: RegExp;
      try {
        re = compileSafePattern(c.value);
      } catch (e) {
        throw new RuleError(`${where}: ${(e as Error).message}`);
      }
      return (t) => {
        const s = textOf(t, field);
        return s !== null && re.test(s);
      };
    }
    const value = normaliseText(c.value);
    if (value === '') throw new RuleError(`${where}: the text to compare has no letters or digits`);
    const test = c.op === 'contains' ? (s: string) => s.includes(value)
      : c.op === 'equals' ? (s: string) => s === value
      : c.op === 'starts_with' ? (s: string) => s.startsWith(value)
      : null;
    if (!test) throw new RuleError(`${where}: "${c.op}" does not apply to ${field}`);
    return (_t, text) => {
      const s = text.get(field);
      return s !== null && test(s);
    };
  }
  if (c.field === 'amount') {
    if (!AMOUNT_VALUE.test(c.value)) throw new RuleError(`${where}: "${c.value}" is not an amount such as 12.50`);
    const low = new Decimal(c.value);
    let high: Decimal | null = null;
    if (c.op === 'between') {
      if (c.value2 === undefined || !AMOUNT_VALUE.test(c.value2)) throw new RuleError(`${where}: "between" needs a second amount`);
      high = new Decimal(c.value2);
      if (high.lt(low)) throw new RuleError(`${where}: the range ${c.value}–${c.value2} is upside down`);
    }
    const size = (t: Transaction) => new Decimal(Math.abs(t.amount)).div(new Decimal(10).pow(currencyExponent(t.currency)));
    switch (c.op) {
      case 'gt': return (t) => size(t).gt(low);
      case 'lt': return (t) => size(t).lt(low);
      case 'equals': return (t) => size(t).eq(low);
      case 'between': {
        const hi = high as Decimal;
        return (t) => {
          const s = size(t);
          return s.gte(low) && s.lte(hi);
        };
      }
      default: throw new RuleError(`${where}: "${c.op}" does not apply to amount`);
    }
  }
  if (c.op !== 'equals') throw new RuleError(`${where}: accountId supports only "equals"`);
  if (!UUID.test(c.value)) throw new RuleError(`${where}: "${c.value}" is not an account id`);
  return (t) => t.accountId === c.value;
}

/** Checks and compiles one rule; throws a RuleError naming the rule and the bad condition. */
export function compileRule(rule: RuleInput): CompiledRule {
  const shape = categorisationRuleSchema.pick({ name: true, priority: true, enabled: true, conditions: true, actions: true }).safeParse(rule);
  const label = `Rule "${rule.name}"`;
  if (!shape.success) {
    const first = shape.error.issues[0];
    throw new RuleError(`${label}: ${first ? `${first.path.join('.')}: ${first.message}` : 'bad shape'}`);
  }
  const a = rule.actions;
  if ((a.categoryId === undefined || a.categoryId === null) && (a.tags === undefined || a.tags.length === 0) && a.merchant === undefined) {
    throw new RuleError(`${label}: it sets nothing (give a category, tags or a merchant)`);
  }
  const matchers = rule.conditions.map((c, i) => compileCondition(c, `${label}, condition ${i + 1}`));
  return {
    id: rule.id ?? null,
    name: rule.name,
    priority: rule.priority,
    actions: rule.actions,
    matches: (t) => matchers.every((m) => m(t, new TextCache(t))),
    matchesCached: (t, text) => matchers.every((m) => m(t, text)),
  };
}

/** Compiles the enabled rules in the order they apply. One bad rule stops the whole set, changing nothing. */
export function compileRules(rules: readonly RuleInput[]): CompiledRule[] {
  return rules
    .filter((r) => r.enabled)
    .map(compileRule)
    .sort((a, b) => a.priority - b.priority || ((a.id ?? '') < (b.id ?? '') ? -1 : (a.id ?? '') > (b.id ?? '') ? 1 : 0));
}

export interface ApplyOptions {
  /**
   * false (the default, used on entry): only empty fields are filled — a category or merchant the
   * user chose stays. true: rules replace them, e.g. when the user re-runs rules over old data.
   */
  readonly overwrite?: boolean;
}

export interface ApplyResult {
  readonly transaction: Transaction;
  /** Ids (or names, for unsaved rules) of the rules that changed something, in priority order. */
  readonly appliedRules: string[];
  readonly changed: boolean;
}

/**
 * Applies compiled rules to one transaction (on entry and on import alike). A split transaction
 * keeps its per-line categories: rules then set only tags and merchant.
 */
export function applyRules(t: Transaction, rules: readonly CompiledRule[], options: ApplyOptions = {}): ApplyResult {
  const overwrite = options.overwrite ?? false;
  let categoryId = t.categoryId;
  let merchant = t.merchant;
  const tags = [...t.tags];
  let categoryDone = !overwrite && t.categoryId !== null;
  let merchantDone = !overwrite && t.merchant !== null;
  if (t.splits.length > 0 || t.transferId !== null) categoryDone = true;
  const applied: string[] = [];
  const text = new TextCache(t);
  for (const rule of rules) {
    if (!rule.matchesCached(t, text)) continue;
    let used = false;
    const a = rule.actions;
    if (!categoryDone && a.categoryId !== undefined && a.categoryId !== null) {
      categoryId = a.categoryId;
      categoryDone = true;
      used = true;
    }
    if (!merchantDone && a.merchant !== undefined) {
      merchant = a.merchant;
      merchantDone = true;
      used = true;
    }
    for (const tag of a.tags ?? []) {
      if (!tags.includes(tag) && tags.length < 20) {
        tags.push(tag);
        used = true;
      }
    }
    if (used) applied.push(rule.id ?? rule.name);
  }
  const changed = categoryId !== t.categoryId || merchant !== t.merchant || tags.length !== t.tags.length;
  return { transaction: changed ? { ...t, categoryId, merchant, tags } : t, appliedRules: applied, changed };
}

/** Applies the rules to an imported batch, compiling them once. */
export function applyRulesToBatch(transactions: readonly Transaction[], rules: readonly RuleInput[], options: ApplyOptions = {}): ApplyResult[] {
  const compiled = compileRules(rules);
  return transactions.map((t) => applyRules(t, compiled, options));
}

export interface RuleFromTransactionOptions {
  readonly name?: string;
  readonly priority?: number;
  /** Only for this account. */
  readonly sameAccount?: boolean;
  /** Also set the transaction's tags. */
  readonly withTags?: boolean;
}

/**
 * "Create rule from this transaction": match on the merchant (normalised, so store numbers and
 * card masks do not matter) or, without one, on the leading words of the description before any
 * number; set the transaction's category (and optionally tags).
 */
export function ruleFromTransaction(t: Transaction, options: RuleFromTransactionOptions = {}): RuleDraft {
  if (t.categoryId === null) throw new RuleError('Give the transaction a category first: the rule would set nothing');
  const conditions: Condition[] = [];
  const merchantKey = t.merchant === null ? '' : normaliseMerchant(t.merchant);
  if (merchantKey !== '') {
    conditions.push({ field: 'merchant', op: 'contains', value: merchantKey.slice(0, 200) });
  } else {
    const words: string[] = [];
    for (const w of normaliseText(t.description).split(' ')) {
      if (w === '' || /\d/.test(w) || words.length === 4) break;
      words.push(w);
    }
    if (words.length === 0) throw new RuleError('The transaction has no merchant and its description starts with no words to match');
    conditions.push({ field: 'description', op: 'contains', value: words.join(' ').slice(0, 200) });
  }
  if (options.sameAccount) conditions.push({ field: 'accountId', op: 'equals', value: t.accountId });
  const first = conditions[0] as Condition;
  const draft: RuleDraft = {
    name: (options.name ?? `${first.field === 'merchant' ? 'Merchant' : 'Description'} contains "${first.value}"`).slice(0, 120),
    priority: options.priority ?? 100,
    enabled: true,
    conditions,
    actions: { categoryId: t.categoryId, ...(options.withTags && t.tags.length > 0 ? { tags: [...t.tags] } : {}) },
  };
  compileRule(draft);
  return draft;
}

export interface MerchantCategory {
  readonly categoryId: string;
  readonly count: number;
  /** Of all categorised transactions with this merchant. */
  readonly total: number;
  readonly lastDate: string;
}

/** Normalised merchant → category counts, learned from categorised history. */
export type MerchantModel = ReadonlyMap<string, ReadonlyMap<string, { count: number; lastDate: string }>>;

export function merchantKey(t: Pick<Transaction, 'merchant' | 'description'>): string {
  const fromMerchant = t.merchant === null ? '' : normaliseMerchant(t.merchant);
  return fromMerchant !== '' ? fromMerchant : normaliseMerchant(t.description);
}

/** Learns from transactions the user categorised: not transfers, not splits (their lines differ). */
export function learnMerchantCategories(history: Iterable<Transaction>): MerchantModel {
  const model = new Map<string, Map<string, { count: number; lastDate: string }>>();
  for (const t of history) {
    if (t.categoryId === null || t.transferId !== null || t.splits.length > 0) continue;
    const key = merchantKey(t);
    if (key === '') continue;
    let cats = model.get(key);
    if (!cats) model.set(key, (cats = new Map()));
    const seen = cats.get(t.categoryId);
    if (seen) {
      seen.count += 1;
      if (t.date > seen.lastDate) seen.lastDate = t.date;
    } else cats.set(t.categoryId, { count: 1, lastDate: t.date });
  }
  return model;
}

/**
 * The merchant's most frequent category (ties: the most recently used, then the id), or null when
 * the merchant is unknown or seen fewer than `minCount` times.
 */
export function suggestCategory(t: Pick<Transaction, 'merchant' | 'description'>, model: MerchantModel, minCount = 1): MerchantCategory | null {
  const cats = model.get(merchantKey(t));
  if (!cats) return null;
  let best: MerchantCategory | null = null;
  let total = 0;
  for (const [categoryId, s] of cats) {
    total += s.count;
    if (!best || s.count > best.count || (s.count === best.count && (s.lastDate > best.lastDate || (s.lastDate === best.lastDate && categoryId < best.categoryId)))) {
      best = { categoryId, count: s.count, total: 0, lastDate: s.lastDate };
    }
  }
  if (!best || best.count < minCount) return null;
  return { ...best, total };
}

export interface Categorisation {
  readonly result: ApplyResult;
  /** Offered (not applied) when no rule set a category and the transaction has none. */
  readonly suggestion: MerchantCategory | null;
}

/** Rules first; when they leave the category empty, the learned suggestion for the merchant. */
export function categorise(t: Transaction, rules: readonly CompiledRule[], model: MerchantModel, options: ApplyOptions = {}): Categorisation {
  const result = applyRules(t, rules, options);
  const after = result.transaction;
  const needs = after.categoryId === null && after.splits.length === 0 && after.transferId === null;
  return { result, suggestion: needs ? suggestCategory(after, model) : null };
}
