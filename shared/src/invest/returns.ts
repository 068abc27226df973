import { convertExact } from '../budget/fx.ts';
import type { ParsedRate } from '../budget/fx.ts';
import { dateOfDay } from '../date/date.ts';
import { currencyExponent } from '../money/money.ts';
import type { AccountType } from '../schema/registry.ts';
import { dedupe, valueHolding } from './holdings.ts';
import { applyTx, emptyPosition } from './position.ts';
import type { PositionState } from './position.ts';
import { checkRange, lastOnOrBefore, parsedRateAt, prepare } from './prepare.ts';
import type { FxTable, Prepared, PreparedHolding } from './prepare.ts';
import { parseScaled, valueMinor, valueMinorFast } from './scaled.ts';
import type { Scaled } from './scaled.ts';
import type {
  DateRange, Holding, InvestDataProblem, InvestInputs, PortfolioReport, PriceSeries, ReturnFigures, ReturnScope, ValueSeries,
} from './types.ts';
import { xirrOfDays } from './xirr.ts';

/**
 * Value series and returns (issue 21, bullet 2), in the base currency.
 *
 * The engine models holdings, not the cash beside them. So for a holding, an account's holdings, an account type's
 * or the whole portfolio's, money in is what was paid for them and money out what came back from them: a buy (and a
 * standalone fee) is money in (|amount|), a sale or a dividend money out (amount), converted at the trade date's
 * rate. A transfer in or out is an external flow valued at that day's market value (value moving in or out, not a
 * gain). Inside a real account a buy or sale only moves cash, but that cash is not in the engine's view.
 *
 * Daily value: each holding at the end of each day = units × the latest close on or before the day (before any
 * close: the latest trade price), half-even to the price currency's minor units, then converted at the day's rate
 * (latest on or before, else the earliest) half-even into the base — per holding per day, then summed. The inner
 * loop uses exact integers (scaled.ts `valueMinorFast`, BigInt only when a product passes 2^52; FX the same way,
 * else by `convertExact`), never decimal.js, and repeats yesterday's figure when units, close and rate are all
 * unchanged.
 *
 * Time-weighted return, linked daily: with V₀ the value at the end of the day before, F the day's net money in
 * (flows in minus flows out, dividends out), and V₁ the value at the end of the day, the day's gain is
 * V₁ − V₀ − F and its capital V₀ + max(F, 0): a net inflow counts from the start of the day; a net outflow from the
 * end of the day (counting it at the start would leave a negative capital on the day everything is sold at a
 * gain). Days with no capital add nothing; `twrr` is null when no day of the range had capital.
 *
 * Money-weighted return: XIRR over the range — the value at the start (end of the day before `from`) as money in on
 * `from`, each day's net money in as a flow on its day, the end value as money out on `to`.
 *
 * Annualised figures: a range of at least 365 days (`days`, from `from` to `to` inclusive — the TWRR links one
 * return per day, from the close before `from` to the close of `to`) is annualised as (1 + cumulative)^(365 / days)
 * − 1; a shorter range is not extrapolated to a year (the GIPS rule: short periods are not annualised), so its
 * `annualised` equals its `cumulative`. The MWRR's own rate is already annual; its cumulative figure is
 * (1 + rate)^((to − from) / 365) − 1, the span its flows cover (the start value dated `from`, as issue 21 asks).
 */

/** Ranges of at least this many days are annualised. */
export const ANNUALISE_MIN_DAYS = 365;

interface HoldingSeries {
  readonly holding: PreparedHolding;
  /** End-of-day values: index 0 is the day before `from`, index k the k-th day of the range (from = 1). */
  readonly values: Float64Array;
  /** Net money in by day (same index), dividends excluded, transfers at market value. */
  readonly moneyIn: Float64Array;
  readonly dividends: Float64Array;
  /** The position at the end of `to`, and whether any transaction was on or before it. */
  readonly state: PositionState;
  readonly active: boolean;
}

interface PriceCache {
  readonly series: PriceSeries;
  readonly exponent: number;
  /** Digits of each close (NaN until parsed, −1 when beyond safe integers) and its scale. */
  readonly digits: Float64Array;
  readonly scales: Int8Array;
}

interface Engine {
  readonly p: Prepared;
  readonly fromDay: number;
  readonly toDay: number;
  readonly dates: readonly string[];
  readonly problems: InvestDataProblem[];
  readonly fxDaily: Map<string, Int32Array>;
}

function engine(inputs: InvestInputs, range: DateRange): Engine {
  const { from, to } = checkRange(range);
  const p = prepare(inputs);
  const dates: string[] = new Array<string>(to - from + 2);
  for (let k = 0; k < dates.length; k += 1) dates[k] = dateOfDay(from - 1 + k);
  return { p, fromDay: from, toDay: to, dates, problems: [], fxDaily: new Map() };
}

function priceCache(e: Engine, assetId: string): PriceCache | null {
  // Parsed closes live with the checked inputs (prepare.ts): later calls with the same inputs reuse them.
  let c = e.p.memo.get(`closes:${assetId}`) as PriceCache | undefined;
  if (c === undefined) {
    const series = e.p.prices.get(assetId);
    if (!series) return null;
    c = { series, exponent: currencyExponent(series.currency), digits: new Float64Array(series.closes.length).fill(NaN), scales: new Int8Array(series.closes.length) };
    e.p.memo.set(`closes:${assetId}`, c);
  }
  return c;
}

const SHORT_PRICE = /^\d+(?:\.\d+)?$/;

function closeAt(c: PriceCache, i: number): void {
  if (!Number.isNaN(c.digits[i]!)) return;
  const text = c.series.closes[i]!;
  if (typeof text === 'string' && text.length <= 16 && SHORT_PRICE.test(text)) {
    // Up to 15 digits: exact as a double, no BigInt needed.
    const dot = text.indexOf('.');
    c.digits[i] = Number(dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1));
    c.scales[i] = dot < 0 ? 0 : text.length - dot - 1;
    return;
  }
  let x: Scaled;
  try {
    x = parseScaled(text);
  } catch {
    throw new RangeError(`price series ${c.series.assetId}: close on ${c.series.dates[i]} must be a decimal number as text, got ${JSON.stringify(text)}`);
  }
  if (x.digits < 0n || x.scale > 127) throw new RangeError(`price series ${c.series.assetId}: close on ${c.series.dates[i]} must be a positive price, got ${text}`);
  const n = Number(x.digits);
  c.digits[i] = Number.isSafeInteger(n) ? n : -1;
  c.scales[i] = x.scale;
}

/** For each day index of the engine, the index of the rate in force (latest on or before, else 0). */
function fxIndexByDay(e: Engine, currency: string): { table: FxTable; index: Int32Array } {
  const table = e.p.fx.get(currency);
  if (!table || table.dates.length === 0) {
    throw new RangeError(`no FX rates for ${currency} into ${e.p.base}: inputs.fx needs a ${currency} series to value ${currency} holdings`);
  }
  let index = e.fxDaily.get(currency);
  if (!index) {
    index = new Int32Array(e.dates.length);
    let j = lastOnOrBefore(table.dates, e.dates[0]!);
    for (let k = 0; k < e.dates.length; k += 1) {
      const d = e.dates[k]!;
      while (j + 1 < table.dates.length && table.dates[j + 1]! <= d) j += 1;
      index[k] = Math.max(j, 0);
    }
    e.fxDaily.set(currency, index);
  }
  return { table, index };
}

/** Per FX table: each rate's digits as a number (NaN until parsed, −1 beyond safe integers) and 10^exponent shift to the base. */
interface RateDigits {
  readonly digits: Float64Array;
  /** The base currency's decimals minus the table currency's. */
  readonly exponents: number;
}

function rateDigits(e: Engine, table: FxTable): RateDigits {
  let r = e.p.memo.get(`rate-digits:${table.currency}`) as RateDigits | undefined;
  if (r === undefined) {
    r = { digits: new Float64Array(table.rates.length).fill(NaN), exponents: e.p.baseExponent - currencyExponent(table.currency) };
    e.p.memo.set(`rate-digits:${table.currency}`, r);
  }
  return r;
}

/**
 * A value of `local` (minor units of `currency`, ≥ 0) in the base at the table's rate `at`: convertExact's result.
 * When the product of the value and the rate's digits stays below 2^52 and the result is a division by a power of
 * ten, valueMinorFast works the same half-even integers in doubles (no BigInt per day and holding); else convertExact.
 */
function toBase(e: Engine, table: FxTable, r: RateDigits, at: number, local: number, currency: string): number {
  const rate: ParsedRate = parsedRateAt(table, at);
  let digits = r.digits[at]!;
  if (Number.isNaN(digits)) {
    const d = Number(rate.digits);
    digits = Number.isSafeInteger(d) ? d : -1;
    r.digits[at] = digits;
  }
  const shift = rate.scale - r.exponents;
  if (local > 0 && digits >= 0 && shift > 0 && shift < 23 && local * digits <= FAST_PRODUCT) return valueMinorFast(local, 0, digits, rate.scale, r.exponents);
  return convertExact(local, currency, e.p.base, rate);
}

/** valueMinorFast's exact range (scaled.ts): products up to 2^52. */
const FAST_PRODUCT = 2 ** 52;

function holdingSeries(e: Engine, h: PreparedHolding): HoldingSeries {
  const { p, dates } = e;
  const n = dates.length;
  const values = new Float64Array(n);
  const moneyIn = new Float64Array(n);
  const dividends = new Float64Array(n);
  const s = emptyPosition();
  const startDay = e.fromDay - 1;
  const txs = h.txs;
  let t = 0;
  let lastTrade: { price: Scaled; currency: string } | null = null;
  const noteTrade = (price: Scaled | null, currency: string) => {
    if (price !== null) lastTrade = { price, currency };
  };
  while (t < txs.length && txs[t]!.day <= startDay) {
    applyTx(p, s, txs[t]!, e.problems);
    noteTrade(txs[t]!.unitPrice, txs[t]!.doc.currency);
    t += 1;
  }
  const active = t > 0 || (t < txs.length && txs[t]!.day <= e.toDay);

  const cache = priceCache(e, h.asset.id);
  const priceCurrency = cache?.series.currency ?? h.asset.currency;
  let priceIdx = cache ? lastOnOrBefore(cache.series.dates, dates[0]!) : -1;
  const fxFor = (currency: string) => (currency === p.base ? null : fxIndexByDay(e, currency));
  const priceFx = active ? fxFor(priceCurrency) : null;
  const priceRates = priceFx ? rateDigits(e, priceFx.table) : null;

  // Quantity as numbers for the fast path (NaN when its digits pass safe integers).
  let qDigits = 0;
  let qScale = 0;
  const syncQuantity = () => {
    const d = Number(s.quantity.digits);
    qDigits = Number.isSafeInteger(d) ? d : NaN;
    qScale = s.quantity.scale;
  };
  syncQuantity();

  /** Value in the base currency of `units` on day index k (the valuation rule in the header). */
  const valueAt = (k: number, units: Scaled | null, uDigits: number, uScale: number): number => {
    let local: number;
    let currency: string;
    if (cache && priceIdx >= 0) {
      closeAt(cache, priceIdx);
      const pd = cache.digits[priceIdx]!;
      local = units === null && !Number.isNaN(uDigits) && pd >= 0
        ? valueMinorFast(uDigits, uScale, pd, cache.scales[priceIdx]!, cache.exponent)
        : valueMinor(units ?? s.quantity, parseScaled(cache.series.closes[priceIdx]!), cache.exponent);
      currency = priceCurrency;
    } else if (lastTrade !== null) {
      const trade: { price: Scaled; currency: string } = lastTrade;
      local = valueMinor(units ?? s.quantity, trade.price, currencyExponent(trade.currency));
      currency = trade.currency;
    } else {
      return 0;
    }
    if (currency === p.base || local === 0) return local;
    const fx = (currency === priceCurrency ? priceFx : null) ?? fxFor(currency)!;
    const at = fx.index[k]!;
    if (fx.table.dates[at]! > dates[k]!) {
      // One message per currency (problems are de-duplicated by message), not one per day.
      e.problems.push({ transactionId: null, kind: 'no-rate', message: `no ${currency}→${p.base} rate before ${fx.table.dates[at]}: values of earlier days use that first rate` });
    }
    return toBase(e, fx.table, fx === priceFx ? priceRates! : rateDigits(e, fx.table), at, local, currency);
  };

  let lastPriceIdx = -2;
  let lastFxIdx = -2;
  let lastValue = 0;
  let quantityChanged = true;
  for (let k = 0; k < n; k += 1) {
    const day = startDay + k;
    if (k > 0) {
      while (t < txs.length && txs[t]!.day === day) {
        const tx = txs[t]!;
        const effect = applyTx(p, s, tx, e.problems);
        noteTrade(tx.unitPrice, tx.doc.currency);
        moneyIn[k] = moneyIn[k]! + effect.moneyIn;
        dividends[k] = dividends[k]! + effect.dividend;
        if (effect.transferUnits !== null) {
          if (cache) while (priceIdx + 1 < cache.series.dates.length && cache.series.dates[priceIdx + 1]! <= dates[k]!) priceIdx += 1;
          const moved = effect.transferUnits;
          const neg = moved.digits < 0n;
          const v = valueAt(k, neg ? { digits: -moved.digits, scale: moved.scale } : moved, NaN, 0);
          moneyIn[k] = moneyIn[k]! + (neg ? -v : v);
        }
        quantityChanged = true;
        t += 1;
      }
      if (quantityChanged) syncQuantity();
    }
    if (s.quantity.digits === 0n) {
      values[k] = 0;
      lastValue = 0;
      quantityChanged = false;
      continue;
    }
    if (cache) while (priceIdx + 1 < cache.series.dates.length && cache.series.dates[priceIdx + 1]! <= dates[k]!) priceIdx += 1;
    const fxIdx = priceFx ? priceFx.index[k]! : -1;
    if (!quantityChanged && priceIdx === lastPriceIdx && fxIdx === lastFxIdx && priceIdx >= 0) {
      values[k] = lastValue;
      continue;
    }
    lastValue = valueAt(k, Number.isNaN(qDigits) ? s.quantity : null, qDigits, qScale);
    values[k] = lastValue;
    lastPriceIdx = priceIdx;
    lastFxIdx = fxIdx;
    quantityChanged = false;
  }
  return { holding: h, values, moneyIn, dividends, state: s, active };
}

function inScope(scope: ReturnScope, h: PreparedHolding): boolean {
  switch (scope.kind) {
    case 'portfolio':
      return true;
    case 'account':
      return h.account.id === scope.accountId;
    case 'account-type':
      return scope.types.includes(h.account.type);
    case 'holding':
      return h.account.id === scope.accountId && h.asset.id === scope.assetId;
  }
}

function checkScope(scope: ReturnScope): void {
  const ok = scope && typeof scope === 'object' && (
    scope.kind === 'portfolio'
    || (scope.kind === 'account' && typeof scope.accountId === 'string')
    || (scope.kind === 'account-type' && Array.isArray(scope.types))
    || (scope.kind === 'holding' && typeof scope.accountId === 'string' && typeof scope.assetId === 'string'));
  if (!ok) throw new RangeError(`not a return scope: ${JSON.stringify(scope)}`);
}

interface Aggregate {
  readonly values: Float64Array;
  readonly moneyIn: Float64Array;
  readonly dividends: Float64Array;
}

function aggregate(series: readonly HoldingSeries[], n: number): Aggregate {
  const values = new Float64Array(n);
  const moneyIn = new Float64Array(n);
  const dividends = new Float64Array(n);
  for (const s of series) {
    for (let k = 0; k < n; k += 1) {
      values[k] = values[k]! + s.values[k]!;
      moneyIn[k] = moneyIn[k]! + s.moneyIn[k]!;
      dividends[k] = dividends[k]! + s.dividends[k]!;
    }
  }
  return { values, moneyIn, dividends };
}

function annualise(cumulative: number, days: number): number {
  return days >= ANNUALISE_MIN_DAYS ? Math.pow(1 + cumulative, 365 / days) - 1 : cumulative;
}

/** TWRR, MWRR and totals of one aggregate (index 0 = the day before `from`). */
function figures(a: Aggregate, e: Engine, range: DateRange): ReturnFigures {
  const n = a.values.length;
  const days = e.toDay - e.fromDay + 1;
  let growth = 1;
  let linked = false;
  let netFlows = 0;
  let income = 0;
  // The MWRR's flows (xirr's, as day numbers): the start value in on `from`, each day's net money in, the end value out.
  const flowDays = new Float64Array(n + 1);
  const flowAmounts = new Float64Array(n + 1);
  let count = 0;
  const startValue = a.values[0]!;
  if (startValue !== 0) {
    flowDays[count] = e.fromDay;
    flowAmounts[count++] = -startValue;
  }
  for (let k = 1; k < n; k += 1) {
    const dividend = a.dividends[k]!;
    const into = a.moneyIn[k]!;
    netFlows += into;
    income += dividend;
    const net = into - dividend;
    const before = a.values[k - 1]!;
    const capital = before + (net > 0 ? net : 0);
    if (capital > 0) {
      growth *= 1 + (a.values[k]! - before - net) / capital;
      linked = true;
    }
    if (net !== 0) {
      flowDays[count] = e.fromDay - 1 + k;
      flowAmounts[count++] = -net;
    }
  }
  const endValue = a.values[n - 1]!;
  if (endValue !== 0) {
    flowDays[count] = e.toDay;
    flowAmounts[count++] = endValue;
  }
  const twrr = linked ? { cumulative: growth - 1, annualised: annualise(growth - 1, days) } : null;
  const rate = xirrOfDays(flowDays, flowAmounts, count);
  let mwrr: ReturnFigures['mwrr'] = null;
  if (rate !== null) {
    const cumulative = Math.pow(1 + rate, (e.toDay - e.fromDay) / 365) - 1;
    mwrr = { cumulative, annualised: days >= ANNUALISE_MIN_DAYS ? rate : cumulative };
  }
  return { range: { from: range.from, to: range.to }, days, startValue, endValue, netFlows, income, twrr, mwrr };
}

function seriesOf(a: Aggregate, range: DateRange): ValueSeries {
  return { from: range.from, values: Array.from(a.values.subarray(1)) };
}

function scopedSeries(inputs: InvestInputs, scope: ReturnScope, range: DateRange): { e: Engine; a: Aggregate } {
  checkScope(scope);
  const e = engine(inputs, range);
  const series = e.p.holdings.filter((h) => inScope(scope, h)).map((h) => holdingSeries(e, h));
  return { e, a: aggregate(series, e.dates.length) };
}

/** The scope's market value at the end of each day of the range, base currency minor units. */
export function valueSeries(inputs: InvestInputs, scope: ReturnScope, range: DateRange): ValueSeries {
  return seriesOf(scopedSeries(inputs, scope, range).a, range);
}

/** Time- and money-weighted returns of a scope over a range (rules in the module header). */
export function returnsFor(inputs: InvestInputs, scope: ReturnScope, range: DateRange): ReturnFigures {
  const { e, a } = scopedSeries(inputs, scope, range);
  return figures(a, e, range);
}

/** A scope's daily figures over a range, base currency minor units: index 0 is the day before `from`, index k the k-th day of the range. */
export interface DailyFigures {
  /** Market value at the end of each day. */
  readonly values: Float64Array;
  /** Net money in on each day, dividends excluded, transfers at market value (the module header's rules). */
  readonly moneyIn: Float64Array;
  /** Dividends received on each day. */
  readonly dividends: Float64Array;
}

/**
 * `returnsFor` and the daily figures it was worked out from, from one run of the engine: for a caller that cuts the
 * range into parts (the reports' investment performance) without valuing every holding again.
 */
export function dailyReturns(inputs: InvestInputs, scope: ReturnScope, range: DateRange): { readonly daily: DailyFigures; readonly returns: ReturnFigures } {
  const { e, a } = scopedSeries(inputs, scope, range);
  return { daily: a, returns: figures(a, e, range) };
}

/**
 * Everything the portfolio screens need in one pass: holdings at the range's end, the portfolio's daily values and
 * returns, and the returns of each account, each account type and each holding — every holding's series computed once.
 */
export function portfolioReport(inputs: InvestInputs, range: DateRange): PortfolioReport {
  const e = engine(inputs, range);
  const all = e.p.holdings.map((h) => holdingSeries(e, h));
  const n = e.dates.length;
  const problems: InvestDataProblem[] = [];
  const holdings: Holding[] = [];
  for (const s of all) if (s.active) holdings.push(valueHolding(e.p, s.holding, s.state, range.to, problems));

  const portfolio = aggregate(all, n);
  const byAccountId = new Map<string, HoldingSeries[]>();
  const byType = new Map<AccountType, HoldingSeries[]>();
  for (const s of all) {
    const acc = s.holding.account;
    byAccountId.set(acc.id, [...(byAccountId.get(acc.id) ?? []), s]);
    byType.set(acc.type, [...(byType.get(acc.type) ?? []), s]);
  }
  return {
    holdings: { date: range.to, holdings, problems: dedupe([...e.p.problems, ...e.problems, ...problems]) },
    series: seriesOf(portfolio, range),
    returns: figures(portfolio, e, range),
    byAccount: [...byAccountId].map(([accountId, list]) => ({ accountId, returns: figures(aggregate(list, n), e, range) })),
    byAccountType: [...byType].map(([type, list]) => ({ type, returns: figures(aggregate(list, n), e, range) })),
    byHolding: all.filter((s) => s.active).map((s) => ({
      accountId: s.holding.account.id, assetId: s.holding.asset.id,
      returns: figures({ values: s.values, moneyIn: s.moneyIn, dividends: s.dividends }, e, range),
    })),
  };
}
