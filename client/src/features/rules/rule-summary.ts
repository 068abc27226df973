import type { Account, CategorisationRule, Category } from '@mymidas/shared/schema';

const OP_TEXT: Record<string, string> = {
  contains: 'contains', equals: 'is', starts_with: 'starts with', regex: 'matches', gt: 'more than', lt: 'less than', between: 'between',
};
const FIELD_TEXT: Record<string, string> = { description: 'Description', merchant: 'Merchant', amount: 'Amount', accountId: 'Account' };

/** "Merchant contains “tesco” and Amount between 5 and 10", in words for the list and screen readers. */
export function describeConditions(rule: Pick<CategorisationRule, 'conditions'>, accounts: readonly Pick<Account, 'id' | 'name'>[]): string {
  return rule.conditions
    .map((c) => {
      const value = c.field === 'accountId' ? (accounts.find((a) => a.id === c.value)?.name ?? 'an account no longer here') : c.field === 'amount' ? c.value : `“${c.value}”`;
      const tail = c.op === 'between' ? ` and ${c.value2 ?? '?'}` : '';
      return `${FIELD_TEXT[c.field] ?? c.field} ${OP_TEXT[c.op] ?? c.op} ${value}${tail}`;
    })
    .join(' and ');
}

export function describeActions(rule: Pick<CategorisationRule, 'actions'>, categories: readonly Pick<Category, 'id' | 'name'>[]): string {
  const a = rule.actions;
  const parts: string[] = [];
  if (a.categoryId) parts.push(`category ${categories.find((c) => c.id === a.categoryId)?.name ?? '(deleted category)'}`);
  if (a.tags && a.tags.length > 0) parts.push(`tags ${a.tags.join(', ')}`);
  if (a.merchant) parts.push(`merchant “${a.merchant}”`);
  return parts.length > 0 ? `set ${parts.join('; ')}` : 'sets nothing';
}
