import type { Database } from '../store/database.ts';
import { withRetryAfter } from './http.ts';
import { ProviderError, type ProviderName } from './types.ts';

/**
 * Per-provider backoff, shared by every server process through `feed_providers` (migration 010):
 * - a 429 with a short Retry-After (≤ 60 s) is waited out and the request tried once more;
 * - a 429 otherwise pauses the provider for its Retry-After (or 5 minutes without one);
 * - an error answer (5xx, any other non-2xx) or no answer pauses it for 1 minute, doubling with each
 *   further failure up to 1 hour;
 * - a malformed answer does not pause it (the provider is up; the answer is refused and recorded);
 * - a success clears the count.
 * While a provider is paused its calls fail at once with kind 'rate-limited' and message "backing off".
 */

export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_MAX_MS = 60 * 60_000;
export const RATE_LIMIT_DEFAULT_MS = 5 * 60_000;

export interface ProviderState {
  provider: ProviderName;
  failures: number;
  backoffUntil: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
}

export class ProviderGate {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(deps: { db: Database; now?: () => number; sleep?: (ms: number) => Promise<void> }) {
    this.#db = deps.db;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async state(provider: ProviderName): Promise<ProviderState> {
    const rows = await this.#db.asOwner((sql) => sql.query<{ failures: number; backoff_until: Date | null; last_error: string | null; last_error_at: Date | null; last_success_at: Date | null }>(
      'SELECT failures, backoff_until, last_error, last_error_at, last_success_at FROM feed_providers WHERE provider = $1', [provider]));
    const r = rows.rows[0];
    const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
    return { provider, failures: r?.failures ?? 0, backoffUntil: iso(r?.backoff_until), lastError: r?.last_error ?? null, lastErrorAt: iso(r?.last_error_at), lastSuccessAt: iso(r?.last_success_at) };
  }

  /** Runs one provider call under the provider's backoff. */
  async call<T>(provider: ProviderName, run: () => Promise<T>): Promise<T> {
    const s = await this.state(provider);
    if (s.backoffUntil && Date.parse(s.backoffUntil) > this.#now()) {
      throw new ProviderError(provider, 'rate-limited', `backing off until ${s.backoffUntil} (${s.lastError ?? 'earlier errors'})`);
    }
    try {
      const out = await withRetryAfter(run, this.#sleep);
      if (s.failures > 0 || s.backoffUntil !== null || s.lastSuccessAt === null || this.#now() - Date.parse(s.lastSuccessAt) > 60_000) await this.#succeeded(provider);
      return out;
    } catch (err) {
      if (err instanceof ProviderError) await this.#failed(provider, err, s.failures);
      throw err;
    }
  }

  async #succeeded(provider: ProviderName): Promise<void> {
    const now = new Date(this.#now());
    await this.#db.asOwner((sql) => sql.query(
      `INSERT INTO feed_providers (provider, failures, backoff_until, last_success_at) VALUES ($1, 0, NULL, $2)
         ON CONFLICT (provider) DO UPDATE SET failures = 0, backoff_until = NULL, last_success_at = $2`, [provider, now]));
  }

  async #failed(provider: ProviderName, err: ProviderError, failures: number): Promise<void> {
    let pause: number | null = null;
    let counted = failures;
    if (err.kind === 'rate-limited') pause = err.retryAfterMs ?? RATE_LIMIT_DEFAULT_MS;
    else if (err.kind === 'http' || err.kind === 'network') {
      counted = failures + 1;
      pause = Math.max(Math.min(BACKOFF_BASE_MS * 2 ** (counted - 1), BACKOFF_MAX_MS), err.retryAfterMs ?? 0);
    }
    const now = this.#now();
    const until = pause === null ? null : new Date(now + pause);
    await this.#db.asOwner((sql) => sql.query(
      `INSERT INTO feed_providers (provider, failures, backoff_until, last_error, last_error_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (provider) DO UPDATE SET failures = $2, backoff_until = COALESCE($3, feed_providers.backoff_until), last_error = $4, last_error_at = $5`,
      [provider, counted, until, err.message.slice(0, 500), new Date(now)]));
  }
}
