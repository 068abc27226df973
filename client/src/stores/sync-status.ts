import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { describeSync, type SyncFacts, type SyncProblem } from '../app/sync-status-model.ts';
import type { SyncProblemKind } from '../sync/sync-engine.ts';

/**
 * The sync indicator's state. The replication engine (client/src/sync/) drives it through the
 * actions below; the shell feeds `online`, `serverReachable` and `signedIn`. Nothing here talks to
 * the network.
 */
export const useSyncStatusStore = defineStore('sync-status', () => {
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine);
  const serverReachable = ref(true);
  const signedIn = ref(false);
  const queued = ref(0);
  const inFlight = ref(0);
  const received = ref(0);
  const conflicts = ref(0);
  const lastSyncedAt = ref<string | null>(null);
  const lastError = ref<string | null>(null);
  /** What the indicator shows of the last failure (rate-limited and stalled only; see SyncStatusSink). */
  const problem = ref<SyncProblem | null>(null);

  const facts = computed<SyncFacts>(() => ({
    online: online.value,
    serverReachable: serverReachable.value,
    signedIn: signedIn.value,
    queued: queued.value,
    inFlight: inFlight.value,
    received: received.value,
    conflicts: conflicts.value,
    lastSyncedAt: lastSyncedAt.value,
    problem: problem.value,
  }));
  const view = computed(() => describeSync(facts.value));

  const count = (n: number) => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`A change count must be a whole number ≥ 0, got ${n}`);
    return n;
  };

  return {
    online, serverReachable, signedIn, queued, inFlight, received, conflicts, lastSyncedAt, lastError, problem, facts, view,
    setOnline(value: boolean) { online.value = value; },
    setServerReachable(value: boolean) { serverReachable.value = value; },
    setSignedIn(value: boolean) { signedIn.value = value; },
    /** Local writes not yet acknowledged by the server. */
    setQueued(n: number) { queued.value = count(n); },
    /** A push/pull of `n` changes started. */
    syncStarted(n: number) { inFlight.value = count(n); received.value = 0; lastError.value = null; problem.value = null; },
    /** Documents received from the server so far in this sync: a wait the server asked for is over. */
    setReceived(n: number) {
      received.value = count(n);
      if (problem.value?.kind === 'rate-limited') problem.value = null;
    },
    /** The server acknowledged everything up to now. `at` is an ISO 8601 UTC instant. */
    syncFinished(at: string, stillQueued = 0) {
      inFlight.value = 0;
      received.value = 0;
      queued.value = count(stillQueued);
      lastSyncedAt.value = at;
      serverReachable.value = true;
      problem.value = null;
    },
    syncFailed(message: string, kind: SyncProblemKind = 'error', retryAt: string | null = null) {
      inFlight.value = 0;
      received.value = 0;
      lastError.value = message;
      problem.value = kind === 'error' ? null : { kind, message, retryAt };
    },
    setConflicts(n: number) { conflicts.value = count(n); },
  };
});
