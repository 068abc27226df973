import { computed, effectScope, onScopeDispose, shallowRef, watch } from 'vue';
import { storeToRefs } from 'pinia';
import type { Subscription } from 'rxjs';
import type { BudgetPage, BudgetPageRequest } from '@mymidas/shared/budget';
import type { QuoteDoc } from '@mymidas/shared/schema';
import { useComputeStore } from '../../app/compute-store.ts';
import { coalesce } from '../../composables/coalesce.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { useSyncStatusStore } from '../../stores/sync-status.ts';
import { useBudgetPage } from './budget-data.ts';
import { useBudgetAlertsStore } from './budget-alerts-store.ts';
import { watchBudgetAlerts } from './budget-alerts-watch.ts';

/**
 * Budget alerts in the background, wired to the app: the budget page of today for every period kind (answered
 * by the compute worker), the budgets the alerts store reads, and the sync indicator's facts. Loaded by
 * budget-alerts-shell.ts once the replica is first unlocked; call inside the app's injection context.
 *
 * The page is taken in looks: a look holds the budget inputs (their collections, the FX series, the rules'
 * occurrences) only until the worker's answer is in, then lets go, so between looks the page keeps the small
 * answer and nothing of what was read for it. A look is taken when something the figures are made of moves —
 * the snapshot (its revision), the budgets, today, the recurring rules, the accounts, the FX quotes — once it
 * has been quiet for `quietMs`.
 */
export function startBudgetAlertWatch(options: { readonly quietMs?: number } = {}) {
  const store = useBudgetAlertsStore();
  const { budgets, names, today, monthStartDay } = storeToRefs(store);
  const sync = useSyncStatusStore();
  const compute = useComputeStore();
  const db = useReplicaDb();
  const request = computed<BudgetPageRequest>(() => ({ date: today.value }));
  const page = shallowRef<BudgetPage | null>(null);
  const stopped = shallowRef(false);

  /**
   * One answer for today, with the inputs held only while it is worked out. A look given up (the replica locked,
   * the snapshot no longer ready, the watch stopped) keeps nothing; the next change asks again.
   */
  async function look(): Promise<void> {
    if (stopped.value || compute.status.phase !== 'ready' || !db.value) return;
    const scope = effectScope(true);
    try {
      const answer = scope.run(() => useBudgetPage(request))!;
      const given = () => stopped.value || !db.value || compute.status.phase !== 'ready';
      await new Promise<void>((resolve) => {
        scope.run(() => watch(() => given() || !answer.loading.value || answer.error.value !== null, (done) => done && resolve(), { immediate: true }));
      });
      if (!given() && answer.page.value) page.value = answer.page.value;
    } finally {
      scope.stop();
    }
  }
  const lookSoon = coalesce(look);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(lookSoon, options.quietMs ?? 500);
  };

  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));
  watch([revision, () => compute.session, budgets, today], schedule, { immediate: true });
  // The other inputs of the figures, followed by their change events only (nothing read is kept).
  let subscriptions: Subscription[] = [];
  watch(
    db,
    (open) => {
      for (const s of subscriptions) s.unsubscribe();
      subscriptions = [];
      page.value = null;
      if (!open) return;
      subscriptions = [
        open.recurring_rules.$.subscribe(schedule),
        open.accounts.$.subscribe(schedule),
        open.settings.$.subscribe(schedule),
        open.quotes.$.subscribe((e) => {
          const doc = (e.documentData ?? e.previousDocumentData) as QuoteDoc | undefined;
          if (doc?.kind === 'fx' && doc.period !== 'latest') schedule();
        }),
      ];
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    stopped.value = true;
    clearTimeout(timer);
    for (const s of subscriptions) s.unsubscribe();
  });

  return watchBudgetAlerts({
    db,
    page,
    budgets,
    names,
    today,
    monthStartDay,
    sync: computed(() => ({
      online: sync.online,
      serverReachable: sync.serverReachable,
      signedIn: sync.signedIn,
      inFlight: sync.inFlight,
      received: sync.received,
      lastSyncedAt: sync.lastSyncedAt,
    })),
    notify: (item) => void store.notify(item),
  });
}
