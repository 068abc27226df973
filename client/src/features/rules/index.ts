/**
 * For the transaction editor and the importer:
 * - `applyRulesOnEntry(db, tx)` before saving a transaction (fills empty category/tags/merchant;
 *   returns the learned `suggestion` to offer when no rule set a category);
 * - `<CreateRuleFromTransaction :transaction="tx" :categories="cats" account-name="…" />`, or
 *   `createRuleFromTransaction(db, tx)` directly.
 */
export { applyRulesOnEntry, compiledRules, createRuleFromTransaction, merchantModel, suggestCategoryFor } from './rules-data.ts';
export type { EntryResult } from './rules-data.ts';
export { default as CreateRuleFromTransaction } from './CreateRuleFromTransaction.vue';
