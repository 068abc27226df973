import type { InvestmentTransaction } from '../schema/registry.ts';
import { convertExact, parseRate, type ParsedRate } from '../budget/fx.ts';
import { currencyExponent } from '../money/money.ts';
import { dayNumber } from '../date/date.ts';
import {
  TAX_FREE_ACCOUNT_TYPES,
  type CapitalGainsOptions, type CapitalGainsResult, type Disposal, type FxSeries, type InvestDataProblem, type MatchRule,
  type TaxYearGains,
} from './types.ts';

/**
 * UK capital gains on shares, funds and crypto tokens (issue 21, bullet 3): HMRC's share identification rules,
 * per asset and per person — every taxable account's trades of one asset form one history, one Section 104 pool.
 *
 * For each day a disposal happens (all of that day's sells of an asset are ONE disposal, all of its buys ONE
 * acquisition), the units sold are matched, in this order:
 *   1. same day — that day's acquisition;
 *   2. bed and breakfast — acquisitions in the 30 days after (day D+1 … D+30; D+31 is not matched), earliest
 *      first, earlier disposals taking them before later ones; an acquisition already matched on its own day
 *      (rule 1) offers only what is left;
 *   3. the Section 104 pool — every earlier acquisition not matched by rules 1–2, as one quantity and one
 *      allowable cost; taking q of Q units takes cost × q / Q (rounded half-even to the penny; the pool keeps
 *      the rest, so no penny is lost or made up).
 * A partial match of an acquisition (rules 1–2) takes its cost the same way, by quantity.
 *
 * Money: integer pence. An acquisition's cost is the cash paid with the fee (−amount of a buy). A disposal's
 * proceeds are gross (amount + fee); its fee is added to the allowable cost; gain = proceeds − allowable cost.
 * Trades in another currency convert at the trade date's rate into GBP (latest on or before, `options.fx`),
 * with `convertExact` (equal to `convertMinor` of @mymidas/shared/money); a buy's cost converts as one sum, a
 * sell's gross proceeds and its fee separately. No rate → a 'no-rate' problem, and every disposal that depends
 * on that trade (its own proceeds, or a matched cost including a pool the trade went into, until the pool is
 * emptied) is left out of the results and named (a transfer in without a unit price likewise, as 'no-price').
 * Rounding everywhere: half-even to the penny.
 *
 * Quantities are decimal text held as exact scaled BigInt (one scale for the call: the most decimals of any
 * quantity plus the decimals of the asset's split ratios), parsed once per trade: the work is O(trades), never
 * per day. A split or consolidation (splitRatio, applied before that day's trading; one per asset and day,
 * from any account, since it is an event of the asset) changes the units, never the cost: internally every
 * quantity is expressed in the asset's latest units (× every later ratio, exact), so the pool and pending
 * bed-and-breakfast matches across a split line up; quantities shown are in the disposal day's units.
 *
 * Accounts: with `options.accounts`, accounts of a tax-free type (TAX_FREE_ACCOUNT_TYPES: ISAs, SIPP, workplace
 * pension) are left out entirely and listed in `excludedAccounts` (those with trades in the input); accounts not
 * in the list count as taxable. A disposal's `accountId` is the account of its first sale (input order) when one
 * day's disposal spans several accounts.
 *
 * Transfers (decided here): moving units between one's own accounts is not a disposal.
 *   - A taxable transfer_out and a taxable transfer_in of the same asset on the same day pair up: the units stay
 *     in the pool and its cost is unchanged (the transfer_in's unitPrice is ignored for the paired units).
 *   - An unpaired transfer_in (from another provider, or out of a tax-free account) adds its units to the pool
 *     at quantity × unitPrice (the carried-over cost, converted at the day's rate); no unitPrice → 'no-price'.
 *   - An unpaired transfer_out (to a tax-free account, or away) takes units out of the pool at the pool's
 *     average cost with no gain; more than the pool holds → 'transfer-out-exceeds', the pool is emptied.
 *   A transfer in is not an acquisition for rules 1–2 (the units were already owned). Order within one day:
 *   split, transfer in, the disposal, the day's acquisition (what rules 1–2 left) into the pool, transfer out.
 * Dividends and standalone fees (platform charges) are not part of capital gains.
 *
 * Selling more than is matched by rules 1–3 → an 'oversold' problem: the units found are used up, the disposal
 * is left out (never a negative holding, never a guessed cost). Problems are listed asset by asset.
 * Malformed input (a quantity that is not positive decimal text, an impossible date) throws a RangeError.
 *
 * Short/long term (for users outside the UK): each matched unit's holding period runs from its acquisition date
 * (pool units: the pool's acquisitions first in, first out; a transfer_in counts from its own date) to the
 * disposal date — a year or more (on or after the same month and day a year later; 29 February → 1 March) is
 * long, under a year is short; same-day and bed-and-breakfast units are short. A disposal with both is 'mixed',
 * and its gain is apportioned by matched cost (the sale fee apart): short = gain × short cost ÷ matched cost,
 * half-even, long = the rest (by quantity when the matched cost is zero).
 *
 * Tax years run 6 April to 5 April and are named by their start year: 2024-04-05 is in '2023-24', 2024-04-06 in
 * '2024-25'. `gains` sums the positive gains, `losses` the negative ones as a positive number, net = gains − losses.
 */

const GBP = 'GBP';
const QUANTITY_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** n ÷ d rounded half-even (d > 0). */
function divHalfEven(n: bigint, d: bigint): bigint {
  let q = n / d;
  const r = n - q * d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d || (twice === d && (q & 1n) !== 0n)) q += n < 0n ? -1n : 1n;
  return q;
}

function decimalsOf(text: string): number {
  const m = QUANTITY_TEXT.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  return m[3]?.length ?? 0;
}

/** Decimal text → integer at `scale` decimals (the caller made `scale` large enough: exact). */
function toScaled(text: string, scale: number): bigint {
  const m = QUANTITY_TEXT.exec(text)!;
  const fraction = m[3] ?? '';
  const n = BigInt(m[2]! + fraction) * pow10(scale - fraction.length);
  return m[1] === '-' ? -n : n;
}

/** Integer at `scale` decimals → shortest decimal text. */
function scaledText(n: bigint, scale: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** '2023-24' for 6 April 2023 – 5 April 2024. */
export function ukTaxYear(date: string): string {
  const year = Number(date.slice(0, 4));
  const start = date.slice(5) >= '04-06' ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** Held a year or more: the disposal is on or after the acquisition's first anniversary (29 Feb → 1 Mar). */
function heldAYear(acquired: string, disposed: string): boolean {
  const monthDay = acquired.slice(5) === '02-29' ? '03-01' : acquired.slice(5);
  const year = String(Number(acquired.slice(0, 4)) + 1).padStart(4, '0');
  return disposed >= `${year}-${monthDay}`;
}

/** Latest rate on or before a date, per currency, parsed once. */
class RateBook {
  private readonly series = new Map<string, { dates: readonly string[]; rates: readonly string[]; parsed: (ParsedRate | undefined)[] }>();

  constructor(fx: readonly FxSeries[]) {
    for (const s of fx) this.series.set(s.currency, { dates: s.dates, rates: s.rates, parsed: [] });
  }

  /** Pence of `amount` minor units of `currency` on `date`; null without a rate. */
  toGbp(amount: number, currency: string, date: string): number | null {
    if (currency === GBP) return amount;
    const s = this.series.get(currency);
    if (!s) return null;
    let lo = 0;
    let hi = s.dates.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.dates[mid]! <= date) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    let rate = s.parsed[found];
    if (!rate) {
      rate = parseRate(s.rates[found]!);
      s.parsed[found] = rate;
    }
    return convertExact(amount, currency, GBP, rate);
  }
}

interface SplitEvent {
  readonly date: string;
  readonly digits: bigint;
  readonly scale: number;
}

/** Why a cost is unknown (null: it is known). */
type UnknownCost = 'no-rate' | 'no-price' | null;

interface InternalMatch {
  readonly rule: MatchRule;
  /** Latest units, scaled. */
  readonly quantity: bigint;
  readonly cost: bigint;
  /** Part of quantity/cost held a year or more. */
  readonly longQuantity: bigint;
  readonly longCost: bigint;
}

/** One asset's trading on one day (taxable accounts only). Quantities in latest units at the call's scale. */
interface Day {
  readonly date: string;
  // The day's acquisition (buys).
  buyQuantity: bigint;
  buyCost: bigint;
  /** Why the cost is unknown, if it is. */
  buyCostUnknown: UnknownCost;
  acquisitionLeft: bigint;
  acquisitionCostLeft: bigint;
  // The day's disposal (sells).
  sellQuantity: bigint;
  /** In the day's own units, for display. */
  sellQuantityAsTraded: bigint;
  proceeds: number;
  fees: number;
  proceedsKnown: boolean;
  readonly sellIds: string[];
  readonly sellAccounts: string[];
  disposalLeft: bigint;
  readonly matches: InternalMatch[];
  /** A matched cost is unknown (no rate or price behind it). */
  costUnknown: UnknownCost;
  // Transfers.
  transferInQuantity: bigint;
  transferInCost: bigint;
  transferInCostUnknown: UnknownCost;
  transferOutQuantity: bigint;
  readonly transferOutIds: string[];
  /** Latest units per unit of this day's units: digits ÷ 10^scale. */
  factorDigits: bigint;
  factorScale: number;
}

function newDay(date: string): Day {
  return {
    date, buyQuantity: 0n, buyCost: 0n, buyCostUnknown: null, acquisitionLeft: 0n, acquisitionCostLeft: 0n,
    sellQuantity: 0n, sellQuantityAsTraded: 0n, proceeds: 0, fees: 0, proceedsKnown: true, sellIds: [], sellAccounts: [],
    disposalLeft: 0n, matches: [], costUnknown: null,
    transferInQuantity: 0n, transferInCost: 0n, transferInCostUnknown: null, transferOutQuantity: 0n, transferOutIds: [],
    factorDigits: 1n, factorScale: 0,
  };
}

interface AssetTrades {
  readonly trades: InvestmentTransaction[];
  readonly splits: InvestmentTransaction[];
}

/** Capital gains of the given investment transactions under HMRC's share identification rules (see the header). */
export function capitalGains(transactions: readonly InvestmentTransaction[], options: CapitalGainsOptions = {}): CapitalGainsResult {
  const excluded = new Set<string>();
  for (const a of options.accounts ?? []) if (TAX_FREE_ACCOUNT_TYPES.has(a.type)) excluded.add(a.id);
  const excludedSeen = new Set<string>();
  const problems: InvestDataProblem[] = [];
  const rates = new RateBook(options.fx ?? []);

  // Group per asset and find the scale that keeps every quantity exact through every split.
  const byAsset = new Map<string, AssetTrades>();
  let quantityDecimals = 0;
  const ratioDecimals = new Map<string, number>();
  for (const t of transactions) {
    if (t.kind === 'dividend' || t.kind === 'fee') continue;
    let group = byAsset.get(t.assetId);
    if (!group) {
      group = { trades: [], splits: [] };
      byAsset.set(t.assetId, group);
    }
    if (t.kind === 'split') {
      group.splits.push(t);
      if (t.splitRatio !== null && QUANTITY_TEXT.test(t.splitRatio)) {
        ratioDecimals.set(t.assetId, (ratioDecimals.get(t.assetId) ?? 0) + decimalsOf(t.splitRatio));
      }
      continue;
    }
    if (excluded.has(t.accountId)) {
      excludedSeen.add(t.accountId);
      continue;
    }
    dayNumber(t.date); // refuses an impossible date
    const decimals = decimalsOf(t.quantity);
    if (t.quantity.startsWith('-') || /^-?0+(\.0+)?$/.test(t.quantity)) {
      throw new RangeError(`investment transaction ${t.id}: a ${t.kind} needs a positive quantity, got ${t.quantity}`);
    }
    quantityDecimals = Math.max(quantityDecimals, decimals);
    group.trades.push(t);
  }
  let scale = quantityDecimals;
  for (const d of ratioDecimals.values()) scale = Math.max(scale, quantityDecimals + d);

  const found: Found[] = [];
  for (const [assetId, group] of byAsset) {
    if (group.trades.length === 0) continue;
    const splits = splitEvents(group.splits, problems);
    found.push(...assetGains(assetId, group.trades, splits, scale, rates, problems));
  }
  found.sort((a, b) => (a.disposal.date < b.disposal.date ? -1 : a.disposal.date > b.disposal.date ? 1 : 0));
  const disposals = found.map((f) => f.disposal);

  return {
    disposals,
    taxYears: taxYears(disposals),
    excludedAccounts: (options.accounts ?? []).filter((a) => excludedSeen.has(a.id)).map((a) => a.id),
    ...termTotals(found),
    problems,
  };
}

/** A disposal with the short-term part of its gain (the rest is long-term). */
interface Found {
  readonly disposal: Disposal;
  readonly shortGain: number;
}

function termTotals(found: readonly Found[]): Pick<CapitalGainsResult, 'shortTerm' | 'longTerm'> {
  const shortTerm = { gains: 0, losses: 0 };
  const longTerm = { gains: 0, losses: 0 };
  const add = (bucket: { gains: number; losses: number }, gain: number) => {
    if (gain > 0) bucket.gains += gain;
    else bucket.losses -= gain;
  };
  for (const { disposal, shortGain } of found) {
    add(shortTerm, shortGain);
    add(longTerm, disposal.gain - shortGain);
  }
  return { shortTerm, longTerm };
}

function taxYears(disposals: readonly Disposal[]): TaxYearGains[] {
  const years = new Map<string, { taxYear: string; proceeds: number; allowableCost: number; gains: number; losses: number; net: number }>();
  for (const d of disposals) {
    const name = ukTaxYear(d.date);
    let y = years.get(name);
    if (!y) {
      y = { taxYear: name, proceeds: 0, allowableCost: 0, gains: 0, losses: 0, net: 0 };
      years.set(name, y);
    }
    y.proceeds += d.proceeds;
    y.allowableCost += d.allowableCost;
    if (d.gain > 0) y.gains += d.gain;
    else y.losses -= d.gain;
    y.net += d.gain;
  }
  return [...years.values()].sort((a, b) => (a.taxYear < b.taxYear ? -1 : 1));
}

/** One split per asset and day (the same split recorded in several accounts counts once). */
function splitEvents(docs: readonly InvestmentTransaction[], problems: InvestDataProblem[]): SplitEvent[] {
  const byDate = new Map<string, SplitEvent>();
  for (const t of docs) {
    const ratio = t.splitRatio;
    if (ratio === null || !/^\d+(\.\d+)?$/.test(ratio) || /^0+(\.0+)?$/.test(ratio)) {
      problems.push({ transactionId: t.id, kind: 'bad-split', message: `The split on ${t.date} has no positive ratio (${ratio ?? 'none'}); it is left out.` });
      continue;
    }
    const parsed = parseRate(ratio);
    const seen = byDate.get(t.date);
    if (!seen) byDate.set(t.date, { date: t.date, digits: parsed.digits, scale: parsed.scale });
    else if (seen.digits * pow10(parsed.scale) !== parsed.digits * pow10(seen.scale)) {
      problems.push({ transactionId: t.id, kind: 'bad-split', message: `Two different splits of one asset on ${t.date}; the second (${ratio}) is left out.` });
    }
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
}

interface Lot {
  readonly date: string;
  quantity: bigint;
}

function assetGains(
  assetId: string, trades: InvestmentTransaction[], splits: readonly SplitEvent[], scale: number, rates: RateBook, problems: InvestDataProblem[],
): Found[] {
  const sorted = trades.map((t, i) => ({ t, i })).sort((a, b) => (a.t.date < b.t.date ? -1 : a.t.date > b.t.date ? 1 : a.i - b.i));

  // Build the days, each with its factor into the latest units (the product of the ratios of later splits).
  const days: Day[] = [];
  const dayNumbers: number[] = [];
  for (const { t } of sorted) {
    if (days.length === 0 || days[days.length - 1]!.date !== t.date) {
      days.push(newDay(t.date));
      dayNumbers.push(dayNumber(t.date));
    }
  }
  let factorDigits = 1n;
  let factorScale = 0;
  let s = splits.length - 1;
  for (let i = days.length - 1; i >= 0; i -= 1) {
    const day = days[i]!;
    while (s >= 0 && splits[s]!.date > day.date) {
      factorDigits *= splits[s]!.digits;
      factorScale += splits[s]!.scale;
      s -= 1;
    }
    day.factorDigits = factorDigits;
    day.factorScale = factorScale;
  }

  let d = 0;
  for (const { t } of sorted) {
    while (days[d]!.date !== t.date) d += 1;
    const day = days[d]!;
    const asTraded = toScaled(t.quantity, scale);
    const latest = (asTraded * day.factorDigits) / pow10(day.factorScale); // exact: the scale has room
    switch (t.kind) {
      case 'buy': {
        day.buyQuantity += latest;
        const cost = rates.toGbp(-t.amount, t.currency, t.date);
        if (cost === null) {
          day.buyCostUnknown = 'no-rate';
          problems.push(noRate(t));
        } else day.buyCost += BigInt(cost);
        break;
      }
      case 'sell': {
        day.sellQuantity += latest;
        day.sellQuantityAsTraded += asTraded;
        day.sellIds.push(t.id);
        if (!day.sellAccounts.includes(t.accountId)) day.sellAccounts.push(t.accountId);
        const proceeds = rates.toGbp(t.amount + t.fee, t.currency, t.date);
        const fee = rates.toGbp(t.fee, t.currency, t.date);
        if (proceeds === null || fee === null) {
          day.proceedsKnown = false;
          problems.push(noRate(t));
        } else {
          day.proceeds += proceeds;
          day.fees += fee;
        }
        break;
      }
      case 'transfer_in': {
        day.transferInQuantity += latest;
        if (t.unitPrice === null || !QUANTITY_TEXT.test(t.unitPrice)) {
          day.transferInCostUnknown = 'no-price';
          problems.push({ transactionId: t.id, kind: 'no-price', message: `The transfer in on ${t.date} has no unit price, so the cost it brings is unknown.` });
          break;
        }
        const value = transferValue(asTraded, scale, t.unitPrice, t.currency);
        const cost = rates.toGbp(value, t.currency, t.date);
        if (cost === null) {
          day.transferInCostUnknown ??= 'no-rate';
          problems.push(noRate(t));
        } else day.transferInCost += BigInt(cost);
        break;
      }
      case 'transfer_out':
        day.transferOutQuantity += latest;
        day.transferOutIds.push(t.id);
        break;
      default:
        break;
    }
  }

  // Rule 1: same day.
  for (const day of days) {
    day.acquisitionLeft = day.buyQuantity;
    day.acquisitionCostLeft = day.buyCost;
    day.disposalLeft = day.sellQuantity;
    if (day.sellQuantity > 0n && day.buyQuantity > 0n) take(day, day, 'same-day');
  }
  // Rule 2: the following 30 days, earliest disposal first, earliest acquisition first.
  for (let i = 0; i < days.length; i += 1) {
    const day = days[i]!;
    if (day.disposalLeft === 0n) continue;
    const last = dayNumbers[i]! + 30;
    for (let j = i + 1; j < days.length && dayNumbers[j]! <= last && day.disposalLeft > 0n; j += 1) {
      if (days[j]!.acquisitionLeft > 0n) take(day, days[j]!, 'bed-and-breakfast');
    }
  }
  // Rule 3: the Section 104 pool, in date order.
  let poolQuantity = 0n;
  let poolCost = 0n;
  let poolCostUnknown: UnknownCost = null;
  const lots: Lot[] = [];
  let lotHead = 0;
  const takeLots = (quantity: bigint, disposalDate: string | null): bigint => {
    let left = quantity;
    let long = 0n;
    while (left > 0n && lotHead < lots.length) {
      const lot = lots[lotHead]!;
      const used = lot.quantity < left ? lot.quantity : left;
      if (disposalDate !== null && heldAYear(lot.date, disposalDate)) long += used;
      lot.quantity -= used;
      left -= used;
      if (lot.quantity === 0n) lotHead += 1;
    }
    return long;
  };
  const addToPool = (date: string, quantity: bigint, cost: bigint, unknown: UnknownCost) => {
    if (quantity === 0n) return;
    if (poolQuantity === 0n) poolCostUnknown = null;
    poolQuantity += quantity;
    poolCost += cost;
    poolCostUnknown ??= unknown;
    lots.push({ date, quantity });
  };
  const removeFromPool = (quantity: bigint, disposalDate: string | null): { cost: bigint; long: bigint } => {
    const cost = quantity === poolQuantity ? poolCost : divHalfEven(poolCost * quantity, poolQuantity);
    poolQuantity -= quantity;
    poolCost -= cost;
    return { cost, long: takeLots(quantity, disposalDate) };
  };

  const out: Found[] = [];
  for (const day of days) {
    // Transfers: a same-day out and in are one move between one's own accounts.
    const paired = day.transferInQuantity < day.transferOutQuantity ? day.transferInQuantity : day.transferOutQuantity;
    const inLeft = day.transferInQuantity - paired;
    if (inLeft > 0n) {
      const cost = inLeft === day.transferInQuantity ? day.transferInCost : divHalfEven(day.transferInCost * inLeft, day.transferInQuantity);
      addToPool(day.date, inLeft, cost, day.transferInCostUnknown);
    }
    if (day.sellQuantity > 0n) {
      if (day.disposalLeft > 0n && poolQuantity > 0n) {
        const quantity = day.disposalLeft < poolQuantity ? day.disposalLeft : poolQuantity;
        day.costUnknown ??= poolCostUnknown;
        const { cost, long } = removeFromPool(quantity, day.date);
        const longCost = long === quantity ? cost : divHalfEven(cost * long, quantity);
        day.matches.push({ rule: 'section-104', quantity, cost, longQuantity: long, longCost });
        day.disposalLeft -= quantity;
      }
      const disposal = finishDisposal(assetId, day, scale, problems);
      if (disposal) out.push(disposal);
    }
    addToPool(day.date, day.acquisitionLeft, day.acquisitionCostLeft, day.buyCostUnknown);
    const outLeft = day.transferOutQuantity - paired;
    if (outLeft > 0n) {
      const quantity = outLeft < poolQuantity ? outLeft : poolQuantity;
      if (quantity < outLeft) {
        problems.push({
          transactionId: day.transferOutIds[0] ?? null, kind: 'transfer-out-exceeds',
          message: `Transferred out ${scaledText(toDayUnits(outLeft, day), scale)} units on ${day.date}, more than the ${scaledText(toDayUnits(poolQuantity, day), scale)} held in taxable accounts; the pool is emptied.`,
        });
      }
      if (quantity > 0n) removeFromPool(quantity, null);
    }
  }
  return out;
}

/** Match what is left of `disposal` against what is left of `acquisition` (rules 1–2: held under a year). */
function take(disposal: Day, acquisition: Day, rule: MatchRule): void {
  const quantity = disposal.disposalLeft < acquisition.acquisitionLeft ? disposal.disposalLeft : acquisition.acquisitionLeft;
  const cost = quantity === acquisition.acquisitionLeft ? acquisition.acquisitionCostLeft : divHalfEven(acquisition.acquisitionCostLeft * quantity, acquisition.acquisitionLeft);
  acquisition.acquisitionLeft -= quantity;
  acquisition.acquisitionCostLeft -= cost;
  disposal.disposalLeft -= quantity;
  disposal.costUnknown ??= acquisition.buyCostUnknown;
  disposal.matches.push({ rule, quantity, cost, longQuantity: 0n, longCost: 0n });
}

/** Latest units → the units of `day` (exact unless a split ratio does not divide; then half-even at the scale). */
function toDayUnits(latest: bigint, day: Day): bigint {
  return divHalfEven(latest * pow10(day.factorScale), day.factorDigits);
}

/** minor units of quantity × unitPrice, half-even. */
function transferValue(quantity: bigint, scale: number, unitPrice: string, currency: string): number {
  const price = parseRate(unitPrice);
  const exponent = currencyExponent(currency);
  return Number(divHalfEven(quantity * price.digits * pow10(exponent), pow10(scale + price.scale)));
}

function noRate(t: InvestmentTransaction): InvestDataProblem {
  return { transactionId: t.id, kind: 'no-rate', message: `No ${t.currency}→GBP rate on or before ${t.date}, so this ${t.kind} cannot be valued in pounds.` };
}

function finishDisposal(assetId: string, day: Day, scale: number, problems: InvestDataProblem[]): Found | null {
  const quantityText = scaledText(day.sellQuantityAsTraded, scale);
  const first = day.sellIds[0] ?? null;
  if (day.disposalLeft > 0n) {
    problems.push({
      transactionId: first, kind: 'oversold',
      message: `Sold ${quantityText} units on ${day.date} but only ${scaledText(toDayUnits(day.sellQuantity - day.disposalLeft, day), scale)} can be matched to units held in taxable accounts; this disposal is left out of the gains.`,
    });
    return null;
  }
  if (!day.proceedsKnown) {
    problems.push({ transactionId: first, kind: 'no-rate', message: `The disposal of ${quantityText} units on ${day.date} is left out of the gains: its proceeds cannot be valued in pounds (no rate).` });
    return null;
  }
  if (day.costUnknown !== null) {
    const why = day.costUnknown === 'no-rate' ? 'a trade without a rate into pounds' : 'a transfer in without a unit price';
    problems.push({ transactionId: first, kind: day.costUnknown, message: `The disposal of ${quantityText} units on ${day.date} is left out of the gains: the cost of the units it is matched to is unknown (${why}).` });
    return null;
  }
  let matchedCost = 0n;
  let longCost = 0n;
  let longQuantity = 0n;
  const matches: { rule: MatchRule; quantity: string; cost: number }[] = [];
  let shown = 0n;
  day.matches.forEach((m, i) => {
    matchedCost += m.cost;
    longCost += m.longCost;
    longQuantity += m.longQuantity;
    // The last match shows what is left, so the shown quantities add up to the disposal's even after a split
    // ratio that does not divide.
    const asTraded = i === day.matches.length - 1 ? day.sellQuantityAsTraded - shown : toDayUnits(m.quantity, day);
    shown += asTraded;
    matches.push({ rule: m.rule, quantity: scaledText(asTraded, scale), cost: Number(m.cost) });
  });
  const allowableCost = Number(matchedCost) + day.fees;
  const gain = day.proceeds - allowableCost;
  const term = longQuantity === 0n ? 'short' : longQuantity === day.sellQuantity ? 'long' : 'mixed';
  let shortGain: number;
  if (term === 'short') shortGain = gain;
  else if (term === 'long') shortGain = 0;
  else {
    const shortShare = matchedCost > 0n ? matchedCost - longCost : day.sellQuantity - longQuantity;
    const whole = matchedCost > 0n ? matchedCost : day.sellQuantity;
    shortGain = Number(divHalfEven(BigInt(gain) * shortShare, whole));
  }
  const disposal: Disposal = {
    assetId, accountId: day.sellAccounts[0]!, date: day.date, quantity: quantityText,
    proceeds: day.proceeds, allowableCost, gain, matches, term,
  };
  return { disposal, shortGain };
}
