import { describe, expect, it } from 'vitest';
import { COLLECTION_NAMES } from '../schema/registry.ts';
import { CheckpointError, encodeCheckpoint, idKind, parseCheckpoint, sameCheckpoint } from './checkpoint.ts';

const UUID = '0196a1b2-0000-7000-8000-000000000001';

describe('pull checkpoint codec', () => {
  it('round-trips a UUID checkpoint for every device-made collection', () => {
    for (const name of COLLECTION_NAMES.filter((n) => n !== 'quotes')) {
      expect(parseCheckpoint(name, encodeCheckpoint({ seq: 7, id: UUID }))).toEqual({ seq: 7, id: UUID });
    }
  });

  it('round-trips quote ids, colons and slashes included', () => {
    for (const id of ['price:VWRL.L:2026-01-02', 'fx:GBP/EUR:2026-01-02', 'price:BTC-GBP:2026-12-06']) {
      expect(parseCheckpoint('quotes', encodeCheckpoint({ seq: 123456789, id }))).toEqual({ seq: 123456789, id });
    }
  });

  it('reads no checkpoint as the start', () => {
    for (const text of [undefined, null, '']) expect(parseCheckpoint('accounts', text)).toBeNull();
  });

  it('refuses a quote id for a collection of UUIDs, and text that is not <seq>:<id>', () => {
    expect(() => parseCheckpoint('accounts', '3:price:VWRL:2026-01-02')).toThrow(CheckpointError);
    expect(() => parseCheckpoint('accounts', `x:${UUID}`)).toThrow(/<seq>:<id>/);
    expect(() => parseCheckpoint('accounts', UUID)).toThrow(CheckpointError);
    expect(() => parseCheckpoint('accounts', `1234567890123456:${UUID}`)).toThrow(CheckpointError);
    expect(() => parseCheckpoint('quotes', '3:')).toThrow(CheckpointError);
    expect(() => parseCheckpoint('quotes', `3:${'x'.repeat(101)}`)).toThrow(CheckpointError);
    expect(() => parseCheckpoint('quotes', 42)).toThrow(CheckpointError);
  });

  it('encodes nothing for a missing or malformed checkpoint', () => {
    expect(encodeCheckpoint(null)).toBeNull();
    expect(encodeCheckpoint(undefined)).toBeNull();
    expect(encodeCheckpoint({ seq: -1, id: UUID })).toBeNull();
    expect(encodeCheckpoint({ seq: 1.5, id: UUID })).toBeNull();
  });

  it('knows which collections have text ids', () => {
    expect(COLLECTION_NAMES.filter((n) => idKind(n) === 'text')).toEqual(['quotes']);
  });

  it('compares checkpoints by value', () => {
    expect(sameCheckpoint({ seq: 1, id: 'a' }, { seq: 1, id: 'a' })).toBe(true);
    expect(sameCheckpoint({ seq: 1, id: 'a' }, { seq: 2, id: 'a' })).toBe(false);
    expect(sameCheckpoint(null, undefined)).toBe(true);
    expect(sameCheckpoint(null, { seq: 1, id: 'a' })).toBe(false);
  });
});
