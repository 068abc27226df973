/**
 * One page fetched ahead of RxDB asking for it. Pages are keyed by the checkpoint they start after; the
 * answer stays valid however late it is used, because anything that changes afterwards gets a later
 * sequence number and comes in a later page.
 */
export class ReadAhead<T> {
  #key: string | null = null;
  #page: Promise<T> | null = null;

  static key(checkpoint: unknown, limit: number): string {
    return `${JSON.stringify(checkpoint ?? null)}|${limit}`;
  }

  offer(checkpoint: unknown, limit: number, page: Promise<T>): void {
    // A failed read-ahead is not reported here: the handler that takes it sees the error.
    page.catch(() => undefined);
    this.#key = ReadAhead.key(checkpoint, limit);
    this.#page = page;
  }

  /** The page read ahead for this checkpoint, else a fresh read; either way nothing stays held. */
  take(checkpoint: unknown, limit: number, read: () => Promise<T>): Promise<T> {
    const hit = this.#page !== null && this.#key === ReadAhead.key(checkpoint, limit) ? this.#page : null;
    this.clear();
    return hit ?? read();
  }

  clear(): void {
    this.#key = null;
    this.#page = null;
  }
}
