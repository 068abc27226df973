import { describe, expect, it } from 'vitest';
import { idTime, nameBasedId, newId, UUID_V7 } from './ids.ts';

describe('document ids', () => {
  it('are valid lower-case UUIDv7 carrying the time they were made', () => {
    const id = newId(1_764_000_000_123);
    expect(id).toMatch(UUID_V7);
    expect(idTime(id)).toBe(1_764_000_000_123);
  });

  it('sort by the time they were made, whatever their random bits', () => {
    const high: (b: Uint8Array) => Uint8Array = (b) => b.fill(0xff);
    const low: (b: Uint8Array) => Uint8Array = (b) => b.fill(0x00);
    const earlier = newId(1_764_000_000_000, high);
    const later = newId(1_764_000_000_001, low);
    expect(earlier < later).toBe(true);
    expect(earlier).toMatch(UUID_V7);
    expect(later).toMatch(UUID_V7);
  });

  it('differ within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newId(1_764_000_000_000));
    expect(new Set(ids).size).toBe(2000);
  });

  it('refuses a time a UUIDv7 cannot hold', () => {
    expect(() => newId(-1)).toThrow(RangeError);
    expect(() => newId(2 ** 48)).toThrow(RangeError);
    expect(() => idTime('0193aaaa-bbbb-4ccc-8ddd-eeeeffff0000')).toThrow(RangeError);
  });

  it('derive the same name-based id from the same name on any device, a different one from another name', async () => {
    const a = await nameBasedId('mymidas/recurring/r1/2026-01-02');
    expect(await nameBasedId('mymidas/recurring/r1/2026-01-02')).toBe(a);
    expect(await nameBasedId('mymidas/recurring/r1/2026-01-03')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
