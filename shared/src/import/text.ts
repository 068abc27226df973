/**
 * Bytes to text the way statement exports need it: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict
 * UTF-8 and, when that fails, Windows-1252 (the encoding of many UK bank exports, where `£` is byte 0xA3).
 * Line endings are normalised to `\n` so line numbers are stable.
 */
export function decodeStatement(bytes: Uint8Array): { text: string; encoding: string } {
  let encoding: string;
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8';
    body = bytes.subarray(3);
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    body = bytes.subarray(2);
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    body = bytes.subarray(2);
  } else {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return { text: normaliseNewlines(text), encoding: 'utf-8' };
    } catch {
      encoding = 'windows-1252';
    }
  }
  let text = new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(body);
  // Some runtimes (Node 20) decode the windows-1252 label as ISO-8859-1; map bytes 0x80-0x9F properly.
  if (encoding === 'windows-1252') text = text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
  return { text: normaliseNewlines(text), encoding };
}

/** Windows-1252 bytes 0x80-0x9F (five are undefined and stay as their C1 code point). */
const CP1252_HIGH = [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'];

function normaliseNewlines(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** 1-based line number of a character offset, over precomputed newline offsets. */
export function lineIndex(text: string): (offset: number) => number {
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) breaks.push(i);
  return (offset) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((breaks[mid] ?? Infinity) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}
