import { combineHandlers } from '../workers/door.ts';
import type { UnionToIntersection } from '../workers/door.ts';
import { createComputeContext } from './compute-area.ts';
import type { ComputeArea, ComputeContext } from './compute-area.ts';
import { budgetsArea } from './budgets/budget-handlers.ts';
import { forecastsArea } from './forecasts/forecast-handlers.ts';
import { investArea } from './invest/invest-handlers.ts';
import { reportsArea } from './reports/reports-handlers.ts';
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
 * ## Adding an area (budgets, reports, forecasts, …)
 *
 * 1. Create `compute/<area>/<area>-handlers.ts` exporting the area's handler interface, a factory
 *    over what it reads — `createBudgetHandlers(snapshot: SnapshotReader): BudgetHandlers` (compute-area.ts) — and
 *    `export const budgetsArea = defineComputeArea('budgets', (context) => createBudgetHandlers(context.snapshot))`.
 *    Name handlers after the area (`budgetProgress`, `reportCashflow`): a name that another area
 *    already uses throws when the worker starts (`workers/door.ts`), and `registry.test.ts` catches it
 *    in Node first. Validate each request with zod at the start of the handler (it crosses a boundary)
 *    and return plain, structured-clonable data.
 * 2. Add the area to `COMPUTE_AREAS` below — the only line outside the area's own folder.
 * 3. Test the handlers beside them (`<area>-handlers.test.ts`, in Node): hand the factory
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
