import { describe, expect, it } from 'vitest';
import { GrowableBuffer, IV_BYTES, IvPool, PrefixedUtf8, Utf8Scratch } from './buffer-pools.ts';

describe('buffer pools', () => {
  it('hands out 12-byte IVs that never overlap, refilling with one getRandomValues call per ~5k', () => {
    let calls = 0;
    const counting = {
      getRandomValues<T extends ArrayBufferView>(array: T): T {
        calls += 1;
        return crypto.getRandomValues(array as unknown as Uint8Array<ArrayBuffer>) as unknown as T;
      },
    } as Crypto;
    const pool = new IvPool(counting);
    const seen = new Set<string>();
    let previous: Uint8Array | null = null;
    for (let i = 0; i < 6000; i++) {
      const iv = pool.next();
      expect(iv.length).toBe(IV_BYTES);
      if (previous && previous.buffer === iv.buffer) expect(iv.byteOffset).toBe(previous.byteOffset + IV_BYTES);
      seen.add(Array.from(iv).join(','));
      previous = iv;
    }
    expect(seen.size).toBe(6000);
    expect(calls).toBe(2);
  });

  it('grows a buffer only when a caller needs more than it holds', () => {
    const buffer = new GrowableBuffer(8);
    const first = buffer.atLeast(8);
    expect(buffer.atLeast(4)).toBe(first);
    const grown = buffer.atLeast(9);
    expect(grown).not.toBe(first);
    expect(grown.length).toBe(9);
  });

  it('encodes UTF-8 into its scratch, however long the text', () => {
    const scratch = new Utf8Scratch(4);
    for (const text of ['', 'abc', 'Étoile ☕ 𝄞', 'x'.repeat(100_000)]) {
      expect(new TextDecoder().decode(scratch.encode(text))).toBe(text);
    }
  });

  it('encodes prefix and suffix together, falling back to a fresh array for a suffix that does not fit', () => {
    const aad = new PrefixedUtf8('mymidas/v1/transactions/', 32);
    expect(new TextDecoder().decode(aad.encode('t1'))).toBe('mymidas/v1/transactions/t1');
    const long = 'ü'.repeat(40);
    expect(new TextDecoder().decode(aad.encode(long))).toBe(`mymidas/v1/transactions/${long}`);
    expect(new TextDecoder().decode(aad.encode('t2'))).toBe('mymidas/v1/transactions/t2');
  });
});
