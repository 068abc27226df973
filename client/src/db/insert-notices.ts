/**
 * Cross-tab notices of rows written by insertIfAbsent (insert-if-absent.ts). RxDB's own multi-instance
 * channel would carry every sealed row to every tab; this one carries ids only, and each tab reads the
 * rows from the IndexedDB they share (change-stream.ts turns a notice into a bulk of INSERT events).
 */

/** What a tab tells the others after insertIfAbsent: which rows to read, and the bulk's checkpoint and context. */
export interface InsertNotice {
  readonly id: string;
  readonly ids: readonly string[];
  readonly checkpoint: { readonly id: string; readonly lwt: number };
  readonly context: string;
}

/** Most ids one notice may name (a first-pull batch is far smaller). */
export const MAX_NOTICE_IDS = 10_000;

/** A notice from the channel, or null for anything else (same-origin tabs only, but checked all the same). */
export function readInsertNotice(data: unknown): InsertNotice | null {
  const n = data as Partial<InsertNotice> | null;
  if (!n || typeof n !== 'object' || typeof n.id !== 'string' || typeof n.context !== 'string') return null;
  if (!Array.isArray(n.ids) || n.ids.length === 0 || n.ids.length > MAX_NOTICE_IDS || !n.ids.every((id) => typeof id === 'string')) return null;
  const checkpoint = n.checkpoint as { id?: unknown; lwt?: unknown } | undefined;
  if (!checkpoint || typeof checkpoint.lwt !== 'number' || typeof checkpoint.id !== 'string') return null;
  return { id: n.id, ids: n.ids, checkpoint: { id: checkpoint.id, lwt: checkpoint.lwt }, context: n.context };
}

/** The channel name of one collection of one replica at one schema version. */
export function insertNoticeChannelName(databaseName: string, collection: string, schemaVersion: number): string {
  return `mymidas-replica|${databaseName}|${collection}|${schemaVersion}`;
}

export interface InsertNoticeChannel {
  post(notice: InsertNotice): void;
  close(): void;
}

export interface InsertNoticeChannelOptions {
  readonly databaseName: string;
  readonly collection: string;
  readonly schemaVersion: number;
  /** Whether other tabs share this replica (RxDB's `multiInstance`); without it no channel is opened. */
  readonly multiInstance: boolean;
  /** Called with every well-formed notice from another tab; anything else on the channel is ignored. */
  readonly onNotice: (notice: InsertNotice) => void;
  /** Tests pass their own; default the global BroadcastChannel. */
  readonly channel?: (name: string) => BroadcastChannel;
}

/** The collection's notice channel, or null when the replica is single-tab or the platform has no BroadcastChannel. */
export function openInsertNoticeChannel(options: InsertNoticeChannelOptions): InsertNoticeChannel | null {
  if (!options.multiInstance) return null;
  const open = options.channel ?? (typeof BroadcastChannel === 'function' ? (name: string) => new BroadcastChannel(name) : null);
  if (!open) return null;
  const channel = open(insertNoticeChannelName(options.databaseName, options.collection, options.schemaVersion));
  channel.onmessage = (message: MessageEvent<unknown>) => {
    const notice = readInsertNotice(message.data);
    if (notice) options.onNotice(notice);
  };
  return {
    post: (notice) => channel.postMessage(notice),
    close: () => channel.close(),
  };
}
