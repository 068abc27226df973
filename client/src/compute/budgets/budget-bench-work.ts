import type { BudgetHistory, BudgetInputs, BudgetPage } from '@mymidas/shared/budget';
import { dayNumber } from '@mymidas/shared/date';
import { collectHousehold } from '@mymidas/shared/demo';
import { expandQuotes } from '@mymidas/shared/quotes';
import type { Budget, BudgetPeriodKind, BudgetRollover, Category } from '@mymidas/shared/schema';
import { FLAG, buildSnapshot, transactionCount } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot } from '@mymidas/shared/snapshot/snapshot';
import { budgetInputs, foreignCurrencies, fxSeriesFromQuotes, inputsWindow, scheduledAmounts } from '../../features/budgets/budget-inputs.ts';
import { createBudgetHandlers } from './budget-handlers.ts';

/**
 * The workload of the `budgets` bench suites (bench/suites/budgets.ts, issue 20), kept beside the handlers it
 * drives so it is type-checked with the client (the bench's own project cannot list client files). Not part of
 * the app: nothing in it is imported by a screen or the worker.
 *
 * The demo household at `size` transactions as a columnar snapshot, with 60 budgets — the household's 12
 * monthly ones plus 48 over the other expense categories and the parent groups, weekly, monthly, quarterly and
 * yearly, every rollover mode, a third of them from the ledger's first month (their rollover chains run over
 * the whole history) — and the inputs built as the UI side builds them (budget-inputs.ts). Answers come from
 * the worker's own handlers (createBudgetHandlers over a reader holding the snapshot, requests validated as in
 * the worker), without the Comlink hop.
 */

export const BENCH_HISTORY_PERIODS = 24;
const EXTRA_BUDGETS = 48;

export interface BudgetBench {
  readonly summary: string;
  /** One budget page for today's periods; ms. */
  page(): number;
  /** The 24-period history of every budget; ms. */
  history(): number;
  /** The floor: one pass over the typed arrays of the rows the page reads, summing the amount column; ms. */
  barePage(): number;
  /** The same over the rows the history reads; ms. */
  bareHistory(): number;
}

const KINDS: readonly BudgetPeriodKind[] = ['weekly', 'monthly', 'quarterly', 'yearly'];
const ROLLOVERS: readonly BudgetRollover[] = ['none', 'unspent', 'unspent-and-overspend'];
const MONTHS_PER: Readonly<Record<BudgetPeriodKind, number>> = { weekly: 12 / 52, monthly: 1, quarterly: 3, yearly: 12 };

/** More budgets over the expense categories the household leaves unbudgeted and over the parent groups. */
function moreBudgets(categories: readonly Category[], existing: readonly Budget[], firstMonth: string, today: string): Budget[] {
  const budgeted = new Set(existing.map((b) => b.categoryId));
  const expense = categories.filter((c) => c.kind === 'expense');
  const targets = [...expense.filter((c) => c.parentId === null), ...expense.filter((c) => c.parentId !== null && !budgeted.has(c.id))];
  const template = existing[0]!;
  const recent = `${String(Number(today.slice(0, 4)) - 2)}-01-01`;
  const out: Budget[] = [];
  for (let i = 0; out.length < EXTRA_BUDGETS; i++) {
    const c = targets[i % targets.length]!;
    const kind = KINDS[i % KINDS.length]!;
    const monthly = c.parentId === null ? 60_000 : 8_000;
    const amount = Math.max(1_000, Math.round((monthly * MONTHS_PER[kind]) / 100) * 100);
    out.push({
      ...template,
      id: `01939a6e-b0d9-7000-8000-${(0x100 + i).toString(16).padStart(12, '0')}`,
      categoryId: c.id, period: kind, weekStart: i % 7, startDate: i % 3 === 0 ? firstMonth : recent, endDate: null,
      amounts: [{ from: firstMonth, amount }, { from: recent, amount: Math.round(amount * 1.1) }],
      rollover: ROLLOVERS[i % ROLLOVERS.length]!, alertThreshold: 70 + (i % 4) * 10, alerts: [],
    });
  }
  return out;
}

function barePass(s: Snapshot, from: number, to: number): number {
  let sum = 0;
  const skip = FLAG.deleted | FLAG.transfer;
  for (const p of s.years.values()) {
    const { day, amount, flags } = p;
    for (let i = 0; i < p.length; i++) {
      const d = day[i]!;
      if (d < from || d > to || (flags[i]! & skip) !== 0) continue;
      sum += amount[i]!;
    }
  }
  return sum;
}

/** Where timed results go, so no pass is optimised away (read by benchSink). */
let sink = 0;
export function benchSink(): number {
  return sink;
}

function timed(fn: () => unknown): number {
  const started = performance.now();
  const value = fn();
  const ms = performance.now() - started;
  sink += typeof value === 'number' ? value : 1;
  return ms;
}

/** The answers must be whole before their speed means anything. */
function check(page: BudgetPage, history: BudgetHistory, budgets: number): void {
  if (page.rows.length !== budgets) throw new Error(`budget page: ${page.rows.length} rows for ${budgets} budgets`);
  if (page.missingRates.length > 0) throw new Error(`budget page: no rates for ${page.missingRates.join(', ')}`);
  if (!page.rows.some((r) => r.forecast !== null && r.forecast.probabilityOver !== null)) throw new Error('budget page: no forecast had enough history');
  if (history.budgets.length !== budgets) throw new Error(`budget history: ${history.budgets.length} budgets for ${budgets}`);
  if (history.budgets.some((b) => b.periods.length === 0)) throw new Error('budget history: a budget without periods');
}

export function prepareBudgetBench(size: number): BudgetBench {
  const started = performance.now();
  const household = collectHousehold({ transactions: size });
  const generatedMs = performance.now() - started;
  const snapshot = buildSnapshot(household.transactions);
  const settings = household.settings[0]!;
  const base = settings.baseCurrency;
  const today = household.transactions.reduce((max, t) => (t.date > max ? t.date : max), '0000-01-01');
  const firstMonth = household.budgets[0]!.startDate;
  const budgets = [...household.budgets, ...moreBudgets(household.categories, household.budgets, firstMonth, today)];

  const window = inputsWindow(budgets, today);
  const currencies = foreignCurrencies(base, household.accounts.map((a) => a.currency), household.recurring_rules.map((r) => r.currency), snapshot.currencies.entries());
  const fxQuotes = expandQuotes(household.quotes.filter((q) => q.kind === 'fx'));
  const fx = currencies.map((c) => fxSeriesFromQuotes(c, base, fxQuotes, { from: window.fxFrom }));
  const { scheduled } = scheduledAmounts(household.recurring_rules, window.scheduledFrom, window.scheduledTo);
  const inputs: BudgetInputs = budgetInputs({ budgets, categories: household.categories, settings, fx, scheduled, today });

  const handlers = createBudgetHandlers({ current: () => snapshot });
  const setInputsMs = timed(() => handlers.budgetSetInputs(inputs));
  const pageRequest = { date: today };
  const historyRequest = { periods: BENCH_HISTORY_PERIODS, date: today };
  const page = handlers.budgetPage(pageRequest);
  const history = handlers.budgetHistory(historyRequest);
  check(page, history, budgets.length);
  // Warm the engine's code paths before anything is timed.
  for (let i = 0; i < 3; i++) {
    handlers.budgetPage(pageRequest);
    handlers.budgetHistory(historyRequest);
  }
  const cloneMs = timed(() => structuredClone(page)) + timed(() => structuredClone(history));

  // Both answers read from the first period of the rollover chains (the ledger's first month) to the last period end shown.
  const from = dayNumber(firstMonth);
  const lastEnd = (periods: readonly { period: { end: string } }[]) => Math.max(...periods.map((p) => dayNumber(p.period.end)));
  const pageTo = lastEnd(page.rows);
  const historyTo = lastEnd(history.budgets.flatMap((b) => b.periods));
  const fxDays = fx.reduce((n, s) => n + s.dates.length, 0);
  const summary = `${transactionCount(snapshot)} transactions (generated in ${(generatedMs / 1000).toFixed(1)} s), ${budgets.length} budgets `
    + `(${KINDS.map((k) => `${budgets.filter((b) => b.period === k).length} ${k}`).join(', ')}), today ${today}; `
    + `inputs: ${fx.length} FX series (${fxDays} days), ${scheduled.length} scheduled amounts, budgetSetInputs ${setInputsMs.toFixed(1)} ms; `
    + `structured clone of page + history ${cloneMs.toFixed(2)} ms`;

  return {
    summary,
    page: () => timed(() => handlers.budgetPage(pageRequest)),
    history: () => timed(() => handlers.budgetHistory(historyRequest)),
    barePage: () => timed(() => barePass(snapshot, from, pageTo)),
    bareHistory: () => timed(() => barePass(snapshot, from, historyTo)),
  };
}
