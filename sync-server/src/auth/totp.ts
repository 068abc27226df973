import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { authenticator } from 'otplib';

const STEP_MS = 30_000;

export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

export function otpauthUri(email: string, secret: string): string {
  return authenticator.keyuri(email, 'MyMidas', secret);
}

function codeAt(secret: string, step: number): string {
  return authenticator.clone({ epoch: step * STEP_MS, window: 0 }).generate(secret);
}

/**
 * RFC 6238 with ±1 step of drift. Returns the matched step, or null. A step at or before `lastStep`
 * is refused: a code accepted once cannot be replayed in its window.
 */
export function matchTotp(secret: string, code: string, lastStep: number | null, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = Math.floor(now / STEP_MS);
  for (const step of [current - 1, current, current + 1]) {
    if (lastStep !== null && step <= lastStep) continue;
    const expected = Buffer.from(codeAt(secret, step));
    const given = Buffer.from(code);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return step;
  }
  return null;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Ten single-use backup codes like "K7QM-2XPA-9RTD" (60 bits each). */
export function newBackupCodes(n = 10): string[] {
  return Array.from({ length: n }, () => {
    const bytes = randomBytes(12);
    const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

export function normaliseBackupCode(code: string): string | null {
  const c = code.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z2-9]{12}$/.test(c) ? c : null;
}

export function hashBackupCode(normalised: string): string {
  return createHash('sha256').update('mymidas-backup-code:' + normalised).digest('hex');
}
