import type { Conversion } from '../ledger/balances.ts';
import { minor } from '../money/money.ts';
import type { InvestmentWorth } from './worth.ts';

/**
 * An account's value in the base currency with what its investments add (`investmentWorth`): unchanged without
 * investments, unconverted when they could not be valued for want of a rate (so the account is left out of net
 * worth and named, like an account whose own currency has no rate). Apart from worth.ts so that the dashboard can
 * add a valuation to its rows without loading the engine.
 */
export function withInvestments(inBase: Conversion, accountId: string, worth: InvestmentWorth | null): Conversion {
  if (worth === null || inBase.status === 'unconverted') return inBase;
  if (worth.unconverted.some((u) => u.accountId === accountId)) return { status: 'unconverted' };
  const w = worth.byAccount.get(accountId);
  return w ? { ...inBase, amount: minor(inBase.amount + w.cash + w.holdings) } : inBase;
}
