/** Exponential backoff with jitter for sync retries: initial, ×2 per failure, capped; reset on success. */
export interface BackoffOptions {
  /** First wait, ms (default 1 000). */
  readonly initialMs?: number;
  /** Longest wait, ms (default 60 000). */
  readonly maxMs?: number;
  /** Random share taken off each wait so devices do not retry in step (0..1, default 0.2). */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1_000;
    this.maxMs = options.maxMs ?? 60_000;
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
    this.#random = options.random ?? Math.random;
    if (!(this.initialMs > 0 && this.maxMs >= this.initialMs)) throw new RangeError('backoff needs 0 < initialMs ≤ maxMs');
  }

  get failures(): number {
    return this.#failures;
  }

  /** The wait before the next attempt after one more failure; at least `atLeastMs` (e.g. Retry-After). */
  next(atLeastMs = 0): number {
    const raw = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    const wait = Math.round(raw * (1 - this.#jitter * this.#random()));
    return Math.max(wait, Math.min(atLeastMs, 10 * this.maxMs));
  }

  /** The wait the next failure would start from, without counting one. */
  peek(): number {
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#failures, 30));
  }

  reset(): void {
    this.#failures = 0;
  }
}
