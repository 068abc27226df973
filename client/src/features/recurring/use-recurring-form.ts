import { computed, reactive, toValue, watch } from 'vue';
import type { ComputedRef, MaybeRefOrGetter } from 'vue';
import { parseMinor } from '@mymidas/shared/money';
import type { Account, Category, RecurringRule } from '@mymidas/shared/schema';
import type { RecurringRuleDraft } from '@mymidas/shared/ledger/recurring';
import { occurrencesBetween } from '@mymidas/shared/ledger/recurring';
import { addDays, todayLocal } from '@mymidas/shared/date';
import { minorToDecimalString } from '@mymidas/shared/money';
import { expandOptionsFor, fromRrule, toRrule } from './schedule.ts';
import type { Schedule, Weekday, WeekendShift } from './schedule.ts';

export type ScheduleKind = Schedule['kind'];

/** The recurring editor's fields as typed. */
export interface RecurringForm {
  name: string;
  payee: string;
  accountId: string;
  direction: 'out' | 'in';
  amountText: string;
  categoryId: string;
  startDate: string;
  autoPost: boolean;
  kind: ScheduleKind;
  interval: number;
  weekdays: Weekday[];
  day: number;
  shift: WeekendShift;
  nth: number;
  weekday: Weekday;
  month: number;
  customText: string;
  ending: 'never' | 'count' | 'until';
  count: number;
  endDate: string;
}

export interface UseRecurringFormOptions {
  readonly rule: MaybeRefOrGetter<RecurringRule | null>;
  readonly accounts: MaybeRefOrGetter<readonly Account[]>;
  readonly categories: MaybeRefOrGetter<readonly Category[]>;
  readonly today?: () => string;
}

export interface UseRecurringFormReturn {
  readonly form: RecurringForm;
  readonly account: ComputedRef<Account | null>;
  readonly schedule: ComputedRef<Schedule>;
  readonly rruleText: ComputedRef<string>;
  /** A yearly rule on 29 February (occurs only in leap years). */
  readonly leapDay: ComputedRef<boolean>;
  /** The rule the form stands for, or why it cannot be one yet. */
  readonly draft: ComputedRef<{ draft: RecurringRuleDraft | null; problem: string | null }>;
  /** The next six dates, or why the schedule cannot be expanded. */
  readonly preview: ComputedRef<{ dates: string[]; problem: string | null }>;
  readonly categoryOptions: ComputedRef<{ id: string; label: string }[]>;
  toggleDay(d: Weekday): void;
}

/**
 * The recurring editor's state: the friendly schedule builder's fields, the RRULE text they make,
 * the rule draft and a preview of the next dates. Loads the rule being edited (and again when it
 * changes); a new rule starts monthly on today's day in the first open account.
 */
export function useRecurringForm(options: UseRecurringFormOptions): UseRecurringFormReturn {
  const today = options.today ?? todayLocal;
  const form = reactive<RecurringForm>({
    name: '', payee: '', accountId: '', direction: 'out', amountText: '', categoryId: '', startDate: today(), autoPost: true,
    kind: 'monthly-day', interval: 1, weekdays: [], day: 1, shift: 'none', nth: 1, weekday: 'MO', month: 1, customText: '',
    ending: 'never', count: 12, endDate: '',
  });

  function setSchedule(s: Schedule) {
    form.kind = s.kind;
    if ('interval' in s) form.interval = s.interval;
    if (s.kind === 'weekly') form.weekdays = [...s.weekdays];
    if (s.kind === 'monthly-day') {
      form.day = s.day;
      form.shift = s.shift;
    }
    if (s.kind === 'monthly-weekday') {
      form.nth = s.nth;
      form.weekday = s.weekday;
    }
    if (s.kind === 'yearly') {
      form.month = s.month;
      form.day = s.day;
    }
    if (s.kind === 'custom') form.customText = s.rrule;
  }

  function load() {
    const r = toValue(options.rule);
    if (!r) {
      const start = today();
      Object.assign(form, {
        name: '', payee: '', accountId: toValue(options.accounts).find((a) => !a.closed)?.id ?? '', direction: 'out', amountText: '',
        categoryId: '', startDate: start, autoPost: true, ending: 'never', endDate: '',
      });
      setSchedule({ kind: 'monthly-day', interval: 1, day: Number(start.slice(8)), shift: 'none' });
      return;
    }
    const parsed = fromRrule(r.rrule);
    Object.assign(form, {
      name: r.name, payee: r.payee ?? '', accountId: r.accountId, direction: r.amount < 0 ? 'out' : 'in',
      amountText: minorToDecimalString(Math.abs(r.amount), r.currency), categoryId: r.categoryId ?? '', startDate: r.startDate, autoPost: r.autoPost,
    });
    setSchedule(parsed.schedule);
    form.ending = r.endDate ? 'until' : parsed.count !== null ? 'count' : 'never';
    form.count = parsed.count ?? 12;
    form.endDate = r.endDate ?? '';
  }
  watch(() => toValue(options.rule), load, { immediate: true });
  watch(() => toValue(options.accounts), (list) => {
    if (!list.some((a) => a.id === form.accountId)) form.accountId = list.find((a) => !a.closed)?.id ?? '';
  });

  const account = computed(() => toValue(options.accounts).find((a) => a.id === form.accountId) ?? null);
  const schedule = computed<Schedule>(() => {
    const iv = Math.max(1, Math.floor(form.interval || 1));
    switch (form.kind) {
      case 'daily': return { kind: 'daily', interval: iv };
      case 'weekly': return { kind: 'weekly', interval: iv, weekdays: form.weekdays };
      case 'monthly-day': return { kind: 'monthly-day', interval: iv, day: form.day, shift: form.shift };
      case 'monthly-last-working-day': return { kind: 'monthly-last-working-day' };
      case 'monthly-weekday': return { kind: 'monthly-weekday', interval: iv, nth: form.nth, weekday: form.weekday };
      case 'yearly': return { kind: 'yearly', month: form.month, day: form.day };
      case 'custom': return { kind: 'custom', rrule: form.customText };
    }
    return { kind: 'custom', rrule: form.customText };
  });
  const rruleText = computed(() => toRrule(schedule.value, form.ending === 'count' ? Math.max(1, Math.floor(form.count)) : undefined));
  const leapDay = computed(() => form.kind === 'yearly' && form.month === 2 && form.day === 29);

  const draft = computed<{ draft: RecurringRuleDraft | null; problem: string | null }>(() => {
    const acc = account.value;
    if (!acc) return { draft: null, problem: 'Choose an account.' };
    let minor: number;
    try {
      minor = parseMinor(form.amountText || '0', acc.currency);
    } catch {
      return { draft: null, problem: `Enter the amount in ${acc.currency}, e.g. 12.99.` };
    }
    if (minor <= 0) return { draft: null, problem: 'Enter an amount above zero.' };
    const rule = toValue(options.rule);
    return {
      draft: {
        name: form.name.trim() || form.payee.trim() || 'Recurring item',
        rrule: rruleText.value,
        startDate: form.startDate,
        endDate: form.ending === 'until' && form.endDate ? form.endDate : null,
        accountId: acc.id,
        amount: form.direction === 'out' ? -minor : minor,
        currency: acc.currency,
        categoryId: form.categoryId || null,
        payee: form.payee.trim() || null,
        autoPost: form.autoPost,
        lastPostedDate: rule?.lastPostedDate ?? null,
        skippedDates: rule?.skippedDates ?? [],
      },
      problem: null,
    };
  });

  const preview = computed(() => {
    const d = draft.value.draft;
    if (!d) return { dates: [] as string[], problem: null as string | null };
    try {
      const now = today();
      const from = d.startDate > now ? d.startDate : now;
      return { dates: occurrencesBetween({ ...d, skippedDates: [] }, from, addDays(from, 3660), { ...expandOptionsFor(d.rrule), limit: 6 }).map((o) => o.date), problem: null };
    } catch (e) {
      return { dates: [], problem: (e as Error).message };
    }
  });

  const categoryOptions = computed(() => {
    const categories = toValue(options.categories);
    const byId = new Map(categories.map((c) => [c.id, c]));
    return categories
      .filter((c) => !c.hidden && c.kind !== 'transfer')
      .map((c) => ({ id: c.id, label: c.parentId ? `${byId.get(c.parentId)?.name ?? '?'} › ${c.name}` : c.name }))
      .sort((a, b) => a.label.localeCompare(b.label));
  });

  return {
    form, account, schedule, rruleText, leapDay, draft, preview, categoryOptions,
    toggleDay: (d) => {
      form.weekdays = form.weekdays.includes(d) ? form.weekdays.filter((x) => x !== d) : [...form.weekdays, d];
    },
  };
}
