import { formatHlc, initialHlc, parseHlc, receive, tick } from '@mymidas/shared/sync';
import type { Hlc } from '@mymidas/shared/sync';
import type { ReplicaDatabase } from '../../db/database.ts';
import { deviceClock, type DeviceClock } from '../../sync/clock.ts';

/**
 * Ids and HLC stamps for documents written by the transfer, recurring, rule and attachment screens.
 * The stamp comes from the device clock of client/src/sync once the session has installed it; before
 * that (or in tests) from a clock per open database with this device's id (the replica's local
 * "device" document) as the HLC node. Either way every stamp of a document being edited is observed
 * first, so the edit sorts after it.
 */
interface Clock {
  last: Hlc;
}
const clocks = new WeakMap<ReplicaDatabase, Promise<Clock>>();

function nodeFor(deviceId: unknown): string {
  const node = typeof deviceId === 'string' ? deviceId.toLowerCase().replace(/[^0-9a-z-]/g, '').slice(0, 36) : '';
  return node === '' ? 'device' : node;
}

function clockFor(db: ReplicaDatabase): Promise<Clock> {
  let c = clocks.get(db);
  if (!c) {
    c = db.getLocal<{ deviceId: string }>('device').then((doc) => ({ last: initialHlc(nodeFor(doc?.toJSON().data.deviceId)) }));
    clocks.set(db, c);
  }
  return c;
}

/** A stamp for a local edit, after every stamp given (the edited documents' current ones). */
function installedClock(): DeviceClock | null {
  try {
    return deviceClock();
  } catch {
    return null;
  }
}

export async function stampAfter(db: ReplicaDatabase, ...previous: (string | null | undefined)[]): Promise<string> {
  const device = installedClock();
  if (device) {
    for (const p of previous) if (p) device.observe(p);
    return device.nextStamp();
  }
  const clock = await clockFor(db);
  const now = Date.now();
  for (const p of previous) {
    if (!p) continue;
    try {
      clock.last = receive(clock.last, parseHlc(p), now);
    } catch {
      // A stamp far ahead of our clock (or malformed) is not adopted.
    }
  }
  clock.last = tick(clock.last, now);
  return formatHlc(clock.last);
}

/** A UUIDv7 (48-bit ms timestamp, version 7, RFC 4122 variant, random rest), lowercase. */
export function newId(nowMs: number = Date.now()): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ts = Math.floor(nowMs);
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stable id made from a name (SHA-256, laid out as a version-8 UUID). Used where two devices — or
 * two runs — must produce the same document, e.g. the transaction of one recurring occurrence.
 */
export async function nameBasedId(name: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(name)));
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(h.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
