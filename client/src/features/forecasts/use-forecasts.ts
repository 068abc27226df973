import { proxy } from 'comlink';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Subscription } from 'rxjs';
import type { RecurringRule } from '@mymidas/shared/schema';
import { todayIn } from '@mymidas/shared/date';
import { useComputeStore } from '../../app/compute-store.ts';
import type { ComputeSession } from '../../compute/compute-session.ts';
import type { ForecastProgress, ForecastsResult, MonteCarloView } from '../../compute/forecasts/forecast-handlers.ts';
import type { ForecastInputs, MonteCarloRequest } from '../../compute/forecasts/forecast-schemas.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { useLedgerStore } from '../ledger-data/ledger-store.ts';

/**
 * The forecasts page's data (issue 24). Pushes the small inputs (accounts, categories, recurring rules, today,
 * the base currency) to the compute worker's forecasts area, opens its sealed cache under the device key, waits
 * for the investment store's first catch-up (holdings count in net worth and make the Monte Carlo), then runs the
 * forecasts with a progress callback — again whenever the snapshot or the inputs move (answered from the cache
 * when the engine inputs did not change). Cancel stops the run between categories.
 */

export type ForecastsState = 'waiting' | 'investments' | 'running' | 'done' | 'cancelled' | 'error';

const RERUN_DEBOUNCE_MS = 1500;
const DEFAULT_MONTH_START_DAY = 1;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let jobCounter = 0;

export function useForecasts() {
  const compute = useComputeStore();
  const ledger = useLedgerStore();
  const db = useReplicaDb();
  const rules = shallowRef<RecurringRule[] | null>(null);
  const result = shallowRef<ForecastsResult | null>(null);
  const progress = shallowRef<ForecastProgress | null>(null);
  const state = ref<ForecastsState>('waiting');
  const error = ref<string | null>(null);
  const investRevision = ref(0);
  let jobId: string | null = null;
  let subscription: Subscription | null = null;
  let cacheOpenedFor: ComputeSession | null = null;
  let investFor: ComputeSession | null = null;
  let stopInvest: (() => void) | null = null;
  let disposed = false;

  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));

  watch(
    db,
    (open) => {
      subscription?.unsubscribe();
      rules.value = null;
      subscription = open
        ? open.recurring_rules.find().$.subscribe((docs) => {
          rules.value = docs.map((d) => d.toJSON() as RecurringRule);
        })
        : null;
    },
    { immediate: true },
  );

  function inputs(): ForecastInputs | null {
    if (!ledger.accountsReady || rules.value === null) return null;
    return JSON.parse(JSON.stringify({
      today: todayIn(ledger.settings?.timezone),
      baseCurrency: ledger.baseCurrency,
      monthStartDay: ledger.settings?.budgetStartDay ?? DEFAULT_MONTH_START_DAY,
      accounts: ledger.accounts.map((a) => ({
        id: a.id, name: a.name, type: a.type, currency: a.currency, openingBalance: a.openingBalance, openingDate: a.openingDate, closed: a.closed, creditLimit: a.creditLimit,
      })),
      categories: ledger.categories.map((c) => ({ id: c.id, name: c.name, parentId: c.parentId, kind: c.kind })),
      fx: [],
      rules: rules.value,
    })) as ForecastInputs;
  }

  /** Starts the investment feed (once per session) and follows it: its first catch-up comes before the first run. */
  function followInvest(session: ComputeSession) {
    if (investFor === session) return;
    stopInvest?.();
    investFor = session;
    investRevision.value = 0;
    const feed = session.invest;
    if (!feed) {
      investRevision.value = -1;
      return;
    }
    const seen = (s: ReturnType<typeof feed.status>) => {
      if (s.phase === 'ready') investRevision.value = s.revision;
      else if (s.phase === 'error' || s.phase === 'stopped') investRevision.value = -1;
    };
    seen(feed.status());
    stopInvest = feed.onStatus(seen);
  }

  async function run(refresh = false): Promise<void> {
    const session = compute.session;
    const pushed = inputs();
    if (!session || revision.value === 0 || pushed === null || disposed) return;
    followInvest(session);
    if (investRevision.value === 0) {
      state.value = 'investments';
      return;
    }
    const api = session.worker.api;
    const mine = `forecast-${++jobCounter}`;
    jobId = mine;
    state.value = 'running';
    error.value = null;
    progress.value = { jobId: mine, phase: 'preparing', done: 0, total: 1, message: 'Reading the history' };
    try {
      if (cacheOpenedFor !== session && db.value) {
        const { deviceDataKey } = await import('../../db/database.ts');
        await api.forecastOpenCache(`${db.value.name}-forecasts`, deviceDataKey(db.value));
        cacheOpenedFor = session;
      }
      // The invest area builds its engine inputs (holdings for net worth and the Monte Carlo) for the accounts
      // pushed to it; the same list, in the same order, as the investment screens push (invest-data.ts).
      const investAccounts = pushed.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      await api.investSetAccounts({ accounts: investAccounts, baseCurrency: pushed.baseCurrency });
      await api.forecastSetInputs(pushed);
      const answer = await api.forecastRun({ jobId: mine, refresh }, proxy((p: ForecastProgress) => {
        if (jobId === mine) progress.value = p;
      }));
      if (jobId !== mine) return;
      result.value = answer;
      state.value = 'done';
    } catch (e) {
      if (jobId !== mine) return;
      const message = describe(e);
      if (/cancelled/i.test(message)) state.value = 'cancelled';
      else {
        state.value = 'error';
        error.value = message;
      }
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  function schedule(delay = RERUN_DEBOUNCE_MS) {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), delay);
  }

  watch([revision, () => compute.session, () => ledger.accountsReady, rules, () => ledger.accounts, () => ledger.categories, () => ledger.settings], () => schedule(), { immediate: true });
  watch(investRevision, (now, before) => {
    if (now !== 0 && before === 0) schedule(0);
    else if (now > 0) schedule();
  });

  async function cancel(): Promise<void> {
    const session = compute.session;
    const id = jobId;
    if (!session || !id || state.value !== 'running') return;
    await session.worker.api.forecastCancel(id);
  }

  async function monteCarlo(request: MonteCarloRequest): Promise<MonteCarloView> {
    const session = compute.session;
    if (!session) throw new Error('The compute worker is not running');
    return session.worker.api.forecastMonteCarlo(JSON.parse(JSON.stringify(request)) as MonteCarloRequest);
  }

  onScopeDispose(() => {
    disposed = true;
    clearTimeout(timer);
    subscription?.unsubscribe();
    stopInvest?.();
    void cancel();
  });

  return { result, progress, state, error, cancel, refit: () => run(true), retry: () => run(false), monteCarlo };
}
