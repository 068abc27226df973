import { addDays, addMonths, monthOf, monthRange } from '@mymidas/shared/date';
import type { Holding, InvestDataProblem, ValueSeries } from '@mymidas/shared/invest';
import type { AccountType, Asset } from '@mymidas/shared/schema';
import { ACCOUNT_TYPE_LABELS } from '../ledger-data/accounts-model.ts';

/**
 * The investment screens' view model (issue 21): range presets, holdings rows joined with names, sorting,
 * allocation groups, and the words for figures and data problems. Pure; the figures come from the worker.
 */

export const RANGE_PRESETS = ['1M', '3M', 'YTD', '1Y', '3Y', '5Y', 'All'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const PRESET_LABELS: Readonly<Record<RangePreset, string>> = {
  '1M': 'One month', '3M': 'Three months', YTD: 'Year to date', '1Y': 'One year', '3Y': 'Three years', '5Y': 'Five years', All: 'Since the first trade',
};

/** `date` moved by whole months, the day kept where the month has it (31 March − 1 month = 28/29 February). */
export function shiftMonths(date: string, months: number): string {
  const month = addMonths(monthOf(date), months);
  const last = monthRange(month).last;
  const day = `${month}-${date.slice(8, 10)}`;
  return day > last ? last : day;
}

/**
 * The dates of a preset ending `today`, starting no earlier than the first trade; null when there is no trade
 * yet or it is after today.
 */
export function presetRange(preset: RangePreset, today: string, firstTrade: string | null): { from: string; to: string } | null {
  if (firstTrade === null || firstTrade > today) return null;
  const months: Record<Exclude<RangePreset, 'YTD' | 'All'>, number> = { '1M': 1, '3M': 3, '1Y': 12, '3Y': 36, '5Y': 60 };
  let from: string;
  if (preset === 'All') from = firstTrade;
  else if (preset === 'YTD') from = `${today.slice(0, 4)}-01-01`;
  else from = addDays(shiftMonths(today, -months[preset]), 1);
  return { from: from < firstTrade ? firstTrade : from, to: today };
}

/** A fraction (0.0523) as a signed percentage ("+5.23%"); a dash for null. */
export function percent(fraction: number | null | undefined, signed = true): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const text = new Intl.NumberFormat('en-GB', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: signed ? 'exceptZero' : 'auto' }).format(fraction);
  return text.replace('-', '−');
}

/**
 * Decimal text ("1234.56789") rounded half-up to at most `places` decimals and grouped ("1,234.5679"), without
 * going through a float.
 */
export function decimalText(text: string, places: number): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return text;
  const [, sign, whole = '', fraction = ''] = m;
  let digits = BigInt(`${whole || '0'}${fraction.padEnd(places, '0').slice(0, places)}`);
  if ((fraction[places] ?? '0') >= '5') digits += 1n;
  const all = digits.toString().padStart(places + 1, '0');
  const intPart = all.slice(0, all.length - places).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = places > 0 ? all.slice(all.length - places).replace(/0+$/, '') : '';
  const out = decimals ? `${intPart}.${decimals}` : intPart;
  return sign && /[1-9]/.test(out) ? `−${out}` : out;
}

export type AssetKind = Asset['kind'];

export interface AssetInfo {
  readonly id: string;
  readonly symbol: string;
  readonly name: string;
  readonly kind: AssetKind;
  readonly currency: string;
}

export interface AccountInfo {
  readonly id: string;
  readonly name: string;
  readonly type: AccountType;
}

export interface HoldingRow {
  readonly key: string;
  readonly holding: Holding;
  readonly accountName: string;
  readonly accountType: AccountType | null;
  readonly symbol: string;
  readonly assetName: string;
  readonly kind: AssetKind | null;
  /** The currency the price is quoted in (the asset's). */
  readonly priceCurrency: string;
  /** Unrealised gain over cost basis; null without a value or a cost. */
  readonly unrealisedShare: number | null;
}

/** Holdings joined with the names of their account and asset (an unknown one is named by its id). */
export function holdingRows(holdings: readonly Holding[], assets: ReadonlyMap<string, AssetInfo>, accounts: ReadonlyMap<string, AccountInfo>): HoldingRow[] {
  return holdings.map((h) => {
    const asset = assets.get(h.assetId);
    const account = accounts.get(h.accountId);
    return {
      key: `${h.accountId}:${h.assetId}`,
      holding: h,
      accountName: account?.name ?? `Account ${h.accountId.slice(0, 8)}`,
      accountType: account?.type ?? null,
      symbol: asset?.symbol ?? h.assetId.slice(0, 8),
      assetName: asset?.name ?? 'Unknown asset',
      kind: asset?.kind ?? null,
      priceCurrency: asset?.currency ?? '',
      unrealisedShare: h.unrealisedGain !== null && h.costBasis > 0 ? h.unrealisedGain / h.costBasis : null,
    };
  });
}

export const SORT_KEYS = ['asset', 'account', 'quantity', 'value', 'cost', 'unrealised', 'unrealisedShare', 'realised', 'income'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

function sortValue(row: HoldingRow, key: SortKey): string | number | null {
  const h = row.holding;
  switch (key) {
    case 'asset': return row.symbol.toLowerCase();
    case 'account': return row.accountName.toLowerCase();
    case 'quantity': return Number(h.quantity);
    case 'value': return h.marketValue;
    case 'cost': return h.costBasis;
    case 'unrealised': return h.unrealisedGain;
    case 'unrealisedShare': return row.unrealisedShare;
    case 'realised': return h.realisedGain;
    case 'income': return h.income;
  }
}

/** Rows sorted by one column; unknown values (no price) last whichever the direction; ties by asset then account. */
export function sortRows(rows: readonly HoldingRow[], key: SortKey, direction: 'ascending' | 'descending'): HoldingRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) return (x < y ? -1 : 1) * sign;
    return a.symbol.localeCompare(b.symbol) || a.accountName.localeCompare(b.accountName);
  });
}

export const ALLOCATION_BYS = ['asset', 'kind', 'account', 'accountType', 'currency'] as const;
export type AllocationBy = (typeof ALLOCATION_BYS)[number];
export const ALLOCATION_LABELS: Readonly<Record<AllocationBy, string>> = {
  asset: 'Asset', kind: 'Asset class', account: 'Account', accountType: 'Account type', currency: 'Currency',
};

export const KIND_LABELS: Readonly<Record<AssetKind, string>> = {
  stock: 'Shares', etf: 'ETFs', fund: 'Funds', bond: 'Bonds', crypto: 'Crypto', cash: 'Cash', other: 'Other',
};

export interface AllocationGroup {
  readonly key: string;
  readonly label: string;
  /** For a small space (the treemap's boxes): the asset's symbol, else the label. */
  readonly short: string;
  /** Base currency minor units. */
  readonly value: number;
  /** Of the valued total, 0..1. */
  readonly share: number;
  readonly holdings: number;
}

export interface Allocation {
  readonly groups: readonly AllocationGroup[];
  readonly total: number;
  /** Holdings left out: no price to value them. */
  readonly unvalued: readonly HoldingRow[];
}

function groupOf(row: HoldingRow, by: AllocationBy): { key: string; label: string; short?: string } {
  switch (by) {
    case 'asset': return { key: row.holding.assetId, label: `${row.symbol} · ${row.assetName}`, short: row.symbol };
    case 'kind': return { key: row.kind ?? 'unknown', label: row.kind ? KIND_LABELS[row.kind] : 'Unknown' };
    case 'account': return { key: row.holding.accountId, label: row.accountName };
    case 'accountType': return { key: row.accountType ?? 'unknown', label: row.accountType ? ACCOUNT_TYPE_LABELS[row.accountType] : 'Unknown' };
    case 'currency': return { key: row.priceCurrency || 'unknown', label: row.priceCurrency || 'Unknown' };
  }
}

/** Market value grouped one way, largest first; holdings of no units or no value are not drawn. */
export function allocation(rows: readonly HoldingRow[], by: AllocationBy): Allocation {
  const groups = new Map<string, { label: string; short: string; value: number; holdings: number }>();
  const unvalued: HoldingRow[] = [];
  let total = 0;
  for (const row of rows) {
    const value = row.holding.marketValue;
    if (value === null) {
      unvalued.push(row);
      continue;
    }
    if (value <= 0) continue;
    const g = groupOf(row, by);
    const entry = groups.get(g.key) ?? { label: g.label, short: g.short ?? g.label, value: 0, holdings: 0 };
    entry.value += value;
    entry.holdings += 1;
    groups.set(g.key, entry);
    total += value;
  }
  const list = [...groups].map(([key, g]) => ({ key, label: g.label, short: g.short, value: g.value, holdings: g.holdings, share: total > 0 ? g.value / total : 0 }));
  list.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  return { groups: list, total, unvalued };
}

const PROBLEM_HEADLINES: Readonly<Record<InvestDataProblem['kind'], string>> = {
  oversold: 'More units sold than were held',
  'no-price': 'No price',
  'no-rate': 'No exchange rate',
  'bad-split': 'A split that cannot be applied',
  'transfer-out-exceeds': 'More units transferred out than were held',
};

/** A data problem in plain words: a headline and the engine's detail as a sentence. */
export function problemText(problem: InvestDataProblem): { headline: string; detail: string } {
  const m = problem.message.trim();
  const detail = m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? '' : '.');
  return { headline: PROBLEM_HEADLINES[problem.kind], detail };
}

/** The latest price date among the holdings with units (the date the portfolio's value is "as at"). */
export function latestPriceDate(holdings: readonly Holding[]): string | null {
  let out: string | null = null;
  for (const h of holdings) if (h.priceDate !== null && (out === null || h.priceDate > out)) out = h.priceDate;
  return out;
}

/** The extremes of a value series, for the chart's text summary. */
export function seriesExtremes(series: ValueSeries): { first: number; last: number; low: { date: string; value: number }; high: { date: string; value: number } } | null {
  const v = series.values;
  if (v.length === 0) return null;
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < v.length; i++) {
    if (v[i]! < v[lo]!) lo = i;
    if (v[i]! > v[hi]!) hi = i;
  }
  return { first: v[0]!, last: v[v.length - 1]!, low: { date: addDays(series.from, lo), value: v[lo]! }, high: { date: addDays(series.from, hi), value: v[hi]! } };
}
