/**
 * The daily purge of soft-deleted rows (and their attachment bytes) past the retention period
 * (ReplicationService.purgeDeleted, docs/sync-protocol.md "Deletes and retention") and of attachment
 * bytes uploaded without a record (dailyPurge). The first run is a
 * minute after start, so a server that restarts daily still purges; a failed run is logged and the next
 * one comes on schedule. Timers are unref'd: the job never keeps the process alive.
 */

/**
 * One run's work: soft-deleted rows past retention (with their attachment bytes), then attachment bytes
 * that no record names once their grace period is over (AttachmentStore.purgeOrphans), so uploading bytes
 * without ever pushing their record cannot fill the disk for ever.
 */
export function dailyPurge(
  replication: { purgeDeleted(): Promise<Record<string, number>> },
  attachments: { purgeOrphans(): Promise<number> },
): () => Promise<Record<string, number>> {
  return async () => {
    const counts = await replication.purgeDeleted();
    return { ...counts, 'attachment_blobs without a record': await attachments.purgeOrphans() };
  };
}

export const PURGE_INTERVAL_MS = 24 * 60 * 60 * 1000;
export const PURGE_FIRST_DELAY_MS = 60 * 1000;

export interface PurgeJobOptions {
  readonly purge: () => Promise<Record<string, number>>;
  readonly log?: (message: string) => void;
  readonly intervalMs?: number;
  readonly firstDelayMs?: number;
}

/** Starts the schedule; returns a function that stops it (a run in progress finishes). */
export function startPurgeJob(options: PurgeJobOptions): () => void {
  const log = options.log ?? ((message: string) => console.log(message));
  const intervalMs = options.intervalMs ?? PURGE_INTERVAL_MS;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void run(), ms);
    timer.unref?.();
  };

  // The next run is scheduled only when this one has finished, so runs never overlap.
  async function run(): Promise<void> {
    try {
      const counts = await options.purge();
      const removed = Object.entries(counts).filter(([, n]) => n > 0);
      if (removed.length > 0) log(`purge: removed ${removed.map(([table, n]) => `${n} from ${table}`).join(', ')}`);
    } catch (err) {
      log(`purge failed (next try in ${Math.round(intervalMs / 3_600_000)} h): ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      schedule(intervalMs);
    }
  }

  schedule(options.firstDelayMs ?? PURGE_FIRST_DELAY_MS);
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
