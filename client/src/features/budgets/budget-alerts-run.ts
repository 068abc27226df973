import { computed } from 'vue';
import { storeToRefs } from 'pinia';
import type { BudgetPageRequest } from '@mymidas/shared/budget';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { useSyncStatusStore } from '../../stores/sync-status.ts';
import { useBudgetPage } from './budget-data.ts';
import { useBudgetAlertsStore } from './budget-alerts-store.ts';
import { watchBudgetAlerts } from './budget-alerts-watch.ts';

/**
 * Budget alerts in the background, wired to the app: the budget page of today for every period kind (answered
 * by the compute worker), the budgets the alerts store reads, and the sync indicator's facts. Loaded by
 * budget-alerts-shell.ts once the replica is first unlocked; call inside the app's injection context.
 */
export function startBudgetAlertWatch() {
  const store = useBudgetAlertsStore();
  const { budgets, names, today, monthStartDay } = storeToRefs(store);
  const sync = useSyncStatusStore();
  const request = computed<BudgetPageRequest>(() => ({ date: today.value }));
  const { page } = useBudgetPage(request);
  return watchBudgetAlerts({
    db: useReplicaDb(),
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
