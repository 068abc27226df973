import { addDays, addMonths, dateOfDay, dayNumber } from '@mymidas/shared/date';
import { holdingsAt } from '@mymidas/shared/invest';
import type { InvestInputs } from '@mymidas/shared/invest';
import { incomeExpense, netWorthReport } from '@mymidas/shared/reports';
import type { ReportInputs } from '@mymidas/shared/reports';
import { FLAG } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot } from '@mymidas/shared/snapshot/snapshot';
import type { CategorySpendingHistory, PriceSeries, SeriesPoint } from '@mymidas/shared/forecast';
import type { ForecastInputs } from './forecast-schemas.ts';

/**
 * The forecasting engine's inputs, built in the worker from the snapshot it holds and the small inputs the page
 * pushes (forecast-schemas.ts): daily spending per expense category, the month-end net worth and each month's net
 * income, and the holdings' price histories (through the invest area's share). One pass over the rows of the
 * years needed; no I/O. Amounts are integer minor units of the base currency.
 */

/** Days of daily spending history the spending forecast is fitted on (3 years, as the bench). */
export const SPENDING_HISTORY_DAYS = 3 * 365;
/** Categories fitted one by one; any beyond are summed into one "Other categories" series. */
export const MAX_FORECAST_CATEGORIES = 20;
export const OTHER_CATEGORIES_ID = 'other';
/** Months of net-worth history the projection is fitted on. */
export const NET_WORTH_MONTHS = 60;
/** Years of daily prices the Monte Carlo's returns, volatilities and correlations are estimated from. */
export const PRICE_HISTORY_YEARS = 3;
/** Account types the 30-day cash flow covers (money that pays bills). */
export const CASH_FLOW_TYPES: ReadonlySet<string> = new Set(['current', 'savings', 'cash', 'cash_isa', 'credit_card']);

export interface SpendingSeries extends CategorySpendingHistory {
  readonly name: string;
  /** Spending over the last year (base minor units), the order categories are fitted in. */
  readonly lastYear: number;
}

export interface SpendingInputs {
  readonly series: readonly SpendingSeries[];
  /** Each series' share of spending by account over the last year (for the cash flow's expected spending). */
  readonly accountShares: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Categories summed into "Other categories". */
  readonly summedCategories: readonly string[];
  /** Currencies without a rate for some day (their rows are left out). */
  readonly missingRates: readonly string[];
}

/** Rates into the base currency: the latest on or before a day. */
export function rateTable(inputs: ForecastInputs): (currency: string, day: number) => number | null {
  const tables = new Map<string, { days: Int32Array; rates: Float64Array }>();
  for (const s of inputs.fx) {
    tables.set(s.currency, { days: Int32Array.from(s.dates, (d) => dayNumber(d)), rates: Float64Array.from(s.rates, (r) => Number(r)) });
  }
  return (currency, day) => {
    if (currency === inputs.baseCurrency) return 1;
    const t = tables.get(currency);
    if (!t || t.days.length === 0 || t.days[0]! > day) return null;
    let lo = 0;
    let hi = t.days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (t.days[mid]! <= day) lo = mid;
      else hi = mid - 1;
    }
    return t.rates[lo]!;
  };
}

/** Daily spending per expense category (money out positive, refunds taken off, a day below 0 counted as 0). */
export function spendingInputs(s: Snapshot, inputs: ForecastInputs): SpendingInputs {
  const toDay = dayNumber(inputs.today);
  const expense = new Map(inputs.categories.filter((c) => c.kind === 'expense').map((c) => [c.id, c]));
  const rate = rateTable(inputs);
  const missing = new Set<string>();
  let firstDay = toDay - SPENDING_HISTORY_DAYS + 1;
  let earliest = Number.POSITIVE_INFINITY;
  const perCategory = new Map<string, Float64Array>();
  const byAccount = new Map<string, Map<string, number>>();
  const yearAgo = toDay - 364;
  for (const p of s.years.values()) {
    for (let i = 0; i < p.length; i++) {
      const flags = p.flags[i]!;
      if ((flags & (FLAG.deleted | FLAG.transfer)) !== 0) continue;
      const day = p.day[i]!;
      if (day < earliest) earliest = day;
      if (day < firstDay || day > toDay) continue;
      const categoryId = s.categories.valueAt(p.category[i]!);
      if (categoryId === null || !expense.has(categoryId)) continue;
      const currency = s.currencies.valueAt(p.currency[i]!)!;
      const r = rate(currency, day);
      if (r === null) {
        missing.add(currency);
        continue;
      }
      const spent = -p.amount[i]! * r;
      let row = perCategory.get(categoryId);
      if (!row) perCategory.set(categoryId, (row = new Float64Array(SPENDING_HISTORY_DAYS)));
      row[day - firstDay] = row[day - firstDay]! + spent;
      if (day >= yearAgo) {
        const accountId = s.accounts.valueAt(p.account[i]!)!;
        let shares = byAccount.get(categoryId);
        if (!shares) byAccount.set(categoryId, (shares = new Map()));
        shares.set(accountId, (shares.get(accountId) ?? 0) + spent);
      }
    }
  }
  // The history starts at the first transaction when the ledger is younger than three years.
  const offset = Number.isFinite(earliest) && earliest > firstDay ? Math.min(earliest, toDay) - firstDay : 0;
  firstDay += offset;
  const ranked = [...perCategory.entries()]
    .map(([categoryId, row]) => {
      let lastYear = 0;
      for (let d = Math.max(0, yearAgo - (firstDay - offset)); d < row.length; d++) lastYear += row[d]!;
      return { categoryId, row, lastYear: Math.round(lastYear) };
    })
    .filter((c) => c.lastYear > 0)
    .sort((a, b) => b.lastYear - a.lastYear || (a.categoryId < b.categoryId ? -1 : 1));
  const kept = ranked.slice(0, MAX_FORECAST_CATEGORIES - (ranked.length > MAX_FORECAST_CATEGORIES ? 1 : 0));
  const summed = ranked.slice(kept.length);
  const points = (row: Float64Array): SeriesPoint[] => {
    const out: SeriesPoint[] = [];
    for (let d = offset; d < row.length; d++) out.push({ date: dateOfDay(firstDay - offset + d), value: Math.max(0, Math.round(row[d]!)) });
    return out;
  };
  const shares = (ids: readonly string[]): Map<string, number> => {
    const total = new Map<string, number>();
    for (const id of ids) for (const [a, v] of byAccount.get(id) ?? []) total.set(a, (total.get(a) ?? 0) + v);
    const sum = [...total.values()].reduce((x, y) => x + Math.max(0, y), 0);
    return new Map([...total].filter(([, v]) => v > 0 && sum > 0).map(([a, v]) => [a, v / sum]));
  };
  const series: SpendingSeries[] = kept.map((c) => ({
    categoryId: c.categoryId, name: expense.get(c.categoryId)!.name, currency: inputs.baseCurrency, daily: points(c.row), lastYear: c.lastYear,
  }));
  const accountShares = new Map(kept.map((c) => [c.categoryId, shares([c.categoryId])]));
  if (summed.length > 0) {
    const row = new Float64Array(SPENDING_HISTORY_DAYS);
    for (const c of summed) for (let d = 0; d < row.length; d++) row[d] = row[d]! + c.row[d]!;
    series.push({ categoryId: OTHER_CATEGORIES_ID, name: `Other categories (${summed.length})`, currency: inputs.baseCurrency, daily: points(row), lastYear: summed.reduce((x, c) => x + c.lastYear, 0) });
    accountShares.set(OTHER_CATEGORIES_ID, shares(summed.map((c) => c.categoryId)));
  }
  return { series, accountShares, summedCategories: summed.map((c) => c.categoryId), missingRates: [...missing].sort() };
}

/** The report engine's inputs for the same household (no budgets or tags: the forecasts use neither). */
export function reportInputsOf(inputs: ForecastInputs): ReportInputs {
  return {
    baseCurrency: inputs.baseCurrency,
    monthStartDay: inputs.monthStartDay,
    weekStart: 1,
    today: inputs.today,
    accounts: inputs.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency, openingBalance: a.openingBalance, openingDate: a.openingDate })),
    categories: inputs.categories.map((c) => ({ id: c.id, parentId: c.parentId, kind: c.kind })),
    fx: inputs.fx,
    budgets: [],
    tagged: [],
  };
}

export interface NetWorthInputs {
  /** Month-end net worth, the last NET_WORTH_MONTHS whole months and this month to date (dated the 1st). */
  readonly history: readonly SeriesPoint[];
  /** Each month's income − spending, same months. */
  readonly contributions: readonly SeriesPoint[];
  readonly investmentsIncluded: boolean;
  /** Cash balance of each account today, in its own currency. */
  readonly balances: ReadonlyMap<string, number>;
}

const firstOfMonth = (date: string) => `${date.slice(0, 7)}-01`;

export function netWorthInputs(s: Snapshot, inputs: ForecastInputs, invest: InvestInputs | null): NetWorthInputs {
  const report = reportInputsOf(inputs);
  const from = `${addMonths(inputs.today.slice(0, 7), -NET_WORTH_MONTHS)}-01`;
  const filters = { preset: 'custom' as const, from, to: inputs.today };
  const worth = netWorthReport(s, report, { filters, granularity: 'month' }, invest);
  const flows = incomeExpense(s, report, { filters, granularity: 'month' });
  const net = new Map(flows.periods.map((p) => [firstOfMonth(p.end), p.net]));
  // Months before the first transaction (or opening) carry nothing: the history starts at the first non-zero month.
  const first = worth.points.findIndex((p) => p.net !== 0);
  const points = first < 0 ? [] : worth.points.slice(first);
  const history = points.map((p) => ({ date: firstOfMonth(p.date), value: p.net }));
  const contributions = history.map((p) => ({ date: p.date, value: net.get(p.date) ?? 0 }));
  return { history, contributions, investmentsIncluded: worth.investmentsIncluded, balances: new Map(worth.accounts.map((a) => [a.accountId, a.balance])) };
}

export interface PortfolioInputs {
  /** Holdings at market value today, base minor units, by asset (summed over accounts). */
  readonly holdings: readonly { readonly assetId: string; readonly symbol: string; readonly value: number }[];
  readonly initial: number;
  /** The assets' daily closes over the last PRICE_HISTORY_YEARS years. */
  readonly prices: readonly PriceSeries[];
}

export function portfolioInputs(invest: InvestInputs | null, today: string): PortfolioInputs | null {
  if (!invest) return null;
  const result = holdingsAt(invest, today);
  const byAsset = new Map<string, number>();
  for (const h of result.holdings) if (h.marketValue !== null && h.marketValue > 0) byAsset.set(h.assetId, (byAsset.get(h.assetId) ?? 0) + h.marketValue);
  const symbols = new Map(invest.assets.map((a) => [a.id, a.symbol]));
  const from = addDays(today, -Math.round(PRICE_HISTORY_YEARS * 365.25));
  const prices: PriceSeries[] = [];
  for (const series of invest.prices) {
    if (!byAsset.has(series.assetId)) continue;
    const out: { date: string; price: number }[] = [];
    for (let i = 0; i < series.dates.length; i++) {
      const date = series.dates[i]!;
      if (date < from || date > today) continue;
      const price = Number(series.closes[i]);
      if (Number.isFinite(price) && price > 0) out.push({ date, price });
    }
    if (out.length > 1) prices.push({ id: series.assetId, prices: out });
  }
  const priced = new Set(prices.map((p) => p.id));
  const holdings = [...byAsset].filter(([id]) => priced.has(id)).map(([assetId, value]) => ({ assetId, symbol: symbols.get(assetId) ?? assetId, value })).sort((a, b) => b.value - a.value);
  return { holdings, initial: holdings.reduce((x, h) => x + h.value, 0), prices };
}
