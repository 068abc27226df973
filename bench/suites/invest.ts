import { defineSuite } from '../lib/suite.ts';
import type { BenchContext } from '../lib/suite.ts';

/**
 * Investments (issue 21, bullet 6): the compute worker's invest area answering for the demo household (ten years
 * of daily prices and FX — ~116,000 quotes — its investment transactions, assets and accounts), the store fed
 * through `investSync` in pages as the session's feed does (kept in memory here, not IndexedDB). Measured in Node
 * through the worker's own handlers (createInvestHandlers; each request validated as in the worker), i.e. the
 * worker's code path without the Comlink hop; the structured clone of the answers is logged apart.
 * - `invest`: the whole portfolio — holdings, the daily value series and TWRR/MWRR over the ten years, per
 *   account — one `investPortfolio` call (portfolioReport). Target ≤ 200 ms.
 * - `invest-gains`: the UK capital gains of every disposal, one `investCapitalGains` call. Target ≤ 50 ms.
 * Baselines, same run: a bare typed-array pass over the same rows — for the portfolio, every price row of each
 * holding's asset in the range, one multiply-add; for the gains, the investment transaction rows with a running
 * pool per asset.
 *
 * The workload lives beside the handlers (client/src/compute/invest/invest-bench-work.ts) and is loaded at run
 * time: this project (tsconfig.tools.json) cannot list client files, the client's own project checks it.
 */

export const PORTFOLIO_TARGET_MS = 200;
export const GAINS_TARGET_MS = 50;

/** What invest-bench-work.ts exports (restated: see above). */
interface InvestBench {
  readonly summary: string;
  portfolio(): number;
  gains(): number;
  barePortfolio(): number;
  bareGains(): number;
}
interface InvestBenchWork {
  prepareInvestBench(size: number): Promise<InvestBench>;
}

const WORK = new URL('../../client/src/compute/invest/invest-bench-work.ts', import.meta.url).href;

let prepared: { size: number; bench: Promise<InvestBench> } | null = null;

/** One household and store for both suites of a run. */
function bench(ctx: BenchContext): Promise<InvestBench> {
  if (prepared?.size !== ctx.size) {
    const size = ctx.size;
    prepared = {
      size,
      bench: (import(WORK) as Promise<InvestBenchWork>).then(async (work) => {
        const b = await work.prepareInvestBench(size);
        ctx.log(`invest: ${b.summary}`);
        return b;
      }),
    };
  }
  return prepared.bench;
}

const common = {
  environment: 'node',
  // The household's size is set by its transactions; its quotes (ten years daily) are the same at either size.
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: { full: 21, quick: 5 },
  unit: 'ms',
  better: 'lower',
  baselineName: 'bare typed-array pass over the same rows',
} as const;

export const investPortfolio = defineSuite<InvestBench>({
  ...common,
  name: 'invest',
  description: 'whole portfolio over ten years daily (holdings, value series, TWRR/MWRR) through the compute worker\'s invest handlers (issue 21)',
  target: { on: 'value', max: PORTFOLIO_TARGET_MS },
  setup: (ctx) => bench(ctx),
  run: (_ctx, b) => b.portfolio(),
  baseline: (_ctx, b) => b.barePortfolio(),
});

export const investGains = defineSuite<InvestBench>({
  ...common,
  name: 'invest-gains',
  description: 'UK capital gains of every disposal through the compute worker\'s invest handlers (issue 21)',
  target: { on: 'value', max: GAINS_TARGET_MS },
  setup: (ctx) => bench(ctx),
  run: (_ctx, b) => b.gains(),
  baseline: (_ctx, b) => b.bareGains(),
  teardown() {
    prepared = null;
  },
});
