import { describe, expect, it } from 'vitest';
import { DuplicateHandlerError, combineHandlers } from './door.ts';

describe('compute worker door', () => {
  it('combines the handlers of several features into one object', () => {
    const combined = combineHandlers({ a: (x: number) => x + 1 }, { b: () => 'b' });
    expect(combined.a(1)).toBe(2);
    expect(combined.b()).toBe('b');
  });

  it('refuses a handler name registered twice', () => {
    expect(() => combineHandlers({ total: () => 1 }, { other: () => 2 }, { total: () => 3 })).toThrow(DuplicateHandlerError);
    expect(() => combineHandlers({ total: () => 1 }, { total: () => 3 })).toThrow(/"total" is registered twice/);
  });

  it('refuses a handler that is not a function', () => {
    expect(() => combineHandlers({ total: 3 })).toThrow(/not a function/);
  });
});
