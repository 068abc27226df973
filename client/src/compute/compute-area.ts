import type { InvestInputs } from '@mymidas/shared/invest';
import { SnapshotEngine } from './snapshot/snapshot-engine.ts';

/**
 * One area of the compute worker (snapshot, budgets, reports, forecasts, …): a named set of handlers,
 * made once when the worker starts, over what every area shares. See registry.ts for how to add one.
 */

/** What the worker's areas share: the columnar snapshot, loaded and kept current by the snapshot area. */
export interface ComputeContext {
  readonly snapshot: SnapshotEngine;
  /** Filled by the invest area when it is made: its engine inputs (prices, FX, investment transactions) for other areas (reports). */
  readonly invest: InvestShare;
}

/** The invest area's engine inputs in a base currency; null while its store is closed or its accounts unset. */
export interface InvestShare {
  inputs: ((baseCurrency: string) => InvestInputs | null) | null;
}

/** What an area other than the snapshot's needs of it: the snapshot in memory (SnapshotNotReadyError before it is loaded). */
export type SnapshotReader = Pick<SnapshotEngine, 'current'>;

export interface ComputeArea<Handlers extends object> {
  /** For messages and tests; handler names must still be unique across areas (door.ts). */
  readonly name: string;
  create(context: ComputeContext): Handlers;
}

export function defineComputeArea<Handlers extends object>(name: string, create: (context: ComputeContext) => Handlers): ComputeArea<Handlers> {
  return { name, create };
}

/** The context of a fresh worker: an empty snapshot engine (nothing opened until openSnapshot). */
export function createComputeContext(): ComputeContext {
  return { snapshot: new SnapshotEngine(), invest: { inputs: null } };
}

/** A handler as a lazily loaded area answers it: the same arguments, the answer always a promise. */
export type Answering<Handlers extends object> = {
  readonly [K in keyof Handlers]: Handlers[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** Every handler name of an area, each `true`: the compiler refuses a list that misses or invents one. */
export type HandlerNames<Handlers extends object> = { readonly [K in keyof Handlers]-?: true };

/** A lazily loaded area: its handler names from the start, its code (`load`) on the first call of any of them. */
export interface LazyComputeArea<Handlers extends object> extends ComputeArea<Answering<Handlers>> {
  readonly handlerNames: readonly (keyof Handlers & string)[];
  /** Loads the area's code (once; again after a failure) and gives its factory. */
  load(): Promise<(context: ComputeContext) => Handlers>;
}

/**
 * An area whose code the worker loads with `import()` on the first call of one of its handlers, so a worker
 * that only ever answers the dashboard never holds the code of budgets, investments, reports or forecasts
 * (their engines, schemas and WASM glue). Its handlers are stubs under the given names until then; calls that
 * arrive while the code loads wait for it and run in the order they came. A failed load fails those calls and
 * is tried again by the next one.
 */
export function lazyComputeArea<Handlers extends object>(
  name: string,
  names: HandlerNames<Handlers>,
  load: () => Promise<(context: ComputeContext) => Handlers>,
): LazyComputeArea<Handlers> {
  const handlerNames = Object.keys(names) as (keyof Handlers & string)[];
  let factory: Promise<(context: ComputeContext) => Handlers> | null = null;
  const loadOnce = () => {
    factory ??= load().catch((error: unknown) => {
      factory = null;
      throw error;
    });
    return factory;
  };
  return {
    name,
    handlerNames,
    load: loadOnce,
    create(context) {
      let made: Handlers | null = null;
      let making: Promise<Handlers> | null = null;
      const handlers = () =>
        (making ??= loadOnce()
          .then((create) => (made = create(context)))
          .catch((error: unknown) => {
            making = null;
            throw error;
          }));
      const stubs: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
      for (const handler of handlerNames) {
        stubs[handler] = async (...args: unknown[]) => {
          const own = made ?? (await handlers());
          return (own[handler] as (...a: unknown[]) => unknown)(...args);
        };
      }
      return stubs as Answering<Handlers>;
    },
  };
}
