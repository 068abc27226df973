import { releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { ImportHandlers } from './import-worker-handlers.ts';

/** The page side of the import worker's door: a typed Comlink proxy. terminate() drops the statement. */
export interface ImportWorker {
  readonly api: Remote<ImportHandlers>;
  terminate(): void;
}

export function startImportWorker(): ImportWorker {
  const worker = new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module', name: 'mymidas-import' });
  const api = wrap<ImportHandlers>(worker);
  return {
    api,
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
