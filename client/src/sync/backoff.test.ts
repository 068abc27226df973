import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('backoff', () => {
  it('doubles from the initial wait up to the cap, honours Retry-After, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1_000]);
    expect(b.next(5_000)).toBe(5_000);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('takes at most the jitter share off a wait', () => {
    const b = new Backoff({ initialMs: 1_000, maxMs: 1_000, jitter: 0.2, random: () => 1 });
    expect(b.next()).toBe(800);
  });
});
