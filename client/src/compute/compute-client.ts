import { releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { ComputeHandlers } from './registry.ts';

/** The UI side of the compute worker's door: a Comlink proxy typed by every area's handlers (registry.ts). */
export interface ComputeWorker {
  readonly api: Remote<ComputeHandlers>;
  terminate(): void;
}

export function startComputeWorker(): ComputeWorker {
  const worker = new Worker(new URL('../workers/compute.worker.ts', import.meta.url), { type: 'module', name: 'mymidas-compute' });
  const api = wrap<ComputeHandlers>(worker);
  return {
    api,
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
