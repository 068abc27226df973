import Papa from 'papaparse';

/**
 * The first few data rows under a CSV header, for the column-mapping step (so the user sees what each
 * column holds and the date format can be guessed). Reads only the head of the file. Decoding follows
 * docs/import.md: a BOM decides, else strict UTF-8, else Windows-1252.
 */

const HEAD_BYTES = 64 * 1024;

export function decodeHead(bytes: Uint8Array, limit = HEAD_BYTES): string {
  const head = bytes.subarray(0, limit);
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le').decode(head.subarray(2));
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be').decode(head.subarray(2));
  const body = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
  try {
    // A multi-byte character cut at the limit is not an encoding error: drop the incomplete tail.
    return new TextDecoder('utf-8', { fatal: true }).decode(body, { stream: body.length === limit });
  } catch {
    return new TextDecoder('windows-1252').decode(body);
  }
}

const key = (c: string) => c.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, ' ');

/** Up to `count` rows after the row whose cells are `columns`, each as column name → cell. */
export function sampleRows(bytes: Uint8Array, columns: readonly string[], count = 5): Record<string, string>[] {
  if (columns.length === 0) return [];
  const text = decodeHead(bytes);
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true, preview: 40 });
  const wanted = columns.map(key);
  const headerAt = parsed.data.findIndex((cells) => wanted.every((w) => cells.some((c) => key(c) === w)));
  if (headerAt < 0) return [];
  const header = (parsed.data[headerAt] ?? []).map(key);
  const out: Record<string, string>[] = [];
  for (const cells of parsed.data.slice(headerAt + 1, headerAt + 1 + count)) {
    const row: Record<string, string> = {};
    for (const column of columns) {
      const at = header.indexOf(key(column));
      row[column] = at >= 0 ? (cells[at] ?? '').trim() : '';
    }
    out.push(row);
  }
  return out;
}
