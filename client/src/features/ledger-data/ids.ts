/**
 * UUIDv7 ids made on the device (48-bit Unix ms timestamp, version 7, RFC 4122 variant, random rest),
 * lowercase as the schema's id() field wants. Ids made in the same millisecond share their first
 * 48 bits and differ by the random tail.
 */
export function uuidv7(nowMs: number = Date.now(), random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const b = random(new Uint8Array(16));
  let ts = Math.floor(nowMs);
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
