/**
 * What the first-sync bench page (e2e/first-sync-harness/page.ts, type-checked with the client because it
 * imports the client's replica) offers to the suite (first-sync.ts) through `globalThis.firstSync`.
 */

export interface PullOptions {
  readonly token: string;
  readonly expected: number;
  /** Name of the fresh replica database. */
  readonly name: string;
}

export interface PullTiming {
  readonly ms: number;
  /** Time spent waiting for the server's answers (request to response headers; the server answers whole pages). */
  readonly fetchMs: number;
  readonly requests: number;
  readonly stored: number;
}

export interface FirstSyncPage {
  /** Keeps these transactions in page memory for the baseline (not timed). Returns how many it now holds. */
  addDocuments(docs: readonly Record<string, unknown>[]): Promise<number>;
  /** A fresh encrypted replica pulls every transaction from the server. */
  pullIntoReplica(o: PullOptions): Promise<PullTiming>;
  /** The floor: Dexie bulkPut of the loaded documents into a fresh database, `chunk` at a time. */
  rawDexie(name: string, chunk: number): Promise<{ ms: number; stored: number }>;
}
