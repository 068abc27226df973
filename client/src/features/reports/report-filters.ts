import { isCalendarDate } from '@mymidas/shared/date';
import { REPORT_PRESETS } from '@mymidas/shared/reports';
import type { ReportFilters, ReportPreset } from '@mymidas/shared/reports';

/**
 * The reports' shared filters (issue 23) as they live in the address: `/reports/<report>?range=…&from=…&to=…
 * &account=…&category=…&tag=…&orig=1` plus a few options of one report (`by`, `spend`, `budget`, `portfolio`,
 * `bench`, `group`, `cat`). Reading the query never throws: a value that is not understood is left out and
 * named in `problems`, so a bookmark that no longer fits (an account deleted, a preset renamed) still opens
 * the report with the rest of its filters. Writing gives the shortest query for a state (defaults left out),
 * so the same filters always make the same address.
 *
 * The presets are the engine's (`@mymidas/shared/reports`), resolved in the worker against today and the budget
 * month start (with the budget start day the 25th, "this month" is 25 Nov – 24 Dec).
 */

export const REPORTS = [
  { id: 'net-worth', label: 'Net worth', summary: 'Assets, liabilities and net worth over time' },
  { id: 'income-expense', label: 'Income vs expense', summary: 'Income, expense, net and savings rate by period' },
  { id: 'cash-flow', label: 'Cash flow', summary: 'From the opening balance through income and spending to the closing balance' },
  { id: 'categories', label: 'Categories', summary: 'Where the money went, by group, category and transaction' },
  { id: 'budget-vs-actual', label: 'Budget vs actual', summary: 'Each budget against what was spent, period by period' },
  { id: 'investments', label: 'Investment performance', tab: 'Investments', summary: 'Value, contributions and returns over time' },
  { id: 'spending-trends', label: 'Spending trends', summary: 'A category’s spending by month, its rolling average and year-on-year change' },
] as const;

export type ReportId = (typeof REPORTS)[number]['id'];
export const REPORT_IDS: readonly ReportId[] = REPORTS.map((r) => r.id);

export function isReportId(value: unknown): value is ReportId {
  return typeof value === 'string' && (REPORT_IDS as readonly string[]).includes(value);
}

export const RANGE_PRESETS = [
  { id: 'this-month', label: 'This month' },
  { id: 'last-month', label: 'Last month' },
  { id: 'last-3-months', label: 'Last 3 months' },
  { id: 'last-6-months', label: 'Last 6 months' },
  { id: 'last-12-months', label: 'Last 12 months' },
  { id: 'this-quarter', label: 'This quarter' },
  { id: 'last-quarter', label: 'Last quarter' },
  { id: 'this-year', label: 'This year' },
  { id: 'last-year', label: 'Last year' },
  { id: 'year-to-date', label: 'Year to date' },
  { id: 'all-time', label: 'All time' },
  { id: 'custom', label: 'Custom dates' },
] as const satisfies readonly { id: ReportPreset; label: string }[];

export type RangePreset = ReportPreset;
const PRESET_IDS: readonly string[] = REPORT_PRESETS;

/**
 * Each report's own options in the address: a fixed choice (`values`, with the one used when none is given) or
 * an id (`id: true`: a category, budget, account or asset; checked against the household when the report asks).
 */
export interface OptionSpec {
  readonly label: string;
  readonly values?: readonly string[];
  readonly fallback?: string;
  readonly id?: true;
}

export const REPORT_OPTIONS = {
  'net-worth': { by: { label: 'Points', values: ['day', 'week', 'month'], fallback: 'month' } },
  'income-expense': { by: { label: 'Group by', values: ['month', 'quarter', 'year'], fallback: 'month' } },
  'cash-flow': { by: { label: 'Steps', values: ['group', 'category'], fallback: 'group' } },
  categories: { kind: { label: 'Show', values: ['expense', 'income'], fallback: 'expense' }, group: { label: 'Group', id: true }, cat: { label: 'Category', id: true } },
  'budget-vs-actual': { budget: { label: 'Budget', id: true }, period: { label: 'Periods', values: ['all', 'weekly', 'monthly', 'quarterly', 'yearly'], fallback: 'all' } },
  investments: { by: { label: 'Points', values: ['week', 'month', 'quarter', 'year'], fallback: 'month' }, bench: { label: 'Benchmark', id: true } },
  'spending-trends': { spend: { label: 'Category', id: true }, window: { label: 'Rolling average', values: ['1', '2', '3', '6', '12'], fallback: '3' } },
} as const satisfies Readonly<Record<ReportId, Readonly<Record<string, OptionSpec>>>>;

export type OptionKey<R extends ReportId> = keyof (typeof REPORT_OPTIONS)[R] & string;

/** The range each report opens with when the address names none. */
export const DEFAULT_RANGE: Readonly<Record<ReportId, RangePreset>> = {
  'net-worth': 'all-time',
  'income-expense': 'last-12-months',
  'cash-flow': 'this-month',
  categories: 'this-month',
  'budget-vs-actual': 'last-6-months',
  investments: 'all-time',
  'spending-trends': 'all-time',
};

/** Stands for "uncategorised" in the address's category lists and ids (the engine's null). */
export const NO_CATEGORY = 'none';

export interface ReportQueryState {
  readonly range: RangePreset;
  /** Custom range only (both, from ≤ to). */
  readonly from: string | null;
  readonly to: string | null;
  /** Empty: all. Sorted, without repeats. */
  readonly accounts: readonly string[];
  /** Category ids, NO_CATEGORY for uncategorised. */
  readonly categories: readonly string[];
  readonly tags: readonly string[];
  /** Show each amount in its original currency beside the base currency in the tables. */
  readonly original: boolean;
  /** The report's own options (REPORT_OPTIONS), only those given and understood. */
  readonly options: Readonly<Record<string, string>>;
}

export interface ParsedReportQuery {
  readonly state: ReportQueryState;
  /** One sentence per value of the address that was not understood and was left out. */
  readonly problems: readonly string[];
}

export type QueryValue = string | null | ReadonlyArray<string | null> | undefined;
export type QueryInput = Readonly<Record<string, QueryValue>>;
export type QueryOutput = Record<string, string | string[]>;

export function emptyState(report: ReportId): ReportQueryState {
  return { range: DEFAULT_RANGE[report], from: null, to: null, accounts: [], categories: [], tags: [], original: false, options: {} };
}

function all(value: QueryValue): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  return list.filter((v): v is string => typeof v === 'string');
}

function one(value: QueryValue): string | null {
  const list = all(value);
  return list.length > 0 ? list[list.length - 1]! : null;
}

const ID_LIMIT = 64;
const TAG_LIMIT = 40;

/** Ids and tags as the address carries them: trimmed, no empty ones, no repeats, sorted (one address per set). */
function cleanList(values: readonly string[], limit: number, what: string, problems: string[]): string[] {
  const kept = new Set<string>();
  for (const v of values) {
    const t = v.trim();
    if (t === '') continue;
    if (t.length > limit) problems.push(`A ${what} in the address is longer than ${limit} characters; it is ignored.`);
    else kept.add(t);
  }
  return [...kept].sort();
}

function optionSpecs(report: ReportId): Readonly<Record<string, OptionSpec>> {
  return REPORT_OPTIONS[report];
}

/** The state a report's address describes; anything not understood is dropped and named. */
export function parseReportQuery(report: ReportId, query: QueryInput): ParsedReportQuery {
  const problems: string[] = [];
  const base = emptyState(report);

  let range: RangePreset = base.range;
  const rangeText = one(query.range);
  if (rangeText !== null) {
    if (PRESET_IDS.includes(rangeText)) range = rangeText as RangePreset;
    else problems.push(`The date range “${rangeText}” is not one of the presets; ${presetLabel(base.range).toLowerCase()} is shown.`);
  }

  let from: string | null = null;
  let to: string | null = null;
  if (range === 'custom') {
    const f = one(query.from);
    const t = one(query.to);
    if (f === null || t === null || !isCalendarDate(f) || !isCalendarDate(t)) {
      problems.push(`A custom range needs a start and an end date (YYYY-MM-DD); ${presetLabel(base.range).toLowerCase()} is shown.`);
      range = base.range;
    } else if (f > t) {
      problems.push(`The custom range starts (${f}) after it ends (${t}); ${presetLabel(base.range).toLowerCase()} is shown.`);
      range = base.range;
    } else {
      from = f;
      to = t;
    }
  }

  const orig = one(query.orig);
  if (orig !== null && orig !== '1' && orig !== '0') problems.push(`“orig=${orig}” is not understood (orig=1 shows original currencies).`);

  const options: Record<string, string> = {};
  for (const [key, spec] of Object.entries(optionSpecs(report))) {
    const v = one(query[key])?.trim() ?? null;
    if (v === null || v === '') continue;
    if (spec.values) {
      if (spec.values.includes(v)) {
        if (v !== spec.fallback) options[key] = v;
      } else problems.push(`${spec.label} “${v}” is not one of ${spec.values.join(', ')}; ${spec.fallback ?? spec.values[0]} is used.`);
    } else if (v.length > ID_LIMIT) problems.push(`The ${spec.label.toLowerCase()} in the address is too long to be an id; it is ignored.`);
    else options[key] = v;
  }

  return {
    state: {
      range, from, to,
      accounts: cleanList(all(query.account), ID_LIMIT, 'account', problems),
      categories: cleanList(all(query.category), ID_LIMIT, 'category', problems),
      tags: cleanList(all(query.tag), TAG_LIMIT, 'tag', problems),
      original: orig === '1',
      options,
    },
    problems,
  };
}

/** The shortest query for a state: defaults are left out, lists are repeated keys, options in their fixed order. */
export function toReportQuery(report: ReportId, state: ReportQueryState): QueryOutput {
  const out: QueryOutput = {};
  if (state.range !== DEFAULT_RANGE[report]) out.range = state.range;
  if (state.range === 'custom' && state.from !== null && state.to !== null) {
    out.from = state.from;
    out.to = state.to;
  }
  if (state.accounts.length > 0) out.account = [...state.accounts].sort();
  if (state.categories.length > 0) out.category = [...state.categories].sort();
  if (state.tags.length > 0) out.tag = [...state.tags].sort();
  if (state.original) out.orig = '1';
  for (const [key, spec] of Object.entries(optionSpecs(report))) {
    const v = state.options[key];
    if (v !== undefined && v !== '' && v !== spec.fallback) out[key] = v;
  }
  return out;
}

/** The value of a report's option: the state's, else its fallback (null for ids not chosen). */
export function optionOf<R extends ReportId>(report: R, state: ReportQueryState, key: OptionKey<R>): string | null {
  const spec = optionSpecs(report)[key];
  return state.options[key] ?? spec?.fallback ?? null;
}

/** A new state with one option set (null or the fallback removes it). */
export function withOption(state: ReportQueryState, key: string, value: string | null): ReportQueryState {
  const options = { ...state.options };
  if (value === null) delete options[key];
  else options[key] = value;
  return { ...state, options };
}

/** The address of another report with the same shared filters; the last report's own options are not carried. */
export function sharedQuery(from: ReportId, to: ReportId, state: ReportQueryState): QueryOutput {
  const keep: ReportQueryState = {
    ...state,
    range: state.range === DEFAULT_RANGE[from] ? DEFAULT_RANGE[to] : state.range,
    options: {},
  };
  return toReportQuery(to, keep);
}

export function presetLabel(id: RangePreset): string {
  return RANGE_PRESETS.find((p) => p.id === id)?.label ?? id;
}

/** The engine's filters for a state: the custom dates only with 'custom', empty lists left out, NO_CATEGORY → null. */
export function reportFilters(state: ReportQueryState): ReportFilters {
  return {
    preset: state.range,
    ...(state.range === 'custom' && state.from !== null && state.to !== null ? { from: state.from, to: state.to } : {}),
    ...(state.accounts.length > 0 ? { accountIds: [...state.accounts] } : {}),
    ...(state.categories.length > 0 ? { categoryIds: state.categories.map((c) => (c === NO_CATEGORY ? null : c)) } : {}),
    ...(state.tags.length > 0 ? { tags: [...state.tags] } : {}),
  };
}

/** An id option as the engine takes it: NO_CATEGORY → null. */
export function categoryOption(value: string): string | null {
  return value === NO_CATEGORY ? null : value;
}
