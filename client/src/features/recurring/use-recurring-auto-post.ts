import { onScopeDispose, ref, watch } from 'vue';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { todayLocal } from '../transfers/today.ts';
import type { PostingSummary } from './recurring-data.ts';

/**
 * Posts due occurrences of auto-post recurring rules whenever the replica is unlocked, and again when
 * the app comes back to the foreground on a later day. Mounted once by the app shell.
 */
export function useRecurringAutoPost() {
  const db = useReplicaDb();
  const last = ref<PostingSummary | null>(null);
  const error = ref<string | null>(null);
  let lastDay: string | null = null;

  async function run() {
    const database = db.value;
    if (!database) return;
    const today = todayLocal();
    lastDay = today;
    try {
      // Loaded on first use so the rrule engine stays out of the app shell's bundle.
      const { postDueRecurring } = await import('./recurring-data.ts');
      last.value = await postDueRecurring(database, today);
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  watch(db, (database) => {
    if (database) void run();
  }, { immediate: true });

  const onVisible = () => {
    if (document.visibilityState === 'visible' && lastDay !== todayLocal()) void run();
  };
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', onVisible);
    onScopeDispose(() => document.removeEventListener('visibilitychange', onVisible));
  }
  return { last, error, run };
}
