import { computed, onScopeDispose, ref, watch } from 'vue';
import type { Ref } from 'vue';
import { alertCandidates } from '@mymidas/shared/budget';
import type { BudgetPage } from '@mymidas/shared/budget';
import type { Budget } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { alertCheckReadyAt, alertItem } from './budget-alerts.ts';
import type { BudgetAlertItem, SyncGateFacts } from './budget-alerts.ts';
import { recordBudgetAlert } from './budget-alerts-record.ts';

/**
 * The background half of budget alerts: whenever the current periods' figures change, find the alerts that are
 * due and not yet recorded (`alertCandidates` of @mymidas/shared/budget), record each on its budget, and notify
 * only for the ones this device recorded. Runs for every period kind at once (the page request has no kind),
 * whatever screen is open; the app shell mounts it once.
 */

export interface AlertWatchDeps {
  readonly db: Readonly<Ref<ReplicaDatabase | null>>;
  /** The budget page for today, every period kind (BudgetPageRequest without `kind`). */
  readonly page: Readonly<Ref<BudgetPage | null>>;
  /** The stored budgets as they are now (live query). */
  readonly budgets: Readonly<Ref<readonly Budget[]>>;
  readonly names: Readonly<Ref<ReadonlyMap<string, string>>>;
  readonly today: Readonly<Ref<string>>;
  readonly monthStartDay: Readonly<Ref<number>>;
  /** The sync indicator's facts (stores/sync-status.ts). */
  readonly sync: Readonly<Ref<SyncGateFacts>>;
  /** Called for each alert this device recorded (the store's notify). */
  readonly notify: (item: BudgetAlertItem) => void;
  readonly now?: () => number;
  /** Default 3 s: how long sync must have been quiet before looking (see alertCheckReadyAt). */
  readonly quietMs?: number;
  /** Default 30 s. */
  readonly graceMs?: number;
}

export function watchBudgetAlerts(deps: AlertWatchDeps) {
  const now = deps.now ?? Date.now;
  const quietMs = deps.quietMs ?? 3_000;
  const graceMs = deps.graceMs ?? 30_000;
  const recorded = ref(0);
  const error = ref<string | null>(null);
  const ready = ref(false);

  const canSync = computed(() => deps.sync.value.online && deps.sync.value.serverReachable && deps.sync.value.signedIn);
  const connectedSince = ref<number | null>(null);
  watch(canSync, (can) => (connectedSince.value = can ? now() : null), { immediate: true });

  let gateTimer: ReturnType<typeof setTimeout> | undefined;
  function openGate() {
    clearTimeout(gateTimer);
    const at = alertCheckReadyAt(deps.sync.value, { connectedSince: connectedSince.value, quietMs, graceMs });
    const wait = at === null ? null : at - now();
    ready.value = wait !== null && wait <= 0;
    if (wait !== null && wait > 0) gateTimer = setTimeout(openGate, wait);
  }
  watch([deps.sync, connectedSince], openGate, { immediate: true });

  let running: Promise<void> | null = null;
  let again = false;
  async function checkOnce(): Promise<void> {
    const db = deps.db.value;
    const page = deps.page.value;
    if (!db || !page || !ready.value || page.date !== deps.today.value) return;
    const rows = new Map(page.rows.map((r) => [r.budgetId, r]));
    for (const candidate of alertCandidates(page.rows, deps.budgets.value, page.date)) {
      const saved = await recordBudgetAlert(db, candidate, { monthStartDay: deps.monthStartDay.value, at: new Date(now()).toISOString() });
      const row = rows.get(candidate.budgetId);
      if (!saved || !row) continue;
      recorded.value += 1;
      deps.notify(alertItem(saved.budget, saved.entry, row.period, deps.names.value.get(saved.budget.categoryId) ?? 'A budget'));
    }
  }

  /** Looks now (one look at a time; a change during a look makes it look once more). */
  async function check(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await checkOnce();
          error.value = null;
        } catch (e) {
          error.value = e instanceof Error ? e.message : String(e);
        }
      } while (again);
    })().finally(() => (running = null));
    return running;
  }

  watch([deps.page, deps.budgets, ready, deps.db], () => void check(), { immediate: true });
  onScopeDispose(() => clearTimeout(gateTimer));

  return { ready, recorded, error, check };
}
