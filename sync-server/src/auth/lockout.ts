import type { Database, Sql } from '../store/database.ts';

export interface Lockout {
  /** Failures within `failureMemoryMs` before the first lock, per account and per IP. */
  accountThreshold: number;
  ipThreshold: number;
  baseLockMs: number;
  maxLockMs: number;
  /** A failure counts for this long (a sliding window: it is not refreshed by later failures). */
  failureMemoryMs: number;
}
export const DEFAULT_LOCKOUT: Lockout = { accountThreshold: 5, ipThreshold: 20, baseLockMs: 30_000, maxLockMs: 3_600_000, failureMemoryMs: 900_000 };

/** At most this many failures past the threshold are remembered (the lock length stops growing well before). */
const KEEP_PAST_THRESHOLD = 16;

/** How long a key stays locked once `failures` recent failures are counted (0 below the threshold). */
export function lockLengthMs(policy: Lockout, failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  return Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(30, failures - threshold));
}

/** A sign-in attempt counted as a failure before the password is checked; forgiven if it turns out right. */
export interface PendingAttempt {
  userId: string;
  at: number;
  /** The lock this attempt itself set, and the lock before it, so forgiving it can undo exactly that. */
  setUntil: number;
  previousUntil: number;
}

export type AttemptStart = { locked: true; lockedUntil: number } | { locked: false; attempt: PendingAttempt };

/**
 * Per-account sign-in lockout, keyed by user id and stored in PostgreSQL (table auth_lockouts), so no
 * Redis eviction, flush or restart can lift it, and e-mail spelling (case, Unicode) cannot split it.
 *
 * - An attempt is counted BEFORE the password is verified, under the row lock, so a burst of parallel
 *   guesses cannot all slip through before the count catches up: at most `accountThreshold` of them are
 *   checked.
 * - While the account is locked, nothing is counted: neither the owner's correct password nor the
 *   attacker's guesses extend the lock (the answer is still a refusal).
 * - Failures are a sliding window of `failureMemoryMs`; a slow guesser's old failures fall out of it, so a
 *   guess every 15 minutes cannot keep the account locked.
 */
export class AccountLockout {
  constructor(
    private readonly db: Database,
    private readonly policy: Lockout,
    private readonly clock: () => number = Date.now,
  ) {}

  async begin(userId: string): Promise<AttemptStart> {
    const now = this.clock();
    return this.db.withUser(userId, async (sql) => {
      const row = await lockRow(sql, userId);
      if (row.lockedUntil > now) return { locked: true as const, lockedUntil: row.lockedUntil };
      const recent = row.failures.filter((t) => t > now - this.policy.failureMemoryMs);
      // Unique within the row, so forgiving this attempt removes exactly this entry.
      const at = Math.max(now, (recent.at(-1) ?? 0) + 1);
      const failures = [...recent, at].slice(-(this.policy.accountThreshold + KEEP_PAST_THRESHOLD));
      const length = lockLengthMs(this.policy, failures.length, this.policy.accountThreshold);
      const setUntil = length > 0 ? now + length : 0;
      const lockedUntil = setUntil || row.lockedUntil;
      await sql.query('UPDATE auth_lockouts SET failures = $2::bigint[], locked_until = $3 WHERE user_id = $1', [userId, failures, lockedUntil]);
      return { locked: false as const, attempt: { userId, at, setUntil, previousUntil: row.lockedUntil } };
    });
  }

  /** The attempt was right after all (or only asked for its second factor): it is not a failure. */
  async forgive(attempt: PendingAttempt): Promise<void> {
    await this.db.withUser(attempt.userId, (sql) =>
      sql.query(
        `UPDATE auth_lockouts SET failures = array_remove(failures, $2::bigint),
           locked_until = CASE WHEN $3::bigint > 0 AND locked_until = $3::bigint THEN $4::bigint ELSE locked_until END
         WHERE user_id = $1`,
        [attempt.userId, attempt.at, attempt.setUntil, attempt.previousUntil],
      ),
    );
  }

  /** A completed sign-in (or an operator's unlock) clears the account's failures and lock. */
  async clear(userId: string, sql?: Sql): Promise<boolean> {
    const run = (s: Sql) => s.query('DELETE FROM auth_lockouts WHERE user_id = $1', [userId]).then((r) => r.rowCount > 0);
    return sql ? run(sql) : this.db.withUser(userId, run);
  }

  async lockedUntil(userId: string): Promise<number> {
    const r = await this.db.withUser(userId, (sql) => sql.query<{ u: string }>('SELECT locked_until::text AS u FROM auth_lockouts WHERE user_id = $1', [userId]));
    return Number(r.rows[0]?.u ?? 0);
  }
}

async function lockRow(sql: Sql, userId: string): Promise<{ failures: number[]; lockedUntil: number }> {
  await sql.query('INSERT INTO auth_lockouts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
  const r = await sql.query<{ f: string[] | null; u: string }>(
    'SELECT failures::text[] AS f, locked_until::text AS u FROM auth_lockouts WHERE user_id = $1 FOR UPDATE',
    [userId],
  );
  const row = r.rows[0];
  return { failures: (row?.f ?? []).map(Number).sort((a, b) => a - b), lockedUntil: Number(row?.u ?? 0) };
}
