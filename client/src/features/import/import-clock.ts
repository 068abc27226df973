import { formatHlc, initialHlc, parseHlc, receive, tick } from '@mymidas/shared/sync';
import type { Hlc } from '@mymidas/shared/sync';

/**
 * HLC stamps for the documents an import writes or removes (shared/src/sync/hlc.ts). A local helper
 * until a device-wide clock exists in client/src/sync: the node id is this device's id, and the
 * clock starts past the newest stamp the replica already holds, so every import edit sorts after it.
 */
export interface ImportStamper {
  stamp(): string;
}

/** Node ids are 1-36 of [0-9a-z-]: a device id (a UUID) fits as it is. */
export function hlcNode(deviceId: string): string {
  const node = deviceId.toLowerCase().replace(/[^0-9a-z-]/g, '').slice(0, 36);
  return node === '' ? 'device' : node;
}

export function createImportStamper(deviceId: string, newestSeen: string | null, now: () => number = () => Date.now()): ImportStamper {
  let last: Hlc = initialHlc(hlcNode(deviceId));
  if (newestSeen !== null) {
    try {
      last = receive(last, parseHlc(newestSeen), now());
    } catch {
      // A malformed stamp, or one more than a day ahead of this clock, is not adopted.
    }
  }
  return {
    stamp() {
      last = tick(last, now());
      return formatHlc(last);
    },
  };
}
