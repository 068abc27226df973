import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { Remote } from 'comlink';
import { useComputeStore } from '../../app/compute-store.ts';
import type { ComputeHandlers } from '../../compute/registry.ts';
import { coalesce } from '../../composables/coalesce.ts';
import { useReportInputsStore } from './report-inputs-store.ts';

/**
 * One report's answer from the compute worker (issue 23), kept current: asked again when the request changes
 * (a filter in the address), when the inputs are pushed anew and when the snapshot takes in a change (its
 * revision). The previous answer stays shown while a newer one is on its way. The UI thread never walks the
 * transactions; a chart's time slider zooms the answer it has, without asking the worker again.
 */

export interface ReportAnswer<A> {
  readonly data: ShallowRef<A | null>;
  /** True until the first answer and while a newer one is on its way. */
  readonly loading: Ref<boolean>;
  readonly error: Ref<string | null>;
  /** How long the last answer took, round trip, in ms (shown to the curious in the page's status line). */
  readonly took: Ref<number | null>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A plain copy of a request (it may hold reactive proxies, which cannot be posted to a worker). */
function plain<Q>(request: Q): Q {
  return JSON.parse(JSON.stringify(request)) as Q;
}

export function useReportAnswer<Q extends object, A>(
  request: Ref<Q | null>,
  call: (api: Remote<ComputeHandlers>, request: Q) => Promise<A>,
  /** More reasons to ask again (the investment store's revision for the reports that value holdings). */
  also: () => unknown = () => 0,
): ReportAnswer<A> {
  const compute = useComputeStore();
  const inputs = useReportInputsStore();
  const release = inputs.acquire();
  const data = shallowRef<A | null>(null);
  const running = ref(false);
  const failure = ref<string | null>(null);
  const took = ref<number | null>(null);
  const revision = computed(() => (compute.status.phase === 'ready' ? compute.status.revision : 0));
  let run = 0;

  async function refresh(): Promise<void> {
    const wanted = request.value;
    const session = compute.session;
    if (wanted === null) {
      run += 1;
      data.value = null;
      failure.value = null;
      return;
    }
    if (!session || revision.value === 0 || inputs.pushedTo !== session) return;
    const mine = ++run;
    running.value = true;
    const started = performance.now();
    try {
      const result = await call(session.worker.api, plain(wanted));
      if (mine !== run) return;
      data.value = result;
      failure.value = null;
      took.value = performance.now() - started;
    } catch (e) {
      if (mine === run) failure.value = describe(e);
    } finally {
      if (mine === run) running.value = false;
    }
  }

  const schedule = coalesce(refresh);
  watch(request, schedule, { deep: true });
  watch([revision, () => inputs.pushed, () => compute.session, also], schedule, { immediate: true });
  onScopeDispose(() => {
    run += 1;
    release();
  });

  const error = computed(() => {
    const s = compute.status;
    if (s.phase === 'error') return s.message;
    return failure.value ?? inputs.error;
  });
  const loading = computed(() => request.value !== null && error.value === null && (running.value || data.value === null));
  return { data, loading, error, took };
}
