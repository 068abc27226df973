import { LAST_WORKING_DAY_RRULE } from '@mymidas/shared/ledger/working-days';
import type { ExpandOptions } from '@mymidas/shared/ledger/recurring';
import { englandWalesBankHolidaysBetween, FIRST_BANK_HOLIDAY_YEAR } from '@mymidas/shared/ledger/bank-holidays';

/*
 * The friendly schedule builder: a few shapes people use for bills, salary and subscriptions, turned
 * into RFC 5545 RRULE text and read back from it. Anything else is kept as custom RRULE text.
 */

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_NAMES: Record<Weekday, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const WORKDAYS = 'BYDAY=MO,TU,WE,TH,FR';

/** When the day falls on a weekend: keep it, move to the working day before, or after. */
export type WeekendShift = 'none' | 'before' | 'after';

export type Schedule =
  | { readonly kind: 'daily'; readonly interval: number }
  | { readonly kind: 'weekly'; readonly interval: number; readonly weekdays: readonly Weekday[] }
  /** Day of month 1–31, or -1 for the last day. */
  | { readonly kind: 'monthly-day'; readonly interval: number; readonly day: number; readonly shift: WeekendShift }
  | { readonly kind: 'monthly-last-working-day' }
  /** nth (1–4, or -1 = last) weekday of the month, e.g. the first Monday. */
  | { readonly kind: 'monthly-weekday'; readonly interval: number; readonly nth: number; readonly weekday: Weekday }
  /** Day -1 = the last day of the month (for 29 Feb: every year, on 28 Feb in other years). */
  | { readonly kind: 'yearly'; readonly month: number; readonly day: number }
  | { readonly kind: 'custom'; readonly rrule: string };

export type Ending = { readonly kind: 'never' } | { readonly kind: 'count'; readonly count: number } | { readonly kind: 'until' };

const interval = (n: number) => (n > 1 ? `;INTERVAL=${n}` : '');

export function toRrule(s: Schedule, count?: number): string {
  let text: string;
  switch (s.kind) {
    case 'daily': text = `FREQ=DAILY${interval(s.interval)}`; break;
    case 'weekly': text = `FREQ=WEEKLY${interval(s.interval)}${s.weekdays.length > 0 ? `;BYDAY=${sortDays(s.weekdays).join(',')}` : ''}`; break;
    case 'monthly-day':
      if (s.shift === 'before' && s.day >= 3) text = `FREQ=MONTHLY${interval(s.interval)};BYMONTHDAY=${s.day - 2},${s.day - 1},${s.day};${WORKDAYS};BYSETPOS=-1`;
      else if (s.shift === 'after' && s.day >= 1 && s.day <= 26) text = `FREQ=MONTHLY${interval(s.interval)};BYMONTHDAY=${s.day},${s.day + 1},${s.day + 2};${WORKDAYS};BYSETPOS=1`;
      else text = `FREQ=MONTHLY${interval(s.interval)};BYMONTHDAY=${s.day}`;
      break;
    case 'monthly-last-working-day': text = LAST_WORKING_DAY_RRULE; break;
    case 'monthly-weekday': text = `FREQ=MONTHLY${interval(s.interval)};BYDAY=${s.nth}${s.weekday}`; break;
    case 'yearly': text = `FREQ=YEARLY;BYMONTH=${s.month};BYMONTHDAY=${s.day}`; break;
    case 'custom': text = s.rrule.replace(/^RRULE:/i, '').trim(); break;
  }
  if (count !== undefined && s.kind !== 'custom') text += `;COUNT=${count}`;
  return text;
}

function sortDays(days: readonly Weekday[]): Weekday[] {
  return [...new Set(days)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b));
}

/** Splits RRULE text into its parts (upper-case keys), without COUNT. */
function parts(text: string): { map: Map<string, string>; count: number | null } {
  const map = new Map<string, string>();
  for (const p of text.replace(/^RRULE:/i, '').split(';')) {
    const [k, v] = p.split('=');
    if (k && v !== undefined) map.set(k.toUpperCase(), v.toUpperCase());
  }
  const c = map.get('COUNT');
  map.delete('COUNT');
  return { map, count: c !== undefined && /^\d+$/.test(c) ? Number(c) : null };
}

const only = (m: Map<string, string>, keys: string[]) => [...m.keys()].every((k) => keys.includes(k));

/** Reads RRULE text back into a builder shape (custom when it is none of them), with its COUNT. */
export function fromRrule(text: string): { schedule: Schedule; count: number | null } {
  const { map: m, count } = parts(text);
  const n = Number(m.get('INTERVAL') ?? '1');
  const iv = Number.isInteger(n) && n >= 1 ? n : 1;
  const freq = m.get('FREQ');
  const custom = { schedule: { kind: 'custom', rrule: text.replace(/^RRULE:/i, '') } as Schedule, count: null };
  const base = text.replace(/^RRULE:/i, '').split(';').filter((p) => !/^COUNT=/i.test(p)).join(';').toUpperCase();
  if (base === LAST_WORKING_DAY_RRULE) return { schedule: { kind: 'monthly-last-working-day' }, count };
  if (freq === 'DAILY' && only(m, ['FREQ', 'INTERVAL'])) return { schedule: { kind: 'daily', interval: iv }, count };
  if (freq === 'WEEKLY' && only(m, ['FREQ', 'INTERVAL', 'BYDAY'])) {
    const days = (m.get('BYDAY') ?? '').split(',').filter(Boolean);
    if (days.every((d) => (WEEKDAYS as readonly string[]).includes(d))) return { schedule: { kind: 'weekly', interval: iv, weekdays: days as Weekday[] }, count };
  }
  if (freq === 'MONTHLY') {
    const md = m.get('BYMONTHDAY');
    if (md && only(m, ['FREQ', 'INTERVAL', 'BYMONTHDAY']) && /^-?\d+$/.test(md)) return { schedule: { kind: 'monthly-day', interval: iv, day: Number(md), shift: 'none' }, count };
    if (md && only(m, ['FREQ', 'INTERVAL', 'BYMONTHDAY', 'BYDAY', 'BYSETPOS']) && m.get('BYDAY') === 'MO,TU,WE,TH,FR') {
      const days = md.split(',').map(Number);
      const [a, b, c] = days;
      if (days.length === 3 && a !== undefined && b === a + 1 && c === a + 2) {
        if (m.get('BYSETPOS') === '-1') return { schedule: { kind: 'monthly-day', interval: iv, day: c, shift: 'before' }, count };
        if (m.get('BYSETPOS') === '1') return { schedule: { kind: 'monthly-day', interval: iv, day: a, shift: 'after' }, count };
      }
    }
    const bd = /^(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$/.exec(m.get('BYDAY') ?? '');
    if (bd && only(m, ['FREQ', 'INTERVAL', 'BYDAY'])) return { schedule: { kind: 'monthly-weekday', interval: iv, nth: Number(bd[1]), weekday: bd[2] as Weekday }, count };
  }
  if (freq === 'YEARLY' && iv === 1 && only(m, ['FREQ', 'BYMONTH', 'BYMONTHDAY'])) {
    const month = Number(m.get('BYMONTH'));
    const day = Number(m.get('BYMONTHDAY'));
    if (month >= 1 && month <= 12 && (day === -1 || (day >= 1 && day <= 31))) return { schedule: { kind: 'yearly', month, day }, count };
  }
  return custom;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ordinal = (n: number) => {
  if (n === -1) return 'last';
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
};
const every = (n: number, unit: string) => (n === 1 ? `Every ${unit}` : `Every ${n} ${unit}s`);

/** In words, e.g. "Monthly on the last working day", "Every 4 weeks on Friday". */
export function describeSchedule(s: Schedule): string {
  switch (s.kind) {
    case 'daily': return every(s.interval, 'day');
    case 'weekly': return `${every(s.interval, 'week')}${s.weekdays.length > 0 ? ` on ${sortDays(s.weekdays).map((d) => WEEKDAY_NAMES[d]).join(', ')}` : ''}`;
    case 'monthly-day': {
      const day = s.day === -1 ? 'the last day' : `the ${ordinal(s.day)}`;
      const shift = s.shift === 'before' ? ', or the working day before' : s.shift === 'after' ? ', or the working day after' : '';
      return `${s.interval === 1 ? 'Monthly' : every(s.interval, 'month')} on ${day}${shift}`;
    }
    case 'monthly-last-working-day': return 'Monthly on the last working day (bank holidays skipped)';
    case 'monthly-weekday': return `${s.interval === 1 ? 'Monthly' : every(s.interval, 'month')} on the ${ordinal(s.nth)} ${WEEKDAY_NAMES[s.weekday]}`;
    case 'yearly': return `Yearly on ${s.day === -1 ? 'the last day of' : `${s.day}`} ${MONTHS[s.month - 1]}`;
    case 'custom': return `Custom: ${s.rrule}`;
  }
}

/**
 * England and Wales bank holidays (computed from gov.uk's rules, shared/src/ledger/bank-holidays.ts), for
 * rolling "last working day" dates. RRULE cannot know them (docs/ledger.md); the rule document has no
 * field for a holiday list, so the roll is derived from the rule's own text — the same on every device.
 */
export const UK_BANK_HOLIDAYS: ReadonlySet<string> = new Set(englandWalesBankHolidaysBetween(FIRST_BANK_HOLIDAY_YEAR, 2199));

/** Expansion options for a rule: "last working day" rules roll back off bank holidays. */
export function expandOptionsFor(rrule: string): ExpandOptions {
  const base = rrule.replace(/^RRULE:/i, '').split(';').filter((p) => !/^COUNT=/i.test(p)).join(';').toUpperCase();
  return base === LAST_WORKING_DAY_RRULE ? { workingDays: { roll: 'previous', holidays: UK_BANK_HOLIDAYS } } : {};
}
