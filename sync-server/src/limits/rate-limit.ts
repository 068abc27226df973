import { isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../http/errors.ts';
import type { LimitStore } from './store.ts';

export interface RatePolicy {
  name: string;
  limit: number;
  windowMs: number;
}

export const DEFAULT_POLICIES = {
  auth: { name: 'auth', limit: 10, windowMs: 60_000 },
  totp: { name: 'totp', limit: 10, windowMs: 60_000 },
  predictions: { name: 'predictions', limit: 20, windowMs: 60_000 },
  api: { name: 'api', limit: 300, windowMs: 60_000 },
} satisfies Record<string, RatePolicy>;

export type RatePolicies = Record<keyof typeof DEFAULT_POLICIES, RatePolicy>;

/** req.ip honours exactly the configured proxy hops (app 'trust proxy'), so a client cannot spoof it. */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * The key per-IP limits and lockouts count against: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber's usual allocation, so rotating through it does not give an attacker fresh counters),
 * an IPv4-mapped IPv6 address as its IPv4 address.
 */
export function ipKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export async function applyLimit(store: LimitStore, policy: RatePolicy, key: string, res: { setHeader(n: string, v: string): void }): Promise<void> {
  const r = await store.hit(`rl:${policy.name}:${key}`, policy.limit, policy.windowMs);
  const resetS = Math.ceil(r.resetMs / 1000);
  // IETF draft RateLimit headers, plus the older X- pair many clients read.
  res.setHeader('RateLimit-Policy', `${policy.limit};w=${Math.round(policy.windowMs / 1000)}`);
  res.setHeader('RateLimit', `limit=${policy.limit}, remaining=${r.remaining}, reset=${resetS}`);
  if (!r.allowed) {
    throw new AppError(429, 'rate-limited', 'Too many requests', `Slow down: at most ${policy.limit} ${policy.name} requests per minute. Try again in ${resetS} s.`, {}, { 'Retry-After': String(Math.max(1, resetS)) });
  }
}

/** Sliding-window limit keyed by client IP (or by the signed-in user when `byUser` finds one). */
export function rateLimit(store: LimitStore, policy: RatePolicy, keyOf: (req: Request, locals: Record<string, unknown>) => string = (req) => ipKey(clientIp(req))): RequestHandler {
  return async (req, res, next) => {
    try {
      await applyLimit(store, policy, keyOf(req, res.locals), res);
      next();
    } catch (err) {
      next(err);
    }
  };
}
