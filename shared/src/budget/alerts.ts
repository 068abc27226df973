import { dayNumber } from '../date/date.ts';
import type { Budget } from '../schema/registry.ts';
import type { BudgetAlertCandidate, BudgetPageRow } from './types.ts';

/** P(over) at or above which a 'projected' alert is due. */
export const PROJECTED_ALERT_PROBABILITY = 0.5;

/**
 * Without a probability (too little history), the share of the period that must be behind before the pace
 * projection of a budget still on track raises a 'projected' alert: one purchase on the first morning would
 * otherwise project thirty times over. A budget past its threshold is projected from its pace at once.
 */
export const PACE_ALERT_ELAPSED = 0.5;

/**
 * The alerts due for the page's rows and not yet recorded in their budget's `alerts` (issue 20): raised once
 * per budget, period and kind, by whichever device first sees the crossing, which records it on the budget.
 * - 'threshold': spent ≥ alertThreshold% of amount + carried (the row's state is over-threshold or over);
 * - 'over': spent > amount + carried;
 * - 'projected': the current period's probability of overspending is at least one half, or — without enough
 *   history for a probability — the velocity projection exceeds amount + carried and the budget is past its
 *   threshold or at least half of the period (to `today`, inclusive) is behind.
 * Rows whose budget is not in `budgets` raise nothing. Output order: rows' order, then the kinds above.
 */
export function alertCandidates(rows: readonly BudgetPageRow[], budgets: readonly Budget[], today: string): BudgetAlertCandidate[] {
  const todayDay = dayNumber(today);
  const byId = new Map(budgets.map((b) => [b.id, b]));
  const out: BudgetAlertCandidate[] = [];
  for (const row of rows) {
    const budget = byId.get(row.budgetId);
    if (!budget) continue;
    const period = row.period.start;
    const raised = new Set(budget.alerts.filter((a) => a.period === period).map((a) => a.kind));
    const due = (kind: BudgetAlertCandidate['kind']) => {
      if (!raised.has(kind)) out.push({ budgetId: row.budgetId, period, kind });
    };
    if (row.state === 'over-threshold' || row.state === 'over') due('threshold');
    if (row.state === 'over') due('over');
    const f = row.forecast;
    if (f !== null) {
      const limit = row.amount + row.carried;
      const start = dayNumber(row.period.start);
      const elapsed = (todayDay - start + 1) / (dayNumber(row.period.end) - start + 1);
      const likely = f.probabilityOver !== null ? f.probabilityOver >= PROJECTED_ALERT_PROBABILITY : f.projectedSpent > limit && (elapsed >= PACE_ALERT_ELAPSED || row.state !== 'on-track');
      if (likely) due('projected');
    }
  }
  return out;
}
