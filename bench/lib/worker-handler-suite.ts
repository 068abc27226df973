import type { BenchContext } from './suite.ts';

/**
 * What the suites that measure a compute-worker area in Node through its own handlers share (budgets, invest):
 * their settings, and one prepared workload for every suite of a run at one size.
 */

/** Settings of a suite timing one handler call (ms) against a bare typed-array pass over the same rows. */
export const WORKER_HANDLER_SUITE = {
  environment: 'node',
  // The household's size is set by its transactions.
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: { full: 21, quick: 5 },
  unit: 'ms',
  better: 'lower',
  baselineName: 'bare typed-array pass over the same rows',
} as const;

/**
 * A workload loaded at run time from `url` (a client file: the bench's project cannot list client files) and
 * prepared once per size; `get` shares it between the suites of a run, `reset` lets it go (the last suite's
 * teardown).
 */
export function sharedWorkload<W, B extends { readonly summary: string }>(label: string, url: string, prepare: (work: W, size: number) => B | Promise<B>) {
  let prepared: { size: number; bench: Promise<B> } | null = null;
  return {
    get(ctx: BenchContext): Promise<B> {
      if (prepared?.size !== ctx.size) {
        const size = ctx.size;
        prepared = {
          size,
          bench: (import(url) as Promise<W>).then(async (work) => {
            const b = await prepare(work, size);
            ctx.log(`${label}: ${b.summary}`);
            return b;
          }),
        };
      }
      return prepared.bench;
    },
    reset(): void {
      prepared = null;
    },
  };
}
