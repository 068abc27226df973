import { detectAndParse } from '@mymidas/shared/import';
import type { DetectOptions, ImportFormat, ParseProblem, ParseResult } from '@mymidas/shared/import';
import { freshDrafts, planImport, previewPage } from './import-plan.ts';
import type { ImportDraft, ImportPlan, PlanCounts, PlanInput, PreviewFilter, PreviewPage } from './import-plan.ts';
import { sampleRows } from './sample-rows.ts';

/**
 * The import worker's handler group (the door pattern of workers/door.ts; workers/import.worker.ts only
 * exposes it, import-worker-client.ts is the page's typed proxy): parse a statement off the main thread,
 * plan it against one account (hashes, duplicates, rules), then hand out preview pages and the drafts
 * to write in chunks. The worker keeps the one statement in hand; the page holds only what it shows.
 */

export type ImportStage = 'parsing' | 'checking';

export interface ImportProgress {
  readonly stage: ImportStage;
  readonly done: number;
  readonly total: number;
}

export type ProgressListener = (progress: ImportProgress) => void;

/** At most this many problems cross to the page; `problemCount` says how many there were. */
export const PROBLEMS_SHOWN = 500;

export interface ParseSummary {
  readonly format: ImportFormat;
  readonly rows: number;
  readonly pendingRows: number;
  readonly problems: ParseProblem[];
  readonly problemCount: number;
  readonly needsMapping: boolean;
  readonly columns: string[];
  /** For a CSV that needs mapping: the first rows under the header, column → cell. */
  readonly sample: Record<string, string>[];
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  readonly parseMs: number;
}

export interface PlanSummary {
  readonly counts: PlanCounts;
  readonly rulesProblem: string | null;
  readonly planMs: number;
}

export interface PlanRequest extends Omit<PlanInput, 'existingHashes'> {
  readonly existingHashes: readonly string[];
}

export interface ImportHandlers {
  importParse(bytes: ArrayBuffer | Uint8Array, fileName: string, options: DetectOptions, onProgress?: ProgressListener): ParseSummary;
  importPlan(request: PlanRequest, onProgress?: ProgressListener): Promise<PlanSummary>;
  importPreview(filter: PreviewFilter, offset: number, limit: number): PreviewPage;
  /** `count` drafts starting at the `offset`-th new row, for one chunked write. */
  importDrafts(offset: number, count: number): ImportDraft[];
  importDiscard(): void;
}

export class NoStatementError extends Error {
  override readonly name = 'NoStatementError';
}

function dateRange(result: ParseResult): { firstDate: string | null; lastDate: string | null } {
  let firstDate: string | null = null;
  let lastDate: string | null = null;
  for (const t of result.transactions) {
    if (firstDate === null || t.date < firstDate) firstDate = t.date;
    if (lastDate === null || t.date > lastDate) lastDate = t.date;
  }
  return { firstDate, lastDate };
}

export function createImportHandlers(now: () => number = () => performance.now()): ImportHandlers {
  let parsed: ParseResult | null = null;
  let plan: ImportPlan | null = null;
  let drafts: ImportDraft[] = [];

  const needPlan = (): ImportPlan => {
    if (!plan) throw new NoStatementError('No statement has been planned in this worker');
    return plan;
  };

  return {
    importParse(bytes, fileName, options, onProgress) {
      parsed = null;
      plan = null;
      drafts = [];
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      void onProgress?.({ stage: 'parsing', done: 0, total: data.byteLength });
      const started = now();
      const result = detectAndParse(data, fileName, options);
      const parseMs = now() - started;
      void onProgress?.({ stage: 'parsing', done: data.byteLength, total: data.byteLength });
      parsed = result;
      return {
        format: result.format,
        rows: result.transactions.length,
        pendingRows: result.transactions.reduce((n, t) => n + (t.pending ? 1 : 0), 0),
        problems: result.problems.slice(0, PROBLEMS_SHOWN),
        problemCount: result.problems.length,
        needsMapping: result.needsMapping === true,
        columns: result.columns ?? [],
        sample: result.needsMapping ? sampleRows(data, result.columns ?? []) : [],
        ...dateRange(result),
        parseMs,
      };
    },

    async importPlan(request, onProgress) {
      if (!parsed) throw new NoStatementError('Parse a statement before planning its import');
      const started = now();
      plan = null;
      drafts = [];
      const made = await planImport(parsed, { ...request, existingHashes: new Set(request.existingHashes) }, (done, total) => {
        void onProgress?.({ stage: 'checking', done, total });
      });
      plan = made;
      drafts = freshDrafts(made);
      return { counts: made.counts, rulesProblem: made.rulesProblem, planMs: now() - started };
    },

    importPreview(filter, offset, limit) {
      return previewPage(needPlan(), filter, Math.max(0, offset), Math.max(0, Math.min(limit, 1000)));
    },

    importDrafts(offset, count) {
      needPlan();
      return drafts.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, count));
    },

    importDiscard() {
      parsed = null;
      plan = null;
      drafts = [];
    },
  };
}
