import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { Subscription } from 'rxjs';
import type { BudgetInputs, FxSeries, ScheduledAmount } from '@mymidas/shared/budget';
import { addDays, todayIn } from '@mymidas/shared/date';
import type { Budget, Category, Quote, QuoteDoc, RecurringRule, Settings } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import type { ComputeSession } from '../../compute/compute-session.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { readDailyQuotes, readLatestDailyQuote } from '../../db/quotes-read.ts';
import {
  DEFAULT_BASE_CURRENCY, budgetInputs, foreignCurrencies, fxSeriesFromQuotes, fxSeriesNames, inputsWindow, scheduledAmounts,
} from './budget-inputs.ts';
import type { AskedRange, ScheduledResult } from './budget-inputs.ts';

/**
 * The budget inputs on the UI side (issue 20): live queries of the small collections (budgets, categories,
 * settings, recurring rules, accounts), today in the settings' zone, and the FX rates of each foreign currency
 * in use over the dates the budgets need, read through the quotes' [series, date] index — never the whole
 * quotes collection. Whenever any of it changes (debounced), the inputs are pushed to the compute worker
 * (`budgetSetInputs`) and `pushed` moves, so the budget composables (budget-data.ts) ask again.
 *
 * Nothing here reads transactions: the currencies the snapshot's rows are in come from the worker.
 * The store works only while someone holds it (`acquire`), so no screen but the budgets' pays for it, and it
 * forgets what it read when the last holder lets go (budget alerts hold it only for a look).
 */

export interface BudgetInputsConfig {
  /** Quiet time before a change is pushed (a sync pull changes many documents). */
  readonly debounceMs?: number;
  /** The clock; tests pass their own. */
  readonly now?: () => Date;
  /** How often "today" is looked at again while held (it moves at midnight in the settings' zone). */
  readonly todayCheckMs?: number;
}

const DEFAULTS = { debounceMs: 120, now: () => new Date(), todayCheckMs: 60_000 } as const;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The latest quote of a series before `from`, then every quote from `from` on: indexed reads of its year documents (db/quotes-read.ts). */
async function readSeries(db: ReplicaDatabase, series: string, from: string): Promise<Quote[]> {
  const [before, since] = await Promise.all([readLatestDailyQuote(db, series, addDays(from, -1)), readDailyQuotes(db, series, { from })]);
  if (before) since.unshift(before);
  return since;
}

/** The quotes of both series of each currency (by id) that can be in force from `from` on: two indexed reads per series. */
export async function readFxQuotes(db: ReplicaDatabase, currencies: readonly string[], base: string, from: string): Promise<Map<string, Map<string, Quote>>> {
  const out = new Map<string, Map<string, Quote>>();
  for (const currency of currencies) {
    const { direct, inverse } = fxSeriesNames(currency, base);
    const [a, b] = await Promise.all([readSeries(db, direct, from), readSeries(db, inverse, from)]);
    out.set(currency, new Map([...a, ...b].map((q) => [q.id, q])));
  }
  return out;
}

/**
 * Rates kept between gathers: only the series made of the quotes read (dates and rates), never the quotes
 * themselves — ten years of two FX series are thousands of day objects the page would hold for nothing, since
 * any change to a series' year documents reads those few documents again.
 */
interface FxCache {
  readonly key: string;
  readonly series: FxSeries[];
}

export const useBudgetInputsStore = defineStore('budget-inputs', () => {
  const db = useReplicaDb();
  const compute = useComputeStore();
  const config = shallowRef<Required<BudgetInputsConfig>>({ ...DEFAULTS });

  const holders = ref(0);
  const asked = shallowRef<ReadonlyMap<symbol, AskedRange>>(new Map());
  const budgets = shallowRef<Budget[] | null>(null);
  const categories = shallowRef<Pick<Category, 'id' | 'parentId' | 'kind'>[] | null>(null);
  /** undefined until read; null when the replica holds no settings. */
  const settings = shallowRef<Settings | null | undefined>(undefined);
  const rules = shallowRef<RecurringRule[] | null>(null);
  const accountCurrencies = shallowRef<string[] | null>(null);
  const snapshotCurrencies = shallowRef<string[]>([]);
  const today = ref<string | null>(null);

  /** The inputs last pushed to the worker, and to which session; `pushed` moves with every push. */
  const inputs = shallowRef<BudgetInputs | null>(null);
  const pushedTo = shallowRef<ComputeSession | null>(null);
  const pushed = ref(0);
  const error = ref<string | null>(null);
  const skippedRules = shallowRef<string[]>([]);

  let subscriptions: Subscription[] = [];
  let fxCache: FxCache | null = null;
  /** FX quotes of our series that arrived since the last gather (merged into the cache), or a removal (read again). */
  let rereadFx = false;
  let watchedSeries = new Set<string>();
  let lastParts: readonly unknown[] | null = null;
  let expanded: { rules: RecurringRule[]; from: string; to: string; result: ScheduledResult } | null = null;
  /** Each rule's occurrences (by id, stamp and range) and inverted FX closes, kept while the store lives. */
  const occurrences = new Map<string, readonly ScheduledAmount[]>();
  const inverses = new Map<string, string>();

  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));
  const zone = computed(() => settings.value?.timezone);

  function unsubscribe() {
    for (const s of subscriptions) s.unsubscribe();
    subscriptions = [];
    budgets.value = null;
    categories.value = null;
    settings.value = undefined;
    rules.value = null;
    accountCurrencies.value = null;
    fxCache = null;
    lastParts = null;
  }

  /**
   * Nobody holds the store: everything read or made for the inputs goes (the rules' occurrences, the FX series
   * and their inverted closes, the inputs last pushed), so a screen or a budget alerts' look that let go leaves
   * nothing behind in the page or the worker. The next holder reads again and pushes anew; until then answers wait.
   */
  function forget() {
    // The worker's copy (and the engine's caches built on it) goes too, if it is the inputs this store pushed.
    const session = pushedTo.value;
    if (session && session === compute.session) void session.worker.api.budgetClearInputs().catch(() => undefined);
    unsubscribe();
    expanded = null;
    occurrences.clear();
    inverses.clear();
    watchedSeries = new Set();
    rereadFx = false;
    inputs.value = null;
    skippedRules.value = [];
    pushedTo.value = null;
  }

  function subscribe(open: ReplicaDatabase) {
    subscriptions = [
      open.budgets.find().$.subscribe((docs) => {
        budgets.value = docs.map((d) => d.toJSON() as Budget);
      }),
      open.categories.find().$.subscribe((docs) => {
        categories.value = docs.map((d) => ({ id: d.id, parentId: d.parentId, kind: d.kind }));
      }),
      open.settings.findOne().$.subscribe((doc) => {
        settings.value = doc ? (doc.toJSON() as Settings) : null;
      }),
      open.recurring_rules.find().$.subscribe((docs) => {
        rules.value = docs.map((d) => d.toJSON() as RecurringRule);
      }),
      open.accounts.find().$.subscribe((docs) => {
        accountCurrencies.value = [...new Set(docs.map((d) => d.currency))].sort();
      }),
      // New FX quotes (the server's daily feed, a sync pull): a series of ours is read again at the next gather.
      open.quotes.eventBulks$.subscribe((bulk) => {
        let relevant = false;
        for (const e of bulk.events) {
          // A year document of a series, or its latest price (not a day: passed over). A year added, rewritten
          // (a day added, replaced or gone) or deleted makes the series be read again (a few year documents,
          // db/quotes-read.ts).
          const doc = (e.documentData ?? e.previousDocumentData) as QuoteDoc | undefined;
          if (doc?.kind !== 'fx' || !watchedSeries.has(doc.series) || doc.period === 'latest') continue;
          relevant = true;
          rereadFx = true;
        }
        if (relevant) schedule();
      }),
    ];
  }

  // Subscribed only while held and unlocked.
  watch(
    [db, () => holders.value > 0],
    ([open, held]) => {
      if (held) unsubscribe();
      else forget();
      if (open && held) subscribe(open);
    },
    { immediate: true },
  );

  function readToday(): string {
    return todayIn(zone.value, config.value.now());
  }

  let todayTimer: ReturnType<typeof setInterval> | undefined;
  watch(
    () => holders.value > 0,
    (held) => {
      clearInterval(todayTimer);
      if (!held) return;
      today.value = readToday();
      todayTimer = setInterval(() => {
        const now = readToday();
        if (now !== today.value) today.value = now;
      }, config.value.todayCheckMs);
    },
    { immediate: true },
  );
  watch(zone, () => {
    if (holders.value > 0) today.value = readToday();
  });

  // The currencies of the snapshot's rows, asked of the worker when the snapshot moves.
  watch(
    [revision, () => compute.session, () => holders.value > 0],
    async ([rev, session, held]) => {
      if (!session || rev === 0 || !held) return;
      try {
        const list = await session.worker.api.budgetCurrencies();
        if (list.join() !== snapshotCurrencies.value.join()) snapshotCurrencies.value = [...list].sort();
      } catch {
        // The snapshot is not ready: the next revision asks again.
      }
    },
    { immediate: true },
  );

  /** The FX series for the inputs: read when the currencies, the window or a series' documents change, else the cache. */
  async function fxInputs(open: ReplicaDatabase, base: string, currencies: readonly string[], from: string): Promise<FxSeries[]> {
    const key = `${base}|${currencies.join(',')}|${from}`;
    if (fxCache?.key !== key || rereadFx) {
      rereadFx = false;
      watchedSeries = new Set(currencies.flatMap((c) => Object.values(fxSeriesNames(c, base))));
      const quotes = await readFxQuotes(open, currencies, base, from);
      if (holders.value === 0) return [];
      fxCache = { key, series: currencies.map((c) => fxSeriesFromQuotes(c, base, quotes.get(c)!.values(), { from, inverses })) };
    }
    return fxCache.series;
  }

  async function gather(): Promise<void> {
    const open = db.value;
    const session = compute.session;
    const list = budgets.value;
    const cats = categories.value;
    const prefs = settings.value;
    const recurring = rules.value;
    const accounts = accountCurrencies.value;
    const day = today.value;
    if (!open || !session || holders.value === 0) return;
    if (list === null || cats === null || prefs === undefined || recurring === null || accounts === null || day === null) return;
    const base = prefs?.baseCurrency ?? DEFAULT_BASE_CURRENCY;
    const window = inputsWindow(list, day, asked.value.values());
    // Expanding rules costs (rrule); only when the rules or the window moved.
    if (expanded?.rules !== recurring || expanded.from !== window.scheduledFrom || expanded.to !== window.scheduledTo) {
      expanded = { rules: recurring, from: window.scheduledFrom, to: window.scheduledTo, result: scheduledAmounts(recurring, window.scheduledFrom, window.scheduledTo, occurrences) };
    }
    const { scheduled, skippedRules: skipped } = expanded.result;
    const currencies = foreignCurrencies(base, accounts, recurring.map((r) => r.currency), snapshotCurrencies.value);
    const fx = await fxInputs(open, base, currencies, window.fxFrom);
    if (holders.value === 0) return;
    // Nothing the inputs are made of moved (a screen asked about dates already covered): keep what the worker has.
    const parts = [session, list, cats, prefs, scheduled, fx, day];
    if (lastParts !== null && parts.every((p, i) => p === lastParts![i]) && pushedTo.value === session) return;
    const next = budgetInputs({ budgets: list, categories: cats, settings: prefs, fx, scheduled, today: day });
    await session.worker.api.budgetSetInputs(next);
    // Let go of meanwhile (forget() ran): nothing of this gather is kept.
    if (compute.session !== session || holders.value === 0) return;
    inputs.value = next;
    skippedRules.value = skipped;
    pushedTo.value = session;
    lastParts = parts;
    pushed.value += 1;
  }

  // Debounced; one gather in flight and at most one queued behind it.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, config.value.debounceMs);
  }
  function run() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    gather()
      .then(() => {
        error.value = null;
      })
      .catch((e: unknown) => {
        error.value = describe(e);
      })
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  }

  watch([budgets, categories, settings, rules, accountCurrencies, snapshotCurrencies, today, asked, () => compute.session], schedule);
  // A new worker (after a lock and unlock) starts without inputs.
  watch(
    () => compute.session,
    (session) => {
      if (pushedTo.value !== session) pushedTo.value = null;
    },
  );

  return {
    inputs,
    pushed,
    /** The session the current inputs were pushed to: answers from any other would be without them. */
    pushedTo,
    error,
    skippedRules,
    /** Starts reading (once per holder); the returned function lets go. */
    acquire(): () => void {
      holders.value += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders.value -= 1;
      };
    },
    /** What a screen shows (null: nothing), so the inputs cover its dates; keyed by the asking composable. */
    ask(key: symbol, range: AskedRange | null) {
      const next = new Map(asked.value);
      const before = next.get(key);
      if (range === null) next.delete(key);
      else next.set(key, range);
      if (before?.date === range?.date && before?.periods === range?.periods) return;
      asked.value = next;
    },
    configure(options: BudgetInputsConfig) {
      config.value = { ...config.value, ...options };
    },
  };
});
