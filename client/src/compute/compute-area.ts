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
