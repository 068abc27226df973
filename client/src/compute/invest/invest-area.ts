import { lazyComputeArea } from '../compute-area.ts';
import type { InvestHandlers } from './invest-handlers.ts';

/**
 * The invest area of the compute worker (registry.ts); its code loads on the first invest call (the investment
 * feed's investOpen). Until then the shared InvestShare stays empty, as it is while the store is closed.
 */
export const investArea = lazyComputeArea<InvestHandlers>(
  'invest',
  {
    investOpen: true, investState: true, investSync: true, investFlush: true, investDropQuotes: true, investClose: true,
    investSetAccounts: true, investPortfolio: true, investHoldings: true, investReturns: true, investCapitalGains: true,
    investPriceSeries: true, investAssetTransactions: true,
  },
  async () => {
    const { createInvestHandlers } = await import('./invest-handlers.ts');
    return (context) => createInvestHandlers({ share: context.invest });
  },
);
