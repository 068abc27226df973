import { dayNumber } from '../date/date.ts';
import { currencyExponent } from '../money/money.ts';
import { applyTx, emptyPosition } from './position.ts';
import type { PositionState } from './position.ts';
import { checkDate, lastOnOrBefore, prepare, toBase } from './prepare.ts';
import type { Prepared, PreparedHolding } from './prepare.ts';
import { parseScaled, perUnitText, toText, valueMinor } from './scaled.ts';
import type { Holding, HoldingsResult, InvestDataProblem, InvestInputs } from './types.ts';

/**
 * Holdings at a date (issue 21, bullet 1): per account and asset, the units held, the average cost and cost basis
 * in the base currency (each trade at its own date's rate), the market value from the latest close on or before
 * the date (at that date's rate), and realised gain, income and fees to date. The average-cost method is used here;
 * UK share matching for tax lives in gains.ts. Rules and signs: position.ts.
 *
 * Market value = convertMinor(valueOf(units, close, price currency), price currency, base, rate on the date):
 * half-even to the price currency's minor units, then half-even again into the base — per holding, then summed.
 * The daily value series (returns.ts) uses the same rule, so its last day equals the sum of these.
 */

/** Average cost is shown with this many decimals (half-even). */
export const AVERAGE_COST_PLACES = 10;

export function holdingsAt(inputs: InvestInputs, date: string): HoldingsResult {
  checkDate(date, 'the valuation date');
  const p = prepare(inputs);
  const day = dayNumber(date);
  const problems: InvestDataProblem[] = [];
  const holdings: Holding[] = [];
  for (const h of p.holdings) {
    const s = emptyPosition();
    let any = false;
    for (const tx of h.txs) {
      if (tx.day > day) break;
      applyTx(p, s, tx, problems);
      any = true;
    }
    if (any) holdings.push(valueHolding(p, h, s, date, problems));
  }
  return { date, holdings, problems: [...dedupe(p.problems), ...problems] };
}

/** One holding's figures at `date` from its walked state. */
export function valueHolding(p: Prepared, h: PreparedHolding, s: PositionState, date: string, problems: InvestDataProblem[]): Holding {
  const base = {
    accountId: h.account.id, assetId: h.asset.id, quantity: toText(s.quantity),
    averageCost: perUnitText(s.cost, p.baseExponent, s.quantity, AVERAGE_COST_PLACES),
    costBasis: s.cost, realisedGain: s.realised, income: s.income, fees: s.fees,
  };
  const series = p.prices.get(h.asset.id);
  const i = series ? lastOnOrBefore(series.dates, date) : -1;
  if (!series || i < 0) {
    if (s.quantity.digits === 0n) {
      return { ...base, marketValue: 0, price: null, priceDate: null, stale: false, unrealisedGain: -s.cost };
    }
    problems.push({ transactionId: null, kind: 'no-price', message: `no price for ${h.asset.symbol} on or before ${date}: its value is unknown` });
    return { ...base, marketValue: null, price: null, priceDate: null, stale: false, unrealisedGain: null };
  }
  const close = series.closes[i]!;
  const priceDate = series.dates[i]!;
  let price;
  try {
    price = parseScaled(close);
  } catch {
    throw new RangeError(`price series ${h.asset.id}: close on ${priceDate} must be a decimal number as text, got ${JSON.stringify(close)}`);
  }
  const local = valueMinor(s.quantity, price, currencyExponent(series.currency));
  const marketValue = toBase(p, local, series.currency, date, null);
  const stale = dayNumber(date) - dayNumber(priceDate) > p.staleAfterDays;
  return { ...base, marketValue, price: close, priceDate, stale, unrealisedGain: marketValue - s.cost };
}

/** The same missing rate is reported once per message. */
export function dedupe(problems: readonly InvestDataProblem[]): InvestDataProblem[] {
  const seen = new Set<string>();
  return problems.filter((x) => {
    const k = `${x.kind}|${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
