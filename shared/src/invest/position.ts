import { add, apportion, compare, mul, sign, sub, toText, valueMinor, ZERO } from './scaled.ts';
import type { Scaled } from './scaled.ts';
import { currencyExponent } from '../money/money.ts';
import { toBase } from './prepare.ts';
import type { Prepared, PreparedTx } from './prepare.ts';
import type { InvestDataProblem } from './types.ts';

/**
 * One holding (an asset in an account) walked through its transactions under the average-cost method, in the base
 * currency at each trade date's rate. Sign conventions (base currency minor units):
 *
 * - `cash` of a transaction is its `amount` converted at the trade date's rate: what the account's cash moved.
 * - buy:      fee = conv(fee); cost += −cash − fee (the consideration, fee excluded); fees += fee.
 * - sell:     fee = conv(fee); proceeds = cash + fee; realised += proceeds − the cost of the units sold; fees += fee.
 * - dividend: fee = conv(fee); income += cash + fee (gross); fees += fee.
 * - fee, split, transfer_in, transfer_out: their cash effect is a fee: fees += −cash (the `fee` field restates it).
 * - transfer_in adds units at cost conv(quantity × unitPrice); transfer_out removes units at average cost, no gain.
 * - split multiplies the units by splitRatio; the cost stays.
 * Converting `amount` and `fee` once each and deriving the gross from them keeps, to the penny:
 *   realised + unrealised + income − fees = market value + Σ cash − Σ transfer-in cost + Σ transfer-out cost.
 * The cost of units leaving is the cost basis × units leaving ÷ units held, half-even; all of it when all leave.
 * A sale or transfer out of more than is held takes what is held and reports a problem; the sale's cash still counts.
 */
export interface PositionState {
  quantity: Scaled;
  cost: number;
  realised: number;
  income: number;
  fees: number;
  /** Σ cash (base): positive when money came out of the holding. */
  cash: number;
  transferInCost: number;
  transferOutCost: number;
}

export function emptyPosition(): PositionState {
  return { quantity: ZERO, cost: 0, realised: 0, income: 0, fees: 0, cash: 0, transferInCost: 0, transferOutCost: 0 };
}

/** What one transaction did, for the returns: money in (base), dividends (base), units moved by a transfer. */
export interface TxEffect {
  /** Money into the holding from outside (−cash), dividends excluded. */
  readonly moneyIn: number;
  readonly dividend: number;
  /** Units in (+) or out (−) by transfer, valued at the day's market value by the returns. */
  readonly transferUnits: Scaled | null;
}

const NO_EFFECT: TxEffect = { moneyIn: 0, dividend: 0, transferUnits: null };

/** Applies one transaction to `s` (mutated); returns its effect for the returns. */
export function applyTx(p: Prepared, s: PositionState, tx: PreparedTx, problems: InvestDataProblem[]): TxEffect {
  const doc = tx.doc;
  const conv = (amount: number) => toBase(p, amount, doc.currency, doc.date, doc.id);
  const cash = conv(doc.amount);
  s.cash += cash;
  switch (doc.kind) {
    case 'buy': {
      const fee = conv(doc.fee);
      s.cost += -cash - fee;
      s.fees += fee;
      s.quantity = add(s.quantity, tx.quantity);
      return { moneyIn: -cash, dividend: 0, transferUnits: null };
    }
    case 'sell': {
      const fee = conv(doc.fee);
      const sold = takeUnits(s, tx, problems, 'oversold', 'sold');
      s.realised += cash + fee - sold.cost;
      s.fees += fee;
      return { moneyIn: -cash, dividend: 0, transferUnits: null };
    }
    case 'dividend': {
      const fee = conv(doc.fee);
      s.income += cash + fee;
      s.fees += fee;
      return { moneyIn: 0, dividend: cash, transferUnits: null };
    }
    case 'fee':
      s.fees += -cash;
      return cash === 0 ? NO_EFFECT : { moneyIn: -cash, dividend: 0, transferUnits: null };
    case 'split': {
      s.fees += -cash;
      const ratio = tx.splitRatio;
      if (ratio !== null && sign(ratio) > 0) {
        s.quantity = mul(s.quantity, ratio);
      } else {
        const after = add(s.quantity, tx.quantity);
        problems.push({
          transactionId: doc.id, kind: 'bad-split',
          message: `split on ${doc.date} has no positive splitRatio (${JSON.stringify(doc.splitRatio)}); ${sign(after) >= 0 ? `applied its quantity ${doc.quantity} instead` : 'ignored it'}`,
        });
        if (sign(after) >= 0) s.quantity = after;
      }
      return cash === 0 ? NO_EFFECT : { moneyIn: -cash, dividend: 0, transferUnits: null };
    }
    case 'transfer_in': {
      s.fees += -cash;
      const carried = conv(valueMinor(tx.quantity, tx.unitPrice!, currencyExponent(doc.currency)));
      s.cost += carried;
      s.transferInCost += carried;
      s.quantity = add(s.quantity, tx.quantity);
      return { moneyIn: -cash, dividend: 0, transferUnits: tx.quantity };
    }
    case 'transfer_out': {
      s.fees += -cash;
      const out = takeUnits(s, tx, problems, 'transfer-out-exceeds', 'transferred out');
      s.transferOutCost += out.cost;
      return { moneyIn: -cash, dividend: 0, transferUnits: sub(ZERO, out.units) };
    }
  }
}

/** Removes up to tx.quantity units at average cost; reports what could not be taken. */
function takeUnits(s: PositionState, tx: PreparedTx, problems: InvestDataProblem[], kind: 'oversold' | 'transfer-out-exceeds', verb: string): { units: Scaled; cost: number } {
  let units = tx.quantity;
  if (compare(units, s.quantity) > 0) {
    const doc = tx.doc;
    problems.push({
      transactionId: doc.id, kind,
      message: `${doc.date}: ${doc.quantity} units ${verb} but only ${toText(s.quantity)} held; took the ${toText(s.quantity)} held`,
    });
    units = s.quantity;
  }
  const cost = compare(units, s.quantity) === 0 ? s.cost : sign(units) === 0 ? 0 : apportion(s.cost, units, s.quantity);
  s.cost -= cost;
  s.quantity = sub(s.quantity, units);
  return { units, cost };
}
