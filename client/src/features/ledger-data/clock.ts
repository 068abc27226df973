import { formatHlc, initialHlc, parseHlc, receive, tick } from '@mymidas/shared/sync';
import type { Hlc } from '@mymidas/shared/sync';

/**
 * Stamps local edits with the hybrid logical clock of shared/src/sync/hlc.ts. A small local helper
 * until client/src/sync owns the device clock: the node id is this device's id, and every stamp
 * seen in the replica is observed so a new edit always sorts after what the device already holds.
 */
export interface Stamper {
  /** The stamp for the next local edit. */
  stamp(): string;
  /** Moves the clock past a stamp read from the replica (a synced or older document). */
  observe(stamp: string): void;
}

export function nodeIdFor(deviceId: string): string {
  const node = deviceId.toLowerCase().replace(/[^0-9a-z-]/g, '').slice(0, 36);
  return node === '' ? 'device' : node;
}

export function createStamper(node: string, now: () => number = () => Date.now()): Stamper {
  let last: Hlc = initialHlc(nodeIdFor(node));
  return {
    stamp() {
      last = tick(last, now());
      return formatHlc(last);
    },
    observe(stamp) {
      try {
        const remote = parseHlc(stamp);
        if (remote.ms > last.ms || (remote.ms === last.ms && remote.counter >= last.counter)) last = receive(last, remote, now());
      } catch {
        // A stamp too far ahead (or malformed) is not adopted; our own stamps stay valid.
      }
    },
  };
}
