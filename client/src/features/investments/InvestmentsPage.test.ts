// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { routeLocationKey } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import type { Ref } from 'vue';
import type { Holding, HoldingsResult, PortfolioReport, ReturnFigures } from '@mymidas/shared/invest';
import type { Asset, InvestmentTransaction, Settings } from '@mymidas/shared/schema';
import { todayIn } from '@mymidas/shared/date';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import type { InvestFeedView, InvestRange } from './invest-data.ts';
import InvestmentsPage from './InvestmentsPage.vue';

// The worker's answers are invest-data.ts's job (tested there): here they are set by hand.
const data = vi.hoisted(() => ({
  status: null as unknown as Ref<InvestFeedView>,
  ready: null as unknown as Ref<boolean>,
  portfolio: null as unknown as Ref<PortfolioReport | null>,
  day: null as unknown as Ref<PortfolioReport | null>,
  holdings: null as unknown as Ref<HoldingsResult | null>,
  ranges: [] as (InvestRange | null)[],
}));
vi.mock('./invest-data.ts', async () => {
  const { computed, ref: r, watch } = await import('vue');
  return {
    useInvestFeed: () => ({ status: data.status, ready: data.ready }),
    useInvestPortfolio(range: Ref<InvestRange | null>) {
      watch(range, (q) => data.ranges.push(q), { immediate: true });
      const answer = computed(() => (range.value === null ? null : range.value.from === range.value.to ? data.day.value : data.portfolio.value));
      return { data: answer, loading: r(false), error: r(null) };
    },
    useInvestHoldings: () => ({ data: data.holdings, loading: r(false), error: r(null) }),
  };
});

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const HLC = '1764000000000:0000:test';
const ISA = testUuid(1, 1);
const GIA = testUuid(2, 1);
const VWRL = testUuid(1, 2);
const AAPL = testUuid(2, 2);
const today = todayIn('Europe/London');
let db: ReplicaDatabase;
let w: VueWrapper | null = null;

function holding(over: Partial<Holding> & Pick<Holding, 'accountId' | 'assetId'>): Holding {
  return {
    quantity: '10', averageCost: '100', costBasis: 100_000, marketValue: 120_000, price: '120', priceDate: '2026-06-05', stale: false,
    unrealisedGain: 20_000, realisedGain: 0, income: 0, fees: 0, ...over,
  };
}
const HOLDINGS: HoldingsResult = {
  date: today,
  holdings: [
    holding({ accountId: ISA, assetId: VWRL, income: 1_234 }),
    holding({ accountId: GIA, assetId: AAPL, quantity: '2.5', marketValue: 300_000, costBasis: 200_000, unrealisedGain: 100_000, price: '150.123456', priceDate: '2026-05-20', stale: true, realisedGain: -5_000 }),
  ],
  problems: [{ transactionId: 't1', kind: 'oversold', message: 'sold 12 units on 2026-03-02 but only 10 were held; the sale counts 10' }],
};
function returns(over: Partial<ReturnFigures>): ReturnFigures {
  return {
    range: { from: '2025-06-16', to: today }, startValue: 300_000, endValue: 420_000, netFlows: 50_000, income: 1_234, days: 365,
    twrr: { cumulative: 0.2, annualised: 0.2 }, mwrr: { cumulative: 0.25, annualised: 0.18 }, ...over,
  };
}
function report(r: ReturnFigures, values: number[]): PortfolioReport {
  return { holdings: HOLDINGS, series: { from: r.range.from, values }, returns: r, byAccount: [], byAccountType: [], byHolding: [] };
}

beforeEach(async () => {
  data.status = shallowRef({ phase: 'catching-up', progress: { collection: 'quotes', done: 4_000, total: 116_000 }, message: null });
  data.ready = shallowRef(false);
  data.portfolio = shallowRef(null);
  data.day = shallowRef(null);
  data.holdings = shallowRef(null);
  data.ranges = [];
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: ISA, name: 'My ISA', type: 'stocks_shares_isa' }), account({ id: GIA, name: 'Broker GIA', type: 'investment_gia', sortOrder: 1 })]);
  const settings: Settings = { id: testUuid(9, 9), hlc: HLC, baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', budgetStartDay: 1, idleLockMinutes: 15 };
  await db.settings.insert(settings);
  const asset = (id: string, symbol: string, name: string, kind: Asset['kind'], currency: string): Asset => ({ id, hlc: HLC, symbol, name, kind, currency, provider: 'manual', providerId: null, isin: null });
  await db.assets.bulkInsert([asset(VWRL, 'VWRL', 'All-World', 'etf', 'GBP'), asset(AAPL, 'AAPL', 'Apple', 'stock', 'USD')]);
  const trade: InvestmentTransaction = {
    id: testUuid(1, 3), hlc: HLC, accountId: ISA, assetId: VWRL, kind: 'buy', date: '2020-03-02', quantity: '10', unitPrice: '100', amount: -100_000,
    fee: 0, currency: 'GBP', splitRatio: null, notes: null,
  };
  await db.investment_transactions.insert(trade);
});
afterEach(async () => {
  w?.unmount();
  w = null;
  await db.close();
});

function mountPage(path = '/investments'): VueWrapper {
  w = mount(InvestmentsPage, {
    attachTo: document.body,
    global: {
      plugins: [createPinia()],
      provide: { [REPLICA_PORT as symbol]: portFor(db), [routeLocationKey as symbol]: { path, query: {} } },
      stubs: { RouterLink: { props: ['to'], template: '<a :href="to"><slot /></a>' }, Echarts: { template: '<div class="vchart-stub" />' } },
    },
  });
  return w;
}
const page = () => w!;
const text = (testid: string) => page().get(`[data-testid="${testid}"]`).text().replace(/\s+/g, ' ');

describe('InvestmentsPage', () => {
  it('shows the feed catching up, with tabs as links and the current one marked', async () => {
    mountPage('/investments/allocation');
    await flushPromises();
    expect(text('invest-feed-progress')).toContain('Reading prices… 4,000 of 116,000');
    expect(page().get('progress').attributes('max')).toBe('116000');
    const tabs = page().findAll('[data-testid="invest-tab"]');
    expect(tabs.map((t) => [t.text(), t.attributes('href')])).toEqual([
      ['Overview', '/investments'], ['Holdings', '/investments/holdings'], ['Allocation', '/investments/allocation'], ['Capital gains', '/investments/gains'],
    ]);
    expect(tabs.map((t) => t.attributes('aria-current') ?? '')).toEqual(['', '', 'page', '']);
    expect(page().get('nav').attributes('aria-label')).toBe('Investment views');

    data.status.value = { phase: 'error', progress: null, message: 'the store failed to open' };
    await flushPromises();
    expect(page().get('[role="alert"]').text()).toContain('the store failed to open');
  });

  it('overview: value at its price date, the day’s change, return, TWRR and MWRR for the chosen range, the chart summary', async () => {
    mountPage();
    data.status.value = { phase: 'ready', progress: null, message: null };
    data.ready.value = true;
    await until(() => page().find('[data-testid="invest-overview-loading"]').exists(), 'the overview loading');
    // The default range, a year back from today, from the day after.
    expect(data.ranges[0]).toMatchObject({ to: today });
    expect(data.ranges[0]!.from > '2020-03-02').toBe(true);
    data.portfolio.value = report(returns({}), [300_000, 280_000, 450_000, 420_000]);
    data.day.value = report(returns({ range: { from: '2026-06-05', to: '2026-06-05' }, startValue: 410_000, endValue: 420_000, netFlows: 0, income: 0, days: 1 }), [420_000]);
    await until(() => page().find('[data-testid="invest-value"]').exists(), 'the figures');
    expect(text('invest-value')).toContain('£4,200.00');
    expect(text('invest-value')).toContain('At prices of 5 Jun 2026');
    expect(text('invest-value')).toContain('1 price is older');
    expect(data.ranges).toContainEqual({ from: '2026-06-05', to: '2026-06-05' });
    expect(text('invest-day-change')).toContain('+£100.00');
    expect(text('invest-day-change')).toContain('+2.44%');
    // 4,200 − 3,000 − 500 + 12.34 = 712.34.
    expect(text('invest-total-return')).toContain('+£712.34');
    expect(text('invest-total-return')).toContain('£12.34 income');
    expect(text('invest-twrr')).toBe('+20.00%');
    expect(text('invest-mwrr')).toBe('+18.00%');
    expect(text('invest-rates-basis')).toBe('Per year (annualised) · TWRR +20.00% over the whole range');
    expect(page().get('[data-testid="invest-value-chart"]').attributes('aria-label')).toMatch(/£3,000.00 at the start, £4,200.00 at the end; lowest £2,800.00 on .*, highest £4,500.00/);

    // One month: the range moves and the rates are the change over it, not annualised.
    await page().get('input[aria-label="One month"]').setValue(true);
    await flushPromises();
    expect(data.ranges.at(-1)!.to).toBe(today);
    expect(data.ranges.some((r) => r?.from === '2020-03-02')).toBe(false);
    data.portfolio.value = report(returns({ days: 30, twrr: { cumulative: -0.031, annualised: -0.031 }, mwrr: null }), [1, 2]);
    await flushPromises();
    expect(text('invest-twrr')).toBe('−3.10%');
    expect(text('invest-mwrr')).toBe('—');
    expect(text('invest-rates-basis')).toBe('Over the 30 days, not annualised');
    // All: from the first trade.
    await page().get('input[aria-label="Since the first trade"]').setValue(true);
    await flushPromises();
    expect(data.ranges.at(-1)).toEqual({ from: '2020-03-02', to: today });
    expect(page().get('[data-testid="invest-how"] summary').text()).toBe('How these figures are worked out');
    expect(text('invest-how')).toContain('Time-weighted return (TWRR)');
  });

  it('holdings: rows with names, stale prices marked, sortable with aria-sort, links to the asset, problems in words', async () => {
    data.status.value = { phase: 'ready', progress: null, message: null };
    data.ready.value = true;
    mountPage('/investments/holdings');
    await until(() => page().find('[data-testid="invest-holdings-loading"]').exists(), 'the holdings loading');
    data.holdings.value = HOLDINGS;
    await until(() => page().findAll('[data-testid="invest-holding-row"]').length === 2, 'the rows');
    const rows = () => page().findAll('[data-testid="invest-holding-row"]');
    // By value, largest first: AAPL (£3,000) then VWRL (£1,200).
    expect(rows().map((r) => r.get('th').text())).toEqual(['AAPL Apple', 'VWRL All-World']);
    const aapl = rows()[0]!.text().replace(/\s+/g, ' ');
    expect(aapl).toContain('Broker GIA');
    expect(aapl).toContain('2.5');
    expect(aapl).toContain('150.1235 USD');
    expect(aapl).toContain('old price, 20 May 2026');
    expect(aapl).toContain('+£1,000.00');
    expect(aapl).toContain('+50.00%');
    expect(aapl).toContain('−£50.00');
    expect(rows()[0]!.get('a').attributes('href')).toBe(`/investments/asset/${AAPL}`);
    expect(rows()[1]!.text()).toContain('£12.34');

    const header = (label: string) => page().findAll('thead th').find((th) => th.text().startsWith(label))!;
    expect(header('Value').attributes('aria-sort')).toBe('descending');
    await header('Asset').get('button').trigger('click');
    expect(header('Asset').attributes('aria-sort')).toBe('ascending');
    expect(header('Value').attributes('aria-sort')).toBe('none');
    expect(rows().map((r) => r.get('th').text())).toEqual(['AAPL Apple', 'VWRL All-World']);
    await header('Asset').get('button').trigger('click');
    expect(rows().map((r) => r.get('th').text())).toEqual(['VWRL All-World', 'AAPL Apple']);

    expect(text('invest-problems')).toContain('More units sold than were held: Sold 12 units on 2026-03-02 but only 10 were held; the sale counts 10.');
    // The phone's list has the same holdings.
    expect(page().findAll('[data-testid="invest-holdings-cards"] li')).toHaveLength(2);
  });

  it('allocation: a treemap with a summary and a table, grouped as chosen', async () => {
    data.status.value = { phase: 'ready', progress: null, message: null };
    data.ready.value = true;
    data.holdings.value = HOLDINGS;
    mountPage('/investments/allocation');
    await until(() => page().find('[data-testid="invest-treemap"]').exists(), 'the treemap');
    expect(page().get('[data-testid="invest-treemap"]').attributes('aria-label')).toContain('Allocation by asset, 2 groups totalling £4,200.00; largest: AAPL · Apple 71.43%, VWRL · All-World 28.57%');
    const cells = () => page().findAll('[data-testid="invest-allocation-table"] tbody tr').map((r) => r.findAll('th, td').map((c) => c.text()).join(' '));
    expect(cells()).toEqual(['AAPL · Apple £3,000.00 71.43% 1', 'VWRL · All-World £1,200.00 28.57% 1']);
    await page().get('[data-testid="invest-allocation-by"]').setValue('accountType');
    expect(cells()).toEqual(['General investment account £3,000.00 71.43% 1', 'Stocks & shares ISA £1,200.00 28.57% 1']);
    await page().get('[data-testid="invest-allocation-by"]').setValue('currency');
    expect(cells().map((c) => c.split(' ')[0])).toEqual(['USD', 'GBP']);
  });

  it('says there is nothing yet when the replica holds no trade', async () => {
    await (await db.investment_transactions.findOne(testUuid(1, 3)).exec())!.remove();
    data.status.value = { phase: 'ready', progress: null, message: null };
    data.ready.value = true;
    mountPage();
    await until(() => page().find('[data-testid="invest-empty"]').exists(), 'the empty state');
    expect(text('invest-empty')).toContain('No investments yet');
  });
});
