import type { RxDocument } from 'rxdb';
import { deviceClock, type DeviceClock } from './clock.ts';

/**
 * Local edits that carry a fresh HLC stamp, as every replicated write must (docs/sync-protocol.md,
 * "Client"). Screens may also call `stampDoc` themselves; these cover the two cases where RxDB's own
 * methods would not stamp: a patch and a delete (RxDB's `remove()` keeps the old stamp).
 */

/** Applies `patch` and stamps the document in one write. */
export async function patchDoc<D>(doc: RxDocument<D>, patch: Partial<D>, clock: DeviceClock = deviceClock()): Promise<RxDocument<D>> {
  return doc.incrementalPatch({ ...patch, hlc: clock.nextStamp() } as Partial<D>);
}

/** Deletes the document (soft, `_deleted`) with a fresh stamp, in one write. */
export async function removeDoc<D>(doc: RxDocument<D>, clock: DeviceClock = deviceClock()): Promise<RxDocument<D>> {
  const stamp = clock.nextStamp();
  return doc.incrementalModify((data) => {
    const out = data as D & { hlc: string; _deleted: boolean };
    out.hlc = stamp;
    out._deleted = true;
    return out;
  });
}
