/**
 * What the first-sync bench page (e2e/first-sync-harness/page.ts, type-checked with the client because it
 * imports the client's replica) offers to the suite (first-sync.ts) through `globalThis.firstSync`.
 */

/** The collections a first sync pulls in this bench: the household's transactions and its quotes (prices, FX). */
export type BenchCollection = 'transactions' | 'quotes';

export interface PullOptions {
  readonly token: string;
  /** Documents the server holds, per collection. */
  readonly expected: Readonly<Record<BenchCollection, number>>;
  /** Name of the fresh replica database. */
  readonly name: string;
}

export interface PullTiming {
  readonly ms: number;
  /** Time spent waiting for the server's answers (request to response headers; the server answers whole pages). */
  readonly fetchMs: number;
  readonly requests: number;
  /** Documents in the replica afterwards, per collection. */
  readonly stored: Readonly<Record<BenchCollection, number>>;
}

export interface FirstSyncPage {
  /** Keeps these documents in page memory for the baseline (not timed). Returns how many of that collection it now holds. */
  addDocuments(collection: BenchCollection, docs: readonly Record<string, unknown>[]): Promise<number>;
  /** A fresh encrypted replica pulls every transaction and quote from the server. */
  pullIntoReplica(o: PullOptions): Promise<PullTiming>;
  /** The floor: Dexie bulkPut of the loaded documents into a fresh database (a table per collection), `chunk` at a time. */
  rawDexie(name: string, chunk: number): Promise<{ ms: number; stored: number }>;
}
