// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { routeLocationKey, routerKey } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import type { Ref } from 'vue';
import type { Budget } from '@mymidas/shared/schema';
import type { BudgetHistory, BudgetHistoryRequest, BudgetPage, BudgetPageRequest, BudgetPageRow } from '@mymidas/shared/budget';
import { todayLocal } from '@mymidas/shared/date';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import BudgetsPage from './BudgetsPage.vue';
import { periodLabel, shownPeriod } from './budget-page-model.ts';

// The worker's answers are the data composables' job (budget-data.ts, tested there): here they are set by hand.
const data = vi.hoisted(() => ({
  page: null as unknown as Ref<BudgetPage | null>,
  history: null as unknown as Ref<BudgetHistory | null>,
  pageRequests: [] as BudgetPageRequest[],
  historyRequests: [] as (BudgetHistoryRequest | null)[],
}));
vi.mock('./budget-data.ts', async () => {
  const { ref: r, shallowRef: s, watch } = await import('vue');
  return {
    useBudgetPage(request: Ref<BudgetPageRequest>) {
      watch(request, (q) => data.pageRequests.push(q), { immediate: true });
      return { page: data.page, loading: r(false), error: r(null) };
    },
    useBudgetHistory(request: Ref<BudgetHistoryRequest | null>) {
      watch(request, (q) => data.historyRequests.push(q), { immediate: true });
      return { history: data.history ?? s(null), loading: r(false), error: r(null) };
    },
  };
});

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const FOOD = testUuid(1, 1);
const GROCERIES = testUuid(2, 1);
const FUEL = testUuid(3, 1);
const B_GROCERIES = testUuid(1, 2);
const B_FUEL = testUuid(2, 2);
const today = todayLocal();
const month = shownPeriod('monthly', today, 1);
let db: ReplicaDatabase;
let w: VueWrapper | null = null;

const budget = (id: string, categoryId: string, amounts: Budget['amounts'], over: Partial<Budget> = {}): Budget => ({
  id, hlc: '1764000000000:0000:test', categoryId, period: 'monthly', weekStart: 1, startDate: '2025-01-01', endDate: null, amounts,
  currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts: [], ...over,
});
const row = (over: Partial<BudgetPageRow>): BudgetPageRow => ({
  budgetId: B_GROCERIES, categoryId: GROCERIES, period: month, amount: 40_000, carried: 0, spent: 10_000, pending: 0, available: 30_000,
  state: 'on-track', forecast: null, ...over,
});

beforeEach(async () => {
  data.page = shallowRef(null);
  data.history = shallowRef(null);
  data.pageRequests = [];
  data.historyRequests = [];
  vi.stubGlobal('confirm', () => true);
  db = await openTestReplica();
  await db.categories.bulkInsert([
    category({ id: FOOD, name: 'Food' }), category({ id: GROCERIES, name: 'Groceries', parentId: FOOD }), category({ id: FUEL, name: 'Fuel' }),
  ]);
  await db.budgets.bulkInsert([
    budget(B_GROCERIES, GROCERIES, [{ from: '2025-01-01', amount: 40_000 }]),
    budget(B_FUEL, FUEL, [{ from: '2025-01-01', amount: 10_000 }, { from: month.start, amount: 12_000 }]),
  ]);
});
afterEach(async () => {
  w?.unmount();
  w = null;
  vi.unstubAllGlobals();
  await db.close();
});

function mountPage(route?: { query: Record<string, string>; replace: (to: unknown) => void }): VueWrapper {
  const routing = route ? { [routeLocationKey as symbol]: { query: route.query }, [routerKey as symbol]: { replace: route.replace } } : {};
  w = mount(BudgetsPage, {
    attachTo: document.body,
    global: {
      plugins: [createPinia()],
      provide: { [REPLICA_PORT as symbol]: portFor(db), ...routing },
      stubs: { RouterLink: { props: ['to'], template: '<a :data-to="JSON.stringify(to)"><slot /></a>' }, Echarts: { template: '<div class="vchart-stub" />' } },
    },
  });
  return w;
}
const page = () => w!;
const button = (name: string) => {
  const b = page().findAll('button').find((x) => x.text() === name || x.attributes('aria-label') === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
};
const byLabel = (text: string) => {
  const label = page().findAll('label').find((l) => l.text().startsWith(text));
  if (!label) throw new Error(`no label ${text}`);
  return page().get(`#${label.attributes('for')}`);
};
const storedBudgets = async () => (await db.budgets.find().exec()).map((d) => d.toMutableJSON() as Budget);
const statusText = () => page().get('[data-testid="budget-status"]').text();

describe('BudgetsPage', () => {
  it('shows a card per budget with a labelled gauge, its state in words, pending apart and the forecast with what it is based on', async () => {
    mountPage();
    expect(page().find('[data-testid="budget-loading"]').exists()).toBe(true);
    data.page.value = {
      date: today,
      rows: [
        row({
          spent: 34_000, pending: 1_500, available: 6_000, state: 'over-threshold',
          forecast: { projectedSpent: 45_000, knownUpcoming: 2_000, probabilityOver: 0.71, basedOnPeriods: 8, dailyMean: 1_200, dailyStdDev: 400 },
        }),
        row({ budgetId: B_FUEL, categoryId: FUEL, amount: 12_000, carried: -1_000, spent: 12_500, available: -1_500, state: 'over', forecast: { projectedSpent: 13_000, knownUpcoming: 0, probabilityOver: null, basedOnPeriods: 0, dailyMean: null, dailyStdDev: null } }),
      ],
      month: { period: month, income: 300_000, budgeted: 52_000, toBeBudgeted: 248_000 },
      missingRates: ['USD', 'JPY'],
    };
    await until(() => page().findAll('[data-testid="budget-card"]').length === 2, 'the cards');
    const [groceries, fuel] = page().findAll('[data-testid="budget-card"]');
    expect(groceries!.get('h3').text()).toBe('Food › Groceries');
    expect(groceries!.get('[role="img"]').attributes('aria-label')).toBe('Food › Groceries: £340.00 spent of £400.00 (85%), near the limit, £60.00 left.');
    expect(groceries!.get('[data-testid="budget-state"]').text()).toBe('Near the limit');
    expect(groceries!.get('[data-testid="budget-pending"]').text()).toContain('£15.00');
    expect(groceries!.get('[data-testid="budget-forecast"]').text()).toContain('71% chance of going over, from daily spending in the last 8 months.');
    expect(groceries!.get('[data-testid="budget-forecast"]').text()).toContain('including £20.00 of scheduled bills');
    expect(fuel!.get('[data-testid="budget-state"]').text()).toBe('Over budget');
    expect(fuel!.text()).toContain('Over by£15.00');
    expect(fuel!.get('[data-testid="budget-forecast"]').text()).not.toContain('chance');
    expect(JSON.parse(groceries!.get('a').attributes('data-to')!)).toEqual({ path: '/transactions', query: { category: GROCERIES, from: month.start, to: month.end } });
    expect(page().get('[data-testid="budget-missing-rates"]').text()).toContain('No exchange rate for USD, JPY.');
    expect(page().get('[data-testid="budget-to-be-budgeted"]').text()).toBe('£2,480.00');
  });

  it('moves between periods and kinds, and back to the current one', async () => {
    mountPage();
    data.page.value = { date: today, rows: [], month: null, missingRates: [] };
    await until(() => page().find('[data-testid="budget-empty"]').exists(), 'the page');
    expect(data.pageRequests.at(-1)).toEqual({ date: today, kind: 'monthly' });
    expect(page().find('[data-testid="budget-current"]').exists()).toBe(false);
    await button('Previous month').trigger('click');
    expect(data.pageRequests.at(-1)).toEqual({ date: shiftBack(month.start, 1), kind: 'monthly' });
    expect(page().find('[data-testid="budget-current"]').exists()).toBe(true);
    await button('This month').trigger('click');
    expect(data.pageRequests.at(-1)).toEqual({ date: today, kind: 'monthly' });
    await page().findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'weekly')!.setValue(true);
    expect(data.pageRequests.at(-1)?.kind).toBe('weekly');
    expect(page().get('[data-testid="budget-empty"]').text()).toContain('No weekly budgets');
    await button('Next week').trigger('click');
    expect(page().get('[data-testid="budget-period"]').text()).toMatch(/^Week of /);
  });

  it('creates a budget, saying what is wrong and where first', async () => {
    mountPage();
    data.page.value = { date: today, rows: [], month: null, missingRates: [] };
    await button('New budget').trigger('click');
    await until(() => page().findAll('option').some((o) => o.text() === 'Food (whole group)'), 'the categories');
    await page().get('[data-testid="budget-editor"]').trigger('submit');
    await until(() => page().find('[data-testid="budget-form-problems"]').exists(), 'the problems');
    const problems = page().get('[data-testid="budget-form-problems"]').text();
    expect(problems).toContain('Category: Choose the category this budget is for.');
    expect(problems).toContain('Amount: Enter how much each month may spend, e.g. 250.00.');
    expect(byLabel('Amount each month').attributes('aria-invalid')).toBe('true');
    expect(byLabel('Category').element).toBe(document.activeElement);
    await byLabel('Category').setValue(FOOD);
    await byLabel('Period').setValue('weekly');
    await byLabel('Weeks start on').setValue('0');
    await byLabel('Amount each week').setValue('75.50');
    await byLabel('Alert threshold').setValue('90');
    await page().get('[data-testid="budget-editor"]').trigger('submit');
    await until(() => statusText() === 'Budget for Food created.' || page().find('[role="alert"]').exists(), 'created');
    expect(page().find('[role="alert"]').exists() ? page().get('[role="alert"]').text() : '').toBe('');
    const created = (await storedBudgets()).find((b) => b.categoryId === FOOD)!;
    expect(created).toMatchObject({ period: 'weekly', weekStart: 0, alertThreshold: 90, amounts: [{ amount: 7_550 }], alerts: [], endDate: null });
  });

  it('edits a budget: a new amount from the next period on (this one keeps its amount), a rollover, and an end; then deletes it', async () => {
    mountPage();
    data.page.value = { date: today, rows: [row({})], month: null, missingRates: [] };
    await until(() => page().findAll('[data-testid="budget-card"]').length === 1, 'the card');
    await button('Edit Food › Groceries budget').trigger('click');
    expect(page().get('[data-testid="budget-editor"] h2').text()).toBe('Edit budget: Food › Groceries');
    expect((byLabel('Amount each month').element as HTMLInputElement).value).toBe('400.00');
    expect(page().get('[data-testid="budget-editor"]').text()).toContain(`${periodLabel('monthly', month)} on (the period shown)`);
    await byLabel('Amount each month').setValue('450');
    await page().findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'next')!.setValue(true);
    await byLabel('Rollover').setValue('unspent-and-overspend');
    await button('End after this period').trigger('click');
    await page().get('[data-testid="budget-editor"]').trigger('submit');
    await until(() => statusText() === 'Budget for Food › Groceries saved.', 'saved');
    const saved = (await storedBudgets()).find((b) => b.id === B_GROCERIES)!;
    expect(saved.amounts).toEqual([{ from: '2025-01-01', amount: 40_000 }, { from: addMonth(month.start), amount: 45_000 }]);
    expect(saved).toMatchObject({ rollover: 'unspent-and-overspend', endDate: month.end });
    await button('Edit Food › Groceries budget').trigger('click');
    await button('Delete budget').trigger('click');
    await until(() => statusText() === 'Budget for Food › Groceries deleted.', 'deleted');
    expect((await storedBudgets()).map((b) => b.id)).toEqual([B_FUEL]);
  });

  it('copies last month’s amounts and sets an amount from the average of past periods', async () => {
    mountPage();
    data.page.value = { date: today, rows: [row({}), row({ budgetId: B_FUEL, categoryId: FUEL, amount: 12_000 })], month: null, missingRates: [] };
    await until(() => page().findAll('[data-testid="budget-card"]').length === 2, 'the cards');
    await button('Copy last month’s budgets').trigger('click');
    await until(() => statusText().startsWith('Copied'), 'copied');
    expect(statusText()).toMatch(/^Copied last month's amounts to 1 budget from /);
    const fuel = (await storedBudgets()).find((b) => b.id === B_FUEL)!;
    expect(fuel.amounts).toEqual([{ from: '2025-01-01', amount: 10_000 }, { from: month.start, amount: 10_000 }]);

    data.history.value = {
      // Three past months (31, 32, 33 thousand spent) and the shown one, which the average leaves out.
      budgets: [{ budgetId: B_GROCERIES, periods: [3, 2, 1, 0].map((back) => row({
        period: back === 0 ? month : { start: shiftBack(month.start, back), end: shiftBack(month.start, back - 1) }, spent: back === 0 ? 99_999 : 30_000 + back * 1_000,
      })) }],
      missingRates: [],
    };
    await button('Edit Food › Groceries budget').trigger('click');
    await until(() => page().findAll('button').some((b) => b.text() === 'last 3 months: £320.00'), 'the average');
    await button('last 3 months: £320.00').trigger('click');
    expect((byLabel('Amount each month').element as HTMLInputElement).value).toBe('320.00');
    expect(data.historyRequests.at(-1)).toEqual({ budgetIds: [B_GROCERIES], periods: 13, date: today });
  });

  it('shows a budget’s history as a chart with the same figures in a table', async () => {
    mountPage();
    data.page.value = { date: today, rows: [row({})], month: null, missingRates: [] };
    await until(() => page().findAll('[data-testid="budget-card"]').length === 1, 'the card');
    data.history.value = { budgets: [{ budgetId: B_GROCERIES, periods: [row({ period: { start: shiftBack(month.start, 1), end: month.start }, spent: 41_000, state: 'over' }), row({})] }], missingRates: [] };
    await button('History of Food › Groceries').trigger('click');
    expect(data.historyRequests.at(-1)).toEqual({ budgetIds: [B_GROCERIES], periods: 24, date: today });
    const chart = page().get('[data-testid="budget-history-chart"]');
    expect(chart.attributes('role')).toBe('img');
    expect(chart.attributes('aria-label')).toBe('Food › Groceries: spent against budget over the last 2 months; over budget in 1 of them. The figures are in the table below.');
    const rows = page().findAll('[data-testid="budget-history"] tbody tr').map((r) => r.findAll('th, td').map((c) => c.text()));
    expect(rows[0]!.slice(1)).toEqual(['£400.00', '£410.00', '£300.00', 'Over budget']);
  });

  it('opens on the kind and period of the address, and keeps them there as they change', async () => {
    const replace = vi.fn();
    mountPage({ query: { kind: 'weekly', date: '2026-03-04' }, replace });
    data.page.value = { date: '2026-03-04', rows: [], month: null, missingRates: [] };
    await until(() => page().find('[data-testid="budget-empty"]').exists(), 'the page');
    expect(data.pageRequests[0]).toEqual({ date: '2026-03-04', kind: 'weekly' });
    expect(page().get('[data-testid="budget-period"]').text()).toBe('Week of 2 Mar 2026');
    await button('Next week').trigger('click');
    expect(replace).toHaveBeenLastCalledWith({ query: { kind: 'weekly', date: '2026-03-09' } });
    await page().findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'monthly')!.setValue(true);
    await button('This month').trigger('click');
    expect(replace).toHaveBeenLastCalledWith({ query: {} });
  });
});

function shiftBack(start: string, months: number): string {
  const [y, m] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}
function addMonth(start: string): string {
  return shiftBack(start, -1);
}
