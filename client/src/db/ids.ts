/**
 * Ids of replicated documents made on this device. Every new document gets `newId()`, a UUIDv7: a
 * 48-bit Unix millisecond timestamp, version 7, the RFC 9562 variant and random bits, lower case as
 * the schema's id fields want. Ids made later sort later (by their first 48 bits); ids made in the
 * same millisecond differ by their random tail. `nameBasedId` is for documents two devices must both
 * derive to the same id.
 */
export type RandomFill = (bytes: Uint8Array) => Uint8Array;

const webRandom: RandomFill = (bytes) => crypto.getRandomValues(bytes);

function uuidText(b: Uint8Array): string {
  const hex = Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new UUIDv7 for a document created now (`nowMs` and `random` are for tests). */
export function newId(nowMs: number = Date.now(), random: RandomFill = webRandom): string {
  if (!Number.isSafeInteger(Math.floor(nowMs)) || nowMs < 0 || nowMs >= 2 ** 48) throw new RangeError(`A UUIDv7 needs a time in 0..2^48 ms, not ${nowMs}`);
  const b = random(new Uint8Array(16));
  let ts = Math.floor(nowMs);
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  return uuidText(b);
}

/** The millisecond timestamp a UUIDv7 was made at. */
export function idTime(id: string): number {
  if (!UUID_V7.test(id)) throw new RangeError(`Not a UUIDv7: ${JSON.stringify(id)}`);
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A stable id made from a name (SHA-256, laid out as a version-8 UUID). Used where two devices — or
 * two runs — must produce the same document, e.g. the transaction of one recurring occurrence.
 */
export async function nameBasedId(name: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(name)));
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  return uuidText(h);
}
