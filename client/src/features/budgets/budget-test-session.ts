import type { BudgetHistoryRequest, BudgetInputs, BudgetPageRequest } from '@mymidas/shared/budget';
import type { Snapshot } from '@mymidas/shared/snapshot/snapshot';
import { effectScope } from 'vue';
import type { EffectScope } from 'vue';
import type { ReplicaDatabase } from '../../db/database.ts';
import { createBudgetHandlers } from '../../compute/budgets/budget-handlers.ts';
import type { ComputeSession, ComputeStatus } from '../../compute/compute-session.ts';

/** For the budgets' tests (budget-data, budget-alerts-run): not part of the app. */

/** A compute session whose worker is the real budgets area over a snapshot in memory, called as Comlink would (clones). */
export function fakeSession(snapshot: Snapshot, pushes: BudgetInputs[]) {
  const handlers = createBudgetHandlers({ current: () => snapshot });
  let status: ComputeStatus = { phase: 'ready', transactions: 1, revision: 1 };
  const listeners = new Set<(s: ComputeStatus) => void>();
  const clears = { count: 0 };
  const api = {
    budgetSetInputs: async (inputs: BudgetInputs) => {
      pushes.push(inputs);
      handlers.budgetSetInputs(structuredClone(inputs));
    },
    budgetClearInputs: async () => {
      clears.count += 1;
      handlers.budgetClearInputs();
    },
    budgetPage: async (q: BudgetPageRequest) => handlers.budgetPage(structuredClone(q)),
    budgetHistory: async (q: BudgetHistoryRequest) => handlers.budgetHistory(structuredClone(q)),
    budgetCurrencies: async () => handlers.budgetCurrencies(),
  };
  const investReads = { count: 0 };
  const session: ComputeSession = {
    worker: { api, terminate: () => undefined } as unknown as ComputeSession['worker'],
    // Reading `invest` starts the investment feed in the real session: the budgets must never do it.
    get invest() {
      investReads.count += 1;
      return undefined;
    },
    status: () => status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    checkConsistency: async () => 'consistent',
    async stop() {
      status = { phase: 'stopped' };
    },
  };
  return {
    session,
    investReads,
    clears,
    /** What the compute session does after applying a change bulk: a new revision. */
    bump() {
      if (status.phase !== 'ready') return;
      status = { ...status, revision: status.revision + 1 };
      for (const l of listeners) l(status);
    },
  };
}

/** Each budget test's rig over `snapshot`: the fake session, the inputs it was pushed, and an effect scope to run in. */
export function budgetTestRig(snapshot: Snapshot): { pushes: BudgetInputs[]; worker: ReturnType<typeof fakeSession>; scope: EffectScope } {
  const pushes: BudgetInputs[] = [];
  return { pushes, worker: fakeSession(snapshot, pushes), scope: effectScope() };
}

/** Ends a test: stops its effect scope (the composables' watchers) and closes its replica. */
export async function closeRig(scope: EffectScope, db: ReplicaDatabase): Promise<void> {
  scope.stop();
  await db.close();
}
