import { dateLabel } from '@mymidas/shared/date';
import { periodContaining, shiftPeriod } from '@mymidas/shared/budget';
import type { Period, PeriodRule } from '@mymidas/shared/budget';
import type { Budget, BudgetAlertKind, BudgetPeriodKind } from '@mymidas/shared/schema';

/**
 * Budget alerts (issue 20, bullet 4), the pure part: which alerts a budget already holds, how an alert is
 * appended (bounded), what the list and a notification say, and when this device may look for crossings.
 *
 * An alert is raised once per budget, period and kind, by the first device that sees the crossing: it appends
 * {period, kind, at} to the budget's `alerts` (a budget edit that syncs) and only then notifies. Every device
 * lists the alerts of the budgets' current periods from that field, so the list is the same everywhere.
 */

export type BudgetAlertEntry = Budget['alerts'][number];

/** Alerts of periods older than the last this many (the current one included) are dropped when one is appended. */
export const ALERT_HISTORY_PERIODS = 24;
/** The schema's limit on `alerts`. */
const MAX_ALERTS = 200;

export function alertKey(budgetId: string, period: string, kind: BudgetAlertKind): string {
  return `${budgetId}|${period}|${kind}`;
}

export function periodRuleOf(budget: Pick<Budget, 'period' | 'weekStart'>, monthStartDay: number): PeriodRule {
  return { kind: budget.period, weekStart: budget.weekStart, monthStartDay };
}

export function hasAlert(budget: Pick<Budget, 'alerts'>, period: string, kind: BudgetAlertKind): boolean {
  return budget.alerts.some((a) => a.period === period && a.kind === kind);
}

/**
 * The budget's `alerts` with `entry` appended, or null when that period and kind is already there (someone —
 * this device or another — raised it first). Entries of periods before the last ALERT_HISTORY_PERIODS (counted
 * back from the entry's period) are dropped, so the array stays bounded whatever the budget's age.
 */
export function appendAlert(budget: Pick<Budget, 'alerts' | 'period' | 'weekStart'>, entry: BudgetAlertEntry, monthStartDay: number): BudgetAlertEntry[] | null {
  if (hasAlert(budget, entry.period, entry.kind)) return null;
  const rule = periodRuleOf(budget, monthStartDay);
  const oldest = shiftPeriod(rule, periodContaining(rule, entry.period), -(ALERT_HISTORY_PERIODS - 1)).start;
  const kept = budget.alerts.filter((a) => a.period >= oldest);
  return [...kept, { period: entry.period, kind: entry.kind, at: entry.at }].slice(-MAX_ALERTS);
}

const PERIOD_WORDS: Record<BudgetPeriodKind, string> = { weekly: 'weekly', monthly: 'monthly', quarterly: 'quarterly', yearly: 'yearly' };

/** What an alert says, after the budget's name. */
export function alertKindWords(kind: BudgetAlertKind, threshold: number): string {
  switch (kind) {
    case 'threshold':
      return `reached ${threshold} % of its budget`;
    case 'over':
      return 'is over budget';
    case 'projected':
      return 'is likely to overspend by the end of the period';
  }
}

/** "1 Dec 2026 – 31 Dec 2026" for a period; one date for a one-day period. */
export function periodLabel(period: Period): string {
  return period.start === period.end ? dateLabel(period.start) : `${dateLabel(period.start)} – ${dateLabel(period.end)}`;
}

export interface BudgetAlertItem {
  /** alertKey(budgetId, period, kind): what read and dismissed marks refer to. */
  readonly key: string;
  readonly budgetId: string;
  /** The budget's category name ("Groceries"). */
  readonly name: string;
  readonly periodKind: BudgetPeriodKind;
  readonly period: Period;
  readonly kind: BudgetAlertKind;
  /** When the device that raised it recorded it (ISO 8601). */
  readonly at: string;
  /** "Groceries (monthly) reached 80 % of its budget". */
  readonly message: string;
}

export interface AlertListInputs {
  readonly budgets: readonly Budget[];
  /** Category names by id. */
  readonly names: ReadonlyMap<string, string>;
  readonly monthStartDay: number;
  /** The user's today (settings.timezone). */
  readonly today: string;
}

/** One recorded alert as the list shows it; `period` is the budget's period that starts on `entry.period`. */
export function alertItem(budget: Budget, entry: BudgetAlertEntry, period: Period, name: string): BudgetAlertItem {
  return {
    key: alertKey(budget.id, entry.period, entry.kind),
    budgetId: budget.id,
    name,
    periodKind: budget.period,
    period,
    kind: entry.kind,
    at: entry.at,
    message: `${name} (${PERIOD_WORDS[budget.period]}) ${alertKindWords(entry.kind, budget.alertThreshold)}`,
  };
}

/** The alerts recorded for each budget's current period, newest first. */
export function currentAlertItems(inputs: AlertListInputs): BudgetAlertItem[] {
  const items: BudgetAlertItem[] = [];
  for (const budget of inputs.budgets) {
    if (budget.alerts.length === 0) continue;
    const period = periodContaining(periodRuleOf(budget, inputs.monthStartDay), inputs.today);
    const name = inputs.names.get(budget.categoryId) ?? 'A budget';
    for (const a of budget.alerts) if (a.period === period.start) items.push(alertItem(budget, a, period, name));
  }
  return items.sort((x, y) => (x.at === y.at ? x.key.localeCompare(y.key) : y.at.localeCompare(x.at)));
}

/** Title and body of the browser notification for an alert. */
export function notificationText(item: BudgetAlertItem): { title: string; body: string } {
  return { title: `Budget alert: ${item.name}`, body: `${item.message}. Period ${periodLabel(item.period)}.` };
}

/** What the sync indicator knows (stores/sync-status.ts), as the check needs it. */
export interface SyncGateFacts {
  readonly online: boolean;
  readonly serverReachable: boolean;
  readonly signedIn: boolean;
  readonly inFlight: number;
  readonly received: number;
  readonly lastSyncedAt: string | null;
}

export interface SyncGateTiming {
  /** When this device last became able to sync (online, server reachable, signed in), epoch ms; null: it is not. */
  readonly connectedSince: number | null;
  /** How long sync must have been quiet before looking. */
  readonly quietMs: number;
  /** Look anyway this long after connecting when no sync round finished (sync failing must not silence alerts). */
  readonly graceMs: number;
}

/**
 * When this device may look for crossings (epoch ms; null: not now, wait for the sync facts to change).
 *
 * Order matters: another device may have raised the alert already, and its `alerts` entry reaches this device
 * by sync, possibly after the transactions that crossed the threshold (collections replicate independently).
 * So while this device can sync, it looks only once a sync round has finished since it (re)connected and sync
 * has then been quiet for `quietMs` — an entry pushed right after those transactions starts a new round and
 * arrives first. While it cannot sync (offline, server unreachable, signed out), there is nothing to wait for:
 * it looks at once, and a device that crossed independently while offline raises the alert too.
 */
export function alertCheckReadyAt(facts: SyncGateFacts, timing: SyncGateTiming): number | null {
  const canSync = facts.online && facts.serverReachable && facts.signedIn;
  if (!canSync || timing.connectedSince === null) return 0;
  if (facts.inFlight > 0 || facts.received > 0) return null;
  const synced = facts.lastSyncedAt === null ? Number.NaN : Date.parse(facts.lastSyncedAt);
  if (Number.isFinite(synced) && synced >= timing.connectedSince) return synced + timing.quietMs;
  return timing.connectedSince + timing.graceMs;
}
