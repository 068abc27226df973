import { SnapshotCorruptError } from './days.ts';

/**
 * Row ids inside a year record. Ids are UUIDs in practice (ARCHITECTURE decision 3), stored as 16 bytes
 * each — 2.4× smaller than text, which is most of a record — when every id of the year is a canonical
 * lowercase UUID; otherwise as UTF-8 JSON text.
 */

export type IdEncoding = 'json' | 'uuid';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function encodeIds(ids: readonly string[]): { encoding: IdEncoding; bytes: Uint8Array } {
  if (!ids.every((id) => UUID_RE.test(id))) return { encoding: 'json', bytes: new TextEncoder().encode(JSON.stringify(ids)) };
  const bytes = new Uint8Array(ids.length * 16);
  ids.forEach((id, i) => {
    const hex = id.replaceAll('-', '');
    for (let j = 0; j < 16; j++) bytes[i * 16 + j] = parseInt(hex.slice(j * 2, j * 2 + 2), 16);
  });
  return { encoding: 'uuid', bytes };
}

export function decodeIds(encoding: IdEncoding, bytes: Uint8Array, count: number, where: string): string[] {
  if (encoding === 'uuid') {
    if (bytes.length !== count * 16) throw new SnapshotCorruptError(`${where}: stored ids do not match its rows`);
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const h = (j: number) => HEX[bytes[i * 16 + j]!]!;
      ids[i] = `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
    }
    return ids;
  }
  let ids: unknown;
  try {
    ids = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new SnapshotCorruptError(`${where}: stored ids are not readable`);
  }
  if (!Array.isArray(ids) || ids.length !== count || !ids.every((id) => typeof id === 'string')) {
    throw new SnapshotCorruptError(`${where}: stored ids do not match its rows`);
  }
  return ids as string[];
}
