import { ipKey } from '../limits/rate-limit.ts';
import type { Services } from '../services.ts';
import { AuthService } from './service.ts';

export interface UnlockResult {
  /** null when no account has that e-mail. */
  account: { userId: string; wasLocked: boolean } | null;
  /** The IP whose lock was lifted too, if one was named. */
  ip?: string;
}

/**
 * The owner's way back in from the server's console (`mymidas unlock EMAIL [--ip ADDR]`): lifts the
 * account's sign-in lock and forgets its failures (audited as auth.unlock), and optionally an IP's lock
 * in the limit store this process shares with the server (Redis; an embedded server's in-process IP
 * locks end by themselves within the hour, or at its restart).
 */
export async function unlockAccount(services: Services, email: string, ip?: string): Promise<UnlockResult> {
  const auth = new AuthService({ services, limits: services.limits });
  const account = await auth.unlock(email, { ip: 'console', userAgent: 'mymidas unlock' });
  if (ip) await services.limits.del(`fail:ip:${ipKey(ip)}`, `lock:ip:${ipKey(ip)}`);
  return { account, ...(ip ? { ip } : {}) };
}
