import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { Remote } from 'comlink';
import type { BudgetHistory, BudgetHistoryRequest, BudgetPage, BudgetPageRequest } from '@mymidas/shared/budget';
import { useComputeStore } from '../../app/compute-store.ts';
import type { ComputeHandlers } from '../../compute/registry.ts';
import { useBudgetInputsStore } from './budget-inputs-store.ts';
import type { AskedRange } from './budget-inputs.ts';
import { coalesce } from '../../composables/coalesce.ts';

/**
 * The budget screens' data (issue 20): the budget page and the history of budgets, answered by the compute
 * worker from its snapshot (compute/budgets/budget-handlers.ts) with the inputs the budget-inputs store
 * keeps pushed there. Each composable asks again when its request changes, when the inputs are pushed
 * anew (a budget edited, a rate arrived, midnight) and when the snapshot takes in a change (its revision).
 * The UI thread never walks the transactions.
 */

export interface UseBudgetPageReturn {
  readonly page: ShallowRef<BudgetPage | null>;
  /** True until the first answer and while a newer one is on its way (the previous answer stays shown). */
  readonly loading: Ref<boolean>;
  readonly error: Ref<string | null>;
}

export interface UseBudgetHistoryReturn {
  readonly history: ShallowRef<BudgetHistory | null>;
  readonly loading: Ref<boolean>;
  readonly error: Ref<string | null>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A plain copy of a request (it may be a reactive proxy, which cannot be posted to a worker). */
function plain<Q>(request: Q): Q {
  return JSON.parse(JSON.stringify(request)) as Q;
}

/** One request → one worker answer, kept current. `asked` tells the inputs which dates the screen needs. */
function useWorkerAnswer<Q extends object, A>(
  request: Ref<Q | null>,
  call: (api: Remote<ComputeHandlers>, request: Q) => Promise<A>,
  asked: (request: Q) => AskedRange,
) {
  const compute = useComputeStore();
  const inputs = useBudgetInputsStore();
  const release = inputs.acquire();
  const key = Symbol('budget-data');
  const answer = shallowRef<A | null>(null);
  const running = ref(false);
  const failure = ref<string | null>(null);
  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));
  let run = 0;

  async function refresh(): Promise<void> {
    const wanted = request.value;
    const session = compute.session;
    if (wanted === null) {
      run += 1;
      answer.value = null;
      failure.value = null;
      return;
    }
    // Without a ready snapshot or with inputs pushed to another (older) worker there is nothing to ask yet.
    if (!session || revision.value === 0 || inputs.pushedTo !== session) return;
    const mine = ++run;
    running.value = true;
    try {
      const result = await call(session.worker.api, plain(wanted));
      if (mine !== run) return;
      answer.value = result;
      failure.value = null;
    } catch (e) {
      if (mine === run) failure.value = describe(e);
    } finally {
      if (mine === run) running.value = false;
    }
  }

  // A burst of changes (a sync pull) leads to one request in flight and at most one after it.
  const schedule = coalesce(refresh);

  watch(request, (q) => inputs.ask(key, q === null ? null : asked(q)), { immediate: true, deep: true });
  // The request is watched deeply; the session only by identity (a deep watch would walk the worker proxy and read
  // `session.invest`, which starts the investment feed).
  watch(request, schedule, { deep: true });
  watch([revision, () => inputs.pushed, () => compute.session], schedule, { immediate: true });
  onScopeDispose(() => {
    run += 1;
    inputs.ask(key, null);
    release();
  });

  const error = computed(() => {
    const s = compute.status;
    if (s.phase === 'error') return s.message;
    return failure.value ?? inputs.error;
  });
  const loading = computed(() => {
    if (request.value === null || error.value !== null) return false;
    return running.value || answer.value === null;
  });
  return { answer, loading, error };
}

/** The budget page for the periods containing `request.date` (one period kind, or all). */
export function useBudgetPage(request: Ref<BudgetPageRequest>): UseBudgetPageReturn {
  const { answer, loading, error } = useWorkerAnswer<BudgetPageRequest, BudgetPage>(
    request,
    (api, q) => api.budgetPage(q),
    (q) => ({ date: q.date, periods: 1 }),
  );
  return { page: answer, loading, error };
}

/** Past periods of budgets (all, or `budgetIds`), up to the one containing `request.date`; null asks nothing. */
export function useBudgetHistory(request: Ref<BudgetHistoryRequest | null>): UseBudgetHistoryReturn {
  const { answer, loading, error } = useWorkerAnswer<BudgetHistoryRequest, BudgetHistory>(
    request,
    (api, q) => api.budgetHistory(q),
    (q) => ({ date: q.date, periods: q.periods }),
  );
  return { history: answer, loading, error };
}
