import { onScopeDispose, ref, watch } from 'vue';
import { afterFirstScreen, useFirstScreen } from '../../app/first-screen.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { todayLocal } from '@mymidas/shared/date';
import type { PostingSummary } from './recurring-data.ts';

/**
 * Posts due occurrences of auto-post recurring rules whenever the replica is unlocked, when rules
 * change (e.g. pulled by sync onto a new device; a run that posts nothing writes nothing, so this
 * settles), and when the app comes back to the foreground on a later day. Mounted once by the shell.
 * After an unlock the first run waits for the first screen to show its figures and the browser to be idle
 * (app/first-screen.ts): posting is not what the user opened the app to see, and it should not share its open.
 */
export function useRecurringAutoPost(options: { readonly debounceMs?: number } = {}) {
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

  let timer: ReturnType<typeof setTimeout> | undefined;
  let sub: { unsubscribe(): void } | null = null;
  const first = useFirstScreen();
  let unlocks = 0;
  watch(db, async (database) => {
    sub?.unsubscribe();
    sub = null;
    clearTimeout(timer);
    const mine = ++unlocks;
    if (!database) return;
    await afterFirstScreen(first);
    if (mine !== unlocks) return;
    void run();
    sub = database.recurring_rules.$.subscribe(() => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(), options.debounceMs ?? 2000);
    });
  }, { immediate: true });
  onScopeDispose(() => {
    unlocks += 1;
    sub?.unsubscribe();
    clearTimeout(timer);
  });

  const onVisible = () => {
    if (document.visibilityState === 'visible' && lastDay !== todayLocal()) void run();
  };
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', onVisible);
    onScopeDispose(() => document.removeEventListener('visibilitychange', onVisible));
  }
  return { last, error, run };
}
