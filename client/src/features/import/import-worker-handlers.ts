import { detectAndParse } from '@mymidas/shared/import';
import { distinctColumnValues, parseMappedTradesCsv } from '@mymidas/shared/import/brokers/mapped';
import type { TradeMappingInput } from '@mymidas/shared/import/brokers/mapped';
import type { DetectOptions, ImportFormat, ParseProblem, ParseResult } from '@mymidas/shared/import';
import type { NewAsset } from '@mymidas/shared/import';
import { newId } from '../../db/ids.ts';
import { freshTradeDrafts, investPreviewPage, planTradeImport } from './import-invest-plan.ts';
import type { InvestPlan, InvestPlanInput, TradeDraft } from './import-invest-plan.ts';
import { freshDrafts, planImport, previewPage } from './import-plan.ts';
import type { ImportDraft, ImportPlan, PlanCounts, PlanInput, PreviewFilter, PreviewPage } from './import-plan.ts';
import { sampleRows } from './sample-rows.ts';
import { tradeMappingFitsColumns } from './trade-mapping.ts';

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
  /** A broker's statement: `rows` counts its trades, which go to investment_transactions. */
  readonly broker: boolean;
  readonly rows: number;
  /** Broker rows that are not trades (deposits, interest...), shown as skipped. */
  readonly skippedRows: number;
  readonly pendingRows: number;
  readonly problems: ParseProblem[];
  readonly problemCount: number;
  readonly needsMapping: boolean;
  /** Trades read from a layout no broker parser knows, with the caller's trade mapping. */
  readonly tradeMapped: boolean;
  readonly columns: string[];
  /** For a CSV that needs mapping: the first rows under the header, column → cell. */
  readonly sample: Record<string, string>[];
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  readonly parseMs: number;
}

export interface PlanSummary {
  readonly counts: PlanCounts & { readonly newAssets?: number };
  readonly rulesProblem: string | null;
  readonly planMs: number;
}

export interface PlanRequest extends Omit<PlanInput, 'existingHashes'> {
  readonly existingHashes: readonly string[];
  /** For a broker statement: the account's type, its stored trades and the household's assets. */
  readonly invest?: Omit<InvestPlanInput, 'accountId' | 'newId'>;
}

/**
 * `tradeMapping`: for a CSV no parser knows, read its rows as investment trades with this mapping — when the
 * mapping's columns are all in the file's header (otherwise the file comes back needing a mapping, as without it).
 */
export interface ImportParseOptions extends DetectOptions {
  readonly tradeMapping?: TradeMappingInput;
}

export interface ImportHandlers {
  importParse(bytes: ArrayBuffer | Uint8Array, fileName: string, options: ImportParseOptions, onProgress?: ProgressListener): ParseSummary;
  /** For a file that needs mapping: the distinct cells of one column (the action words to give a meaning). */
  importColumnValues(column: string): string[];
  importPlan(request: PlanRequest, onProgress?: ProgressListener): Promise<PlanSummary>;
  importPreview(filter: PreviewFilter, offset: number, limit: number): PreviewPage;
  /** `count` drafts starting at the `offset`-th new row, for one chunked write. */
  importDrafts(offset: number, count: number): ImportDraft[];
  /** For a broker statement: `count` trade drafts starting at the `offset`-th new trade. */
  importTradeDrafts(offset: number, count: number): TradeDraft[];
  /** For a broker statement: the assets its new trades need created. */
  importNewAssets(): NewAsset[];
  importDiscard(): void;
}

export class NoStatementError extends Error {
  override readonly name = 'NoStatementError';
}

function dateRange(result: ParseResult): { firstDate: string | null; lastDate: string | null } {
  let firstDate: string | null = null;
  let lastDate: string | null = null;
  for (const t of [...result.transactions, ...(result.trades ?? [])]) {
    if (firstDate === null || t.date < firstDate) firstDate = t.date;
    if (lastDate === null || t.date > lastDate) lastDate = t.date;
  }
  return { firstDate, lastDate };
}

export function createImportHandlers(now: () => number = () => performance.now()): ImportHandlers {
  let parsed: ParseResult | null = null;
  let plan: ImportPlan | null = null;
  let drafts: ImportDraft[] = [];
  let investPlan: InvestPlan | null = null;
  let tradeDrafts: TradeDraft[] = [];
  /** The bytes of a file that needs (or was read with) a mapping, for the action words of a column. */
  let unmapped: Uint8Array | null = null;

  const needPlan = (): ImportPlan => {
    if (!plan) throw new NoStatementError('No statement has been planned in this worker');
    return plan;
  };
  const needInvestPlan = (): InvestPlan => {
    if (!investPlan) throw new NoStatementError('No broker statement has been planned in this worker');
    return investPlan;
  };
  const forget = () => {
    plan = null;
    drafts = [];
    investPlan = null;
    tradeDrafts = [];
  };

  return {
    importParse(bytes, fileName, options, onProgress) {
      parsed = null;
      unmapped = null;
      forget();
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      void onProgress?.({ stage: 'parsing', done: 0, total: data.byteLength });
      const started = now();
      const { tradeMapping, mapping, ...detect } = options;
      let result = detectAndParse(data, fileName, !tradeMapping && mapping ? { ...detect, mapping } : detect);
      let tradeMapped = false;
      const columns = result.columns ?? [];
      if (result.needsMapping) {
        unmapped = data;
        if (tradeMapping && tradeMappingFitsColumns(tradeMapping, columns)) {
          result = parseMappedTradesCsv(data, tradeMapping);
          tradeMapped = true;
        }
      }
      const parseMs = now() - started;
      void onProgress?.({ stage: 'parsing', done: data.byteLength, total: data.byteLength });
      parsed = result;
      return {
        format: result.format,
        broker: result.trades !== undefined,
        rows: result.trades?.length ?? result.transactions.length,
        skippedRows: result.skipped?.length ?? 0,
        pendingRows: result.transactions.reduce((n, t) => n + (t.pending ? 1 : 0), 0),
        problems: result.problems.slice(0, PROBLEMS_SHOWN),
        problemCount: result.problems.length,
        needsMapping: result.needsMapping === true,
        tradeMapped,
        columns,
        sample: result.needsMapping || tradeMapped ? sampleRows(data, columns) : [],
        ...dateRange(result),
        parseMs,
      };
    },

    async importPlan(request, onProgress) {
      if (!parsed) throw new NoStatementError('Parse a statement before planning its import');
      const started = now();
      forget();
      if (parsed.trades !== undefined) {
        if (!request.invest) throw new NoStatementError('A broker statement is planned with the account type, its trades and the assets');
        const made = planTradeImport(parsed, { ...request.invest, accountId: request.accountId, newId: () => newId() });
        investPlan = made;
        tradeDrafts = freshTradeDrafts(made);
        void onProgress?.({ stage: 'checking', done: made.counts.parsed, total: made.counts.parsed });
        return { counts: made.counts, rulesProblem: null, planMs: now() - started };
      }
      const made = await planImport(parsed, { ...request, existingHashes: new Set(request.existingHashes) }, (done, total) => {
        void onProgress?.({ stage: 'checking', done, total });
      });
      plan = made;
      drafts = freshDrafts(made);
      return { counts: made.counts, rulesProblem: made.rulesProblem, planMs: now() - started };
    },

    importColumnValues(column) {
      return unmapped ? distinctColumnValues(unmapped, column) : [];
    },

    importPreview(filter, offset, limit) {
      const from = Math.max(0, offset);
      const size = Math.max(0, Math.min(limit, 1000));
      return investPlan ? investPreviewPage(investPlan, filter, from, size) : previewPage(needPlan(), filter, from, size);
    },

    importDrafts(offset, count) {
      needPlan();
      return drafts.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, count));
    },

    importTradeDrafts(offset, count) {
      needInvestPlan();
      return tradeDrafts.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, count));
    },

    importNewAssets() {
      return [...needInvestPlan().newAssets];
    },

    importDiscard() {
      parsed = null;
      unmapped = null;
      forget();
    },
  };
}
