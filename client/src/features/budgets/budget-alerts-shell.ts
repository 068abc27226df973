import { effectScope, getCurrentInstance, onScopeDispose, watch } from 'vue';
import type { EffectScope } from 'vue';
import { useComputeStore } from '../../app/compute-store.ts';
import { afterFirstScreen, useFirstScreen } from '../../app/first-screen.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';

/**
 * Mounted once by the app shell (App.vue): budget alerts run app-wide, whatever screen is open, from the first
 * unlock of the replica on (they follow later locks and unlocks themselves: the database reference goes null
 * and back). They start once the compute worker's snapshot is first ready, the first screen has shown its
 * figures (app/first-screen.ts) and the browser is idle, so opening the app is not slowed by them, nor its heap
 * grown while it opens; the watcher and the budget inputs load then, outside the shell's first chunk.
 */
export function useBudgetAlertsInShell(): void {
  const app = getCurrentInstance()?.appContext.app;
  if (!app) throw new Error('useBudgetAlertsInShell must be called in a component\'s setup.');
  const db = useReplicaDb();
  const compute = useComputeStore();
  const first = useFirstScreen();
  let scope: EffectScope | null = null;
  let starting = false;
  let disposed = false;
  const stop = watch(
    () => db.value !== null && compute.status.phase === 'ready',
    async (ready) => {
      if (!ready || scope || starting) return;
      starting = true;
      await afterFirstScreen(first);
      const { startBudgetAlertWatch } = await import('./budget-alerts-run.ts');
      if (disposed) return;
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
