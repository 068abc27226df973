import { convertExact, parseRate } from '../budget/fx.ts';
import type { ParsedRate } from '../budget/fx.ts';
import { dayNumber, isCalendarDate } from '../date/date.ts';
import { currencyExponent } from '../money/money.ts';
import type { InvestmentTransaction } from '../schema/registry.ts';
import { INVESTMENT_KINDS } from '../schema/registry.ts';
import { parseScaled } from './scaled.ts';
import type { Scaled } from './scaled.ts';
import type { DateRange, FxSeries, InvestAccount, InvestAsset, InvestDataProblem, InvestInputs, PriceSeries } from './types.ts';

/**
 * Checks and indexes the engine's inputs once per call: transactions grouped per (account, asset) in processing
 * order, quantities parsed exactly, FX series ready for lookups. Malformed input throws an InvestInputError naming
 * the document and field; missing market data is not malformed and becomes a reported problem instead.
 */

export class InvestInputError extends RangeError {
  override name = 'InvestInputError';
}

/** Order of kinds within one day: a split applies before that day's trading, buys before sells. */
const KIND_ORDER: Readonly<Record<InvestmentTransaction['kind'], number>> = {
  split: 0, transfer_in: 1, buy: 2, dividend: 3, fee: 4, sell: 5, transfer_out: 6,
};

export interface PreparedTx {
  readonly doc: InvestmentTransaction;
  readonly day: number;
  readonly quantity: Scaled;
  readonly unitPrice: Scaled | null;
  readonly splitRatio: Scaled | null;
}

export interface PreparedHolding {
  readonly key: string;
  readonly account: InvestAccount;
  readonly asset: InvestAsset;
  /** In processing order: date, then kind (KIND_ORDER), then id. */
  readonly txs: readonly PreparedTx[];
}

export interface FxTable {
  readonly currency: string;
  readonly dates: readonly string[];
  readonly rates: readonly string[];
  readonly parsed: (ParsedRate | undefined)[];
}

export interface Prepared {
  readonly inputs: InvestInputs;
  readonly base: string;
  readonly baseExponent: number;
  readonly holdings: readonly PreparedHolding[];
  readonly accounts: ReadonlyMap<string, InvestAccount>;
  readonly prices: ReadonlyMap<string, PriceSeries>;
  readonly fx: ReadonlyMap<string, FxTable>;
  readonly staleAfterDays: number;
  /** Problems found while converting (no FX rate on or before a date), shared by all who convert in one call. */
  readonly problems: InvestDataProblem[];
  /** Per-asset caches of derived data (parsed closes), kept with the checked inputs. */
  readonly memo: Map<string, unknown>;
}

/**
 * Inputs are immutable (the contract's `readonly`): the checked, indexed form of an inputs object is kept for later
 * calls with the same object, so a screen asking for several ranges or scopes pays for the checks once. Anything
 * that changes needs a new inputs object (the compute worker builds one per store revision).
 */
const PREPARED = new WeakMap<InvestInputs, Omit<Prepared, 'problems'>>();

function fail(message: string): never {
  throw new InvestInputError(message);
}

export function checkDate(date: unknown, what: string): string {
  if (typeof date !== 'string' || !isCalendarDate(date)) fail(`${what} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return date;
}

function checkCurrency(code: unknown, what: string): string {
  try {
    currencyExponent(code as string);
  } catch {
    fail(`${what} is not a known currency code: ${JSON.stringify(code)}`);
  }
  return code as string;
}

function decimal(text: unknown, what: string): Scaled {
  try {
    return parseScaled(text as string);
  } catch {
    return fail(`${what} must be a decimal number as text, got ${JSON.stringify(text)}`);
  }
}

function checkMinor(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) fail(`${what} must be whole minor units, got ${JSON.stringify(n)}`);
  return n;
}

export function checkRange(range: DateRange): { from: number; to: number } {
  if (!range || typeof range !== 'object') fail('range must be { from, to }');
  checkDate(range.from, 'range.from');
  checkDate(range.to, 'range.to');
  if (range.from > range.to) fail(`range.from ${range.from} is after range.to ${range.to}`);
  return { from: dayNumber(range.from), to: dayNumber(range.to) };
}

function checkSeriesDates(dates: readonly string[], values: readonly string[], what: string): void {
  if (!Array.isArray(dates) || !Array.isArray(values) || dates.length !== values.length) fail(`${what}: dates and values must be arrays of the same length`);
  for (let i = 0; i < dates.length; i += 1) {
    const d = dates[i]!;
    if (typeof d !== 'string' || d.length !== 10 || (i > 0 && d <= dates[i - 1]!)) {
      fail(`${what}: dates must be YYYY-MM-DD strictly ascending (at index ${i}: ${JSON.stringify(d)})`);
    }
  }
  if (dates.length > 0) {
    checkDate(dates[0], `${what} first date`);
    checkDate(dates[dates.length - 1], `${what} last date`);
  }
}

export function prepare(inputs: InvestInputs): Prepared {
  let core = inputs && typeof inputs === 'object' ? PREPARED.get(inputs) : undefined;
  if (!core) {
    core = check(inputs);
    PREPARED.set(inputs, core);
  }
  return { ...core, problems: [] };
}

function check(inputs: InvestInputs): Omit<Prepared, 'problems'> {
  if (!inputs || typeof inputs !== 'object') fail('inputs must be an object');
  for (const k of ['transactions', 'assets', 'accounts', 'prices', 'fx'] as const) {
    if (!Array.isArray(inputs[k])) fail(`inputs.${k} must be an array`);
  }
  const base = checkCurrency(inputs.baseCurrency, 'inputs.baseCurrency');
  const staleAfterDays = inputs.staleAfterDays ?? 5;
  if (!Number.isInteger(staleAfterDays) || staleAfterDays < 0) fail(`inputs.staleAfterDays must be a whole number ≥ 0, got ${staleAfterDays}`);

  const accounts = new Map<string, InvestAccount>();
  for (const a of inputs.accounts) {
    if (!a || typeof a.id !== 'string') fail('every account needs an id');
    checkCurrency(a.currency, `account ${a.id} currency`);
    accounts.set(a.id, a);
  }
  const assets = new Map<string, InvestAsset>();
  for (const a of inputs.assets) {
    if (!a || typeof a.id !== 'string') fail('every asset needs an id');
    checkCurrency(a.currency, `asset ${a.id} currency`);
    assets.set(a.id, a);
  }
  const prices = new Map<string, PriceSeries>();
  for (const p of inputs.prices) {
    if (!p || typeof p.assetId !== 'string') fail('every price series needs an assetId');
    if (prices.has(p.assetId)) fail(`two price series for asset ${p.assetId}`);
    checkCurrency(p.currency, `price series ${p.assetId} currency`);
    checkSeriesDates(p.dates, p.closes, `price series ${p.assetId}`);
    prices.set(p.assetId, p);
  }
  const fx = new Map<string, FxTable>();
  for (const s of inputs.fx as readonly FxSeries[]) {
    checkCurrency(s?.currency, 'an FX series currency');
    if (fx.has(s.currency)) fail(`two FX series for ${s.currency}`);
    checkSeriesDates(s.dates, s.rates, `FX series ${s.currency}`);
    fx.set(s.currency, { currency: s.currency, dates: s.dates, rates: s.rates, parsed: new Array<ParsedRate | undefined>(s.rates.length) });
  }

  const groups = new Map<string, PreparedTx[]>();
  const holdingMeta = new Map<string, { account: InvestAccount; asset: InvestAsset }>();
  const kinds = new Set<string>(INVESTMENT_KINDS);
  for (const doc of inputs.transactions) {
    const id = doc?.id;
    const what = `investment transaction ${JSON.stringify(id)}`;
    if (typeof id !== 'string') fail('every investment transaction needs an id');
    if (!kinds.has(doc.kind)) fail(`${what}: unknown kind ${JSON.stringify(doc.kind)}`);
    checkDate(doc.date, `${what} date`);
    const account = accounts.get(doc.accountId) ?? fail(`${what} names account ${JSON.stringify(doc.accountId)}, which is not in inputs.accounts`);
    const asset = assets.get(doc.assetId) ?? fail(`${what} names asset ${JSON.stringify(doc.assetId)}, which is not in inputs.assets`);
    checkCurrency(doc.currency, `${what} currency`);
    checkMinor(doc.amount, `${what} amount`);
    if (checkMinor(doc.fee, `${what} fee`) < 0) fail(`${what}: fee must not be negative, got ${doc.fee}`);
    const quantity = decimal(doc.quantity, `${what} quantity`);
    const unitPrice = doc.unitPrice == null ? null : decimal(doc.unitPrice, `${what} unitPrice`);
    const splitRatio = doc.splitRatio == null ? null : decimal(doc.splitRatio, `${what} splitRatio`);
    if (['buy', 'sell', 'transfer_in', 'transfer_out'].includes(doc.kind) && quantity.digits <= 0n) {
      fail(`${what}: a ${doc.kind} needs a quantity above zero, got ${doc.quantity}`);
    }
    if (doc.kind === 'buy' && -doc.amount - doc.fee < 0) {
      fail(`${what}: a buy's amount is the cash leaving the account with the fee (negative, at least the fee), got amount ${doc.amount} and fee ${doc.fee}`);
    }
    if (doc.kind === 'transfer_in' && unitPrice === null) fail(`${what}: a transfer in needs unitPrice (the cost carried over per unit)`);
    if (unitPrice !== null && unitPrice.digits < 0n) fail(`${what}: unitPrice must not be negative, got ${doc.unitPrice}`);
    const key = `${doc.accountId}\u0000${doc.assetId}`;
    let list = groups.get(key);
    if (!list) {
      list = [];
      groups.set(key, list);
      holdingMeta.set(key, { account, asset });
    }
    list.push({ doc, day: dayNumber(doc.date), quantity, unitPrice, splitRatio });
  }
  const holdings: PreparedHolding[] = [];
  for (const [key, txs] of groups) {
    txs.sort((a, b) => a.day - b.day || KIND_ORDER[a.doc.kind] - KIND_ORDER[b.doc.kind] || (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0));
    const meta = holdingMeta.get(key)!;
    holdings.push({ key, account: meta.account, asset: meta.asset, txs });
  }
  holdings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { inputs, base, baseExponent: currencyExponent(base), holdings, accounts, prices, fx, staleAfterDays, memo: new Map() };
}

/** Index of the last entry of ascending `dates` on or before `date`, or -1. */
export function lastOnOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid]! <= date) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function parsedRateAt(table: FxTable, index: number): ParsedRate {
  let r = table.parsed[index];
  if (r === undefined) {
    try {
      r = parseRate(table.rates[index]!);
    } catch {
      return fail(`FX series ${table.currency}: rate on ${table.dates[index]} must be a positive decimal, got ${JSON.stringify(table.rates[index])}`);
    }
    table.parsed[index] = r;
  }
  return r;
}

/**
 * The index of the rate used for `currency` on `date`: the latest on or before it; when there is none, the earliest
 * rate after it, with a 'no-rate' problem. Throws when the currency has no rates at all (nothing can be converted).
 */
export function rateIndex(p: Prepared, currency: string, date: string, transactionId: string | null): { table: FxTable; index: number } {
  const table = p.fx.get(currency);
  if (!table || table.dates.length === 0) {
    return fail(`no FX rates for ${currency} into ${p.base}: inputs.fx needs a ${currency} series to value ${currency} trades and holdings`);
  }
  const i = lastOnOrBefore(table.dates, date);
  if (i >= 0) return { table, index: i };
  p.problems.push({
    transactionId, kind: 'no-rate',
    message: `no ${currency}→${p.base} rate on or before ${date}; used the first one, of ${table.dates[0]}`,
  });
  return { table, index: 0 };
}

/** Minor units of `currency` on `date` into the base currency (half-even, = convertMinor). */
export function toBase(p: Prepared, amount: number, currency: string, date: string, transactionId: string | null): number {
  if (currency === p.base || amount === 0) return amount;
  const { table, index } = rateIndex(p, currency, date, transactionId);
  return convertExact(amount, currency, p.base, parsedRateAt(table, index));
}
