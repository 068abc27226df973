import type { SyncStatusSink } from './sync-engine.ts';

/**
 * Only the leading tab replicates (sync-engine.ts), so only its sync indicator hears how sync goes; the
 * others would say "Not synced yet" for ever. The relay passes what the replicating tab reports — sync
 * started, documents received, finished, failed, server reachable — to the app's other tabs over a
 * BroadcastChannel, and a tab that opens later asks for the latest state. Counts each tab works out for
 * itself (queued writes, the conflict log) are not relayed. Nothing sent names a document or holds a
 * field value: counts, an ISO time and the indicator's error sentence.
 */

export const STATUS_CHANNEL = 'mymidas-sync-status';

const RELAYED = ['syncStarted', 'setReceived', 'syncFinished', 'syncFailed', 'setServerReachable'] as const;
type Relayed = (typeof RELAYED)[number];

/** `to`: a replay for the tab that said hello with that id (other tabs have it already). */
type Message =
  | { readonly kind: 'event'; readonly method: Relayed; readonly args: unknown[]; readonly to?: string }
  | { readonly kind: 'hello'; readonly from: string };

/** The part of BroadcastChannel the relay uses (tests pass their own). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export interface StatusRelay {
  /** Give this to the sync engine instead of the tab's own status sink. */
  readonly sink: Required<SyncStatusSink>;
  close(): void;
}

function isMessage(value: unknown): value is Message {
  const m = value as { kind?: unknown; method?: unknown; args?: unknown } | null;
  if (!m || typeof m !== 'object') return false;
  if (m.kind === 'hello') return typeof (m as { from?: unknown }).from === 'string';
  return m.kind === 'event' && (RELAYED as readonly unknown[]).includes(m.method) && Array.isArray(m.args);
}

export function relaySyncStatus(local: SyncStatusSink, channel: ChannelLike | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(STATUS_CHANNEL)): StatusRelay {
  /** What this tab reported, latest last, replayed to a tab that says hello. */
  const latest = new Map<Relayed, unknown[]>();
  const self = Math.random().toString(36).slice(2);

  function report(method: Relayed, args: unknown[]) {
    // A new sync supersedes the outcome of the last one; a finish or failure supersedes the progress.
    if (method === 'syncStarted') latest.clear();
    if (method === 'syncFinished' || method === 'syncFailed') latest.delete('setReceived');
    latest.delete(method);
    latest.set(method, args);
    channel?.postMessage({ kind: 'event', method, args } satisfies Message);
  }

  function apply(method: Relayed, args: unknown[]) {
    const fn = local[method] as ((...a: unknown[]) => void) | undefined;
    fn?.apply(local, args);
  }

  const onMessage = (event: MessageEvent) => {
    const message: unknown = event.data;
    if (!isMessage(message)) return;
    if (message.kind === 'hello') {
      for (const [method, args] of latest) channel?.postMessage({ kind: 'event', method, args, to: message.from } satisfies Message);
      return;
    }
    if (message.to !== undefined && message.to !== self) return;
    try {
      apply(message.method, message.args);
    } catch {
      // A malformed count from another tab is ignored; this tab's own state stays as it was.
    }
  };
  channel?.addEventListener('message', onMessage);
  channel?.postMessage({ kind: 'hello', from: self } satisfies Message);

  const sink: Required<SyncStatusSink> = {
    setQueued: (n) => local.setQueued(n),
    setConflicts: (n) => local.setConflicts(n),
    syncStarted(n) {
      local.syncStarted(n);
      report('syncStarted', [n]);
    },
    syncFinished(at, stillQueued) {
      local.syncFinished(at, stillQueued);
      report('syncFinished', stillQueued === undefined ? [at] : [at, stillQueued]);
    },
    syncFailed(message, kind, retryAt) {
      local.syncFailed(message, kind, retryAt);
      report('syncFailed', kind === undefined ? [message] : [message, kind, retryAt ?? null]);
    },
    setServerReachable(value) {
      local.setServerReachable?.(value);
      report('setServerReachable', [value]);
    },
    setReceived(n) {
      local.setReceived?.(n);
      report('setReceived', [n]);
    },
  };

  return {
    sink,
    close() {
      channel?.removeEventListener('message', onMessage);
      channel?.close();
    },
  };
}
