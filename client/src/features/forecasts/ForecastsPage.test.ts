// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ref } from 'vue';
import type { Backtest, ForecastPoint, ScenarioPath } from '@mymidas/shared/forecast';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ForecastProgress, ForecastsResult, MonteCarloView } from '../../compute/forecasts/forecast-handlers.ts';
import type { MonteCarloRequest } from '../../compute/forecasts/forecast-schemas.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { openTestReplica } from '../../testing/test-replica.ts';
import { portFor } from '../../testing/test-port.ts';
import ForecastsPage from './ForecastsPage.vue';
import type { ForecastsState } from './use-forecasts.ts';

// The worker's answers are the forecasts area's job (compute/forecasts/forecast-handlers.test.ts): set by hand here.
const data = vi.hoisted(() => ({
  result: null as unknown as Ref<ForecastsResult | null>,
  progress: null as unknown as Ref<ForecastProgress | null>,
  state: null as unknown as Ref<ForecastsState>,
  error: null as unknown as Ref<string | null>,
  calls: [] as string[],
  simulated: [] as MonteCarloRequest[],
}));
vi.mock('./use-forecasts.ts', async () => {
  const { ref, shallowRef } = await import('vue');
  data.result = shallowRef(null);
  data.progress = shallowRef(null);
  data.state = ref('waiting');
  data.error = ref(null);
  return {
    useForecasts: () => ({
      result: data.result, progress: data.progress, state: data.state, error: data.error,
      cancel: () => Promise.resolve(void data.calls.push('cancel')),
      refit: () => Promise.resolve(void data.calls.push('refit')),
      retry: () => Promise.resolve(void data.calls.push('retry')),
      monteCarlo: (request: MonteCarloRequest): Promise<MonteCarloView> => {
        data.simulated.push(request);
        const n = request.months + 1;
        const line = (f: number) => Array.from({ length: n }, (_, i) => Math.round(1_000_000 * f + i * request.monthlyContribution));
        return Promise.resolve({
          initial: 1_000_000, months: request.months, paths: 2000, seed: 1, monthlyContribution: request.monthlyContribution,
          dates: Array.from({ length: n }, (_, i) => `2027-${String((i % 12) + 1).padStart(2, '0')}-28`),
          percentiles: { p10: line(0.8), p25: line(0.9), p50: line(1), p75: line(1.1), p90: line(1.2) },
          probabilityOfTarget: 0.37, target: { value: request.targetValue!, month: request.targetMonth! },
        });
      },
    }),
  };
});

const backtest = (mape: number | null): Backtest => ({ mape, mase: 0.8, origins: 3, horizon: 90, seasonalNaiveMase: 1, candidates: [] });
const point = (date: string, mean: number): ForecastPoint => ({ date, mean, lower80: mean - 10, upper80: mean + 10, lower95: mean - 20, upper95: mean + 20 });
const scenario = (name: ScenarioPath['name'], value: number): ScenarioPath => ({
  name, assumes: `${name} assumption`, monthlyContribution: 100, values: [{ date: '2027-01-01', value }],
  at: [1, 3, 5].map((years) => ({ years, date: `${2026 + years}-06-01`, value: value * years })),
});

function result(): ForecastsResult {
  const days = Array.from({ length: 90 }, (_, i) => ({ date: `2026-07-${String((i % 28) + 1).padStart(2, '0')}`, expected: 1000, scheduled: i === 4 ? 500 : 0, lower80: 800, upper80: 1200, lower95: 600, upper95: 1500 }));
  const summaries = [30, 60, 90].map((n) => ({ days: n, expected: n * 1000, scheduled: 500, lower80: n * 900, upper80: n * 1100, lower95: n * 800, upper95: n * 1200 }));
  return {
    fingerprint: 'f1', computedAt: '2026-06-15T10:00:00.000Z', fromCache: false, today: '2026-06-15', baseCurrency: 'GBP',
    spending: {
      categories: [
        { categoryId: 'g', name: 'Groceries', currency: 'GBP', method: 'prophet', backtest: backtest(12.34), note: null, days, bills: [], summaries },
        { categoryId: 't', name: 'Transport', currency: 'GBP', method: 'seasonal-naive', backtest: backtest(null), note: 'Prophet needs 2 seasons of history', days, bills: [], summaries },
      ],
      summedCategories: 0, missingRates: [],
    },
    netWorth: {
      history: [{ date: '2026-05-01', value: 500_000 }], investmentsIncluded: true, reason: null,
      projection: { currency: 'GBP', method: 'ets', backtest: backtest(4), note: null, fan: [point('2026-07-01', 510_000)], scenarios: [scenario('conservative', 1), scenario('base', 2), scenario('optimistic', 3)] },
    },
    cashFlow: [{
      accountId: 'a', name: 'Everyday', currency: 'GBP', opening: 10_000, overdraftLimit: 0,
      days: [{ date: '2026-06-16', balance: -40_000, spending: 0, bills: [], atRisk: true, overdrawn: false }],
      risks: [{ from: '2026-06-16', to: '2026-06-16', lowestBalance: -40_000, threshold: 0, causes: [{ ruleId: 'r', name: 'Car insurance', accountId: 'a', categoryId: null, date: '2026-06-16', amount: -50_000, currency: 'GBP' }] }],
    }],
    portfolio: {
      basis: {
        initial: 1_000_000, holdings: [{ assetId: 'x', symbol: 'X', value: 1_000_000 }],
        assets: { ids: ['x'], mu: [0.05], sigma: [0.15], correlation: [[1]], observations: 700, perYear: 252 },
        backtest: { origins: 6, horizonMonths: 6, medianErrorPercent: 7.25, insideP10P90: 5 },
      },
      reason: null,
    },
  };
}

let db: ReplicaDatabase;
let w: VueWrapper | null = null;

beforeEach(async () => {
  data.result.value = null;
  data.progress.value = null;
  data.state.value = 'waiting';
  data.error.value = null;
  data.calls = [];
  data.simulated = [];
  db = await openTestReplica();
});
afterEach(async () => {
  w?.unmount();
  w = null;
  await db.close();
});

function mountPage(): VueWrapper {
  w = mount(ForecastsPage, {
    attachTo: document.body,
    global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { Echarts: { template: '<div class="vchart-stub" />' } } },
  });
  return w;
}

describe('ForecastsPage', () => {
  it('shows the progress in words and as a bar while fitting, and Cancel asks the worker to stop', async () => {
    const page = mountPage();
    data.state.value = 'running';
    data.progress.value = { jobId: 'j', phase: 'spending', done: 6, total: 12, message: 'Fitting 7 of 9 categories (Groceries)' };
    await flushPromises();
    const status = page.get('[data-testid="forecast-progress"]');
    expect(status.attributes('role')).toBe('status');
    expect(status.text()).toContain('Fitting 7 of 9 categories (Groceries)');
    expect(page.get('progress').attributes('value')).toBe('50');
    await page.get('[data-testid="forecast-cancel"]').trigger('click');
    expect(data.calls).toEqual(['cancel']);
    data.state.value = 'cancelled';
    await flushPromises();
    expect(page.get('[data-testid="forecast-progress"]').text()).toBe('Cancelled.');
    await page.get('[data-testid="forecast-retry"]').trigger('click');
    expect(data.calls).toEqual(['cancel', 'retry']);
  });

  it('shows the four outputs, each with its method and its backtest error in words', async () => {
    const page = mountPage();
    data.result.value = result();
    data.state.value = 'done';
    await flushPromises();
    const spending = page.get('[data-testid="forecast-spending-method"]').text();
    expect(spending).toContain('Prophet (a trend with weekly and yearly patterns)');
    expect(spending).toContain('Off by 12 % on average over the last 3 stretches of 90 days it was not shown; its errors were 0.8 times the usual change from the same weekday a week before in the history.');
    expect(page.findAll('[data-testid="forecast-spending-table"] tbody tr')).toHaveLength(2);
    expect(page.get('[data-testid="forecast-spending-table"] tbody tr').text()).toContain('£300.00 £270.00 – £330.00');
    // Another category: its own method; a backtest without a MAPE (no day with spending held back) still says how it was tested.
    await page.get('[data-testid="forecast-category"]').setValue('t');
    expect(page.get('[data-testid="forecast-spending-method"]').text()).toMatch(/seasonal naive .+Tested on the last 3 stretches of 90 days.+Prophet needs 2 seasons of history\./s);

    expect(page.get('[data-testid="forecast-net-worth-method"]').text()).toContain('Off by 4 % on average over the last 3 stretches of 90 months');
    expect(page.findAll('[data-testid="forecast-net-worth-table"] tbody tr').map((r) => r.attributes('data-scenario'))).toEqual(['conservative', 'base', 'optimistic']);
    expect(page.get('[data-testid="forecast-net-worth-assumes"]').text()).toContain('Optimistic assumesoptimistic assumption');

    expect(page.get('[data-testid="forecast-monte-carlo-method"]').text()).toContain('the median was off by 7.3 % on average 6 months later; what happened fell between P10 and P90 in 5 of 6.');
    const risk = page.get('[data-testid="forecast-risk"]').text().replace(/\s+/g, ' ');
    expect(risk).toBe('At risk on 16 Jun: down to -£400.00. Caused by Car insurance (£500.00 on 16 Jun).');
    expect(page.get('[data-testid="forecast-progress"]').text()).toMatch(/^Fitted /);
  });

  it('simulates with the target, date and contribution typed, and names a bad entry without asking the worker', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const page = mountPage();
      data.result.value = result();
      data.state.value = 'done';
      await flushPromises();
      await vi.advanceTimersByTimeAsync(400);
      expect(data.simulated).toHaveLength(1);
      // Defaults: twice today's value, ten years ahead, £200 a month.
      expect(data.simulated[0]).toEqual({ months: 120, monthlyContribution: 20_000, targetValue: 2_000_000, targetMonth: 120 });
      expect(page.get('[data-testid="mc-probability"]').text()).toMatch(/^37 % chance of reaching £20,000\.00 by /);

      await page.get('[data-testid="mc-target"]').setValue('£50,000');
      await page.get('[data-testid="mc-date"]').setValue('2028-06-30');
      await page.get('[data-testid="mc-contribution"]').setValue('150.50');
      await vi.advanceTimersByTimeAsync(400);
      expect(data.simulated.at(-1)).toEqual({ months: 24, monthlyContribution: 15_050, targetValue: 5_000_000, targetMonth: 24 });

      await page.get('[data-testid="mc-target"]').setValue('lots');
      await vi.advanceTimersByTimeAsync(400);
      expect(page.get('[data-testid="mc-problem"]').text()).toBe('The target must be an amount, such as 250000 or 250000.00.');
      await page.get('[data-testid="mc-target"]').setValue('1000');
      await page.get('[data-testid="mc-date"]').setValue('2026-06-01');
      const before = data.simulated.length;
      await vi.advanceTimersByTimeAsync(400);
      expect(page.get('[data-testid="mc-problem"]').text()).toBe('The date must be in a later month than this one.');
      expect(data.simulated).toHaveLength(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says why an output is missing, and shows a failure', async () => {
    const page = mountPage();
    const r = result();
    data.result.value = { ...r, netWorth: { ...r.netWorth, projection: null, reason: 'Net worth needs at least 6 months of history; there are 2 months.' }, portfolio: { basis: null, reason: 'There are no holdings with prices to simulate.' } };
    data.state.value = 'error';
    data.error.value = 'the snapshot is not open';
    await flushPromises();
    expect(page.get('[data-testid="forecast-net-worth"]').text()).toContain('Net worth needs at least 6 months of history');
    expect(page.get('[data-testid="forecast-monte-carlo"]').text()).toContain('There are no holdings with prices to simulate.');
    expect(page.get('[data-testid="forecast-error"]').text()).toBe('The forecasts could not be worked out: the snapshot is not open');
  });
});
