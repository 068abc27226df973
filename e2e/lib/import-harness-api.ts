/** What the import harness pages expose to the browser test (JSON only). */

export interface FreezeReport {
  readonly rows: number;
  readonly format: string;
  readonly problems: number;
  readonly fresh: number;
  readonly duplicates: number;
  /** Sum of every draft's amount (pence), to check the parse end to end. */
  readonly totalMinor: number;
  readonly expectedTotalMinor: number;
  readonly parseMs: number;
  readonly planMs: number;
  /** From sending the file to the worker until the plan came back. */
  readonly workMs: number;
  /** Animation frames the page painted while the worker worked. */
  readonly framesDuring: number;
  /** Longest time without a frame during the work (the start and end of the work count as edges). */
  readonly maxGapMs: number;
  /** When the longest gap began, ms after the file was sent; and when the parse answer arrived. */
  readonly maxGapAtMs: number;
  readonly parsedAtMs: number;
  /** Gaps between frames longer than 100 ms. */
  readonly gapsOver100: number;
  readonly progressEvents: number;
  readonly lastProgress: { stage: string; done: number; total: number } | null;
}

export interface MainThreadControl {
  readonly rows: number;
  readonly maxGapMs: number;
  readonly workMs: number;
}

export interface ImportRun {
  readonly format: string;
  readonly parsed: number;
  readonly fresh: number;
  readonly duplicates: number;
  readonly written: number;
  readonly batchId: string | null;
  /** Transactions in the account after the import. */
  readonly accountTotal: number;
  readonly problems: { line: number; column?: string; message: string }[];
}

export interface ImportHarness {
  /** Parses and plans `rows` generated rows in the import worker while counting animation frames. */
  freezeCheck(rows: number): Promise<FreezeReport>;
  /** The same parse on the page's own thread: proves the frame counter sees a freeze. */
  mainThreadControl(rows: number): Promise<MainThreadControl>;
  /** Opens a fresh encrypted replica with one GBP current account. */
  openReplica(name: string): Promise<{ accountId: string }>;
  /** The page's import path: existing hashes, worker parse and plan, one batch commit. */
  importText(text: string, fileName: string): Promise<ImportRun>;
  undo(batchId: string): Promise<{ removed: number; accountTotal: number }>;
  close(): Promise<void>;
}

export interface ImportAppHarness {
  /** Transactions in the seeded account. */
  accountTotal(): Promise<number>;
}
