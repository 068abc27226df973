import { describe, expect, it } from 'vitest';
import type { CategorisationRule, Transaction } from '../schema/registry.ts';
import { makeTx, testId } from './__fixtures__/ledger-data.ts';
import {
  RuleError, applyRules, applyRulesToBatch, categorise, compileRule, compileRules, learnMerchantCategories,
  ruleFromTransaction, suggestCategory,
} from './rules.ts';
import type { Condition } from './rules.ts';

const ACC = testId(1, 1);
const OTHER_ACC = testId(2, 1);
const GROCERIES = testId(10, 5);
const EATING_OUT = testId(11, 5);
const BILLS = testId(12, 5);
const SUBS = testId(13, 5);

let ruleNo = 0;
function rule(conditions: Condition[], actions: CategorisationRule['actions'], over: Partial<CategorisationRule> = {}): CategorisationRule {
  ruleNo += 1;
  return { id: testId(ruleNo, 6), hlc: '1764000000000:0000:device-a', name: `rule ${ruleNo}`, priority: 100, enabled: true, conditions, actions, ...over };
}

function tx(over: Partial<Transaction> = {}): Transaction {
  return makeTx({ id: testId(100), accountId: ACC, amount: -750, description: 'CARD PAYMENT TO TESCO STORES 3021', merchant: 'TESCO STORES 3021', categoryId: null, ...over });
}

const matches = (c: Condition, t: Transaction) => compileRule(rule([c], { categoryId: GROCERIES })).matches(t);

describe('conditions', () => {
  it('text: contains, equals, starts_with ignore case and punctuation', () => {
    expect(matches({ field: 'description', op: 'contains', value: 'tesco' }, tx())).toBe(true);
    expect(matches({ field: 'description', op: 'contains', value: 'sainsbury' }, tx())).toBe(false);
    expect(matches({ field: 'merchant', op: 'equals', value: 'Tesco Stores 3021' }, tx())).toBe(true);
    expect(matches({ field: 'merchant', op: 'equals', value: 'Tesco' }, tx())).toBe(false);
    expect(matches({ field: 'description', op: 'starts_with', value: 'card payment' }, tx())).toBe(true);
    expect(matches({ field: 'description', op: 'starts_with', value: 'tesco' }, tx())).toBe(false);
    expect(matches({ field: 'merchant', op: 'contains', value: 'tesco' }, tx({ merchant: null }))).toBe(false);
  });

  it('regex: case-insensitive, and refused when unsafe', () => {
    expect(matches({ field: 'description', op: 'regex', value: 'tesco (stores|express)' }, tx())).toBe(true);
    expect(matches({ field: 'merchant', op: 'regex', value: '^tesco \\d{4}$' }, tx())).toBe(false);
    expect(() => compileRule(rule([{ field: 'description', op: 'regex', value: '(a+)+$' }], { categoryId: GROCERIES }))).toThrow(/condition 1: A repeated group/);
  });

  it('amount: gt, lt, equals, between on the size of the amount in its currency', () => {
    const coffee = tx({ amount: -350 });
    const refund = tx({ amount: 350 });
    expect(matches({ field: 'amount', op: 'gt', value: '3' }, coffee)).toBe(true);
    expect(matches({ field: 'amount', op: 'gt', value: '3.50' }, coffee)).toBe(false);
    expect(matches({ field: 'amount', op: 'lt', value: '3.51' }, refund)).toBe(true);
    expect(matches({ field: 'amount', op: 'equals', value: '3.5' }, coffee)).toBe(true);
    expect(matches({ field: 'amount', op: 'between', value: '3.50', value2: '4' }, coffee)).toBe(true);
    expect(matches({ field: 'amount', op: 'between', value: '3.51', value2: '4' }, coffee)).toBe(false);
    // 350 yen is 350, not 3.50: the currency's own decimals are used.
    expect(matches({ field: 'amount', op: 'gt', value: '300' }, tx({ amount: -350, currency: 'JPY' }))).toBe(true);
  });

  it('accountId and ANDed conditions', () => {
    const r = compileRule(rule([{ field: 'accountId', op: 'equals', value: ACC }, { field: 'amount', op: 'gt', value: '5' }], { categoryId: GROCERIES }));
    expect(r.matches(tx())).toBe(true);
    expect(r.matches(tx({ accountId: OTHER_ACC }))).toBe(false);
    expect(r.matches(tx({ amount: -100 }))).toBe(false);
  });

  it('refuses malformed rules with the rule and condition named', () => {
    const bad: [Condition[], CategorisationRule['actions'], RegExp][] = [
      [[{ field: 'amount', op: 'contains', value: '5' }], { categoryId: GROCERIES }, /"contains" does not apply to amount/],
      [[{ field: 'amount', op: 'gt', value: '-5' }], { categoryId: GROCERIES }, /not an amount/],
      [[{ field: 'amount', op: 'between', value: '5' }], { categoryId: GROCERIES }, /second amount/],
      [[{ field: 'amount', op: 'between', value: '9', value2: '5' }], { categoryId: GROCERIES }, /upside down/],
      [[{ field: 'description', op: 'gt', value: 'x' }], { categoryId: GROCERIES }, /does not apply to description/],
      [[{ field: 'description', op: 'contains', value: '***' }], { categoryId: GROCERIES }, /no letters or digits/],
      [[{ field: 'accountId', op: 'contains', value: ACC }], { categoryId: GROCERIES }, /only "equals"/],
      [[{ field: 'accountId', op: 'equals', value: 'current' }], { categoryId: GROCERIES }, /not an account id/],
      [[{ field: 'description', op: 'contains', value: 'x' }], {}, /sets nothing/],
      [[], { categoryId: GROCERIES }, /conditions/],
    ];
    for (const [conditions, actions, why] of bad) expect(() => compileRule(rule(conditions, actions, { name: 'Bad one' }))).toThrow(why);
    expect(() => compileRule(rule([{ field: 'amount', op: 'gt', value: 'x' }], { categoryId: GROCERIES }, { name: 'Bad one' }))).toThrow(/Rule "Bad one", condition 1/);
  });
});

describe('applying rules', () => {
  const tesco = rule([{ field: 'merchant', op: 'contains', value: 'tesco' }], { categoryId: GROCERIES, merchant: 'Tesco' }, { priority: 10 });
  const big = rule([{ field: 'amount', op: 'gt', value: '100' }], { categoryId: BILLS, tags: ['big'] }, { priority: 5 });
  const tagAll = rule([{ field: 'description', op: 'contains', value: 'card payment' }], { tags: ['card'] }, { priority: 50 });
  const off = rule([{ field: 'description', op: 'contains', value: 'tesco' }], { categoryId: EATING_OUT }, { priority: 0, enabled: false });
  const compiled = compileRules([tagAll, tesco, big, off]);

  it('runs by priority, first rule per field wins, tags accumulate, disabled rules are ignored', () => {
    expect(compiled.map((r) => r.id)).toEqual([big.id, tesco.id, tagAll.id]);
    const small = applyRules(tx(), compiled);
    expect(small.transaction).toMatchObject({ categoryId: GROCERIES, merchant: 'TESCO STORES 3021', tags: ['card'] });
    expect(small.appliedRules).toEqual([tesco.id, tagAll.id]);
    // The Tesco rule matches too but its category comes second and the merchant is already set.
    const large = applyRules(tx({ amount: -15_000 }), compiled);
    expect(large.transaction).toMatchObject({ categoryId: BILLS, merchant: 'TESCO STORES 3021', tags: ['big', 'card'] });
    expect(large.appliedRules).toEqual([big.id, tagAll.id]);
    const namer = compileRules([rule([{ field: 'description', op: 'contains', value: 'tesco' }], { merchant: 'Tesco' })]);
    expect(applyRules(tx({ merchant: null }), namer).transaction.merchant).toBe('Tesco');
  });

  it('keeps what the user chose on entry unless asked to overwrite', () => {
    const chosen = tx({ categoryId: EATING_OUT });
    expect(applyRules(chosen, compiled).transaction.categoryId).toBe(EATING_OUT);
    expect(applyRules(chosen, compiled, { overwrite: true }).transaction.categoryId).toBe(GROCERIES);
  });

  it('leaves split lines and transfers alone, and reports no change when nothing applies', () => {
    const split = tx({ amount: -1000, splits: [{ id: testId(1, 7), categoryId: SUBS, amount: -400, memo: null }, { id: testId(2, 7), categoryId: GROCERIES, amount: -600, memo: null }] });
    expect(applyRules(split, compiled).transaction.categoryId).toBeNull();
    expect(applyRules(tx({ transferId: testId(5) }), compiled).transaction.categoryId).toBeNull();
    const none = tx({ description: 'Standing order', merchant: 'Landlord' });
    const r = applyRules(none, compiled);
    expect(r).toEqual({ transaction: none, appliedRules: [], changed: false });
  });

  it('applies to an import batch and refuses the whole set when one rule is bad', () => {
    const out = applyRulesToBatch([tx(), tx({ id: testId(101), merchant: 'Sainsbury', description: 'Sainsbury' })], [tesco]);
    expect(out.map((r) => r.transaction.categoryId)).toEqual([GROCERIES, null]);
    const bad = rule([{ field: 'description', op: 'regex', value: '.*.*x' }], { categoryId: GROCERIES });
    expect(() => applyRulesToBatch([tx()], [tesco, bad])).toThrow(RuleError);
  });
});

describe('create rule from this transaction', () => {
  it('matches the normalised merchant so other branches match too', () => {
    const draft = ruleFromTransaction(tx({ categoryId: GROCERIES }));
    expect(draft.conditions).toEqual([{ field: 'merchant', op: 'contains', value: 'tesco stores' }]);
    expect(draft.actions).toEqual({ categoryId: GROCERIES });
    const r = compileRule(draft);
    expect(r.matches(tx({ merchant: 'TESCO STORES 4410' }))).toBe(true);
    expect(r.matches(tx({ merchant: 'Sainsburys' }))).toBe(false);
  });

  it('falls back to the leading words of the description, with account and tags when asked', () => {
    const t = tx({ merchant: null, description: 'Netflix.com 12/03 ref 88812', categoryId: SUBS, tags: ['tv'] });
    const draft = ruleFromTransaction(t, { sameAccount: true, withTags: true, priority: 7 });
    expect(draft.conditions).toEqual([{ field: 'description', op: 'contains', value: 'netflix com' }, { field: 'accountId', op: 'equals', value: ACC }]);
    expect(draft.actions).toEqual({ categoryId: SUBS, tags: ['tv'] });
    expect(draft.priority).toBe(7);
    expect(compileRule(draft).matches(tx({ merchant: null, description: 'NETFLIX.COM 12/04 REF 99123' }))).toBe(true);
  });

  it('refuses a transaction with no category or nothing to match', () => {
    expect(() => ruleFromTransaction(tx())).toThrow(/category first/);
    expect(() => ruleFromTransaction(tx({ merchant: null, description: '12345', categoryId: SUBS }))).toThrow(/no words/);
  });
});

describe('learned suggestions', () => {
  const history = [
    tx({ id: testId(1), merchant: 'PRET A MANGER #0452', categoryId: EATING_OUT, date: '2026-01-03' }),
    tx({ id: testId(2), merchant: 'Pret A Manger', categoryId: EATING_OUT, date: '2026-01-10' }),
    tx({ id: testId(3), merchant: 'PRET A MANGER 0099', categoryId: GROCERIES, date: '2026-02-01' }),
    tx({ id: testId(4), merchant: 'SQ *CORNER CAFE', categoryId: EATING_OUT, date: '2026-01-01' }),
    tx({ id: testId(5), merchant: 'Corner Cafe', categoryId: GROCERIES, date: '2026-02-01' }),
    tx({ id: testId(6), merchant: 'Uncategorised Shop', categoryId: null }),
    tx({ id: testId(7), merchant: 'Pret A Manger', categoryId: BILLS, transferId: testId(8) }),
    tx({ id: testId(9), merchant: null, description: 'SPOTIFY P1234567', categoryId: SUBS }),
  ];
  const model = learnMerchantCategories(history);

  it('suggests the merchant\'s most frequent category across spellings', () => {
    expect(suggestCategory({ merchant: 'Pret a Manger 1234', description: '' }, model)).toEqual({ categoryId: EATING_OUT, count: 2, total: 3, lastDate: '2026-01-10' });
    expect(suggestCategory({ merchant: null, description: 'Spotify P999999' }, model)?.categoryId).toBe(SUBS);
  });

  it('breaks a tie by the most recent use and ignores transfers and uncategorised rows', () => {
    expect(suggestCategory({ merchant: 'CORNER CAFE', description: '' }, model)?.categoryId).toBe(GROCERIES);
    expect(suggestCategory({ merchant: 'Uncategorised Shop', description: '' }, model)).toBeNull();
    expect(suggestCategory({ merchant: 'Unknown', description: 'Unknown' }, model)).toBeNull();
    expect(suggestCategory({ merchant: 'Pret', description: '' }, model)).toBeNull();
    expect(suggestCategory({ merchant: 'Pret A Manger', description: '' }, model, 3)).toBeNull();
  });

  it('is offered only when no rule set a category', () => {
    const rules = compileRules([rule([{ field: 'merchant', op: 'contains', value: 'pret' }], { categoryId: BILLS })]);
    expect(categorise(tx({ merchant: 'PRET A MANGER' }), rules, model)).toMatchObject({ suggestion: null, result: { transaction: { categoryId: BILLS } } });
    const noRule = categorise(tx({ merchant: 'Corner Cafe' }), rules, model);
    expect(noRule.result.changed).toBe(false);
    expect(noRule.suggestion?.categoryId).toBe(GROCERIES);
  });
});
