// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createRouter, createMemoryHistory } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ref } from 'vue';
import { capitalGains, type CapitalGainsResult } from '@mymidas/shared/invest';
import type { Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import type { InvestFeedView } from './invest-data.ts';
import InvestmentsGains from './InvestmentsGains.vue';

// The worker's answer is invest-data.ts's job (tested there): here it is the gains engine's, set by hand.
const data = vi.hoisted(() => ({
  status: null as unknown as Ref<InvestFeedView>,
  gains: null as unknown as Ref<CapitalGainsResult | null>,
  error: null as unknown as Ref<string | null>,
}));
vi.mock('./invest-data.ts', async () => {
  const { computed } = await import('vue');
  return {
    useInvestFeed: () => ({ status: data.status, ready: computed(() => data.status.value.phase === 'ready') }),
    useCapitalGains: () => ({ data: data.gains, loading: computed(() => data.gains.value === null && data.error.value === null), error: data.error }),
  };
});

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const GIA = testUuid(1, 1);
const ISA = testUuid(2, 1);
const VWRL = testUuid(1, 2);
let db: ReplicaDatabase;
let w: VueWrapper | null = null;
let n = 0;

function tx(accountId: string, kind: InvestmentTransaction['kind'], date: string, quantity: string, unitPrice: string, amount: number, fee = 0): InvestmentTransaction {
  n += 1;
  return {
    id: testUuid(n, 3), hlc: '1764000000000:0000:test', accountId, assetId: VWRL, kind, date, quantity, unitPrice, amount, fee, currency: 'GBP', splitRatio: null, notes: null,
  };
}

// Two tax years in the GIA (a gain in 2023-24, a loss in 2024-25), a sale in the ISA (left out), one oversold sale.
const RESULT = capitalGains([
  tx(GIA, 'buy', '2023-05-02', '100', '10', -100_000),
  tx(GIA, 'sell', '2024-01-10', '40', '12', 47_500, 500),
  tx(GIA, 'sell', '2024-06-03', '60', '9', 54_000),
  tx(GIA, 'sell', '2024-07-01', '5', '9', 4_500),
  tx(ISA, 'buy', '2023-05-02', '10', '10', -10_000),
  tx(ISA, 'sell', '2024-01-10', '10', '12', 12_000),
], { accounts: [{ id: GIA, type: 'investment_gia', currency: 'GBP' }, { id: ISA, type: 'stocks_shares_isa', currency: 'GBP' }] });

beforeEach(async () => {
  const { ref } = await import('vue');
  data.status = ref<InvestFeedView>({ phase: 'ready', progress: null, message: null });
  data.gains = ref<CapitalGainsResult | null>(null);
  data.error = ref<string | null>(null);
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: GIA, name: 'Broker GIA', type: 'investment_gia' }), account({ id: ISA, name: 'Stocks ISA', type: 'stocks_shares_isa' })]);
  const asset: Asset = { id: VWRL, hlc: '1764000000000:0000:test', symbol: 'VWRL', name: 'All-World', kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: null };
  await db.assets.insert(asset);
});
afterEach(async () => {
  w?.unmount();
  w = null;
  await db.close();
});

async function mountPage(): Promise<VueWrapper> {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/investments/gains', component: InvestmentsGains }, { path: '/investments', component: { template: '<p />' } }] });
  await router.push('/investments/gains');
  w = mount(InvestmentsGains, { global: { plugins: [router], provide: { [REPLICA_PORT as symbol]: portFor(db) } } });
  return w;
}

describe('InvestmentsGains', () => {
  it('says how far the calculator has read while it catches up, then shows every tax year and the latest year\'s disposals', async () => {
    data.status.value = { phase: 'catching-up', progress: { collection: 'quotes', done: 4_000, total: 116_000 }, message: null };
    const page = await mountPage();
    expect(page.get('[data-testid="gains-status"]').text()).toBe('Reading your prices into this device\'s calculator: 4,000 of 116,000…');
    data.status.value = { phase: 'ready', progress: null, message: null };
    data.gains.value = RESULT;
    await until(() => page.find('[data-testid="gains-years"]').exists(), 'the years');
    const rows = page.findAll('[data-testid="gains-years"] tbody tr').map((r) => r.findAll('th, td').map((c) => c.text()));
    // 2023-24: proceeds £480, cost £400 + £5 fee → gain £75; 2024-25: 60 sold for £540 at £600 → loss £60 (the oversold 5 left out).
    expect(rows).toEqual([
      ['2024-25', '£540.00', '£600.00', '£0.00', '£60.00', '-£60.00'],
      ['2023-24', '£480.00', '£405.00', '£75.00', '£0.00', '£75.00'],
    ]);
    const year = page.get('[data-testid="gains-disposals"]');
    expect(year.get('h2').text()).toBe('2024-25: 1 disposal, net -£60.00');
    expect(year.text()).toContain('Loss £60.00');
    expect(year.text()).toContain('60 units from the Section 104 pool at an average cost of £10.00 per unit.');
    await until(() => page.text().includes('Left out as tax-free: Stocks ISA.'), 'the ISA named');
    expect(page.get('[data-testid="gains-problems"]').text()).toContain('A sale of more units than were held at the time');
    // Bought 2 May 2023: the January sale held under a year (short), the June 2024 one over a year (long).
    expect(page.findAll('[data-testid="gains-terms"] dd').map((d) => d.text())).toEqual(['gains £75.00, losses £0.00', 'gains £0.00, losses £60.00']);
  });

  it('shows another year when chosen, with its working', async () => {
    data.gains.value = RESULT;
    const page = await mountPage();
    await page.get('select#gains-year').setValue('2023-24');
    const year = page.get('[data-testid="gains-disposals"]');
    expect(year.get('h2').text()).toBe('2023-24: 1 disposal, net £75.00');
    expect(year.findAll('details p').map((p) => p.text())).toEqual([
      'Sold 40 units for £480.00 before fees.',
      '40 units from the Section 104 pool at an average cost of £10.00 per unit.',
      "Allowable cost: £400.00 for the units plus the sale's fee of £5.00 = £405.00.",
      'Gain: £480.00 − £405.00 = £75.00.',
    ]);
  });

  it('says when there is nothing to report, and when the gains could not be worked out', async () => {
    data.gains.value = capitalGains([]);
    const page = await mountPage();
    expect(page.get('[data-testid="gains-empty"]').text()).toBe('No disposals yet outside tax-free accounts: nothing to report.');
    data.gains.value = null;
    data.error.value = 'the worker stopped';
    await flushPromises();
    expect(page.get('[role="alert"]').text()).toBe('The gains could not be worked out. the worker stopped');
  });
});
