import { combineHandlers } from '../workers/door.ts';
import type { UnionToIntersection } from '../workers/door.ts';
import { createComputeContext } from './compute-area.ts';
import type { ComputeArea, ComputeContext } from './compute-area.ts';
import { budgetsArea } from './budgets/budgets-area.ts';
import { forecastsArea } from './forecasts/forecasts-area.ts';
import { investArea } from './invest/invest-area.ts';
import { reportsArea } from './reports/reports-area.ts';
import { snapshotArea } from './snapshot/snapshot-handlers.ts';

/**
 * # The compute worker's areas
 *
 * `client/src/compute/` is the home of everything the compute worker works out off the UI thread. The
 * worker entry (`workers/compute.worker.ts`) exposes `createComputeHandlers()` and never changes; the UI
 * reaches the handlers through `ComputeSession.worker.api` (compute-session.ts, compute-client.ts), a
 * Comlink proxy typed by `ComputeHandlers`, so a new handler is callable from a screen as soon as its
 * area is listed here.
 *
 * An area is a set of handlers over the columnar snapshot the worker holds in memory. The `snapshot`
 * area owns it: it loads, rebuilds and keeps it current, and answers the dashboard. Every other area
 * reads it through `context.snapshot.current()` (a `Snapshot` of `@mymidas/shared/snapshot/snapshot`;
 * the sums themselves belong in `@mymidas/shared/snapshot/aggregates`, pure and tested in Node).
 *
 * ## Loading
 *
 * The snapshot area is part of the worker's first script: every open needs it for the dashboard. Every other
 * area is listed by `lazyComputeArea` (compute-area.ts) in its own `<area>-area.ts`: the worker answers its
 * handler names from the start, but its code — engines, schemas, WASM glue — is a separate chunk that the
 * worker imports on the first call of one of them (a screen of that area). So opening the app costs neither
 * the download nor the heap of areas the dashboard does not use. An area's `*-area.ts` must therefore only
 * `import type` from its handlers module; a static import would bring the code back into the first script.
 *
 * ## Adding an area (budgets, reports, forecasts, …)
 *
 * 1. Create `compute/<area>/<area>-handlers.ts` exporting the area's handler interface and a factory
 *    over what it reads — `createBudgetHandlers(snapshot: SnapshotReader): BudgetHandlers` (compute-area.ts).
 *    Name handlers after the area (`budgetProgress`, `reportCashflow`): a name that another area
 *    already uses throws when the worker starts (`workers/door.ts`), and `registry.test.ts` catches it
 *    in Node first. Validate each request with zod at the start of the handler (it crosses a boundary)
 *    and return plain, structured-clonable data.
 * 2. Create `compute/<area>/<area>-area.ts`: `lazyComputeArea<BudgetHandlers>('budgets', { budgetPage: true, … },
 *    async () => { const { createBudgetHandlers } = await import('./budget-handlers.ts'); return (context) =>
 *    createBudgetHandlers(context.snapshot); })` — the compiler refuses a name list that misses a handler.
 * 3. Add the area to `COMPUTE_AREAS` below — the only line outside the area's own folder.
 * 4. Test the handlers beside them (`<area>-handlers.test.ts`, in Node): hand the factory
 *    `{ current: () => buildSnapshot(docs, null) }` (`@mymidas/shared/snapshot/snapshot`).
 *
 * Neither the worker entry nor any feature changes to add an area; the screen that shows it calls
 * `session.worker.api.<handler>(…)` from its own feature folder.
 */

/** Every area of the compute worker, in registration order. */
export const COMPUTE_AREAS = [snapshotArea, budgetsArea, investArea, reportsArea, forecastsArea] as const;

type HandlersOf<A> = A extends ComputeArea<infer H> ? H : never;

/** The handlers of every area: the type of the worker's Comlink proxy. */
export type ComputeHandlers = UnionToIntersection<HandlersOf<(typeof COMPUTE_AREAS)[number]>>;

/**
 * One object with the handlers of every area, made over one shared context. Throws
 * DuplicateHandlerError when two areas use a handler name. Tests pass their own areas.
 */
export function createComputeHandlers(
  context: ComputeContext = createComputeContext(),
  areas: readonly ComputeArea<object>[] = COMPUTE_AREAS,
): ComputeHandlers {
  return combineHandlers(...areas.map((area) => area.create(context))) as ComputeHandlers;
}
