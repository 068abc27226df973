import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { Remote } from 'comlink';
import type { Subscription } from 'rxjs';
import type { CapitalGainsResult, HoldingsResult, InvestAccount, PortfolioReport } from '@mymidas/shared/invest';
import type { Settings } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import type { ComputeSession } from '../../compute/compute-session.ts';
import type { InvestFeed, InvestFeedStatus } from '../../compute/invest/invest-feed.ts';
import type { InvestPriceSeries } from '../../compute/invest/invest-handlers.ts';
import type { InvestCollection } from '../../compute/invest/invest-store.ts';
import type { ComputeHandlers } from '../../compute/registry.ts';
import { coalesce } from '../../composables/coalesce.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { DEFAULT_BASE_CURRENCY } from '../budgets/budget-inputs.ts';

/**
 * The investment screens' data (issue 21): answers of the compute worker's invest area
 * (compute/invest/invest-handlers.ts), which works them out from its own store of quotes, investment
 * transactions and assets. Reading `session.invest` starts the feed that keeps that store in step with the
 * replica (its first catch-up pages every quote, ~12 s for the demo household); the feed store here follows its
 * progress and pushes the accounts (id, type, currency) and the base currency with `investSetAccounts` whenever
 * they change. Each composable asks again when its request changes, when the feed applies a change (its
 * revision) and when the accounts are pushed anew. The UI thread never loops over quotes or trades.
 */

export interface InvestProgress {
  readonly collection: InvestCollection;
  /** Documents read so far in this collection's catch-up. */
  readonly done: number;
  /** Documents in the collection (counted once when its catch-up starts); null until known. */
  readonly total: number | null;
}

export interface InvestFeedView {
  /** 'idle' while locked or no compute session; 'catching-up' with progress; 'ready'; 'error' with a message. */
  readonly phase: 'idle' | 'starting' | 'catching-up' | 'ready' | 'error';
  readonly progress: InvestProgress | null;
  readonly message: string | null;
}

export interface UseInvestFeedReturn {
  readonly status: Ref<InvestFeedView>;
  /** The store is caught up and the accounts are pushed to this session: answers can be asked for. */
  readonly ready: Ref<boolean>;
}

export interface InvestAnswer<A> {
  readonly data: ShallowRef<A | null>;
  /** True until the first answer and while a newer one is on its way (the previous answer stays shown). */
  readonly loading: Ref<boolean>;
  readonly error: Ref<string | null>;
}

export interface InvestRange {
  readonly from: string;
  readonly to: string;
}

export interface InvestOpenRange {
  readonly from?: string;
  readonly to?: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function plain<Q>(request: Q): Q {
  return JSON.parse(JSON.stringify(request)) as Q;
}

/**
 * The feed's progress and the accounts pushed to the worker, shared by every investment screen. It works only
 * while held (`acquire`), so no other screen starts the feed or reads the accounts for it.
 */
export const useInvestFeedStore = defineStore('invest-feed', () => {
  const db = useReplicaDb();
  const compute = useComputeStore();
  const holders = ref(0);
  const feedStatus = shallowRef<InvestFeedStatus | null>(null);
  const feedError = ref<string | null>(null);
  const totals = shallowRef<ReadonlyMap<InvestCollection, number>>(new Map());
  const accounts = shallowRef<InvestAccount[] | null>(null);
  /** undefined until read; null when the replica holds no settings. */
  const settings = shallowRef<Settings | null | undefined>(undefined);
  const pushedTo = shallowRef<ComputeSession | null>(null);
  const pushed = ref(0);
  const pushError = ref<string | null>(null);

  let subscriptions: Subscription[] = [];
  let stopFeed: (() => void) | null = null;
  let counting = new Set<InvestCollection>();

  const held = computed(() => holders.value > 0);

  function count(open: ReplicaDatabase, collection: InvestCollection) {
    if (counting.has(collection)) return;
    counting.add(collection);
    void open[collection].count().exec().then(
      (n) => {
        totals.value = new Map([...totals.value, [collection, n]]);
      },
      () => undefined,
    );
  }

  function follow(feed: InvestFeed) {
    const take = (s: InvestFeedStatus) => {
      feedStatus.value = s;
      if (s.phase === 'catching-up' && db.value) count(db.value, s.collection);
    };
    take(feed.status());
    stopFeed = feed.onStatus(take);
  }

  // The feed of the running session, started by reading it, followed while held.
  watch(
    [() => compute.session, held],
    ([session, isHeld]) => {
      stopFeed?.();
      stopFeed = null;
      feedStatus.value = null;
      feedError.value = null;
      totals.value = new Map();
      counting = new Set();
      if (!session || !isHeld) return;
      let feed: InvestFeed | undefined;
      try {
        feed = session.invest;
      } catch (e) {
        feedError.value = describe(e);
        return;
      }
      if (!feed) feedError.value = 'Investments are not available on this device (no investment store in the compute worker).';
      else follow(feed);
    },
    { immediate: true },
  );

  // The accounts and settings, read only while held and unlocked.
  watch(
    [db, held],
    ([open, isHeld]) => {
      for (const s of subscriptions) s.unsubscribe();
      subscriptions = [];
      accounts.value = null;
      settings.value = undefined;
      if (!open || !isHeld) return;
      subscriptions = [
        open.accounts.find().$.subscribe((docs) => {
          const next = docs.map((d) => ({ id: d.id, type: d.type, currency: d.currency })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
          const same = accounts.value !== null && accounts.value.length === next.length
            && next.every((a, i) => a.id === accounts.value![i]!.id && a.type === accounts.value![i]!.type && a.currency === accounts.value![i]!.currency);
          if (!same) accounts.value = next;
        }),
        open.settings.findOne().$.subscribe((doc) => {
          settings.value = doc ? (doc.toJSON() as Settings) : null;
        }),
      ];
    },
    { immediate: true },
  );

  const baseCurrency = computed(() => (settings.value === undefined ? null : (settings.value?.baseCurrency ?? DEFAULT_BASE_CURRENCY)));

  async function push(): Promise<void> {
    const session = compute.session;
    const list = accounts.value;
    const base = baseCurrency.value;
    if (!session || !held.value || list === null || base === null) return;
    try {
      await session.worker.api.investSetAccounts({ accounts: list, baseCurrency: base });
      if (compute.session !== session) return;
      pushError.value = null;
      pushedTo.value = session;
      pushed.value += 1;
    } catch (e) {
      pushError.value = describe(e);
    }
  }
  const schedulePush = coalesce(push);
  watch([() => compute.session, held, accounts, baseCurrency], schedulePush, { immediate: true });

  const status = computed((): InvestFeedView => {
    const c = compute.status;
    if (c.phase === 'error') return { phase: 'error', progress: null, message: c.message };
    const message = feedError.value ?? pushError.value;
    if (message !== null) return { phase: 'error', progress: null, message };
    const s = feedStatus.value;
    if (s === null || s.phase === 'stopped') return { phase: compute.session ? 'starting' : 'idle', progress: null, message: null };
    if (s.phase === 'error') return { phase: 'error', progress: null, message: s.message };
    if (s.phase === 'starting') return { phase: 'starting', progress: null, message: null };
    if (s.phase === 'catching-up') {
      return { phase: 'catching-up', progress: { collection: s.collection, done: s.documents, total: totals.value.get(s.collection) ?? null }, message: null };
    }
    return { phase: 'ready', progress: null, message: null };
  });

  const ready = computed(() => status.value.phase === 'ready' && compute.session !== null && pushedTo.value === compute.session);
  /** Moves whenever an answer may have changed: the feed applied a change, or the accounts were pushed. */
  const revision = computed(() => {
    const s = feedStatus.value;
    return `${s?.phase === 'ready' ? s.revision : -1}|${pushed.value}`;
  });

  function acquire(): () => void {
    holders.value += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holders.value -= 1;
    };
  }

  return { status, ready, revision, baseCurrency, accounts, acquire };
});

/** The feed's progress and readiness; holding it starts the feed and keeps the accounts pushed. */
export function useInvestFeed(): UseInvestFeedReturn {
  const store = useInvestFeedStore();
  const release = store.acquire();
  onScopeDispose(release);
  return { status: computed(() => store.status), ready: computed(() => store.ready) };
}

/** One request → one worker answer, kept current; a null request asks nothing. */
export function useInvestAnswer<Q, A>(request: Ref<Q | null>, call: (api: Remote<ComputeHandlers>, request: Q) => Promise<A>): InvestAnswer<A> {
  const compute = useComputeStore();
  const store = useInvestFeedStore();
  const release = store.acquire();
  const data = shallowRef<A | null>(null);
  const running = ref(false);
  const failure = ref<string | null>(null);
  let run = 0;

  async function refresh(): Promise<void> {
    const wanted = request.value;
    const session = compute.session;
    if (wanted === null) {
      run += 1;
      data.value = null;
      failure.value = null;
      running.value = false;
      return;
    }
    if (!session || !store.ready) return;
    const mine = ++run;
    running.value = true;
    try {
      const result = await call(session.worker.api, plain(wanted));
      if (mine !== run) return;
      data.value = result;
      failure.value = null;
    } catch (e) {
      if (mine === run) failure.value = describe(e);
    } finally {
      if (mine === run) running.value = false;
    }
  }

  const schedule = coalesce(refresh);
  // Only the request is compared deeply: a deep watch of the session would read its `invest` getter (and walk the worker).
  watch(request, schedule, { deep: true });
  watch([() => store.revision, () => store.ready, () => compute.session], schedule, { immediate: true });
  onScopeDispose(() => {
    run += 1;
    release();
  });

  const error = computed(() => {
    if (request.value === null) return null;
    const s = store.status;
    if (s.phase === 'error') return s.message;
    return failure.value;
  });
  const loading = computed(() => {
    if (request.value === null || error.value !== null) return false;
    return running.value || data.value === null;
  });
  return { data, loading, error };
}

/** The whole portfolio over `range`: holdings at its end, the daily value series and the returns. */
export function useInvestPortfolio(range: Ref<InvestRange | null>): InvestAnswer<PortfolioReport> {
  return useInvestAnswer(range, (api, r) => api.investPortfolio({ from: r.from, to: r.to }));
}

/** Holdings at `date` (market values from the nearest earlier price). */
export function useInvestHoldings(date: Ref<string | null>): InvestAnswer<HoldingsResult> {
  return useInvestAnswer(date, (api, d) => api.investHoldings({ date: d }));
}

/** UK capital gains of every disposal (tax-free accounts excluded). */
export function useCapitalGains(): InvestAnswer<CapitalGainsResult> {
  return useInvestAnswer(ref(true), (api) => api.investCapitalGains());
}

/** The daily closes of one asset over `range` (either end open). */
export function usePriceSeries(assetId: Ref<string | null>, range: Ref<InvestOpenRange>): InvestAnswer<InvestPriceSeries> {
  const request = computed(() => (assetId.value === null ? null : { assetId: assetId.value, ...range.value }));
  return useInvestAnswer(request, (api, q) => api.investPriceSeries(q));
}
