import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { Subscription } from 'rxjs';
import type { FxSeries } from '@mymidas/shared/budget';
import type { ReportInputs } from '@mymidas/shared/reports';
import type { Budget, Quote } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import type { ComputeSession } from '../../compute/compute-session.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { DEFAULT_MONTH_START_DAY, foreignCurrencies, fxSeriesFromQuotes, fxSeriesNames, plainBudgets } from '../budgets/budget-inputs.ts';
import { readFxQuotes } from '../budgets/budget-inputs-store.ts';
import { useLedgerStore } from '../ledger-data/ledger-store.ts';

/**
 * The reports' inputs on the UI side (issue 23): the small collections the engine needs besides the snapshot —
 * accounts with their openings, categories, budgets, the base currency and budget start day, and the FX rates of
 * every foreign currency in use (read through the quotes' [series, date] index, never the whole collection) —
 * pushed to the compute worker with `reportSetInputs` whenever any of them changes (debounced). `pushed` moves
 * with every push so the report composables ask again.
 *
 * Tags are encrypted in the replica and not in the snapshot, so the transactions that carry tags can only be
 * found by reading every transaction. That is done only when a report filters by tag or the tag list is opened
 * (`wantTags`), once per unlock (the ledger store keeps them), and the screen says so while it runs.
 */

const DEBOUNCE_MS = 120;
/** Weeks start on Monday (the settings have no week start; budgets carry their own). */
const WEEK_START = 1;
/** Rates from the start: net worth over all time needs the oldest. */
const FX_FROM = '1970-01-01';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const useReportInputsStore = defineStore('report-inputs', () => {
  const db = useReplicaDb();
  const compute = useComputeStore();
  const ledger = useLedgerStore();
  const holders = ref(0);
  const budgets = shallowRef<Budget[] | null>(null);
  const snapshotCurrencies = shallowRef<string[]>([]);
  const fx = shallowRef<FxSeries[] | null>(null);
  const tagsWanted = ref(false);
  const pushedTo = shallowRef<ComputeSession | null>(null);
  const pushed = ref(0);
  const error = ref<string | null>(null);

  let subscriptions: Subscription[] = [];
  let watchedSeries = new Set<string>();
  let fxKey = '';
  let fxStale = false;
  let lastKey = '';
  let lastFx: FxSeries[] | null = null;

  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));
  const base = computed(() => ledger.baseCurrency);
  const currencies = computed(() => foreignCurrencies(base.value, ledger.accounts.map((a) => a.currency), snapshotCurrencies.value));

  /** Tags in use, sorted; empty until the transactions are read (wantTags). */
  const tagsState = computed(() => (tagsWanted.value ? ledger.txState : 'idle'));
  const tagged = computed(() => {
    if (!tagsWanted.value || ledger.txState !== 'ready') return [];
    return ledger.transactions.filter((t) => t.tags.length > 0).map((t) => ({ id: t.id, tags: [...t.tags] }));
  });
  const tags = computed(() => [...new Set(tagged.value.flatMap((t) => t.tags))].sort((a, b) => a.localeCompare(b)));

  function unsubscribe() {
    for (const s of subscriptions) s.unsubscribe();
    subscriptions = [];
    budgets.value = null;
    fx.value = null;
    fxKey = '';
  }

  function subscribe(open: ReplicaDatabase) {
    subscriptions = [
      open.budgets.find().$.subscribe((docs) => {
        budgets.value = plainBudgets(docs.map((d) => d.toJSON() as Budget));
      }),
      open.quotes.eventBulks$.subscribe((bulk) => {
        const touched = bulk.events.some((e) => {
          const doc = (e.documentData ?? e.previousDocumentData) as Quote | undefined;
          return doc?.kind === 'fx' && watchedSeries.has(doc.series);
        });
        if (touched) {
          fxStale = true;
          schedule();
        }
      }),
    ];
  }

  watch(
    [db, () => holders.value > 0],
    ([open, held]) => {
      unsubscribe();
      if (open && held) subscribe(open);
    },
    { immediate: true },
  );

  // The currencies of the snapshot's rows (the budgets area answers them), asked again when the snapshot moves.
  watch(
    [revision, () => compute.session, () => holders.value > 0],
    async ([rev, session, held]) => {
      if (!session || rev === 0 || !held) return;
      try {
        const list = [...(await session.worker.api.budgetCurrencies())].sort();
        if (list.join() !== snapshotCurrencies.value.join()) snapshotCurrencies.value = list;
      } catch {
        // The snapshot is not open yet: the next revision asks again.
      }
    },
    { immediate: true },
  );

  async function readFx(open: ReplicaDatabase): Promise<FxSeries[]> {
    const list = currencies.value;
    const key = `${base.value}|${list.join(',')}`;
    if (key === fxKey && !fxStale && fx.value !== null) return fx.value;
    fxStale = false;
    watchedSeries = new Set(list.flatMap((c) => Object.values(fxSeriesNames(c, base.value))));
    const quotes = await readFxQuotes(open, list, base.value, FX_FROM);
    const series = list.map((c) => fxSeriesFromQuotes(c, base.value, quotes.get(c)!.values()));
    fxKey = key;
    fx.value = series;
    return series;
  }

  async function push(): Promise<void> {
    const open = db.value;
    const session = compute.session;
    if (!open || !session || holders.value === 0 || !ledger.accountsReady || budgets.value === null) return;
    try {
      const rates = await readFx(open);
      const inputs: Omit<ReportInputs, 'today'> & { timezone?: string } = {
        baseCurrency: base.value,
        monthStartDay: ledger.settings?.budgetStartDay ?? DEFAULT_MONTH_START_DAY,
        weekStart: WEEK_START,
        accounts: ledger.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency, openingBalance: a.openingBalance, openingDate: a.openingDate })),
        categories: ledger.categories.map((c) => ({ id: c.id, parentId: c.parentId, kind: c.kind })),
        fx: rates,
        budgets: budgets.value,
        tagged: tagged.value,
        ...(ledger.settings?.timezone ? { timezone: ledger.settings.timezone } : {}),
      };
      // The same inputs again (a collection re-emitted unchanged): nothing to push, nothing to ask again.
      const { fx: _fx, ...small } = inputs;
      const key = JSON.stringify(small);
      if (pushedTo.value === session && key === lastKey && rates === lastFx) return;
      await session.worker.api.reportSetInputs(JSON.parse(JSON.stringify(inputs)) as typeof inputs);
      lastKey = key;
      lastFx = rates;
      if (compute.session !== session) return;
      pushedTo.value = session;
      error.value = null;
      pushed.value += 1;
    } catch (e) {
      error.value = describe(e);
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running) {
        again = true;
        return;
      }
      running = push().finally(() => {
        running = null;
        if (again) {
          again = false;
          schedule();
        }
      });
    }, DEBOUNCE_MS);
  }

  watch(
    [() => compute.session, () => ledger.accounts, () => ledger.categories, () => ledger.settings, budgets, currencies, tagged, () => holders.value > 0],
    schedule,
    { immediate: true },
  );

  /** Holds the store while a report screen is open; returns the release. */
  function acquire(): () => void {
    holders.value += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holders.value -= 1;
    };
  }

  /** Reads every transaction's tags (once per unlock): for the tag filter. */
  function wantTags(): void {
    if (tagsWanted.value) return;
    tagsWanted.value = true;
    void ledger.ensureTransactions().catch((e: unknown) => {
      error.value = `The tags could not be read: ${describe(e)}`;
    });
  }

  return { acquire, wantTags, pushed, pushedTo, error, tags, tagsState, budgets };
});
