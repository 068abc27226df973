import { dateOfDay, dayNumber } from '../date/date.ts';
import { occurrencesBetween } from '../ledger/recurring.ts';
import { convertMinor, valueOf } from '../money/money.ts';
import type {
  Account, Asset, Budget, Category, CollectionName, InvestmentTransaction, RecurringRule, Settings, Transaction,
} from '../schema/registry.ts';
import { latestDoc, mergeBars, type DailyBar, type SeriesKey } from '../quotes/quotes.ts';
import { ACCOUNT_SPECS, ASSET_SPECS, CATEGORY_TREE, HOLIDAY_PLACES, RULE_SPECS, SPEND_SPECS, SPLIT } from './catalogue.ts';
import type { AccountSpec, RuleSpec } from './catalogue.ts';
import { Rng } from './prng.ts';
import type { DemoRecord } from './types.ts';

export type { DemoRecord } from './types.ts';
export { Rng, hashText } from './prng.ts';

/**
 * A deterministic demo household: ten years of a UK couple's money (two salaries, rent then a
 * mortgage, bills on RRULEs, cards repaid in full, holidays paid from EUR and USD wallets, an ISA,
 * a SIPP, a GIA, a workplace pension and crypto) ending on a reference date. Everything comes from
 * one seeded PRNG, so a seed always yields the same documents byte for byte.
 *
 * `generateHousehold` streams: static documents first, then quotes asset by asset, then each day's
 * transactions and investment transactions in date order. Memory stays flat whatever the size
 * (about 60 bytes per day per price series, nothing per transaction).
 *
 * Conventions: every amount is integer minor units of the document's currency. Transactions: negative
 * leaves the account, positive enters it; a transfer is two transactions (one per account) sharing a
 * `transferId`, opposite in sign (and equal in size when both sides share a currency). Investment
 * transactions: `amount` is the cash effect on the account in the trade currency, fee included (buy
 * negative, sell and dividend positive, split zero); for a split `quantity` is the shares added.
 */

export interface HouseholdOptions {
  /** Any text or safe integer. Default 'mymidas-demo'. */
  readonly seed?: string | number;
  /** Approximate number of transaction documents (transfer legs count one each). Default 100,000. */
  readonly transactions?: number;
  /** Last day of the history, YYYY-MM-DD. Default '2026-10-31'. */
  readonly referenceDate?: string;
  /** Years of history ending on the reference date. Default 10. */
  readonly years?: number;
  /** Emit daily OHLCV and FX quotes. Default true. */
  readonly quotes?: boolean;
}

export interface HouseholdSummary {
  readonly counts: Readonly<Record<CollectionName, number>>;
  readonly startDate: string;
  readonly referenceDate: string;
}

const DAY_MS = 86_400_000;
const NODE = 'demo';
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TRADING_DAYS = 252;

function parseDay(date: string, what: string): number {
  if (!DATE_RE.test(date)) throw new RangeError(`${what} must be a date as YYYY-MM-DD, got "${date}"`);
  try {
    return dayNumber(date);
  } catch {
    throw new RangeError(`${what} is not a real date: "${date}"`);
  }
}

/** Integer `units` of 10^-dp as decimal text without trailing zeros ("12.5", "3"). */
function scaledText(units: number, dp: number): string {
  const neg = units < 0;
  const s = String(Math.abs(units)).padStart(dp + 1, '0');
  let end = s.length;
  const point = s.length - dp;
  while (end > point && s.charCodeAt(end - 1) === 48) end -= 1;
  const text = end > point ? `${s.slice(0, point)}.${s.slice(point, end)}` : s.slice(0, point);
  return neg ? `-${text}` : text;
}

const PRICE_DP = 4;
const PRICE_SCALE = 10 ** PRICE_DP;
const QTY_DP = 8;
const QTY_SCALE = 10 ** QTY_DP;
const FX_DP = 6;
const FX_SCALE = 10 ** FX_DP;

interface Acct {
  readonly spec: AccountSpec;
  readonly doc: Account;
  readonly openDay: number;
  balance: number;
  /** Balance at the end of last month (credit cards: the statement). */
  statement: number;
}

interface RuleEvent {
  readonly spec: RuleSpec;
  readonly ruleId: string;
}

interface Holding {
  readonly account: string;
  readonly asset: number;
  /** Quantity in 10^-8 units. */
  units: number;
}

interface Trip {
  readonly start: number;
  readonly end: number;
  readonly currency: 'EUR' | 'USD';
  readonly place: string;
  readonly tag: string;
}

function validate(options: HouseholdOptions) {
  const seed = options.seed ?? 'mymidas-demo';
  const transactions = options.transactions ?? 100_000;
  const years = options.years ?? 10;
  const referenceDate = options.referenceDate ?? '2026-10-31';
  if (typeof seed === 'number' ? !Number.isSafeInteger(seed) : typeof seed !== 'string' || seed.length === 0 || seed.length > 200) {
    throw new RangeError(`seed must be a safe integer or a text of 1 to 200 characters, got ${String(seed)}`);
  }
  if (!Number.isSafeInteger(transactions) || transactions < 1) throw new RangeError(`transactions must be a positive whole number, got ${transactions}`);
  if (!Number.isInteger(years) || years < 1 || years > 30) throw new RangeError(`years must be a whole number from 1 to 30, got ${years}`);
  const endDay = parseDay(referenceDate, 'referenceDate');
  const refYear = Number(referenceDate.slice(0, 4));
  const startMs = Date.UTC(refYear - years, Number(referenceDate.slice(5, 7)) - 1, Number(referenceDate.slice(8, 10))) + DAY_MS;
  const startDay = startMs / DAY_MS;
  if (startMs < Date.UTC(2002, 0, 1) || refYear > 2200) throw new RangeError('the history must lie between 2002 and 2200');
  return { seed, transactions, years, referenceDate, endDay, startDay, quotes: options.quotes ?? true };
}

/** Bills, transfers and money admin take about this many transactions a month whatever the size. */
const FIXED_PER_MONTH = 50;

/**
 * The household as a stream of documents; the generator's return value counts them. Options are
 * checked at the call, before anything is produced.
 */
export function generateHousehold(options: HouseholdOptions = {}): Generator<DemoRecord, HouseholdSummary, undefined> {
  const opts = validate(options);
  const minimum = Math.ceil(((opts.endDay - opts.startDay + 1) / 30.44) * FIXED_PER_MONTH);
  if (opts.transactions < minimum) {
    throw new RangeError(`transactions must be at least ${minimum} for ${opts.years} years of history (bills and transfers alone take about ${FIXED_PER_MONTH} a month)`);
  }
  return streamHousehold(opts);
}

function* streamHousehold(opts: ReturnType<typeof validate>): Generator<DemoRecord, HouseholdSummary, undefined> {
  const { seed, startDay, endDay } = opts;
  const days = endDay - startDay + 1;
  const counts: Record<CollectionName, number> = {
    accounts: 0, categories: 0, transactions: 0, budgets: 0, recurring_rules: 0, attachments: 0, assets: 0,
    investment_transactions: 0, quotes: 0, net_worth_snapshots: 0, settings: 0, rules: 0,
  };
  const dates: string[] = new Array<string>(days);
  for (let i = 0; i < days; i += 1) dates[i] = dateOfDay(startDay + i);
  const dateAt = (day: number) => dates[day - startDay]!;
  const frac = (f: number) => startDay + Math.floor((days - 1) * f);
  const startDate = dateAt(startDay);

  const idRng = new Rng(seed, 'ids');
  const rng = new Rng(seed, 'life');
  const invRng = new Rng(seed, 'investing');
  /** Documents stamped so far on each day: stamps never repeat, whatever order the days come in. */
  const stampsOnDay = new Int32Array(days);
  /** A fresh UUIDv7 and HLC stamp dated on `day`: 08:00 UTC plus one ms per document already on that day. */
  const stamp = (day: number): { id: string; hlc: string } => {
    const i = day - startDay;
    if (i < 0 || i >= days) throw new RangeError(`demo stamp outside the history: day ${day}`);
    const seq = stampsOnDay[i]!;
    if (seq >= 57_600_000) throw new RangeError('more than 57,600,000 documents on one day');
    stampsOnDay[i] = seq + 1;
    const ms = day * DAY_MS + 28_800_000 + seq;
    return { id: idRng.uuid7(ms), hlc: `${ms}:0000:${NODE}` };
  };
  const emit = <N extends CollectionName>(collection: N, doc: Extract<DemoRecord, { collection: N }>['doc']): Extract<DemoRecord, { collection: N }> => {
    counts[collection] += 1;
    return { collection, doc } as Extract<DemoRecord, { collection: N }>;
  };

  // ---- settings, categories -------------------------------------------------------------------
  const settings: Settings = { ...stamp(startDay), baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', budgetStartDay: 1, idleLockMinutes: 15 };
  yield emit('settings', settings);

  const categoryIds = new Map<string, string>();
  let sort = 0;
  for (const parent of CATEGORY_TREE) {
    const p: Category = { ...stamp(startDay), name: parent.name, parentId: null, kind: parent.kind, color: parent.color, icon: parent.icon, sortOrder: (sort += 10), hidden: false };
    categoryIds.set(parent.name, p.id);
    yield emit('categories', p);
    for (const child of parent.children) {
      const c: Category = { ...stamp(startDay), name: child, parentId: p.id, kind: parent.kind, color: parent.color, icon: parent.icon, sortOrder: (sort += 10), hidden: false };
      categoryIds.set(child, c.id);
      yield emit('categories', c);
    }
  }
  const cat = (name: string): string => {
    const found = categoryIds.get(name);
    if (!found) throw new Error(`demo catalogue names an unknown category "${name}"`);
    return found;
  };

  // ---- accounts ---------------------------------------------------------------------------------
  const accounts = new Map<string, Acct>();
  for (const [i, spec] of ACCOUNT_SPECS.entries()) {
    const openDay = frac(spec.opensAt);
    const doc: Account = {
      ...stamp(openDay),
      name: spec.name,
      type: spec.type,
      currency: spec.currency,
      institution: spec.institution,
      accountRef: spec.type === 'cash' || spec.type.startsWith('other') ? null : `****${String(idRng.int(1000, 9999))}`,
      openingBalance: spec.opening,
      openingDate: dateAt(openDay),
      creditLimit: spec.creditLimit ?? null,
      apr: spec.apr ?? null,
      closed: spec.closed ?? false,
      sortOrder: i * 10,
      notes: spec.notes ?? null,
    };
    accounts.set(spec.key, { spec, doc, openDay, balance: spec.opening, statement: spec.opening });
    yield emit('accounts', doc);
  }
  const acct = (key: string): Acct => {
    const a = accounts.get(key);
    if (!a) throw new Error(`demo catalogue names an unknown account "${key}"`);
    return a;
  };

  // ---- loans: fixed annuity payments ------------------------------------------------------------
  const annuity = (principal: number, apr: number, months: number) => {
    const r = apr / 100 / 12;
    return Math.round((principal * r) / (1 - (1 + r) ** -months));
  };
  const mortgagePayment = annuity(-acct('mortgage').spec.opening, 2.89, 300);
  const carPayment = annuity(-acct('car').spec.opening, 6.9, 48);

  // ---- prices and FX: one walk per series, every calendar day (weekends carry Friday) ----------
  const assetDocs: Asset[] = [];
  const closes: Float64Array[] = [];
  for (const spec of ASSET_SPECS) {
    const doc: Asset = {
      ...stamp(startDay), symbol: spec.symbol, name: spec.name, kind: spec.kind, currency: spec.currency, provider: spec.provider,
      providerId: spec.provider === 'coingecko' ? spec.name.toLowerCase() : spec.provider === 'yahoo' ? spec.symbol : null, isin: null,
    };
    assetDocs.push(doc);
    yield emit('assets', doc);
    const walk = new Rng(seed, `price:${spec.symbol}`);
    const series = new Float64Array(days);
    const everyDay = spec.kind === 'crypto';
    const perYear = everyDay ? 365 : TRADING_DAYS;
    const drift = (spec.mu - (spec.sigma * spec.sigma) / 2) / perYear;
    const vol = spec.sigma / Math.sqrt(perYear);
    let logPrice = Math.log(spec.price);
    for (let i = 0; i < days; i += 1) {
      const dow = (startDay + i + 4) % 7; // 1970-01-01 was a Thursday (4)
      if (i > 0 && (everyDay || (dow !== 0 && dow !== 6))) logPrice += drift + vol * walk.normal();
      series[i] = Math.max(1, Math.round(Math.exp(logPrice) * PRICE_SCALE));
    }
    closes.push(series);
  }
  const splitAsset = ASSET_SPECS.findIndex((a) => a.symbol === SPLIT.symbol);
  const splitDay = (() => {
    let d = frac(SPLIT.at);
    while ((d + 4) % 7 === 0 || (d + 4) % 7 === 6) d += 1;
    return Math.min(d, endDay);
  })();
  /** Quoted price in ticks of 10^-4: after the split, the walk's price divided by the ratio. */
  const priceTicks = (asset: number, day: number): number => {
    const raw = closes[asset]![day - startDay]!;
    return asset === splitAsset && day >= splitDay ? Math.max(1, Math.round(raw / SPLIT.ratio)) : raw;
  };
  const priceText = (asset: number, day: number) => scaledText(priceTicks(asset, day), PRICE_DP);

  const fxSeries = (pair: string, start: number, mean: number, sigma: number): Int32Array => {
    const w = new Rng(seed, `fx:${pair}`);
    const out = new Int32Array(days);
    let x = start;
    for (let i = 0; i < days; i += 1) {
      const dow = (startDay + i + 4) % 7;
      if (i > 0 && dow !== 0 && dow !== 6) x += 0.004 * (mean - x) + sigma * x * w.normal();
      out[i] = Math.round(x * FX_SCALE);
    }
    return out;
  };
  const fx = { EUR: fxSeries('GBP/EUR', 1.16, 1.15, 0.0045), USD: fxSeries('GBP/USD', 1.29, 1.3, 0.0055) } as const;
  const fxText = (currency: 'EUR' | 'USD', day: number) => scaledText(fx[currency][day - startDay]!, FX_DP);
  /** GBP minor units → currency minor units at that day's rate. */
  const fromGbp = (amount: number, currency: 'GBP' | 'EUR' | 'USD', day: number) =>
    currency === 'GBP' ? amount : convertMinor(amount, 'GBP', currency, fxText(currency, day));
  const toGbp = (amount: number, currency: 'GBP' | 'EUR' | 'USD', day: number) =>
    currency === 'GBP' ? amount : Math.round((amount * FX_SCALE) / fx[currency][day - startDay]!);

  if (opts.quotes) {
    // Stored as quotes are (docs/investments.md, "Prices"): per series one document per calendar year,
    // emitted when the year is complete, then one with the latest close as the latest price. Each year
    // document is stamped at 22:00 UTC of its last day.
    const yearOfDay = (day: number) => dateAt(day).slice(0, 4);
    const stampOf = (day: number, tie: number, counter = '0000') => ({ hlc: `${day * DAY_MS + 79_200_000 + tie}:${counter}:${NODE}`, asOf: new Date(day * DAY_MS + 79_200_000).toISOString() });
    function* seriesDocs(key: SeriesKey, source: string, tie: number, bars: Iterable<{ day: number; bar: DailyBar }>): Generator<DemoRecord> {
      let pending: DailyBar[] = [];
      let lastDay = -1;
      const flush = () => {
        const year = Number(yearOfDay(lastDay));
        const doc = mergeBars(null, key, year, pending, { source, ...stampOf(lastDay, tie) }).doc;
        pending = [];
        return emit('quotes', doc);
      };
      for (const { day, bar } of bars) {
        if (pending.length > 0 && yearOfDay(day) !== yearOfDay(lastDay)) yield flush();
        pending.push(bar);
        lastDay = day;
      }
      if (pending.length === 0) return;
      const close = pending[pending.length - 1]!.close;
      yield flush();
      const stamp = stampOf(lastDay, tie, '0001');
      yield emit('quotes', latestDoc(key, { price: close, source, asOf: stamp.asOf }, { hlc: stamp.hlc }));
    }
    for (const [a, spec] of ASSET_SPECS.entries()) {
      const ohlc = new Rng(seed, `ohlc:${spec.symbol}`);
      const vol = spec.sigma / Math.sqrt(spec.kind === 'crypto' ? 365 : TRADING_DAYS);
      const baseVolume = spec.kind === 'crypto' ? 20_000 : spec.kind === 'stock' ? 5_000_000 : 400_000;
      const bars = function* () {
        let prev = priceTicks(a, startDay);
        for (let day = startDay; day <= endDay; day += 1) {
          const dow = (day + 4) % 7;
          if (spec.kind !== 'crypto' && (dow === 0 || dow === 6)) continue;
          const close = priceTicks(a, day);
          if (day === splitDay && a === splitAsset) prev = Math.round(prev / SPLIT.ratio);
          const open = Math.max(1, Math.round(prev * (1 + 0.3 * vol * ohlc.normal())));
          const high = Math.round(Math.max(open, close) * (1 + Math.abs(ohlc.normal()) * vol * 0.5));
          const low = Math.max(1, Math.round(Math.min(open, close) * (1 - Math.abs(ohlc.normal()) * vol * 0.5)));
          const volume = Math.round(ohlc.logNormal(baseVolume, 0.4));
          yield {
            day,
            bar: { date: dateAt(day), open: scaledText(open, PRICE_DP), high: scaledText(high, PRICE_DP), low: scaledText(low, PRICE_DP), close: scaledText(close, PRICE_DP), volume: String(volume) },
          };
          prev = close;
        }
      };
      yield* seriesDocs({ kind: 'price', series: spec.symbol, currency: spec.currency }, spec.provider === 'manual' ? 'fund-manager' : spec.provider, a, bars());
    }
    for (const currency of ['EUR', 'USD'] as const) {
      const bars = function* () {
        for (let day = startDay; day <= endDay; day += 1) {
          const dow = (day + 4) % 7;
          if (dow === 0 || dow === 6) continue;
          yield { day, bar: { date: dateAt(day), open: null, high: null, low: null, close: fxText(currency, day), volume: null } };
        }
      };
      yield* seriesDocs({ kind: 'fx', series: `GBP/${currency}`, currency }, 'ecb', ASSET_SPECS.length + (currency === 'EUR' ? 0 : 1), bars());
    }
  }

  // ---- recurring rules ---------------------------------------------------------------------------
  const aprilsSince = (day: number) => {
    const d = dateAt(day);
    const y = Number(d.slice(0, 4));
    const m = Number(d.slice(5, 7));
    const s = Number(startDate.slice(0, 4));
    return Math.max(0, y - s - (m >= 4 ? 0 : 1) + (Number(startDate.slice(5, 7)) < 4 ? 1 : 0));
  };
  const grown = (base: number, growth: number, day: number) => Math.round(base * growth ** aprilsSince(day));
  const ruleAmount = (spec: RuleSpec, day: number): number => {
    if (spec.key === 'mortgagePay') return mortgagePayment;
    if (spec.key === 'carPay') return carPayment;
    return grown(spec.amount, spec.growth, day);
  };
  const events = new Map<number, RuleEvent[]>();
  for (const spec of RULE_SPECS) {
    const fromDay = spec.key === 'mortgagePay' || spec.key === 'carPay' ? frac(spec.from ?? 0) + 20 : frac(spec.from ?? 0);
    const untilDay = spec.key === 'carPay' ? Math.min(endDay, fromDay + 4 * 365 + 30) : spec.until === undefined ? null : frac(spec.until);
    const a = acct(spec.account);
    const draft = {
      name: spec.name, rrule: spec.rrule, startDate: dateAt(fromDay), endDate: untilDay === null ? null : dateAt(untilDay),
      accountId: a.doc.id, amount: spec.to ? -ruleAmount(spec, endDay) : ruleAmount(spec, endDay), currency: a.spec.currency,
      categoryId: cat(spec.category), payee: spec.payee, autoPost: true, lastPostedDate: null, skippedDates: [] as string[],
    };
    const dates = occurrencesBetween(draft, draft.startDate, draft.endDate ?? dateAt(endDay));
    const rule: RecurringRule = { ...stamp(fromDay), ...draft, lastPostedDate: dates.at(-1)?.date ?? null };
    yield emit('recurring_rules', rule);
    for (const o of dates) {
      const day = parseDay(o.date, 'occurrence');
      const list = events.get(day) ?? [];
      list.push({ spec, ruleId: rule.id });
      events.set(day, list);
    }
  }

  // ---- budgets: one monthly budget per main spending category, its amount raised each January ------
  const BUDGETED: readonly (readonly [string, number, boolean])[] = [
    ['Groceries', 46_000, false], ['Eating out', 12_000, false], ['Takeaway', 6_000, false], ['Coffee', 4_500, false],
    ['Fuel', 11_000, false], ['Public transport', 7_500, false], ['Clothing', 8_000, false], ['Household goods', 5_000, false],
    ['Gifts', 6_000, true], ['Hobbies', 4_000, false], ['Energy', 9_500, false], ['Holidays', 30_000, true],
  ];
  {
    const firstMonth = `${startDate.slice(0, 7)}-01`;
    const years: number[] = [];
    for (let y = Number(startDate.slice(0, 4)); y <= Number(dateOfDay(endDay).slice(0, 4)); y++) years.push(y);
    for (const [name, base, rollover] of BUDGETED) {
      const amounts = years.map((y, i) => {
        const from = i === 0 ? firstMonth : `${y}-01-01`;
        const day = Math.max(startDay, Math.min(endDay, parseDay(from, 'month')));
        return { from, amount: Math.round(grown(base, 1.03, day) / 1000) * 1000 };
      });
      const b: Budget = {
        ...stamp(startDay), categoryId: cat(name), period: 'monthly', weekStart: 1, startDate: firstMonth, endDate: null,
        amounts, currency: 'GBP', rollover: rollover ? 'unspent' : 'none', alertThreshold: 80, alerts: [],
      };
      yield emit('budgets', b);
    }
  }

  // ---- holidays ----------------------------------------------------------------------------------
  const trips: Trip[] = [];
  {
    const firstYear = Number(startDate.slice(0, 4));
    for (let y = firstYear; y <= Number(dateAt(endDay).slice(0, 4)); y += 1) {
      const plan: [number, number, number, 'EUR' | 'USD'][] = [
        [4, rng.int(5, 25), rng.int(4, 6), 'EUR'],
        [7, rng.int(12, 31), rng.int(8, 14), rng.chance(0.35) ? 'USD' : 'EUR'],
      ];
      for (const [month, dom, nights, currency] of plan) {
        const start = parseDay(`${y}-${String(month).padStart(2, '0')}-${String(Math.min(dom, 30)).padStart(2, '0')}`, 'trip');
        const place = rng.pick(HOLIDAY_PLACES[currency]);
        if (start - 3 < startDay || start + nights > endDay) continue;
        trips.push({ start, end: start + nights, currency, place, tag: `holiday:${place.toLowerCase().replace(/\s+/g, '-')}-${y}` });
      }
    }
  }
  const tripOn = (day: number) => trips.find((t) => day >= t.start && day <= t.end);

  // ---- discretionary spending: how many a day, how much each --------------------------------------
  const spendCount = SPEND_SPECS.length;
  const dayWeights = (day: number, out: Float64Array): number => {
    const d = dateAt(day);
    const month = Number(d.slice(5, 7));
    const dow = (day + 4) % 7;
    let total = 0;
    for (let c = 0; c < spendCount; c += 1) {
      const s = SPEND_SPECS[c]!;
      const w = s.weight * s.week[dow]! * (s.months?.[month] ?? 1);
      out[c] = w;
      total += w;
    }
    return total;
  };
  const scratch = new Float64Array(spendCount);
  const perCategory = new Float64Array(spendCount);
  let weightTotal = 0;
  for (let day = startDay; day <= endDay; day += 1) {
    weightTotal += dayWeights(day, scratch);
    for (let c = 0; c < spendCount; c += 1) perCategory[c]! += scratch[c]!;
  }
  let scheduled = 0;
  for (const list of events.values()) for (const e of list) scheduled += e.spec.to ? 2 : 1;
  const months = days / 30.44;
  // Card repayments, interest, loan interest, trips, sweeps and top-ups: about 9 a month.
  const estimatedFixed = scheduled + Math.round(months * 9);
  if (estimatedFixed > months * FIXED_PER_MONTH) throw new Error(`demo catalogue schedules ${estimatedFixed} fixed transactions, more than FIXED_PER_MONTH allows`);
  const discretionary = opts.transactions - estimatedFixed;
  /** Mean amount per purchase (pence, start prices) so that each category's monthly spend holds at any size. */
  const meanAmount = SPEND_SPECS.map((s, c) => (s.monthly * months) / ((discretionary * perCategory[c]!) / weightTotal));
  const payRoutes = SPEND_SPECS.map((s) => {
    const keys = Object.keys(s.pay);
    const weights = keys.map((k) => s.pay[k]!);
    return { keys, weights, total: weights.reduce((a, b) => a + b, 0) };
  });

  // ---- the day loop ------------------------------------------------------------------------------
  const out: DemoRecord[] = [];
  const status = (day: number, card: boolean): Transaction['status'] =>
    card && endDay - day < 3 ? 'pending' : endDay - day < 45 ? 'cleared' : 'reconciled';
  interface PostExtra {
    readonly transferId?: string;
    readonly tags?: string[];
    readonly splits?: Transaction['splits'];
  }
  const post = (day: number, key: string, amount: number, category: string | null, merchant: string | null, description: string, extra?: PostExtra): Transaction => {
    const a = acct(key);
    a.balance += amount;
    const { id, hlc } = stamp(day);
    const t: Transaction = {
      id, hlc, accountId: a.doc.id, date: dateAt(day), amount, currency: a.spec.currency,
      categoryId: category === null ? null : cat(category), tags: extra?.tags ?? [], merchant, description, notes: null,
      transferId: extra?.transferId ?? null, importHash: null, status: status(day, a.spec.type === 'credit_card'), splits: extra?.splits ?? [],
    };
    out.push(emit('transactions', t));
    return t;
  };
  /** Two legs, one per account, sharing a transferId; `amountTo` defaults to `amount` (same currency). */
  const transfer = (day: number, fromKey: string, toKey: string, amount: number, category: string, label: string, amountTo = amount) => {
    const transferId = idRng.uuid7(day * DAY_MS + 28_800_000);
    const from = acct(fromKey);
    const to = acct(toKey);
    post(day, fromKey, -amount, category, null, `${label} to ${to.spec.name}`, { transferId });
    post(day, toKey, amountTo, category, null, `${label} from ${from.spec.name}`, { transferId });
  };

  const holdings = new Map<string, Holding>();
  const holding = (account: string, asset: number) => {
    const k = `${account}|${asset}`;
    let h = holdings.get(k);
    if (!h) {
      h = { account, asset, units: 0 };
      holdings.set(k, h);
    }
    return h;
  };
  const universe = (account: string) => ASSET_SPECS.flatMap((s, i) => (s.accounts.includes(account) ? [i] : []));
  const invest = (day: number, kind: InvestmentTransaction['kind'], account: string, asset: number, units: number, unit: string | null, amount: number, fee: number, notes: string | null, splitRatio: string | null = null) => {
    const a = acct(account);
    const spec = ASSET_SPECS[asset]!;
    a.balance += toGbp(amount, spec.currency, day);
    const doc: InvestmentTransaction = {
      ...stamp(day), accountId: a.doc.id, assetId: assetDocs[asset]!.id, kind, date: dateAt(day), quantity: scaledText(units, QTY_DP),
      unitPrice: unit, amount, fee, currency: spec.currency, splitRatio, notes,
    };
    out.push(emit('investment_transactions', doc));
  };
  const buy = (day: number, account: string, gbpBudget: number) => {
    const picks = universe(account);
    if (picks.length === 0 || gbpBudget < 1_000) return;
    const n = Math.min(picks.length, invRng.int(1, 2));
    for (let k = 0; k < n; k += 1) {
      const asset = invRng.pick(picks);
      const spec = ASSET_SPECS[asset]!;
      const fee = spec.kind === 'stock' ? 595 : 0;
      const budget = fromGbp(Math.floor(gbpBudget / n) - fee, spec.currency, day);
      const ticks = priceTicks(asset, day);
      const dp = spec.kind === 'stock' ? 0 : spec.kind === 'crypto' ? 8 : 4;
      const shares = Math.floor(((budget * (PRICE_SCALE / 100)) / ticks) * 10 ** dp);
      if (shares <= 0) continue;
      const units = shares * 10 ** (QTY_DP - dp);
      const unit = priceText(asset, day);
      const value = valueOf(scaledText(units, QTY_DP), unit, spec.currency);
      holding(account, asset).units += units;
      invest(day, 'buy', account, asset, units, unit, -(value + fee), fee, null);
    }
  };
  const sell = (day: number, h: Holding, share: number, note: string | null) => {
    const spec = ASSET_SPECS[h.asset]!;
    const dp = spec.kind === 'stock' ? 0 : spec.kind === 'crypto' ? 8 : 4;
    const step = 10 ** (QTY_DP - dp);
    const units = Math.floor((h.units * share) / step) * step;
    if (units <= 0) return;
    const unit = priceText(h.asset, day);
    const fee = spec.kind === 'stock' ? 595 : 0;
    const value = valueOf(scaledText(units, QTY_DP), unit, spec.currency);
    if (value <= fee) return;
    h.units -= units;
    invest(day, 'sell', h.account, h.asset, units, unit, value - fee, fee, note);
  };
  const isWeekday = (day: number) => (day + 4) % 7 !== 0 && (day + 4) % 7 !== 6;
  const nextWeekday = (day: number) => {
    let d = day;
    while (!isWeekday(d)) d += 1;
    return d;
  };
  const pendingBuys = new Map<number, string[]>();
  const scheduleBuy = (day: number, account: string) => {
    const d = account === 'crypto' ? day + 1 : nextWeekday(day + 2);
    if (d > endDay) return;
    const list = pendingBuys.get(d) ?? [];
    if (!list.includes(account)) list.push(account);
    pendingBuys.set(d, list);
  };

  const dividendPaid = new Set<string>();
  const rebalanced = new Set<string>();
  let cum = 0;
  let done = 0;
  const caps: Readonly<Record<string, number>> = { main: 400_000, joint: 350_000 };
  for (let day = startDay; day <= endDay; day += 1) {
    const d = dateAt(day);
    const dom = Number(d.slice(8, 10));
    const month = Number(d.slice(5, 7));
    const isLastOfMonth = day === endDay || dateAt(day + 1).slice(8, 10) === '01';

    // Split before any trading that day.
    if (day === splitDay) {
      for (const h of holdings.values()) {
        if (h.asset !== splitAsset || h.units <= 0) continue;
        const added = h.units * (SPLIT.ratio - 1);
        h.units += added;
        invest(day, 'split', h.account, h.asset, added, null, 0, 0, `${SPLIT.ratio}-for-1 share split`, String(SPLIT.ratio));
      }
    }

    // Scheduled lines from the recurring rules.
    for (const e of events.get(day) ?? []) {
      const spec = e.spec;
      let amount = ruleAmount(spec, day);
      if (spec.to) {
        const target = acct(spec.to);
        if (target.spec.type === 'loan' || target.spec.type === 'other_liability' || target.spec.type === 'mortgage') {
          if (target.balance >= 0) continue;
          amount = Math.min(amount, -target.balance);
        }
        transfer(day, spec.account, spec.to, amount, spec.category, spec.name);
        if (['isa', 'lisa', 'sipp', 'gia', 'crypto'].includes(spec.to)) scheduleBuy(day, spec.to);
      } else {
        const isCard = acct(spec.account).spec.type === 'credit_card';
        if (spec.account === 'wallet' && acct('wallet').balance < -amount) withdrawCash(day, -amount);
        post(day, spec.account, amount, spec.category, spec.payee, `${isCard ? '' : amount > 0 ? 'BACS ' : 'DIRECT DEBIT '}${spec.payee.toUpperCase()}`.trim());
        if (spec.key === 'pension') scheduleBuy(day, 'pension');
        if (spec.key === 'salary' && month === 3) {
          post(day, 'main', Math.round(amount * (0.3 + rng.next())), 'Bonus', spec.payee, `BACS ${spec.payee.toUpperCase()} BONUS`);
        }
      }
    }

    // Monthly money admin.
    if (dom === 1) {
      for (const key of ['mortgage', 'car'] as const) {
        const loan = acct(key);
        if (day > loan.openDay && loan.balance < 0) {
          const interest = Math.round((-loan.balance * Number(loan.spec.apr)) / 100 / 12);
          post(day, key, -interest, key === 'car' ? 'Loan interest' : 'Mortgage interest', loan.spec.institution, 'INTEREST CHARGED');
        }
      }
      const easy = acct('easy');
      post(day, 'easy', Math.round((Math.max(0, easy.balance) * 0.015) / 12), 'Interest', easy.spec.institution, 'GROSS INTEREST');
      const emergency = acct('emergency');
      post(day, 'emergency', Math.round((Math.max(0, emergency.balance) * 0.021) / 12), 'Interest', emergency.spec.institution, 'GROSS INTEREST');
      if (rng.chance(0.3)) post(day, 'bonds', rng.pick([2_500, 2_500, 5_000, 10_000]), 'Interest', 'NS&I', 'PREMIUM BONDS PRIZE');
      if (month === 4) {
        const isa = acct('cashisa');
        post(day, 'cashisa', Math.round(Math.max(0, isa.balance) * 0.02), 'Interest', isa.spec.institution, 'ISA INTEREST');
      }
      if (month === 9) {
        const sl = acct('student');
        if (sl.balance < 0) post(day, 'student', -Math.round(-sl.balance * 0.045), 'Student loan interest', sl.spec.institution, 'INTEREST ADDED');
      }
    }
    if (dom === 3 && acct('amex').statement < 0) transfer(day, 'main', 'amex', -acct('amex').statement, 'Credit card payment', 'Card repayment');
    if (dom === 10 && acct('visa').statement < 0) transfer(day, 'main', 'visa', -acct('visa').statement, 'Credit card payment', 'Card repayment');

    // Holidays: flights booked ahead on the card, a wallet top-up, the hotel on arrival.
    for (const trip of trips) {
      const nights = trip.end - trip.start;
      if (day === trip.start - 75 && day >= startDay) {
        post(day, 'visa', -grown(trip.currency === 'USD' ? 180_000 : 45_000, 1.03, day), 'Holidays', 'SkyJet Airways', `SKYJET AIRWAYS ${trip.place.toUpperCase()}`, { tags: [trip.tag] });
      }
      if (day === trip.start - 2) {
        const gbp = grown(nights * 12_000, 1.03, day);
        transfer(day, 'main', trip.currency === 'EUR' ? 'eur' : 'usd', gbp, 'Currency exchange', `${trip.currency} top-up`, fromGbp(gbp, trip.currency, day));
      }
      if (day === trip.start) {
        const cost = fromGbp(grown(nights * 11_000, 1.03, day), trip.currency, day);
        const wallet = trip.currency === 'EUR' ? 'eur' : 'usd';
        topUpWallet(day, wallet, trip.currency, cost);
        post(day, wallet, -cost, 'Holidays', `Hotel ${trip.place}`, `HOTEL ${trip.place.toUpperCase()}`, { tags: [trip.tag] });
      }
    }

    // Investment orders placed a few days after the money arrives.
    for (const account of pendingBuys.get(day) ?? []) buy(day, account, Math.floor(acct(account).balance * 0.95));
    pendingBuys.delete(day);
    if (isWeekday(day) && [3, 6, 9, 12].includes(month) && dom >= 15 && dom <= 17 && !dividendPaid.has(`${d.slice(0, 7)}`)) {
      dividendPaid.add(d.slice(0, 7));
      for (const h of holdings.values()) {
        const spec = ASSET_SPECS[h.asset]!;
        if (spec.yield <= 0 || h.units <= 0) continue;
        const perShareTicks = Math.max(1, Math.round((priceTicks(h.asset, day) * spec.yield) / 4));
        const unit = scaledText(perShareTicks, PRICE_DP);
        const amount = valueOf(scaledText(h.units, QTY_DP), unit, spec.currency);
        if (amount > 0) invest(day, 'dividend', h.account, h.asset, h.units, unit, amount, 0, null);
      }
    }
    if (isWeekday(day) && month === 11 && dom >= 20 && dom <= 22 && !rebalanced.has(d.slice(0, 4))) {
      rebalanced.add(d.slice(0, 4));
      let best: Holding | null = null;
      for (const h of holdings.values()) {
        if (h.account !== 'gia' || h.units <= 0) continue;
        if (!best || holdingValue(h, day) > holdingValue(best, day)) best = h;
      }
      if (best) sell(day, best, 0.25, 'Taking profits');
      const isaHoldings = [...holdings.values()].filter((h) => h.account === 'isa' && h.units > 0);
      if (isaHoldings.length > 0) sell(day, invRng.pick(isaHoldings), 0.1, 'Rebalancing');
    }
    if (dom === 14 && invRng.chance(0.06)) {
      const btc = holdings.get(`crypto|${ASSET_SPECS.findIndex((s) => s.symbol === 'BTC')}`);
      if (btc && btc.units > 0) sell(day, btc, 0.3, null);
    }

    // Everyday spending.
    const total = dayWeights(day, scratch);
    cum += (discretionary * total) / weightTotal;
    const n = Math.floor(cum) - done;
    done += n;
    const trip = tripOn(day);
    const inflation = 1.028 ** ((day - startDay) / 365.25);
    for (let k = 0; k < n; k += 1) {
      const c = rng.weighted(scratch, total);
      const s = SPEND_SPECS[c]!;
      const merchant = rng.pick(s.merchants);
      const gbp = Math.max(1, Math.round(rng.logNormal(meanAmount[c]! * inflation, s.sigma)));
      if (trip && s.abroad && trip.start < day) {
        const wallet = trip.currency === 'EUR' ? 'eur' : 'usd';
        const local = fromGbp(gbp, trip.currency, day);
        topUpWallet(day, wallet, trip.currency, local);
        post(day, wallet, -local, s.category, `${merchant} ${trip.place}`, `${merchant.toUpperCase()} ${trip.place.toUpperCase()}`, { tags: [trip.tag] });
        continue;
      }
      const route = payRoutes[c]!;
      let key = route.keys[rng.weighted(route.weights, route.total)]!;
      if (key === 'wallet' && acct('wallet').balance < gbp) withdrawCash(day, gbp);
      if (key === 'joint' && acct('joint').balance < gbp) key = 'main';
      const isCard = acct(key).spec.type === 'credit_card';
      const description = key === 'wallet' ? `CASH ${merchant.toUpperCase()}` : `${isCard ? '' : 'CARD PAYMENT TO '}${merchant.toUpperCase()}`;
      if (c === 0 && rng.chance(0.05) && gbp > 2_000) {
        const household = Math.round(gbp * 0.3);
        const splits = [
          { id: idRng.uuid7(day * DAY_MS + 28_800_000), categoryId: cat('Groceries'), amount: -(gbp - household), memo: null },
          { id: idRng.uuid7(day * DAY_MS + 28_800_000), categoryId: cat('Household goods'), amount: -household, memo: 'Cleaning and kitchen' },
        ];
        post(day, key, -gbp, null, merchant, description, { splits });
      } else {
        post(day, key, -gbp, s.category, merchant, description);
      }
    }

    // Keep the current accounts sensible: sweep surplus at month end, top up from savings when short.
    for (const key of ['main', 'joint'] as const) {
      const a = acct(key);
      if (a.balance < 0) transfer(day, 'easy', key, 50_000 * Math.ceil((-a.balance + 50_000) / 50_000), 'Savings', 'Top-up');
      if (isLastOfMonth && a.balance > grown(caps[key]!, 1.03, day)) {
        transfer(day, key, 'easy', a.balance - grown(200_000, 1.03, day), 'Savings', 'Sweep');
      }
    }
    if (isLastOfMonth) for (const a of accounts.values()) a.statement = a.balance;

    yield* out;
    out.length = 0;
  }

  function withdrawCash(day: number, need: number) {
    transfer(day, 'main', 'wallet', 5_000 * Math.ceil((need + 1) / 5_000), 'Cash withdrawal', 'Cash machine');
  }
  function topUpWallet(day: number, wallet: 'eur' | 'usd', currency: 'EUR' | 'USD', need: number) {
    const w = acct(wallet);
    if (w.balance >= need) return;
    const gbp = 10_000 * Math.ceil((toGbp(need - w.balance, currency, day) + 10_000) / 10_000);
    transfer(day, 'main', wallet, gbp, 'Currency exchange', `${currency} top-up`, fromGbp(gbp, currency, day));
  }
  function holdingValue(h: Holding, day: number) {
    return toGbp((h.units / QTY_SCALE) * (priceTicks(h.asset, day) / PRICE_SCALE) * 100, ASSET_SPECS[h.asset]!.currency, day);
  }

  return { counts, startDate, referenceDate: opts.referenceDate };
}

/** All documents grouped by collection (fine up to a few hundred thousand; stream beyond that). */
export function collectHousehold(options: HouseholdOptions = {}): { [N in CollectionName]: Extract<DemoRecord, { collection: N }>['doc'][] } {
  const out = {
    accounts: [], categories: [], transactions: [], budgets: [], recurring_rules: [], attachments: [], assets: [],
    investment_transactions: [], quotes: [], net_worth_snapshots: [], settings: [], rules: [],
  } as { [N in CollectionName]: Extract<DemoRecord, { collection: N }>['doc'][] };
  for (const r of generateHousehold(options)) (out[r.collection] as unknown[]).push(r.doc);
  return out;
}
