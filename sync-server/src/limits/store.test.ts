import { describe, expect, it } from 'vitest';
import { MemoryLimitStore } from './store.ts';

describe('the in-process limit store under a flood of distinct keys', () => {
  it('stays within its key cap while a limited client stays limited', async () => {
    const store = new MemoryLimitStore({ maxKeys: 10_000 });
    const t0 = 1_000_000;
    // The attacker's own address uses up its allowance…
    for (let i = 0; i < 10; i++) expect((await store.hit('rl:auth:203.0.113.1', 10, 60_000, t0)).allowed).toBe(true);
    const heapBefore = process.memoryUsage().heapUsed;
    // …then sends from 100 000 other addresses (an IPv6 range, a botnet) to push it out.
    for (let i = 0; i < 100_000; i++) {
      await store.hit(`rl:api:2001:db8::${i.toString(16)}`, 300, 60_000, t0 + 1);
      if (i % 5_000 === 0) expect((await store.hit('rl:auth:203.0.113.1', 10, 60_000, t0 + 2)).allowed).toBe(false);
      expect(store.size).toBeLessThanOrEqual(10_000);
    }
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    console.info(`limit store: ${store.size} keys after 100k distinct, heap +${grownMb.toFixed(1)} MB`);
    expect(store.size).toBeLessThanOrEqual(10_000);
    expect((await store.hit('rl:auth:203.0.113.1', 10, 60_000, t0 + 3)).allowed).toBe(false);
  });

  it('forgets keys whose window has passed', async () => {
    const store = new MemoryLimitStore({ sweepEvery: 500 });
    const t0 = Date.now();
    for (let i = 0; i < 30_000; i++) await store.hit(`rl:api:198.51.${i >> 8}.${i & 255}`, 300, 60_000, t0);
    for (let i = 0; i < 30_000; i++) await store.incr(`fail:ip:${i}`, 1);
    expect(store.size).toBeGreaterThan(30_000);
    await new Promise((r) => setTimeout(r, 5));
    // A minute later, ordinary traffic from a few hundred clients: the next sweep drops everything that expired.
    for (let i = 0; i < 70_000; i++) await store.hit(`rl:api:192.0.2.${i & 255}`, 1_000, 60_000, t0 + 61_000);
    expect(store.size).toBeLessThanOrEqual(256);
    // Limits themselves are unchanged: the 11th hit within a window is refused.
    for (let i = 0; i < 10; i++) await store.hit('rl:auth:k', 10, 60_000, t0 + 61_000);
    expect((await store.hit('rl:auth:k', 10, 60_000, t0 + 61_001)).allowed).toBe(false);
    expect((await store.hit('rl:auth:k', 10, 60_000, t0 + 121_001)).allowed).toBe(true);
  });
});
