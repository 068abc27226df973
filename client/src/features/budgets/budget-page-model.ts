import { dateLabel, monthLabel } from '@mymidas/shared/date';
import { formatMoney } from '@mymidas/shared/money';
import type { Budget, BudgetPeriodKind, Category } from '@mymidas/shared/schema';
import type { BudgetForecast, BudgetPageRow, BudgetPeriodFigures, BudgetState, Period, PeriodRule } from '@mymidas/shared/budget';
import type { ThemePalette } from '../../themes/themes.ts';
import { periodContaining, shiftPeriod } from '@mymidas/shared/budget';

/**
 * What the budget page says and draws, from the engine's figures (pure: no Vue, no replica). The figures
 * themselves — spent, carried, available, state, forecast — are the engine's; this module only words them,
 * picks colours, and plans the amount changes the page's buttons make.
 */

export const KIND_LABELS: Readonly<Record<BudgetPeriodKind, string>> = { weekly: 'Weekly', monthly: 'Monthly', quarterly: 'Quarterly', yearly: 'Yearly' };
const UNITS: Readonly<Record<BudgetPeriodKind, readonly [string, string]>> = {
  weekly: ['week', 'weeks'], monthly: ['month', 'months'], quarterly: ['quarter', 'quarters'], yearly: ['year', 'years'],
};

/** "month" / "months": the word for n periods of a kind. */
export function periodUnit(kind: BudgetPeriodKind, n = 1): string {
  return UNITS[kind][n === 1 ? 0 : 1];
}

export function periodRule(kind: BudgetPeriodKind, monthStartDay: number, weekStart = 1): PeriodRule {
  return { kind, weekStart, monthStartDay };
}

/** A period as people read it: "November 2026", "Q4 2026", "2026", or its first and last days. */
export function periodLabel(kind: BudgetPeriodKind, period: Period): string {
  const range = `${dateLabel(period.start)} – ${dateLabel(period.end)}`;
  const first = period.start.endsWith('-01');
  if (kind === 'monthly' && first) return monthLabel(period.start.slice(0, 7));
  if (kind === 'quarterly' && first && ['01', '04', '07', '10'].includes(period.start.slice(5, 7))) {
    return `Q${(Number(period.start.slice(5, 7)) + 2) / 3} ${period.start.slice(0, 4)}`;
  }
  if (kind === 'yearly' && period.start.endsWith('-01-01')) return period.start.slice(0, 4);
  return range;
}

/** A period named by its start, as in "from … on": "the week of 30 Nov 2026", "December 2026", "Q1 2027". */
export function periodStartLabel(kind: BudgetPeriodKind, period: Period): string {
  return kind === 'weekly' ? `the week of ${dateLabel(period.start)}` : periodLabel(kind, period);
}

/** The shown period of a kind for a date (weekly: weeks starting Monday; each budget keeps its own week start). */
export function shownPeriod(kind: BudgetPeriodKind, date: string, monthStartDay: number): Period {
  return periodContaining(periodRule(kind, monthStartDay), date);
}

/** The date to show after moving `n` periods from the one containing `date`: that period's first day. */
export function moveDate(kind: BudgetPeriodKind, date: string, n: number, monthStartDay: number): string {
  const rule = periodRule(kind, monthStartDay);
  return shiftPeriod(rule, periodContaining(rule, date), n).start;
}

// ---- state, colour, words ------------------------------------------------------------------------

export const STATE_TEXT: Readonly<Record<BudgetState, string>> = { 'on-track': 'On track', 'over-threshold': 'Near the limit', over: 'Over budget' };

/** The theme colour of a state: positive, warning, negative (each ≥ 4.5:1 on cards, contrast.test.ts). */
export function stateColour(state: BudgetState, palette: ThemePalette): string {
  return state === 'on-track' ? palette.positive : state === 'over-threshold' ? palette.warning : palette.negative;
}

/** Amount plus what was carried in: what the period may spend. */
export function limitOf(row: BudgetPeriodFigures): number {
  return row.amount + row.carried;
}

/** Spent as a whole percent of amount + carried; null when there is nothing to spend (limit ≤ 0). */
export function percentUsed(row: BudgetPeriodFigures): number | null {
  const limit = limitOf(row);
  if (limit <= 0) return null;
  return Math.round((row.spent / limit) * 100);
}

/** How far round the gauge's arc goes, 0–100 (full when over, or when there was nothing to spend and something was spent). */
export function gaugeFill(row: BudgetPeriodFigures): number {
  const p = percentUsed(row);
  if (p === null) return row.spent > 0 ? 100 : 0;
  return Math.max(0, Math.min(100, p));
}

/** What a screen reader says for the gauge: the figures, not only the picture. */
export function gaugeLabel(name: string, row: BudgetPeriodFigures, currency: string): string {
  const p = percentUsed(row);
  const share = p === null ? '' : ` (${p}%)`;
  const left = row.available >= 0 ? `${formatMoney(row.available, currency)} left` : `${formatMoney(-row.available, currency)} over`;
  return `${name}: ${formatMoney(row.spent, currency)} spent of ${formatMoney(limitOf(row), currency)}${share}, ${STATE_TEXT[row.state].toLowerCase()}, ${left}.`;
}

function percentText(p: number): string {
  if (p > 0 && p < 0.005) return 'under 1%';
  if (p < 1 && p > 0.995) return 'over 99%';
  return `${Math.round(p * 100)}%`;
}

export interface ForecastText {
  /** "Projected £412.00 by 30 Nov 2026 at this pace". */
  readonly projection: string;
  /** Known bills still to come, or null. */
  readonly bills: string | null;
  /** "38% chance of going over", null without enough history. */
  readonly probability: string | null;
  /** "from daily spending in the last 8 months", null without enough history. */
  readonly basis: string | null;
}

export function forecastText(forecast: BudgetForecast, row: BudgetPeriodFigures, kind: BudgetPeriodKind, currency: string): ForecastText {
  const projection = `Projected ${formatMoney(forecast.projectedSpent, currency)} by ${dateLabel(row.period.end)} at this pace`;
  const bills = forecast.knownUpcoming > 0 ? `including ${formatMoney(forecast.knownUpcoming, currency)} of scheduled bills` : null;
  if (forecast.probabilityOver === null || forecast.basedOnPeriods <= 0) return { projection, bills, probability: null, basis: null };
  return {
    projection,
    bills,
    probability: `${percentText(forecast.probabilityOver)} chance of going over`,
    basis: `from daily spending in the last ${forecast.basedOnPeriods} ${periodUnit(kind, forecast.basedOnPeriods)}`,
  };
}

// ---- categories ------------------------------------------------------------------------------------

/** "Food › Groceries", or the name alone for a top-level category. */
export function categoryPath(id: string, byId: ReadonlyMap<string, Pick<Category, 'name' | 'parentId'>>): string {
  const c = byId.get(id);
  if (!c) return 'Deleted category';
  const parent = c.parentId ? byId.get(c.parentId) : undefined;
  return parent ? `${parent.name} › ${c.name}` : c.name;
}

export interface CategoryOption {
  readonly id: string;
  readonly label: string;
  /** A parent: its budget covers its children too. */
  readonly group: boolean;
}

/** Expense categories a budget can be for: each parent (as a group covering its children), then its children. */
export function budgetCategoryOptions(categories: readonly Category[]): CategoryOption[] {
  const expense = categories.filter((c) => c.kind === 'expense');
  const byName = (a: Category, b: Category) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name);
  const out: CategoryOption[] = [];
  for (const parent of expense.filter((c) => c.parentId === null).sort(byName)) {
    const children = expense.filter((c) => c.parentId === parent.id).sort(byName);
    out.push({ id: parent.id, label: children.length > 0 ? `${parent.name} (whole group)` : parent.name, group: children.length > 0 });
    for (const child of children) out.push({ id: child.id, label: `${parent.name} › ${child.name}`, group: false });
  }
  return out;
}

// ---- amounts over time -------------------------------------------------------------------------------

/** The amount in force on a date: the last change on or before it (the first one before any change). */
export function amountAt(budget: Pick<Budget, 'amounts'>, date: string): number {
  let amount = budget.amounts[0]?.amount ?? 0;
  for (const e of budget.amounts) if (e.from <= date) amount = e.amount;
  return amount;
}

/**
 * The amounts with `amount` in force from `from` on: an entry at that date is replaced, earlier ones are
 * left alone (past periods keep their amounts), later ones stay (they are later changes the user made).
 */
export function withAmountFrom(amounts: Budget['amounts'], from: string, amount: number): Budget['amounts'] {
  const kept = amounts.filter((e) => e.from !== from);
  return [...kept, { from, amount }].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/** Amount changes recorded after a date (shown in the editor: they stay in force from their own dates). */
export function laterChanges(budget: Pick<Budget, 'amounts'>, after: string): Budget['amounts'] {
  return budget.amounts.filter((e) => e.from > after);
}

export function budgetRule(budget: Pick<Budget, 'period' | 'weekStart'>, monthStartDay: number): PeriodRule {
  return periodRule(budget.period, monthStartDay, budget.weekStart);
}

/** Whether the budget applies to a period: its start's period is not later, and it has not ended before. */
export function activeIn(budget: Budget, period: Period, monthStartDay: number): boolean {
  const rule = budgetRule(budget, monthStartDay);
  if (periodContaining(rule, budget.startDate).start > period.start) return false;
  return budget.endDate === null || periodContaining(rule, budget.endDate).start >= period.start;
}

export interface AmountChange {
  readonly budget: Budget;
  /** First day of the period the amount applies from. */
  readonly from: string;
  readonly amount: number;
  /** The budget ended in the previous period and continues (its end is taken away). */
  readonly reopen: boolean;
}

/**
 * "Copy last period": for each budget of the kind shown that applied in the period before the shown one, the
 * shown period's amount becomes the previous period's, recorded from the shown period's first day. Budgets that
 * ended in the previous period continue. Budgets with nothing to change are left out.
 */
export function copyLastPeriodPlan(budgets: readonly Budget[], kind: BudgetPeriodKind, date: string, monthStartDay: number): AmountChange[] {
  const out: AmountChange[] = [];
  for (const b of budgets) {
    if (b.period !== kind) continue;
    const rule = budgetRule(b, monthStartDay);
    const shown = periodContaining(rule, date);
    const previous = shiftPeriod(rule, shown, -1);
    if (!activeIn(b, previous, monthStartDay)) continue;
    const reopen = b.endDate !== null && periodContaining(rule, b.endDate).start === previous.start;
    const amount = amountAt(b, previous.start);
    if (!reopen && amountAt(b, shown.start) === amount) continue;
    out.push({ budget: b, from: shown.start, amount, reopen });
  }
  return out;
}

export interface AverageSpent {
  /** Rounded to whole minor units, never below zero. */
  readonly amount: number;
  /** Periods the average is over (fewer than asked when the budget is younger). */
  readonly periods: number;
}

/** The average spent of the last `n` complete periods before the shown one (history oldest first). */
export function averageSpent(history: readonly BudgetPeriodFigures[], shownStart: string, n: number): AverageSpent | null {
  const before = history.filter((p) => p.period.start < shownStart).slice(-n);
  if (before.length === 0) return null;
  const total = before.reduce((s, p) => s + p.spent, 0);
  return { amount: Math.max(0, Math.round(total / before.length)), periods: before.length };
}

// ---- the page's rows ---------------------------------------------------------------------------------

export interface BudgetCardView {
  readonly row: BudgetPageRow;
  readonly budget: Budget | undefined;
  readonly name: string;
}

/** The engine's rows with their budget documents and category names, in category order. */
export function cardViews(rows: readonly BudgetPageRow[], budgets: readonly Budget[], categories: readonly Category[]): BudgetCardView[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const budgetById = new Map(budgets.map((b) => [b.id, b]));
  return rows
    .map((row) => ({ row, budget: budgetById.get(row.budgetId), name: categoryPath(row.categoryId, byId) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The transactions page filtered to a budget's category (a parent includes its children) and period. */
export function transactionsLink(row: Pick<BudgetPeriodFigures, 'categoryId' | 'period'>): { path: string; query: Record<string, string> } {
  return { path: '/transactions', query: { category: row.categoryId, from: row.period.start, to: row.period.end } };
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period on a chart axis: "Nov 26", "Q4 26", "2026", or its first day ("30 Nov 26"). */
export function shortPeriodLabel(kind: BudgetPeriodKind, period: Period): string {
  const year = period.start.slice(2, 4);
  const month = SHORT_MONTHS[Number(period.start.slice(5, 7)) - 1]!;
  const day = Number(period.start.slice(8, 10));
  if (kind === 'yearly') return day === 1 && month === 'Jan' ? period.start.slice(0, 4) : `${day} ${month} ${year}`;
  if (kind === 'quarterly' && day === 1 && ['01', '04', '07', '10'].includes(period.start.slice(5, 7))) return `Q${(Number(period.start.slice(5, 7)) + 2) / 3} ${year}`;
  if (kind === 'monthly' && day === 1) return `${month} ${year}`;
  return `${day} ${month} ${year}`;
}
