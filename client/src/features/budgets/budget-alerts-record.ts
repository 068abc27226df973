import type { BudgetAlertCandidate } from '@mymidas/shared/budget';
import { budgetSchema } from '@mymidas/shared/schema';
import type { Budget } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { stampAfter } from '../../sync/clock.ts';
import { appendAlert, hasAlert } from './budget-alerts.ts';
import type { BudgetAlertEntry } from './budget-alerts.ts';

export interface RecordAlertOptions {
  /** settings.budgetStartDay: how the budget's periods are cut (for dropping old entries). */
  readonly monthStartDay: number;
  /** The instant recorded as `at`; default now. */
  readonly at?: string;
}

export interface RecordedAlert {
  /** The budget as stored after the append. */
  readonly budget: Budget;
  readonly entry: BudgetAlertEntry;
}

/**
 * Records one alert on its budget: {period, kind, at} appended to `alerts`, the document stamped after the
 * stamp it had (the replica's clock, like every other edit), so the append syncs to the other devices.
 *
 * The check and the append are one read-modify-write of the stored document (RxDB's incrementalModify, which
 * runs the function again on a write conflict), so an entry that arrived by sync — or that another tab wrote —
 * since the caller looked is seen here: then nothing is written and the result is null, and the caller must not
 * notify. Null too when the budget is gone (deleted, or not synced here).
 */
export async function recordBudgetAlert(db: ReplicaDatabase, candidate: BudgetAlertCandidate, options: RecordAlertOptions): Promise<RecordedAlert | null> {
  const doc = await db.budgets.findOne(candidate.budgetId).exec();
  if (!doc || hasAlert(doc.toJSON() as Budget, candidate.period, candidate.kind)) return null;
  const entry: BudgetAlertEntry = { period: candidate.period, kind: candidate.kind, at: options.at ?? new Date().toISOString() };
  let appended = false;
  const saved = await doc.incrementalModify(async (data) => {
    const current = data as Budget;
    const alerts = appendAlert(current, entry, options.monthStartDay);
    appended = alerts !== null;
    // Only when another write landed between the read above and this one (RxDB re-runs the function on the
    // stored state); RxDB writes the unchanged document then, which changes nothing for sync (same stamp).
    if (alerts === null) return data;
    const next: Budget = { ...current, alerts, hlc: await stampAfter(db, current.hlc) };
    // Refuse (and write nothing) rather than store a budget the server would refuse.
    budgetSchema.parse(next);
    return next as typeof data;
  });
  if (!appended) return null;
  return { budget: saved.toMutableJSON() as Budget, entry };
}
