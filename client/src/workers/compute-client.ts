import { releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { ComputeHandlers } from './compute-handlers.ts';

/** The UI side of the door: a typed Comlink proxy over the compute worker. */
export interface ComputeWorker {
  readonly api: Remote<ComputeHandlers>;
  terminate(): void;
}

export function startComputeWorker(): ComputeWorker {
  const worker = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module', name: 'mymidas-compute' });
  const api = wrap<ComputeHandlers>(worker);
  return {
    api,
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
