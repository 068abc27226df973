import { combineHandlers } from './door.ts';
import { SnapshotEngine } from './snapshot-engine.ts';
import { createSnapshotHandlers } from './snapshot-handlers.ts';
import type { SnapshotHandlers } from './snapshot-handlers.ts';

/** Every feature's handlers in the compute worker. Budgets, reports and forecasts join here (`& BudgetHandlers`, …). */
export type ComputeHandlers = SnapshotHandlers;

export function createComputeHandlers(): ComputeHandlers {
  return combineHandlers(createSnapshotHandlers(new SnapshotEngine()));
}
