import { defineSuite } from '../lib/suite.ts';
import { sharedWorkload, WORKER_HANDLER_SUITE } from '../lib/worker-handler-suite.ts';

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

/** One household, made ready once, for both suites of a run. */
const workload = sharedWorkload<InvestBenchWork, InvestBench>('invest', WORK, (work, size) => work.prepareInvestBench(size));

export const investPortfolio = defineSuite<InvestBench>({
  ...WORKER_HANDLER_SUITE,
  name: 'invest',
  description: 'whole portfolio over ten years daily (holdings, value series, TWRR/MWRR) through the compute worker\'s invest handlers (issue 21)',
  target: { on: 'value', max: PORTFOLIO_TARGET_MS },
  setup: (ctx) => workload.get(ctx),
  run: (_ctx, b) => b.portfolio(),
  baseline: (_ctx, b) => b.barePortfolio(),
});

export const investGains = defineSuite<InvestBench>({
  ...WORKER_HANDLER_SUITE,
  name: 'invest-gains',
  description: 'UK capital gains of every disposal through the compute worker\'s invest handlers (issue 21)',
  target: { on: 'value', max: GAINS_TARGET_MS },
  setup: (ctx) => workload.get(ctx),
  run: (_ctx, b) => b.gains(),
  baseline: (_ctx, b) => b.bareGains(),
  teardown: () => workload.reset(),
});
