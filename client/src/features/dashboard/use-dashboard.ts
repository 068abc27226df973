import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { ComputedRef, Ref, ShallowRef } from 'vue';
import type { Subscription } from 'rxjs';
import { latestFxRates } from '@mymidas/shared/ledger/fx';
import type { FxRates } from '@mymidas/shared/ledger/fx';
import type { Account, Category, Quote, Settings } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { readDailyQuotes } from '../../db/quotes-read.ts';
import type { Overview } from '../../compute/snapshot/snapshot-engine.ts';
import { addDays, addMonths, monthOf, todayIn } from '@mymidas/shared/date';
import { accountRows, fxSeriesFor, monthFigures, netWorthOf } from './dashboard-model.ts';
import type { AccountRow, MonthFigures, NetWorthFigures } from './dashboard-model.ts';
import { coalesce } from '../../composables/coalesce.ts';
import { valueInvestments } from './investment-worth.ts';
import type { DashboardInvestments } from './investment-worth.ts';

export type DashboardState =
  | { readonly kind: 'locked' }
  | { readonly kind: 'loading' }
  | { readonly kind: 'rebuilding'; readonly done: number; readonly total: number }
  | { readonly kind: 'ready' }
  | { readonly kind: 'error'; readonly message: string };

export interface DashboardView {
  readonly baseCurrency: string;
  readonly today: string;
  readonly netWorth: NetWorthFigures;
  /** The investments' valuation: pending until first worked out (after the first numbers), then kept current. */
  readonly investments: DashboardInvestments | { readonly kind: 'pending' };
  readonly accounts: readonly AccountRow[];
  readonly month: MonthFigures;
  readonly transactions: number;
  readonly computedInMs: number;
}

export interface UseDashboardReturn {
  readonly state: ComputedRef<DashboardState>;
  readonly view: ShallowRef<DashboardView | null>;
  readonly month: Ref<string>;
  readonly categories: ShallowRef<ReadonlyMap<string, Category>>;
  readonly accountsById: ComputedRef<ReadonlyMap<string, Account>>;
  /** Bumped with every change the snapshot takes in, so lists refresh too. */
  readonly revision: ComputedRef<number>;
  readonly db: ShallowRef<ReplicaDatabase | null>;
  previousMonth(): void;
  nextMonth(): void;
}

/** Quiet time after a change to trades, assets or quotes before the investments are valued again. */
const REVALUE_AFTER_QUIET_MS = 800;

/** How far back to look for the latest FX quote before widening the search. */
const RATE_WINDOWS_DAYS = [14, 400, 100_000];

function daysBefore(date: string, days: number): string {
  const before = addDays(date, -Math.min(days, 1_000_000));
  return before < '1900-01-01' ? '1900-01-01' : before;
}

/**
 * Latest FX rates to value the accounts in the base currency, read through the quotes collection's
 * [series, period] index a year document or two per series (never the whole series), then picked by the ledger.
 */
async function readRates(db: ReplicaDatabase, currencies: Iterable<string>, base: string, today: string): Promise<FxRates> {
  const found: Quote[] = [];
  for (const series of fxSeriesFor(currencies, base)) {
    for (const days of RATE_WINDOWS_DAYS) {
      const rows = await readDailyQuotes(db, series, { from: daysBefore(today, days), to: today });
      if (rows.length > 0) {
        found.push(...rows);
        break;
      }
    }
  }
  return latestFxRates(found, today);
}

/**
 * Everything the dashboard shows, from the compute worker's snapshot plus the replica's small
 * collections (accounts, categories, settings, a few FX quotes). Recomputed when the snapshot takes in
 * a change, when those collections change, and when the month changes.
 */
export function useDashboard(): UseDashboardReturn {
  const compute = useComputeStore();
  const db = useReplicaDb();
  const accounts = shallowRef<Account[] | null>(null);
  const categories = shallowRef<ReadonlyMap<string, Category>>(new Map());
  const settings = shallowRef<Settings | null | undefined>(undefined);
  const view = shallowRef<DashboardView | null>(null);
  const error = ref<string | null>(null);
  const month = ref(monthOf(todayIn(undefined)));
  let monthChosen = false;
  let subscriptions: Subscription[] = [];
  /** What the view was last built from, so the investments' valuation can rebuild it when it arrives. */
  let built: { overview: Overview; rates: FxRates; list: Account[]; base: string; today: string } | null = null;
  let investments: DashboardInvestments | { readonly kind: 'pending' } = { kind: 'pending' };
  /** The base currency and day the valuation is in: another (a base changed in settings, midnight) waits for its own. */
  let investmentsFor = '';
  /** The inputs the valuation was worked out for; a change (or an investment collection's change) values again. */
  let valuedFor = '';
  let investmentsChanged = 0;
  let valuation = 0;
  let revalueTimer: ReturnType<typeof setTimeout> | undefined;
  // valueNow is a function declaration (hoisted); the db watch below subscribes with this at once.
  const scheduleValuation = coalesce(valueNow);

  function unsubscribe() {
    for (const s of subscriptions) s.unsubscribe();
    subscriptions = [];
    clearTimeout(revalueTimer);
  }

  watch(
    db,
    (open) => {
      unsubscribe();
      accounts.value = null;
      settings.value = undefined;
      view.value = null;
      built = null;
      investments = { kind: 'pending' };
      investmentsFor = '';
      valuedFor = '';
      if (!open) return;
      subscriptions = [
        open.accounts.find({ sort: [{ sortOrder: 'asc' }] }).$.subscribe((docs) => {
          accounts.value = docs.map((d) => d.toJSON() as Account);
        }),
        open.categories.find().$.subscribe((docs) => {
          categories.value = new Map(docs.map((d) => [d.id, d.toJSON() as Category]));
        }),
        open.settings.findOne().$.subscribe((doc) => {
          settings.value = doc ? (doc.toJSON() as Settings) : null;
        }),
      ];
      // A trade, an asset or a price that changes values the investments again, once the changes pause: a sync
      // pulling thousands of trades and quotes in pages values them once after it, not once per page.
      const collections = open.collections as Readonly<Record<string, { $: { subscribe(next: () => void): Subscription } } | undefined>>;
      for (const name of ['investment_transactions', 'assets', 'quotes']) {
        const c = collections[name];
        if (c) {
          subscriptions.push(c.$.subscribe(() => {
            investmentsChanged++;
            clearTimeout(revalueTimer);
            revalueTimer = setTimeout(() => void scheduleValuation(), REVALUE_AFTER_QUIET_MS);
          }));
        }
      }
    },
    { immediate: true },
  );
  onScopeDispose(unsubscribe);

  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));
  let run = 0;

  function build(from: NonNullable<typeof built>): DashboardView {
    const current = investmentsFor === `${from.base}|${from.today}` ? investments : { kind: 'pending' as const };
    const worth = current.kind === 'valued' ? current.worth : null;
    const rates = current.kind === 'valued' ? current.rates : from.rates;
    const rows = accountRows(from.list, from.overview, from.base, rates, worth);
    return {
      baseCurrency: from.base,
      today: from.today,
      netWorth: netWorthOf(rows, from.base),
      investments: current,
      accounts: rows,
      month: monthFigures(from.overview.month, from.base, categories.value),
      transactions: from.overview.transactions,
      computedInMs: from.overview.computedInMs,
    };
  }

  async function valueNow() {
    const open = db.value;
    const from = built;
    if (!open || !from) return;
    const key = `${from.base}|${from.today}|${from.list.map((a) => `${a.id}:${a.currency}`).join(',')}|${investmentsChanged}`;
    if (key === valuedFor) return;
    const mine = ++valuation;
    const result = await valueInvestments(open, from.list, from.base, from.today, (currencies) => readRates(open, currencies, from.base, from.today));
    if (mine !== valuation || db.value !== open) return;
    const first = valuedFor === '';
    valuedFor = key;
    investments = result;
    investmentsFor = `${from.base}|${from.today}`;
    if (built) view.value = build(built);
    if (first) performance.mark('mymidas:dashboard-investments');
  }

  async function refresh() {
    const session = compute.session;
    const open = db.value;
    const list = accounts.value;
    const prefs = settings.value;
    if (!session || !open || list === null || prefs === undefined || compute.status.phase !== 'ready') return;
    const mine = ++run;
    if (mine === 1) performance.mark('mymidas:dashboard-request');
    const base = prefs?.baseCurrency ?? 'GBP';
    const today = todayIn(prefs?.timezone);
    if (!monthChosen) month.value = monthOf(today);
    try {
      const [overview, rates] = await Promise.all([
        session.worker.api.overview({
          month: month.value,
          asOf: today,
          accounts: list.map((a) => ({ id: a.id, type: a.type, currency: a.currency, openingBalance: a.openingBalance, openingDate: a.openingDate })),
        }) as Promise<Overview>,
        readRates(open, new Set(list.map((a) => a.currency)), base, today),
      ]);
      if (mine !== run) return;
      built = { overview, rates, list, base, today };
      view.value = build(built);
      error.value = null;
      void scheduleValuation();
    } catch (e) {
      if (mine === run) error.value = e instanceof Error ? e.message : String(e);
    }
  }

  // A burst of changes (a sync pull) leads to one refresh in flight and at most one after it.
  const schedule = coalesce(refresh);

  watch([revision, accounts, categories, settings, month, () => compute.session], schedule, { immediate: true });

  const state = computed((): DashboardState => {
    if (!db.value) return { kind: 'locked' };
    if (error.value) return { kind: 'error', message: error.value };
    const s = compute.status;
    if (s.phase === 'error') return { kind: 'error', message: s.message };
    if (s.phase === 'rebuilding') return { kind: 'rebuilding', done: s.done, total: s.total };
    return view.value ? { kind: 'ready' } : { kind: 'loading' };
  });

  return {
    state,
    view,
    month,
    categories,
    accountsById: computed(() => new Map((accounts.value ?? []).map((a) => [a.id, a]))),
    revision,
    db,
    previousMonth() {
      monthChosen = true;
      month.value = addMonths(month.value, -1);
    },
    nextMonth() {
      monthChosen = true;
      month.value = addMonths(month.value, 1);
    },
  };
}
