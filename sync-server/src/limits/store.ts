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

export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly logs = new Map<string, number[]>();
  private readonly counters = new Map<string, { value: number; expires: number }>();

  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<WindowResult> {
    const log = (this.logs.get(key) ?? []).filter((t) => t > now - windowMs);
    const allowed = log.length < limit;
    if (allowed) log.push(now);
    this.logs.set(key, log);
    const oldest = log[0] ?? now;
    return { allowed, limit, remaining: Math.max(0, limit - log.length), resetMs: Math.max(0, oldest + windowMs - now) };
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const now = Date.now();
    const cur = this.counters.get(key);
    const value = cur && cur.expires > now ? cur.value + 1 : 1;
    this.counters.set(key, { value, expires: now + ttlMs });
    return value;
  }

  async get(key: string): Promise<number> {
    const cur = this.counters.get(key);
    return cur && cur.expires > Date.now() ? cur.value : 0;
  }

  async setUntil(key: string, untilMs: number): Promise<void> {
    this.counters.set(key, { value: untilMs, expires: untilMs });
  }

  async del(...keys: string[]): Promise<void> {
    for (const k of keys) {
      this.logs.delete(k);
      this.counters.delete(k);
    }
  }

  async close(): Promise<void> {}
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
