import type { BrowserContext } from 'playwright-core';

/**
 * The contract every benchmark module fulfils. A suite measures one thing and, in the same run, its
 * baseline: the floor the thing is compared against (bare PRNG + JSON, a raw `pg` INSERT, an empty
 * replica...). The runner takes the median of `runs` samples of each and prints measured ÷ baseline.
 *
 * To add a benchmark: write `bench/suites/<name>.ts` exporting a `BenchSuite` (use `defineSuite`)
 * and list it in `bench/suites/index.ts`. Node suites do their work in this process; browser suites
 * ask the context for a page (`ctx.browser()`), which shares one headless Chromium across suites.
 */

export type Environment = 'node' | 'browser';

/** A target on the ratio measured ÷ baseline, or on the measured median itself. */
export type Target =
  | { readonly on: 'ratio'; readonly max: number }
  | { readonly on: 'ratio'; readonly min: number }
  | { readonly on: 'value'; readonly max: number }
  | { readonly on: 'value'; readonly min: number };

export interface BenchContext {
  /** `--quick`: small sizes and fewer runs, for a smoke check. */
  readonly quick: boolean;
  /** The size this run uses (full or quick). */
  readonly size: number;
  readonly log: (line: string) => void;
  /** A fresh browser context on the shared headless Chromium (closed by the runner after the suite). */
  browser(): Promise<BrowserContext>;
}

export interface BenchSuite<State = unknown> {
  /** Unique, kebab-case; `--only <name>` selects by it. */
  readonly name: string;
  readonly description: string;
  readonly environment: Environment;
  /** What `size` counts, e.g. "transactions". */
  readonly sizeUnit: string;
  readonly size: { readonly full: number; readonly quick: number };
  readonly runs: { readonly full: number; readonly quick: number };
  /** Unit of one sample, e.g. "ms", "docs/s", "MB". */
  readonly unit: string;
  /** Whether a bigger sample is better (throughput) or worse (time, memory). */
  readonly better: 'higher' | 'lower';
  readonly baselineName: string;
  readonly target?: Target;
  /** Once before the samples (build a page, seed a database); its result is handed to every call. */
  setup?(ctx: BenchContext): Promise<State> | State;
  /** One measured sample. */
  run(ctx: BenchContext, state: State): Promise<number> | number;
  /** One baseline sample, same size, same run. */
  baseline(ctx: BenchContext, state: State): Promise<number> | number;
  /** Before every sample, baseline and measured alike (untimed): wait out what the previous one left running. */
  settle?(ctx: BenchContext, state: State): Promise<void> | void;
  teardown?(ctx: BenchContext, state: State): Promise<void> | void;
}

export function defineSuite<State>(suite: BenchSuite<State>): BenchSuite<State> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(suite.name)) throw new Error(`bench suite name must be kebab-case: "${suite.name}"`);
  if (suite.runs.full < 1 || suite.runs.quick < 1) throw new Error(`${suite.name}: runs must be at least 1`);
  return suite;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function meetsTarget(target: Target | undefined, value: number, ratio: number): boolean | null {
  if (!target) return null;
  const x = target.on === 'ratio' ? ratio : value;
  return 'max' in target ? x <= target.max : x >= target.min;
}

export function describeTarget(target: Target | undefined, unit: string): string {
  if (!target) return '—';
  const what = target.on === 'ratio' ? 'ratio' : unit;
  return 'max' in target ? `${what} ≤ ${target.max}` : `${what} ≥ ${target.min}`;
}
