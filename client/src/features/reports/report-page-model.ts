import type { Account, Budget, Category } from '@mymidas/shared/schema';
import type { AssetInfo } from '../investments/invest-page-model.ts';
import { NO_CATEGORY, REPORT_OPTIONS, categoryOption, presetLabel } from './report-filters.ts';
import type { OptionSpec, ReportId, ReportQueryState } from './report-filters.ts';
import type { NameBook } from './report-tables.ts';
import type { PickItem } from './ReportPickList.vue';

/**
 * What the reports page shows around a report (issue 23), worked out without Vue: names of accounts, categories
 * and budgets for the tables; the filter bar's lists; the filters in words for the PDF.
 */

export interface Choice {
  readonly value: string;
  readonly label: string;
}

export interface PickLists {
  readonly accounts: PickItem[];
  /** Groups, each followed by its categories, then "Uncategorised". */
  readonly categories: PickItem[];
  /** Expense categories to follow in spending trends, in the same order. */
  readonly spend: Choice[];
  readonly budgets: Choice[];
  readonly assets: Choice[];
}

const PERIOD_WORD: Readonly<Record<Budget['period'], string>> = { weekly: 'weekly', monthly: 'monthly', quarterly: 'quarterly', yearly: 'yearly' };

function budgetLabel(b: Pick<Budget, 'categoryId' | 'period'>, categories: ReadonlyMap<string, Pick<Category, 'name'>>): string {
  return `${categories.get(b.categoryId)?.name ?? 'A deleted category'}, ${PERIOD_WORD[b.period]}`;
}

/** Categories in tree order: each top-level one (by sortOrder, name), then its children, depth-first. */
export function categoryTree(categories: readonly Category[]): { category: Category; depth: number }[] {
  const byParent = new Map<string | null, Category[]>();
  const ids = new Set(categories.map((c) => c.id));
  for (const c of categories) {
    const parent = c.parentId !== null && ids.has(c.parentId) ? c.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), c]);
  }
  const out: { category: Category; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    const list = [...(byParent.get(parent) ?? [])].sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
    for (const c of list) {
      out.push({ category: c, depth });
      if (depth < 8) walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function pickLists(parts: { accounts: readonly Account[]; categories: readonly Category[]; budgets: readonly Budget[]; assets: readonly AssetInfo[] }): PickLists {
  const tree = categoryTree(parts.categories.filter((c) => c.kind !== 'transfer'));
  const byId = new Map(parts.categories.map((c) => [c.id, c]));
  return {
    accounts: parts.accounts.map((a) => ({ id: a.id, label: a.closed ? `${a.name} (closed)` : a.name })),
    categories: [...tree.map(({ category, depth }) => ({ id: category.id, label: category.name, depth })), { id: NO_CATEGORY, label: 'Uncategorised' }],
    spend: [
      ...tree.filter(({ category }) => category.kind === 'expense').map(({ category, depth }) => ({ value: category.id, label: `${'– '.repeat(depth)}${category.name}` })),
      { value: NO_CATEGORY, label: 'Uncategorised' },
    ],
    budgets: parts.budgets.map((b) => ({ value: b.id, label: budgetLabel(b, byId) })).sort((a, b) => a.label.localeCompare(b.label)),
    assets: [...parts.assets].sort((a, b) => a.symbol.localeCompare(b.symbol)).map((a) => ({ value: a.id, label: `${a.symbol} — ${a.name}` })),
  };
}

export function nameBook(parts: { accounts: ReadonlyMap<string, Pick<Account, 'name'>>; categories: ReadonlyMap<string, Pick<Category, 'name'>>; budgets: readonly Budget[] }): NameBook {
  const budgets = new Map(parts.budgets.map((b) => [b.id, b]));
  return {
    account: (id) => parts.accounts.get(id)?.name ?? 'A deleted account',
    category: (id) => (id === null ? 'Uncategorised' : (parts.categories.get(id)?.name ?? 'A deleted category')),
    budget: (id) => {
      const b = budgets.get(id);
      return b ? budgetLabel(b, parts.categories) : 'A deleted budget';
    },
  };
}

function listWords(ids: readonly string[], name: (id: string) => string, none: string): string {
  if (ids.length === 0) return none;
  const shown = ids.slice(0, 8).map(name);
  return ids.length > 8 ? `${shown.join(', ')} and ${ids.length - 8} more` : shown.join(', ');
}

/** The filters of a report in words, one line each: what the PDF prints under its title. */
export function filterWords(report: ReportId, state: ReportQueryState, rangeText: string | null, names: NameBook, lists: PickLists): string[] {
  const out = [
    `Dates: ${presetLabel(state.range)}${rangeText ? ` (${rangeText})` : ''}`,
    `Accounts: ${listWords(state.accounts, names.account, 'all')}`,
    `Categories: ${listWords(state.categories, (id) => names.category(categoryOption(id)), 'all')}`,
    `Tags: ${listWords(state.tags, (t) => t, 'any')}`,
  ];
  const choices: Record<string, readonly Choice[]> = { spend: lists.spend, budget: lists.budgets, bench: lists.assets };
  for (const [key, spec] of Object.entries(REPORT_OPTIONS[report] as Readonly<Record<string, OptionSpec>>)) {
    if (key === 'group' || key === 'cat') {
      const v = state.options[key];
      if (v !== undefined) out.push(`${spec.label}: ${names.category(categoryOption(v))}`);
      continue;
    }
    const v = state.options[key] ?? spec.fallback;
    if (v === undefined) continue;
    const word = choices[key]?.find((c) => c.value === v)?.label.replace(/^(– )+/, '') ?? (key === 'window' ? `${v} months` : v[0]!.toUpperCase() + v.slice(1));
    out.push(`${spec.label}: ${word}`);
  }
  if (state.original) out.push('Original currencies shown beside the base currency');
  return out;
}
