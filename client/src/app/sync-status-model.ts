/**
 * What the sync indicator shows, as a pure function of what the replication engine reports. The
 * engine (client/src/sync/) drives the store in stores/sync-status.ts; this file decides the words.
 */

export interface SyncFacts {
  /** The browser's view of the network (navigator.onLine and its events). */
  readonly online: boolean;
  /** False when the last call to the server failed for lack of an answer. */
  readonly serverReachable: boolean;
  /** A valid session exists; false once the refresh token has expired or been revoked. */
  readonly signedIn: boolean;
  /** Local changes written but not yet acknowledged by the server. */
  readonly queued: number;
  /** Changes in the push or pull now running; 0 when idle. */
  readonly inFlight: number;
  /** Documents received from the server since this sync began (a new device's first sync can be long). */
  readonly received?: number;
  /** Same-field clashes the merge recorded for the user to review. */
  readonly conflicts: number;
  /** When the server last acknowledged everything (ISO 8601, UTC), or null if never. */
  readonly lastSyncedAt: string | null;
  /** A failure the user should see: the server asked this device to wait, or a collection stopped syncing. */
  readonly problem?: SyncProblem | null;
}

export interface SyncProblem {
  readonly kind: 'rate-limited' | 'stalled';
  /** The sentence the engine gave (what happened, and what happens next). */
  readonly message: string;
  /** When the engine tries again (ISO 8601 UTC), if it said. */
  readonly retryAt?: string | null;
}

export type SyncState = 'offline' | 'needs-sign-in' | 'conflicts' | 'stalled' | 'waiting' | 'syncing' | 'pending' | 'synced' | 'never-synced';

export interface SyncView {
  readonly state: SyncState;
  /** Short text for the top bar. */
  readonly label: string;
  /** A shorter one for a phone's top bar, where the label would be cut before its number. */
  readonly compact?: string;
  /** A full sentence for screen readers and the tooltip. */
  readonly description: string;
  readonly tone: 'ok' | 'busy' | 'warn' | 'alert';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Order: nothing can sync offline or signed out, so those win; then what needs the user; then progress. */
export function describeSync(f: SyncFacts): SyncView {
  const queuedNote = f.queued > 0 ? ` ${plural(f.queued, 'change')} saved on this device will be sent later.` : ' Nothing is waiting to be sent.';
  if (!f.online || !f.serverReachable) {
    return {
      state: 'offline',
      label: f.queued > 0 ? `Offline · ${f.queued} queued` : 'Offline',
      ...(f.queued > 0 ? { compact: `Offline · ${f.queued}` } : {}),
      description: `${f.online ? 'The server cannot be reached.' : 'This device is offline.'}${queuedNote}`,
      tone: 'warn',
    };
  }
  if (!f.signedIn) {
    return {
      state: 'needs-sign-in',
      label: 'Sign in to sync',
      description: `The session has ended, so nothing is synced until you sign in again. Local use continues.${queuedNote}`,
      tone: 'warn',
    };
  }
  if (f.conflicts > 0) {
    return {
      state: 'conflicts',
      label: `${plural(f.conflicts, 'conflict')} to review`,
      compact: plural(f.conflicts, 'conflict'),
      description: `${plural(f.conflicts, 'edit')} clashed with a change from another device; the later edit was kept and the other can be restored from the conflict log.`,
      tone: 'alert',
    };
  }
  if (f.problem?.kind === 'stalled') {
    return { state: 'stalled', label: 'Sync stopped', compact: 'Stopped', description: f.problem.message, tone: 'alert' };
  }
  if (f.problem?.kind === 'rate-limited') {
    return { state: 'waiting', label: 'Slowed down by server', compact: 'Waiting', description: f.problem.message, tone: 'warn' };
  }
  if (f.inFlight > 0) {
    return { state: 'syncing', label: `Syncing ${f.inFlight}`, description: `Syncing ${plural(f.inFlight, 'change')} with the server.`, tone: 'busy' };
  }
  const received = f.received ?? 0;
  if (received > 0) {
    const n = received.toLocaleString('en-GB');
    return { state: 'syncing', label: `Syncing · ${n} received`, compact: `Syncing ${n}`, description: `Receiving changes from the server: ${n} so far.`, tone: 'busy' };
  }
  if (f.queued > 0) {
    return { state: 'pending', label: `${f.queued} to send`, description: `${plural(f.queued, 'change')} saved on this device, waiting to be sent.`, tone: 'busy' };
  }
  if (f.lastSyncedAt === null) {
    return { state: 'never-synced', label: 'Not synced yet', description: 'This device has not synced with the server yet.', tone: 'busy' };
  }
  return { state: 'synced', label: 'Synced', description: `Everything is synced. Last sync ${f.lastSyncedAt}.`, tone: 'ok' };
}
