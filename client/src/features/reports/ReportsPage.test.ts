// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import Papa from 'papaparse';
import { createPinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { Router } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ref, ShallowRef } from 'vue';
import type { IncomeExpenseResult } from '@mymidas/shared/reports';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import ReportsPage from './ReportsPage.vue';

// The worker's answers are report-data.ts's job: here each request is recorded and the answers are set by hand.
const data = vi.hoisted(() => ({ requests: [] as unknown[], answers: new Map<string, ShallowRef<unknown>>() }));
vi.mock('./report-data.ts', async () => {
  const { computed, ref, shallowRef: s, watch } = await import('vue');
  return {
    useReportAnswer(request: Ref<unknown>) {
      const answer = s<unknown>(null);
      watch(request, (q) => {
        data.requests.push(q);
        const kind = q && typeof q === 'object' && 'granularity' in q ? 'granular' : q && typeof q === 'object' && 'preset' in q ? 'range' : 'other';
        data.answers.set(kind, answer);
      }, { immediate: true, deep: true });
      return { data: answer, loading: computed(() => false), error: ref(null), took: ref(null) };
    },
  };
});

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const CURRENT = testUuid(1, 1);
const SAVINGS = testUuid(2, 1);
const FOOD = testUuid(1, 2);
let db: ReplicaDatabase;
let router: Router;
let w: VueWrapper | null = null;

beforeEach(async () => {
  data.requests = [];
  data.answers = new Map();
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: CURRENT, name: 'Current' }), account({ id: SAVINGS, name: 'Savings', sortOrder: 1 })]);
  await db.categories.bulkInsert([category({ id: FOOD, name: 'Food' })]);
});
afterEach(async () => {
  w?.unmount();
  w = null;
  vi.restoreAllMocks();
  await db.close();
});

async function mountAt(address: string): Promise<VueWrapper> {
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/reports', component: ReportsPage },
      { path: '/reports/:report', component: ReportsPage },
    ],
  });
  await router.push(address);
  await router.isReady();
  w = mount({ template: '<RouterView />' }, {
    attachTo: document.body,
    global: { plugins: [createPinia(), router], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { ReportChart: { template: '<div data-testid="report-chart" />' } } },
  });
  await flushPromises();
  return w;
}
const page = () => w!;
const query = () => router.currentRoute.value.query;
const lastRequest = () => data.requests[data.requests.length - 1] as Record<string, unknown>;

const INCOME: IncomeExpenseResult = {
  range: { preset: 'last-6-months', from: '2026-01-01', to: '2026-06-30' },
  baseCurrency: 'GBP',
  missingRates: [],
  granularity: 'quarter',
  periods: [
    { start: '2026-01-01', end: '2026-03-31', income: 600_000, expense: 450_050, net: 149_950, savingsRate: 0.24991666 },
    { start: '2026-04-01', end: '2026-06-30', income: 0, expense: 12_345, net: -12_345, savingsRate: null },
  ],
  total: { income: 600_000, expense: 462_395, net: 137_605, savingsRate: 0.22934166 },
};

describe('ReportsPage: filters in the address', { timeout: 30_000 }, () => {
  it('reads the report and its filters from the address and asks the worker for them', async () => {
    await mountAt('/reports/income-expense?range=last-6-months&by=quarter&account=' + SAVINGS);
    expect(page().get('[aria-current="page"][data-testid="report-tab"]').text()).toBe('Income vs expense');
    expect(data.requests).toContainEqual({ filters: { preset: 'last-6-months', accountIds: [SAVINGS] }, granularity: 'quarter' });
    expect((page().get('[data-testid="report-range"]').element as HTMLSelectElement).value).toBe('last-6-months');
    expect((page().get('[data-testid="report-opt-by"]').element as HTMLSelectElement).value).toBe('quarter');
    await until(() => page().get('[data-testid="report-pick-accounts"] summary').text() === 'Accounts: Savings', 'the account named');
  });

  it('writes every change of a filter to the address, defaults left out, and asks again', async () => {
    await mountAt('/reports/income-expense');
    expect(query()).toEqual({});
    await page().get('[data-testid="report-range"]').setValue('this-year');
    await until(() => query().range === 'this-year', 'the range in the address');
    await page().get('[data-testid="report-opt-by"]').setValue('year');
    await until(() => query().by === 'year', 'the grouping in the address');
    await until(() => page().findAll('[data-testid="report-pick-accounts"] input[type="checkbox"]').length === 2, 'the accounts listed');
    const boxes = page().findAll('[data-testid="report-pick-accounts"] input[type="checkbox"]');
    await boxes[1]!.setValue(true);
    await until(() => JSON.stringify(query().account) === JSON.stringify([SAVINGS]), 'the account in the address');
    await page().get('[data-testid="report-original"]').setValue(true);
    await until(() => query().orig === '1', 'original currencies in the address');
    expect(lastRequest()).toEqual({ filters: { preset: 'this-year', accountIds: [SAVINGS] }, granularity: 'year' });
    // Back to the usual grouping: left out of the address.
    await page().get('[data-testid="report-opt-by"]').setValue('month');
    await until(() => query().by === undefined, 'the default grouping left out');
    await page().get('[data-testid="report-clear"]').trigger('click');
    await until(() => query().account === undefined && query().orig === undefined, 'the filters cleared');
    expect(query()).toEqual({ range: 'this-year' });
  });

  it('takes custom dates only when both are given in order', async () => {
    await mountAt('/reports/cash-flow');
    await page().get('[data-testid="report-range"]').setValue('custom');
    await page().get('[data-testid="report-from"]').setValue('2026-05-01');
    await page().get('[data-testid="report-to"]').setValue('2026-04-01');
    await page().get('[data-testid="report-apply-dates"]').trigger('click');
    await flushPromises();
    expect(page().get('[role="alert"]').text()).toBe('The start date is after the end date.');
    expect(query()).toEqual({});
    await page().get('[data-testid="report-to"]').setValue('2026-05-31');
    await page().get('[data-testid="report-apply-dates"]').trigger('click');
    await until(() => query().range === 'custom', 'the custom range in the address');
    expect(query()).toEqual({ range: 'custom', from: '2026-05-01', to: '2026-05-31' });
    expect(lastRequest()).toEqual({ filters: { preset: 'custom', from: '2026-05-01', to: '2026-05-31' }, by: 'group' });
  });

  it('says which part of an address it did not understand and shows the rest', async () => {
    await mountAt('/reports/income-expense?range=fortnight&by=decade&account=' + CURRENT);
    const problems = page().get('[data-testid="report-problems"]').text();
    expect(problems).toContain('The date range “fortnight” is not one of the presets; last 12 months is shown.');
    expect(problems).toContain('Group by “decade” is not one of month, quarter, year; month is used.');
    expect(data.requests).toContainEqual({ filters: { preset: 'last-12-months', accountIds: [CURRENT] }, granularity: 'month' });
    await mountAt('/reports/profit');
    expect(page().get('[data-testid="report-unknown"]').text()).toContain('There is no report called “profit”.');
  });

  it('keeps the shared filters in the links to the other reports', async () => {
    await mountAt(`/reports/income-expense?range=last-year&by=quarter&account=${CURRENT}`);
    const link = page().findAll('[data-testid="report-tab"]').find((a) => a.attributes('data-report') === 'cash-flow')!;
    expect(link.attributes('href')).toBe(`/reports/cash-flow?range=last-year&account=${CURRENT}`);
  });

  it('shows the answer as a table whose CSV holds the same numbers', async () => {
    await mountAt('/reports/income-expense?range=last-6-months&by=quarter');
    data.answers.get('granular')!.value = INCOME;
    await until(() => page().find('[data-table="income-expense"]').exists(), 'the table');
    const cells = page().findAll('[data-table="income-expense"] tr').map((r) => r.findAll('th, td').map((c) => c.text()));
    expect(cells).toEqual([
      ['Period', 'Income (GBP)', 'Expense (GBP)', 'Net (GBP)', 'Savings rate'],
      ['Q1 2026', '£6,000.00', '£4,500.50', '£1,499.50', '24.99 %'],
      ['Q2 2026', '£0.00', '£123.45', '-£123.45', '—'],
      ['Total', '£6,000.00', '£4,623.95', '£1,376.05', '22.93 %'],
    ]);
    expect(page().get('[data-testid="report-summary"]').text()).toContain('Savings rate 22.93 %');
    let saved: Blob | null = null;
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      saved = b as Blob;
      return 'blob:csv';
    });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await page().get('[data-table="income-expense"] [data-testid="report-csv"]').trigger('click');
    expect(saved).not.toBeNull();
    const parsed = Papa.parse<string[]>(await saved!.text(), { skipEmptyLines: true }).data;
    expect(parsed).toEqual([
      ['Period', 'Income (GBP)', 'Expense (GBP)', 'Net (GBP)', 'Savings rate'],
      ['Q1 2026', '6000', '4500.5', '1499.5', '24.99'],
      ['Q2 2026', '0', '123.45', '-123.45', ''],
      ['Total', '6000', '4623.95', '1376.05', '22.93'],
    ]);
    expect(page().get('[data-testid="report-status"]').text()).toContain('income-vs-expense-income-expense.csv downloaded.');
  });
});
