import type { Redis } from 'ioredis';

export interface WindowResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** ms until the oldest counted hit leaves the window. */
  resetMs: number;
}

/**
 * Counters behind rate limits and lockouts: Redis when configured (shared by every server process),
 * otherwise in-process. Both implement the same sliding-window log, so behaviour is identical.
 */
export interface LimitStore {
  readonly kind: 'redis' | 'memory';
  /** Records a hit if under the limit; a sliding window of `windowMs`. */
  hit(key: string, limit: number, windowMs: number, now?: number): Promise<WindowResult>;
  /** Adds one to a counter that expires `ttlMs` after its last increment; returns the new value. */
  incr(key: string, ttlMs: number): Promise<number>;
  get(key: string): Promise<number>;
  setUntil(key: string, untilMs: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryLimitOptions {
  /** Keys kept at most; past it, expired keys are swept and then the least recently used dropped. */
  maxKeys?: number;
  /** Operations between sweeps of expired keys. */
  sweepEvery?: number;
}

interface Entry {
  /** Sliding-window log of hit times (only for `hit` keys). */
  log?: number[];
  /** Counter value, or the lock's end for `setUntil`. */
  value: number;
  /** When the key is worthless: the window after its last hit, or the counter's TTL. */
  expires: number;
}

/**
 * The in-process store: one map whose keys expire (swept every `sweepEvery` operations) and whose size
 * is capped (least recently used dropped first), so a flood of distinct keys — many client addresses —
 * cannot grow the server's memory without bound. Per-account sign-in lockout is not kept here (it is
 * in PostgreSQL, auth/lockout.ts), so dropping a key can at worst forget one client's rate-limit log.
 */
export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;
  private readonly sweepEvery: number;
  private ops = 0;
  private sweepAfter: number;

  constructor(opts: MemoryLimitOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.sweepEvery = opts.sweepEvery ?? 1_000;
    this.sweepAfter = this.sweepEvery;
  }

  /** Keys held now (tests and health checks). */
  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /**
   * Stores `e` as the most recently used key, then keeps the map within its bounds: past the cap the least
   * recently used key goes (Map order is least recently used first; O(1)), and expired keys are swept once
   * every max(sweepEvery, size after the last sweep) operations: O(1) per operation however big the map.
   */
  private put(key: string, e: Entry, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) break;
      this.entries.delete(k);
    }
    if (++this.ops >= this.sweepAfter) this.sweep(now);
  }

  private sweep(now: number): void {
    this.ops = 0;
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    this.sweepAfter = Math.max(this.sweepEvery, this.entries.size);
  }

  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<WindowResult> {
    const log = (this.live(key, now)?.log ?? []).filter((t) => t > now - windowMs);
    const allowed = log.length < limit;
    if (allowed) log.push(now);
    const oldest = log[0] ?? now;
    this.put(key, { log, value: log.length, expires: (log.at(-1) ?? now) + windowMs }, now);
    return { allowed, limit, remaining: Math.max(0, limit - log.length), resetMs: Math.max(0, oldest + windowMs - now) };
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const now = Date.now();
    const value = (this.live(key, now)?.value ?? 0) + 1;
    this.put(key, { value, expires: now + ttlMs }, now);
    return value;
  }

  async get(key: string): Promise<number> {
    return this.live(key, Date.now())?.value ?? 0;
  }

  async setUntil(key: string, untilMs: number): Promise<void> {
    this.put(key, { value: untilMs, expires: untilMs }, Date.now());
  }

  async del(...keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

// Atomic sliding-window log: drop hits older than the window, count, add if under the limit.
const HIT_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, member)
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, window)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, count, reset}
`;

export class RedisLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private seq = 0;

  constructor(private readonly redis: Redis, private readonly prefix = 'mymidas:') {}

  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<WindowResult> {
    const member = `${now}:${process.pid}:${++this.seq}:${Math.random()}`;
    const [allowed, count, reset] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, now, windowMs, limit, member)) as [number, number, number];
    return { allowed: allowed === 1, limit, remaining: Math.max(0, limit - count), resetMs: Math.max(0, reset) };
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const k = this.prefix + key;
    const [[, value]] = (await this.redis.multi().incr(k).pexpire(k, ttlMs).exec()) as [[Error | null, number]];
    return value;
  }

  async get(key: string): Promise<number> {
    return Number((await this.redis.get(this.prefix + key)) ?? 0);
  }

  async setUntil(key: string, untilMs: number): Promise<void> {
    const ttl = Math.max(1, untilMs - Date.now());
    await this.redis.set(this.prefix + key, String(untilMs), 'PX', ttl);
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length) await this.redis.del(...keys.map((k) => this.prefix + k));
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
