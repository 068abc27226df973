import { effectScope, getCurrentInstance, onScopeDispose, watch } from 'vue';
import type { EffectScope } from 'vue';
import { useReplicaDb } from '../../composables/use-replica-db.ts';

/**
 * Mounted once by the app shell (App.vue): budget alerts run app-wide, whatever screen is open, from the first
 * unlock of the replica on (they follow later locks and unlocks themselves: the database reference goes null
 * and back). The watcher and the budget engine's inputs load then, so they stay out of the shell's first chunk.
 */
export function useBudgetAlertsInShell(): void {
  const app = getCurrentInstance()?.appContext.app;
  if (!app) throw new Error('useBudgetAlertsInShell must be called in a component\'s setup.');
  const db = useReplicaDb();
  let scope: EffectScope | null = null;
  let disposed = false;
  const stop = watch(
    db,
    async (open) => {
      if (!open || scope) return;
      const { startBudgetAlertWatch } = await import('./budget-alerts-run.ts');
      if (scope || disposed) return;
      scope = effectScope(true);
      const mine = scope;
      app.runWithContext(() => mine.run(() => startBudgetAlertWatch()));
      stop();
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    disposed = true;
    stop();
    scope?.stop();
  });
}
