import * as rruleModule from 'rrule';
import type { Options as RRuleOptions } from 'rrule';
import { recurringRuleSchema } from '../schema/collections.ts';
import type { RecurringRule, Transaction } from '../schema/registry.ts';
import { addDays, dateToUtc, formatUtcDate } from '../date/date.ts';
import { rollToWorkingDay } from './working-days.ts';
import type { Roll } from './working-days.ts';

/*
 * Recurring rules as pure transformations. Dates are calendar days: each is built as a UTC midnight,
 * handed to `rrule` (which works in UTC when no TZID is given) and formatted back from its UTC parts,
 * so neither the device's zone nor a daylight-saving change can move an occurrence.
 */

// rrule ships an ES module for bundlers and CommonJS for Node; Node's ESM loader sees only `default`.
type RRuleModule = typeof rruleModule;
const rrule: RRuleModule = 'RRule' in rruleModule && rruleModule.RRule
  ? rruleModule
  : (rruleModule as unknown as { default: RRuleModule }).default;
const { RRule, Frequency } = rrule;

export class RecurringRuleError extends Error {
  override name = 'RecurringRuleError';
}

export type RecurringRuleDraft = Omit<RecurringRule, 'id' | 'hlc'>;
export type TransactionDraft = Omit<Transaction, 'id' | 'hlc'>;

/** Moves occurrences off weekends and holidays, which RRULE itself cannot express. */
export interface WorkingDayAdjustment {
  readonly roll: Roll;
  /** 'YYYY-MM-DD' dates; a Set is used as it is (no copy per occurrence). */
  readonly holidays: ReadonlySet<string> | readonly string[];
}

export interface ExpandOptions {
  readonly workingDays?: WorkingDayAdjustment;
}

export interface Occurrence {
  /** The day the occurrence falls on (after any working-day roll). */
  readonly date: string;
  /** The day the RRULE itself produced. */
  readonly scheduled: string;
}

const DAY_FREQUENCIES = new Set<number>([Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]);
const MAX_OCCURRENCES = 5000;
const ROLL_MARGIN_DAYS = 14;

function ruleText(text: string): string {
  return text.replace(/^RRULE:/, '');
}

function checkRule(rule: RecurringRule | RecurringRuleDraft): void {
  const parsed = recurringRuleSchema.omit({ id: true, hlc: true }).safeParse(rule);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RecurringRuleError(`Invalid recurring rule: ${first ? `${first.path.join('.')}: ${first.message}` : 'bad shape'}`);
  }
  if (rule.endDate !== null && rule.endDate < rule.startDate) {
    throw new RecurringRuleError(`endDate ${rule.endDate} is before startDate ${rule.startDate}`);
  }
}

const DAY_MS = 86_400_000;

/**
 * What the rule's occurrences on or after `from` are when `rrule` starts at a later period than DTSTART, or
 * null when that cannot be said for sure. `rrule` walks every period from DTSTART, building each year's masks,
 * so a ten-year-old monthly bill cost thousands of allocations on every unlock just to find today's
 * occurrence. Its periods are years, months, weeks (from WKST) or days, counted from DTSTART's own period in
 * steps of INTERVAL; from the start of any such later period it makes exactly the same dates, once the
 * defaults it takes from DTSTART (BYMONTH and BYMONTHDAY for yearly, BYMONTHDAY for monthly, BYDAY for weekly)
 * are given explicitly. COUNT (counted from DTSTART) and the rarer BYWEEKNO, BYYEARDAY and BYEASTER keep DTSTART.
 */
function laterStart(options: Partial<RRuleOptions>, dtstart: Date, from: Date): { readonly dtstart: Date; readonly defaults: Partial<RRuleOptions> } | null {
  const present = (v: unknown) => v !== undefined && v !== null;
  if (present(options.count) || present(options.byweekno) || present(options.byyearday) || present(options.byeaster)) return null;
  const interval = options.interval ?? 1;
  const y0 = dtstart.getUTCFullYear();
  const m0 = dtstart.getUTCMonth();
  const d0 = dtstart.getUTCDate();
  const day0 = Math.round(dtstart.getTime() / DAY_MS);
  const fromDay = Math.round(from.getTime() / DAY_MS);
  // rrule takes its defaults from DTSTART only when none of these is given (parseoptions.js).
  const hasDayParts = present(options.bymonthday) || present(options.byweekday);
  let anchor: Date;
  let defaults: Partial<RRuleOptions> = {};
  switch (options.freq) {
    case Frequency.YEARLY: {
      const k = Math.floor((from.getUTCFullYear() - y0) / interval);
      if (k < 1) return null;
      anchor = new Date(Date.UTC(y0 + k * interval, 0, 1));
      if (!hasDayParts) defaults = { bymonth: present(options.bymonth) ? options.bymonth! : m0 + 1, bymonthday: d0 };
      break;
    }
    case Frequency.MONTHLY: {
      const k = Math.floor((from.getUTCFullYear() * 12 + from.getUTCMonth() - (y0 * 12 + m0)) / interval);
      if (k < 1) return null;
      const month = y0 * 12 + m0 + k * interval;
      anchor = new Date(Date.UTC(Math.floor(month / 12), month % 12, 1));
      if (!hasDayParts) defaults = { bymonthday: d0 };
      break;
    }
    case Frequency.WEEKLY: {
      const wkst = options.wkst === undefined || options.wkst === null ? 0 : typeof options.wkst === 'number' ? options.wkst : options.wkst.weekday;
      const weekday0 = (dtstart.getUTCDay() + 6) % 7; // rrule's numbering: Monday 0 … Sunday 6
      const week0 = day0 - ((weekday0 - wkst + 7) % 7);
      const k = Math.floor(Math.floor((fromDay - week0) / 7) / interval);
      if (k < 1) return null;
      anchor = new Date((week0 + k * interval * 7) * DAY_MS);
      if (!hasDayParts) defaults = { byweekday: [weekday0] };
      break;
    }
    case Frequency.DAILY: {
      const k = Math.floor((fromDay - day0) / interval);
      if (k < 1) return null;
      anchor = new Date((day0 + k * interval) * DAY_MS);
      break;
    }
    default:
      return null;
  }
  return { dtstart: anchor, defaults };
}

/**
 * Parses the rule's RRULE text with its startDate as DTSTART; refuses time-of-day and zone parts. With `from`,
 * the rule may start at a later period that makes the same occurrences from `from` on (laterStart).
 */
function compile(rule: RecurringRule | RecurringRuleDraft, from?: string) {
  checkRule(rule);
  const text = ruleText(rule.rrule);
  if (/(^|;)(DTSTART|TZID)[=:]/i.test(text) || /\n/.test(text)) {
    throw new RecurringRuleError('The RRULE must not carry DTSTART or TZID: startDate is the rule\'s start and dates have no time zone');
  }
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseString(text);
  } catch (e) {
    throw new RecurringRuleError(`Not valid RRULE text "${rule.rrule}": ${(e as Error).message}`);
  }
  if (options.freq === undefined || !DAY_FREQUENCIES.has(options.freq)) {
    throw new RecurringRuleError('Only YEARLY, MONTHLY, WEEKLY and DAILY rules are supported: occurrences are calendar days');
  }
  for (const part of ['byhour', 'byminute', 'bysecond'] as const) {
    if (options[part] !== undefined && options[part] !== null) {
      throw new RecurringRuleError(`${part.toUpperCase()} is not supported: occurrences are calendar days`);
    }
  }
  if (options.interval !== undefined && (options.interval < 1 || !Number.isInteger(options.interval))) {
    throw new RecurringRuleError('INTERVAL must be a positive whole number');
  }
  const end = rule.endDate === null ? null : dateToUtc(rule.endDate);
  const textUntil = options.until ?? null;
  const until = end && textUntil ? (end < textUntil ? end : textUntil) : (end ?? textUntil);
  const dtstart = dateToUtc(rule.startDate);
  const later = from === undefined ? null : laterStart(options, dtstart, dateToUtc(from));
  try {
    return later ? new RRule({ ...options, ...later.defaults, dtstart: later.dtstart, until }) : new RRule({ ...options, dtstart, until });
  } catch (e) {
    throw new RecurringRuleError(`Cannot build the rule "${rule.rrule}": ${(e as Error).message}`);
  }
}

/** Checks a rule (shape, RRULE text, dates) and throws a RecurringRuleError explaining the first problem. */
export function validateRecurringRule(rule: RecurringRule | RecurringRuleDraft): void {
  compile(rule);
}

function checkRange(from: string, to: string): void {
  dateToUtc(from);
  dateToUtc(to);
  if (to < from) throw new RecurringRuleError(`Range end ${to} is before its start ${from}`);
}

/**
 * Occurrences in [from, to] (both inclusive), in order, at most `limit`: skipped dates left out,
 * nothing before startDate or after endDate, optionally rolled to working days.
 */
export function occurrencesBetween(
  rule: RecurringRule | RecurringRuleDraft,
  from: string,
  to: string,
  options: ExpandOptions & { readonly limit?: number; readonly includeSkipped?: boolean } = {},
): Occurrence[] {
  checkRange(from, to);
  const limit = options.limit ?? MAX_OCCURRENCES;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_OCCURRENCES) {
    throw new RecurringRuleError(`limit must be a whole number from 0 to ${MAX_OCCURRENCES}`);
  }
  const adjust = options.workingDays;
  // A roll can move a date across the range edge, so look a little wider and filter after rolling.
  const scanFrom = adjust ? addDays(from, -ROLL_MARGIN_DAYS) : from;
  const scanTo = adjust ? addDays(to, ROLL_MARGIN_DAYS) : to;
  const compiled = compile(rule, scanFrom);
  const skipped = new Set(rule.skippedDates);
  const out: Occurrence[] = [];
  if (limit === 0) return out;
  compiled.between(dateToUtc(scanFrom), dateToUtc(scanTo), true, (d) => {
    const scheduled = formatUtcDate(d);
    const date = adjust ? rollToWorkingDay(scheduled, adjust.roll, adjust.holidays) : scheduled;
    if (date < from) return true;
    if (date > to) return false;
    if (!options.includeSkipped && skipped.has(date)) return true;
    if (out.length > 0 && out[out.length - 1]?.date === date) return true; // two rolled onto one day
    out.push({ date, scheduled });
    return out.length < limit;
  });
  return out;
}

export interface UpcomingOccurrence extends Occurrence {
  /** On or before `today`, not yet posted. */
  readonly due: boolean;
}

/** Occurrences after lastPostedDate up to `until` (at most `limit`), each marked due when on or before today. */
export function upcomingOccurrences(
  rule: RecurringRule | RecurringRuleDraft,
  today: string,
  until: string,
  options: ExpandOptions & { readonly limit?: number } = {},
): UpcomingOccurrence[] {
  dateToUtc(today);
  const from = firstUnposted(rule);
  if (until < from) return [];
  return occurrencesBetween(rule, from, until, { ...options, limit: options.limit ?? 12 }).map((o) => ({ ...o, due: o.date <= today }));
}

function firstUnposted(rule: RecurringRule | RecurringRuleDraft): string {
  return rule.lastPostedDate === null ? rule.startDate : addDays(rule.lastPostedDate, 1);
}

/** Unposted occurrences on or before today. */
export function dueOccurrences(rule: RecurringRule | RecurringRuleDraft, today: string, options: ExpandOptions = {}): Occurrence[] {
  dateToUtc(today);
  const from = firstUnposted(rule);
  if (today < from) return [];
  return occurrencesBetween(rule, from, today, options);
}

/** The transaction an occurrence becomes: the caller gives it an id and an HLC stamp when saving. */
export function occurrenceDraft(rule: RecurringRule | RecurringRuleDraft, date: string): TransactionDraft {
  dateToUtc(date);
  return {
    accountId: rule.accountId,
    date,
    amount: rule.amount,
    currency: rule.currency,
    categoryId: rule.categoryId,
    tags: [],
    merchant: rule.payee,
    description: rule.name,
    notes: null,
    transferId: null,
    importHash: null,
    status: 'uncleared',
    splits: [],
  };
}

export interface PostingResult<R> {
  /** New transactions to save, in date order. */
  readonly drafts: TransactionDraft[];
  /** The rule with lastPostedDate moved on (unchanged when nothing was posted). */
  readonly rule: R;
  /** Due occurrences waiting for the user because the rule does not post automatically. */
  readonly awaitingConfirmation: Occurrence[];
}

/**
 * Posts every due occurrence of an autoPost rule; for other rules returns them as awaiting
 * confirmation and changes nothing. Saving the drafts and the updated rule together makes it idempotent.
 */
export function postDueOccurrences<R extends RecurringRule | RecurringRuleDraft>(rule: R, today: string, options: ExpandOptions = {}): PostingResult<R> {
  const due = dueOccurrences(rule, today, options);
  if (!rule.autoPost || due.length === 0) return { drafts: [], rule, awaitingConfirmation: rule.autoPost ? [] : due };
  const last = due[due.length - 1];
  return {
    drafts: due.map((o) => occurrenceDraft(rule, o.date)),
    rule: { ...rule, lastPostedDate: last ? last.date : rule.lastPostedDate },
    awaitingConfirmation: [],
  };
}

function requireUnpostedOccurrence(rule: RecurringRule | RecurringRuleDraft, date: string, options: ExpandOptions): Occurrence {
  dateToUtc(date);
  if (rule.lastPostedDate !== null && date <= rule.lastPostedDate) {
    throw new RecurringRuleError(`${date} is already posted (last posted ${rule.lastPostedDate})`);
  }
  const [hit] = occurrencesBetween(rule, date, date, { ...options, limit: 1 });
  if (!hit) throw new RecurringRuleError(`${date} is not an occurrence of "${rule.name}" (or it is skipped)`);
  return hit;
}

/**
 * The user confirms one occurrence. Only the earliest unposted occurrence can be confirmed, so
 * lastPostedDate never jumps over one the user has not dealt with (skip it first instead).
 */
export function confirmOccurrence<R extends RecurringRule | RecurringRuleDraft>(
  rule: R,
  date: string,
  options: ExpandOptions = {},
): { readonly draft: TransactionDraft; readonly rule: R } {
  requireUnpostedOccurrence(rule, date, options);
  const [first] = occurrencesBetween(rule, firstUnposted(rule), date, { ...options, limit: 1 });
  if (first && first.date !== date) {
    throw new RecurringRuleError(`Confirm or skip the occurrence on ${first.date} before ${date}`);
  }
  return { draft: occurrenceDraft(rule, date), rule: { ...rule, lastPostedDate: date } };
}

function withSkipped<R extends RecurringRule | RecurringRuleDraft>(rule: R, date: string): R {
  if (rule.skippedDates.length >= 500) throw new RecurringRuleError('This rule already has 500 skipped dates: split it instead');
  return { ...rule, skippedDates: [...rule.skippedDates, date].sort() };
}

/** Skips one occurrence: it disappears from upcoming and is never posted. */
export function skipOccurrence<R extends RecurringRule | RecurringRuleDraft>(rule: R, date: string, options: ExpandOptions = {}): R {
  requireUnpostedOccurrence(rule, date, options);
  return withSkipped(rule, date);
}

export interface OccurrenceChanges {
  readonly date?: string;
  readonly amount?: number;
  readonly accountId?: string;
  readonly currency?: string;
  readonly categoryId?: string | null;
  readonly payee?: string | null;
  readonly name?: string;
}

/**
 * "Edit this one": the occurrence is skipped in the series and replaced by a one-off rule
 * (FREQ=DAILY;COUNT=1) carrying the changes, so it is shown and posted like any other occurrence.
 */
export function editOccurrence<R extends RecurringRule | RecurringRuleDraft>(
  rule: R,
  date: string,
  changes: OccurrenceChanges,
  options: ExpandOptions = {},
): { readonly rule: R; readonly oneOff: RecurringRuleDraft } {
  requireUnpostedOccurrence(rule, date, options);
  const day = changes.date ?? date;
  const oneOff: RecurringRuleDraft = {
    name: changes.name ?? rule.name,
    rrule: 'FREQ=DAILY;COUNT=1',
    startDate: day,
    endDate: day,
    accountId: changes.accountId ?? rule.accountId,
    amount: changes.amount ?? rule.amount,
    currency: changes.currency ?? rule.currency,
    categoryId: changes.categoryId !== undefined ? changes.categoryId : rule.categoryId,
    payee: changes.payee !== undefined ? changes.payee : rule.payee,
    autoPost: rule.autoPost,
    lastPostedDate: null,
    skippedDates: [],
  };
  validateRecurringRule(oneOff);
  return { rule: withSkipped(rule, date), oneOff };
}

export interface SeriesChanges extends Omit<OccurrenceChanges, 'date'> {
  readonly rrule?: string;
  readonly autoPost?: boolean;
  readonly endDate?: string | null;
}

/**
 * "Edit all future": the series ends the day before `date` (an occurrence on the schedule) and a new
 * rule starts on it with the changes. A COUNT in the RRULE is shared out so the total stays the same.
 * `ended` is null when `date` is the first occurrence: the new rule then replaces the old one whole.
 */
export function splitRuleAt(
  rule: RecurringRule,
  date: string,
  changes: SeriesChanges,
  options: ExpandOptions = {},
): { readonly ended: RecurringRule | null; readonly next: RecurringRuleDraft } {
  const [hit] = occurrencesBetween(rule, date, date, { ...options, limit: 1, includeSkipped: true });
  if (!hit) throw new RecurringRuleError(`${date} is not an occurrence of "${rule.name}"`);
  const before = date <= rule.startDate ? [] : occurrencesBetween(rule, rule.startDate, addDays(date, -1), { ...options, includeSkipped: true });
  let text = ruleText(rule.rrule);
  const count = /(^|;)COUNT=(\d+)/i.exec(text);
  if (changes.rrule === undefined && count?.[2] !== undefined) {
    text = text.replace(/(^|;)COUNT=\d+/i, `$1COUNT=${Number(count[2]) - before.length}`);
  }
  const next: RecurringRuleDraft = {
    name: changes.name ?? rule.name,
    rrule: changes.rrule ?? text,
    // The RRULE's own date keeps its phase (e.g. every 4 weeks) even when a working-day roll moved it.
    startDate: hit.scheduled,
    endDate: changes.endDate !== undefined ? changes.endDate : rule.endDate,
    accountId: changes.accountId ?? rule.accountId,
    amount: changes.amount ?? rule.amount,
    currency: changes.currency ?? rule.currency,
    categoryId: changes.categoryId !== undefined ? changes.categoryId : rule.categoryId,
    payee: changes.payee !== undefined ? changes.payee : rule.payee,
    autoPost: changes.autoPost ?? rule.autoPost,
    lastPostedDate: rule.lastPostedDate !== null && rule.lastPostedDate >= date ? rule.lastPostedDate : null,
    skippedDates: rule.skippedDates.filter((d) => d >= date),
  };
  validateRecurringRule(next);
  if (before.length === 0) return { ended: null, next };
  const endDate = addDays(hit.scheduled < date ? hit.scheduled : date, -1);
  const ended: RecurringRule = {
    ...rule,
    endDate,
    skippedDates: rule.skippedDates.filter((d) => d < date),
    lastPostedDate: rule.lastPostedDate !== null && rule.lastPostedDate >= date ? addDays(date, -1) : rule.lastPostedDate,
  };
  validateRecurringRule(ended);
  return { ended, next };
}
