import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia } from 'pinia';
import { createApp, effectScope, ref } from 'vue';
import type { EffectScope, Ref } from 'vue';
import type { BudgetHistoryRequest, BudgetInputs, BudgetPageRequest } from '@mymidas/shared/budget';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import type { Budget, Quote, RecurringRule, Settings } from '@mymidas/shared/schema';
import { applyChanges, buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import { useComputeStore } from '../../app/compute-store.ts';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until } from '../../testing/test-port.ts';
import { useBudgetHistory, useBudgetPage } from './budget-data.ts';
import { useBudgetInputsStore } from './budget-inputs-store.ts';
import { budgetTestRig, closeRig } from './budget-test-session.ts';
import type { fakeSession } from './budget-test-session.ts';

const HLC = '1764000000000:0000:test';
const FOOD = testUuid(1);
const GROCERIES = testUuid(2);
const SALARY = testUuid(3);
const GBP_ACCOUNT = testUuid(10);
const EUR_ACCOUNT = testUuid(11);
const FOOD_BUDGET = testUuid(20);
const GONE_BUDGET = testUuid(21);

function budget(over: Partial<Budget> & Pick<Budget, 'id'>): Budget {
  return {
    hlc: HLC, categoryId: FOOD, period: 'monthly', weekStart: 1, startDate: '2026-01-01', endDate: null,
    amounts: [{ from: '2026-01-01', amount: 10_000 }], currency: 'GBP', rollover: 'none', alertThreshold: 80, alerts: [], ...over,
  };
}

function fxQuote(series: string, date: string, close: string): Quote {
  return {
    id: `fx:${series}:${date}`, hlc: HLC, kind: 'fx', series, date, open: null, high: null, low: null, close, volume: null,
    currency: series.slice(4), source: 'test',
  };
}

let n = 1000;
function tx(date: string, amount: number, categoryId: string, currency = 'GBP'): SnapshotDoc {
  n += 1;
  return { id: testUuid(n, 7), date, amount, currency, accountId: GBP_ACCOUNT, categoryId, status: 'cleared', transferId: null, splits: [] };
}

let db: ReplicaDatabase;
let scope: EffectScope;
let snapshot: Snapshot;
let pushes: BudgetInputs[];
let worker: ReturnType<typeof fakeSession>;

const settings: Settings = { id: testUuid(40), hlc: HLC, baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Pacific/Auckland', budgetStartDay: 1, idleLockMinutes: 15 };
const rule: RecurringRule = {
  id: testUuid(50), hlc: HLC, name: 'Veg box', rrule: 'FREQ=MONTHLY;BYMONTHDAY=20', startDate: '2025-01-20', endDate: null, accountId: GBP_ACCOUNT,
  amount: -2_500, currency: 'GBP', categoryId: GROCERIES, payee: null, autoPost: true, lastPostedDate: null, skippedDates: [],
};

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: GBP_ACCOUNT }), account({ id: EUR_ACCOUNT, currency: 'EUR', sortOrder: 1 })]);
  await db.categories.bulkInsert([
    category({ id: FOOD, name: 'Food' }), category({ id: GROCERIES, name: 'Groceries', parentId: FOOD }), category({ id: SALARY, name: 'Salary', kind: 'income' }),
  ]);
  await db.settings.insert(settings);
  await db.recurring_rules.insert(rule);
  await db.budgets.bulkInsert([budget({ id: FOOD_BUDGET }), budget({ id: GONE_BUDGET, categoryId: GROCERIES })]);
  await (await db.budgets.findOne(GONE_BUDGET).exec())!.remove();
  await db.quotes.bulkInsert(docsFromDailyQuotes([
    fxQuote('GBP/EUR', '2010-01-04', '1.11'), // long before anything the budgets need: never read
    fxQuote('GBP/EUR', '2023-06-01', '1.16'), // the rate in force when the window opens
    fxQuote('GBP/EUR', '2026-06-01', '1.25'),
    fxQuote('EUR/GBP', '2026-06-03', '0.81'), // quoted the other way round: taken as it is
    fxQuote('GBP/USD', '2026-06-01', '1.30'), // no USD anywhere: not read
  ]));
  snapshot = buildSnapshot([tx('2026-06-02', -1_000, GROCERIES), tx('2026-06-04', -2_000, GROCERIES, 'EUR'), tx('2026-05-12', -700, GROCERIES), tx('2026-06-01', 250_000, SALARY)]);
  ({ pushes, worker, scope } = budgetTestRig(snapshot));
});

afterEach(() => closeRig(scope, db));

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An app with the test replica and the fake worker; runs `fn` in its injection context and effect scope. */
function mount<T>(fn: () => T): T {
  const app = createApp({});
  const pinia = createPinia();
  app.use(pinia);
  app.provide(REPLICA_PORT, portFor(db));
  return app.runWithContext(() => {
    useComputeStore().bind({ start: async () => worker.session });
    // 2026-06-15 11:00 UTC is already the 16th in Auckland (the settings' zone).
    useBudgetInputsStore().configure({ debounceMs: 5, now: () => new Date('2026-06-15T23:00:00Z') });
    return scope.run(fn)!;
  });
}

describe('budget data (UI side of the budgets area)', () => {
  it('gathers the inputs from the replica and pushes them to the worker', async () => {
    const request = ref<BudgetPageRequest>({ date: '2026-06-10' });
    const { page } = mount(() => useBudgetPage(request));
    await until(() => pushes.length > 0 && page.value !== null, 'the first push and page', flush);
    const inputs = pushes[pushes.length - 1]!;
    expect(inputs.today).toBe('2026-06-16');
    expect(inputs.baseCurrency).toBe('GBP');
    expect(inputs.monthStartDay).toBe(1);
    expect(inputs.budgets.map((b) => b.id)).toEqual([FOOD_BUDGET]); // the removed one is not there
    // The budgets never touch the session's investment feed (it starts on first read, for the investment screens).
    expect(worker.investReads.count).toBe(0);
    expect(inputs.categories).toContainEqual({ id: GROCERIES, parentId: FOOD, kind: 'expense' });
    // EUR (an account's and a row's currency) in GBP: from the GBP/EUR series inverted and the EUR/GBP one as it is,
    // from the rate in force when the window opens; the 2010 quote and the USD series are not read.
    expect(inputs.fx).toHaveLength(1);
    const eur = inputs.fx[0]!;
    expect(eur.currency).toBe('EUR');
    expect(eur.dates).toEqual(['2023-06-01', '2026-06-01', '2026-06-03']);
    expect(eur.rates).toEqual(['0.86206896551724137931', '0.8', '0.81']);
    // The veg box, monthly on the 20th, from a year before today's period to beyond its end.
    const dates = inputs.scheduled.map((s) => s.date);
    expect(dates).toContain('2025-06-20');
    expect(dates).toContain('2026-06-20');
    expect(inputs.scheduled.every((s) => s.amount === -2_500 && s.categoryId === GROCERIES)).toBe(true);
    expect([...dates].sort()).toEqual(dates);
  });

  it('shows the worker\'s page, and asks again when the request, the snapshot or the inputs change', async () => {
    const request = ref<BudgetPageRequest>({ date: '2026-06-10' });
    const { page, loading, error } = mount(() => useBudgetPage(request));
    expect(loading.value).toBe(true);
    await until(() => page.value !== null, 'the page', flush);
    expect(loading.value).toBe(false);
    expect(error.value).toBeNull();
    // £10 + €20 at the 3 June rate (0.81) = £26.20.
    expect(page.value!.rows[0]).toMatchObject({ budgetId: FOOD_BUDGET, spent: 2_620, amount: 10_000 });
    expect(page.value!.month).toMatchObject({ income: 250_000 });

    request.value = { date: '2026-05-10' };
    await until(() => page.value?.date === '2026-05-10', 'the May page', flush);
    expect(page.value!.rows[0]!.spent).toBe(700);

    // A change reaches the snapshot (and the session moves its revision): the page follows.
    applyChanges(snapshot, [{ op: 'insert', doc: tx('2026-05-20', -300, GROCERIES) }]);
    worker.bump();
    await until(() => page.value?.rows[0]?.spent === 1_000, 'the page after the snapshot moved', flush);

    // The budget's amount changes in the replica: new inputs are pushed and the page follows.
    const doc = await db.budgets.findOne(FOOD_BUDGET).exec();
    await doc!.incrementalPatch({ amounts: [{ from: '2026-01-01', amount: 12_000 }] });
    await until(() => page.value?.rows[0]?.amount === 12_000, 'the page after the budget changed', flush);
  });

  it('takes in a quote of its FX series as it arrives, and reads the series again when one goes', async () => {
    const request = ref<BudgetPageRequest>({ date: '2026-06-10' });
    const { page } = mount(() => useBudgetPage(request));
    await until(() => page.value !== null, 'the page', flush);
    // The server's feed rewrites the series' 2026 document with the new day.
    await db.quotes.upsert(docsFromDailyQuotes([fxQuote('EUR/GBP', '2026-06-03', '0.81'), fxQuote('EUR/GBP', '2026-06-04', '0.9')])[0]!);
    await until(() => page.value?.rows[0]?.spent === 2_800, 'the page with the new rate', flush);
    expect(pushes[pushes.length - 1]!.fx[0]!.dates.at(-1)).toBe('2026-06-04');
    // A day taken away again (not something the feed does, but the year document allows it): read again, the old rate back.
    await db.quotes.upsert(docsFromDailyQuotes([fxQuote('EUR/GBP', '2026-06-03', '0.81')])[0]!);
    await until(() => page.value?.rows[0]?.spent === 2_620, 'the page without that rate', flush);
    expect(pushes[pushes.length - 1]!.fx[0]!.dates.at(-1)).toBe('2026-06-03');
  });

  it('answers a history when asked, nothing while the request is null, and names a refused request', async () => {
    const request: Ref<BudgetHistoryRequest | null> = ref(null);
    const { history, loading, error } = mount(() => useBudgetHistory(request));
    await until(() => pushes.length > 0, 'the inputs', flush);
    expect(history.value).toBeNull();
    expect(loading.value).toBe(false);
    request.value = { periods: 2, date: '2026-06-10', budgetIds: [FOOD_BUDGET] };
    await until(() => history.value !== null, 'the history', flush);
    expect(history.value!.budgets[0]!.periods.map((p) => [p.period.start, p.spent])).toEqual([['2026-05-01', 700], ['2026-06-01', 2_620]]);
    request.value = { periods: 0, date: '2026-06-10' };
    await until(() => error.value !== null, 'the refusal', flush);
    expect(error.value).toMatch(/periods/);
    expect(loading.value).toBe(false);
  });

  it('stops reading the replica when the last screen using it goes', async () => {
    const request = ref<BudgetPageRequest>({ date: '2026-06-10' });
    const { page } = mount(() => useBudgetPage(request));
    await until(() => page.value !== null, 'the page', flush);
    scope.stop();
    const before = pushes.length;
    await (await db.budgets.findOne(FOOD_BUDGET).exec())!.incrementalPatch({ alertThreshold: 90 });
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pushes.length).toBe(before);
    // What was read for the inputs goes with the last holder, in the page and in the worker.
    expect(worker.clears.count).toBe(1);
  });

  it('reads and pushes the inputs again for a screen that comes back after every holder let go, and answers from them', async () => {
    const request = ref<BudgetPageRequest>({ date: '2026-06-10' });
    const first = mount(() => useBudgetPage(request));
    await until(() => first.page.value !== null, 'the first page', flush);
    scope.stop();
    await until(() => worker.clears.count === 1, 'the worker to let go of the inputs', flush);
    const before = pushes.length;
    scope = effectScope();
    const again = mount(() => useBudgetPage(request));
    await until(() => again.page.value !== null, 'the page again', flush);
    expect(pushes.length).toBe(before + 1);
    expect(pushes[pushes.length - 1]!.fx[0]!.rates).toEqual(['0.86206896551724137931', '0.8', '0.81']);
    expect(again.page.value!.rows.map((r) => r.budgetId)).toEqual([FOOD_BUDGET]);
  });
});
