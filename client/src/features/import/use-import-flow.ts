import { proxy, transfer } from 'comlink';
import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import type { ShallowRef } from 'vue';
import type { ColumnMappingInput, ParseProblem } from '@mymidas/shared/import';
import type { TradeMappingInput } from '@mymidas/shared/import/brokers/mapped';
import type { Account, Category } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { startImportWorker } from './import-worker-client.ts';
import type { ImportWorker } from './import-worker-client.ts';
import type { ImportProgress, ParseSummary, PlanSummary } from './import-worker-handlers.ts';
import { formFromMapping, guessDateFormat, mappingFitsColumns, mappingFromForm, suggestMapping } from './column-mapping.ts';
import type { MappingForm } from './column-mapping.ts';
import type { PreviewFilter, PreviewPage } from './import-plan.ts';
import {
  ImportCancelledError, commitImport, listBatches, loadMapping, readExistingHashes, readOpenAccounts, readRules, saveMapping, undoImport,
} from './import-store.ts';
import { replicaClock } from '../../sync/clock.ts';
import { INVESTMENT_ACCOUNT_TYPES } from './import-invest-plan.ts';
import { commitTradeImport, readInvestContext } from './import-invest-store.ts';
import type { ImportBatchRecord, ImportBatchSummary } from './import-store.ts';
import {
  loadTradeMapping, saveTradeMapping, suggestTradeMapping, tradeFormFromMapping, tradeMappingFitsColumns, tradeMappingFromForm, withActions,
} from './trade-mapping.ts';
import type { TradeMappingErrors, TradeMappingForm } from './trade-mapping.ts';

/** What the mapping step maps a file to: bank transactions, or trades (investment accounts only). */
export type MappingTarget = 'transactions' | 'trades';

/**
 * The import page's state machine: choose → reading (worker parses, then plans against the account)
 * → mapping (generic CSV) → preview → writing → done, with cancel from every step. Nothing touches the
 * replica before "Import" is pressed: the column mapping is saved with the commit too.
 */

export type ImportStep = 'choose' | 'reading' | 'mapping' | 'preview' | 'writing' | 'done' | 'failed';

export interface FlowProgress {
  readonly label: string;
  /** null: indeterminate. */
  readonly done: number | null;
  readonly total: number | null;
}

export const PAGE_SIZE = 50;

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useImportFlow(db: ShallowRef<ReplicaDatabase | null>) {
  const step = ref<ImportStep>('choose');
  const accounts = shallowRef<Account[]>([]);
  const categories = shallowRef<Map<string, Category>>(new Map());
  const accountId = ref<string>('');
  const file = shallowRef<File | null>(null);
  const progress = shallowRef<FlowProgress | null>(null);
  const summary = shallowRef<ParseSummary | null>(null);
  const plan = shallowRef<PlanSummary | null>(null);
  const page = shallowRef<PreviewPage | null>(null);
  const filter = ref<PreviewFilter>('all');
  const offset = ref(0);
  const mappingForm = ref<MappingForm | null>(null);
  const mappingErrors = ref<Partial<Record<keyof MappingForm, string>>>({});
  const saveMappingForAccount = ref(true);
  const activeMapping = shallowRef<ColumnMappingInput | null>(null);
  const mappingTarget = ref<MappingTarget>('transactions');
  const tradeForm = ref<TradeMappingForm | null>(null);
  const tradeErrors = ref<TradeMappingErrors>({});
  /** The trade mapping the current preview was read with (saved for the account on Import). */
  const activeTradeMapping = shallowRef<TradeMappingInput | null>(null);
  /** Rows the last trade mapping could not read (line, column, message): shown on the mapping step. */
  const mappingProblems = shallowRef<ParseProblem[]>([]);
  const error = ref<string | null>(null);
  const result = shallowRef<ImportBatchRecord | null>(null);
  const batches = shallowRef<ImportBatchSummary[]>([]);
  const undoing = ref<string | null>(null);
  const status = ref('');

  let worker: ImportWorker | null = null;
  let run = 0;
  let writeAbort: AbortController | null = null;

  const account = computed(() => accounts.value.find((a) => a.id === accountId.value) ?? null);

  function requireDb(): ReplicaDatabase {
    if (!db.value) throw new Error('The device is locked: unlock it to import.');
    return db.value;
  }

  function api() {
    worker ??= startImportWorker();
    return worker.api;
  }

  function stopWorker() {
    worker?.terminate();
    worker = null;
  }

  async function load() {
    const d = db.value;
    if (!d) return;
    accounts.value = await readOpenAccounts(d);
    const cats = await d.categories.find().exec();
    categories.value = new Map(cats.map((c) => [c.id, c.toMutableJSON() as Category]));
    if (!accounts.value.some((a) => a.id === accountId.value)) accountId.value = accounts.value[0]?.id ?? '';
    batches.value = await listBatches(d);
  }

  const onProgress = (mine: number) => proxy((p: ImportProgress) => {
    if (mine !== run) return;
    progress.value = p.stage === 'parsing'
      ? { label: p.done < p.total ? 'Reading the statement' : 'Statement read', done: null, total: null }
      : { label: 'Checking for duplicates and applying your rules', done: p.done, total: p.total };
  });

  /**
   * Parses the chosen file (with the mapping, if any) and plans it against the chosen account. An investment
   * account's saved trade mapping is tried on a file no parser knows before its bank mapping.
   */
  async function read(mapping: ColumnMappingInput | null = null, tradeMapping: TradeMappingInput | null = null) {
    const mine = ++run;
    error.value = null;
    result.value = null;
    summary.value = null;
    plan.value = null;
    page.value = null;
    const chosen = file.value;
    const target = account.value;
    if (!chosen || !target) {
      error.value = !target ? 'Choose the account to import into.' : 'Choose a statement file.';
      return;
    }
    step.value = 'reading';
    progress.value = { label: 'Opening the file', done: null, total: null };
    status.value = `Reading ${chosen.name}…`;
    try {
      const d = requireDb();
      let bytes: ArrayBuffer;
      try {
        bytes = await chosen.arrayBuffer();
      } catch (e) {
        throw new Error(`The file could not be read: ${describeError(e)}`);
      }
      if (mine !== run) return;
      const investing = INVESTMENT_ACCOUNT_TYPES.has(target.type);
      const savedTrade = tradeMapping ?? (investing && !mapping ? await loadTradeMapping(d, target.id) : null);
      const saved = mapping ?? (tradeMapping ? null : await loadMapping(d, target.id));
      const options = { currency: target.currency, ...(savedTrade ? { tradeMapping: savedTrade } : saved ? { mapping: saved } : {}) };
      const parsed = await api().importParse(transfer(bytes, [bytes]), chosen.name, options, onProgress(mine));
      if (mine !== run) return;
      summary.value = parsed;
      activeMapping.value = parsed.format === 'generic' && !parsed.needsMapping && !parsed.tradeMapped ? saved : null;
      activeTradeMapping.value = parsed.tradeMapped ? savedTrade : null;
      mappingProblems.value = [];
      if (parsed.needsMapping) {
        await openMapping(parsed, saved, savedTrade);
        return;
      }
      if (parsed.tradeMapped && parsed.rows === 0 && parsed.problemCount > 0) {
        // All or nothing: the rows the mapping could not read are shown on the mapping step, nothing is written.
        await openMapping(parsed, saved, savedTrade);
        mappingProblems.value = parsed.problems;
        status.value = `${parsed.problemCount} ${parsed.problemCount === 1 ? 'row' : 'rows'} could not be read with these columns. Nothing was imported.`;
        return;
      }
      if (parsed.rows === 0) {
        step.value = 'failed';
        error.value = parsed.problemCount > 0 ? 'No transactions could be read from this file. Nothing was imported.' : 'The file holds no transactions. Nothing was imported.';
        status.value = error.value;
        return;
      }
      if (parsed.broker) {
        // A broker statement: trades into investment_transactions, deduplicated against the account's trades.
        if (!INVESTMENT_ACCOUNT_TYPES.has(target.type)) {
          step.value = 'failed';
          error.value = `This is a broker statement: choose an investment account (ISA, GIA, SIPP, pension or crypto wallet), not ${target.name}. Nothing was imported.`;
          status.value = error.value;
          return;
        }
        progress.value = { label: 'Checking for trades already imported', done: 0, total: parsed.rows };
        const context = await readInvestContext(d, target.id);
        if (mine !== run) return;
        plan.value = await api().importPlan(
          { accountId: target.id, accountCurrency: target.currency, existingHashes: [], rules: [], invest: { accountType: target.type, ...context } },
          onProgress(mine),
        );
      } else {
        progress.value = { label: 'Checking for duplicates and applying your rules', done: 0, total: parsed.rows };
        const [existingHashes, rules] = await Promise.all([readExistingHashes(d, target.id), readRules(d)]);
        if (mine !== run) return;
        plan.value = await api().importPlan({ accountId: target.id, accountCurrency: target.currency, existingHashes, rules }, onProgress(mine));
      }
      if (mine !== run) return;
      filter.value = 'all';
      offset.value = 0;
      await loadPage();
      step.value = 'preview';
      progress.value = null;
      const c = plan.value.counts;
      status.value = `Ready: ${c.fresh} new, ${c.duplicates} already imported, ${parsed.problemCount} problems.`;
    } catch (e) {
      if (mine !== run) return;
      step.value = 'failed';
      error.value = describeError(e);
      status.value = `Import failed: ${error.value}`;
      progress.value = null;
    }
  }

  async function openMapping(parsed: ParseSummary, saved: ColumnMappingInput | null, savedTrade: TradeMappingInput | null = null) {
    const investing = account.value !== null && INVESTMENT_ACCOUNT_TYPES.has(account.value.type);
    mappingTarget.value = investing && !(saved && !savedTrade && mappingFitsColumns(saved, parsed.columns)) ? 'trades' : 'transactions';
    const trade = savedTrade && tradeMappingFitsColumns(savedTrade, parsed.columns) ? tradeFormFromMapping(savedTrade) : suggestTradeMapping(parsed.columns, account.value?.currency);
    if (!savedTrade && trade.dateColumn !== '') {
      const guess = guessDateFormat(parsed.sample.map((r) => r[trade.dateColumn] ?? ''));
      if (guess) trade.dateFormat = guess;
    }
    tradeForm.value = trade;
    tradeErrors.value = {};
    await loadActions();
    const base = saved && mappingFitsColumns(saved, parsed.columns) ? formFromMapping(saved) : suggestMapping(parsed.columns, account.value?.currency);
    if (!saved && base.dateColumn !== '') {
      const guess = guessDateFormat(parsed.sample.map((r) => r[base.dateColumn] ?? ''));
      if (guess) base.dateFormat = guess;
    }
    mappingForm.value = base;
    mappingErrors.value = {};
    step.value = 'mapping';
    progress.value = null;
    status.value = 'This file needs its columns matched up.';
  }

  /** The action words of the chosen action column, each with its meaning kept, guessed or left to choose. */
  async function loadActions() {
    const form = tradeForm.value;
    if (!form) return;
    const words = form.kindColumn === '' ? [] : await api().importColumnValues(form.kindColumn);
    if (tradeForm.value !== form) return;
    form.kindValues = withActions(form, words);
  }

  async function applyMapping() {
    const parsed = summary.value;
    if (mappingTarget.value === 'trades') {
      const trade = tradeForm.value;
      if (!trade || !parsed) return;
      const check = tradeMappingFromForm(trade, parsed.columns);
      tradeErrors.value = check.errors;
      if (!check.mapping) {
        status.value = 'Some columns still need choosing.';
        return;
      }
      await read(null, check.mapping);
      return;
    }
    const form = mappingForm.value;
    if (!form || !parsed) return;
    const check = mappingFromForm(form, parsed.columns);
    mappingErrors.value = check.errors;
    if (!check.mapping) {
      status.value = 'Some columns still need choosing.';
      return;
    }
    await read(check.mapping);
    if (step.value === 'mapping' && summary.value?.problems.length) {
      // The parser refused the mapping (e.g. a column vanished): show why on the form.
      mappingErrors.value = { dateColumn: summary.value.problems.map((p) => p.message).join('; ') };
    }
  }

  function editMapping() {
    const parsed = summary.value;
    if (!parsed || (!activeMapping.value && !activeTradeMapping.value)) return;
    if (activeMapping.value) mappingForm.value = formFromMapping(activeMapping.value);
    const savedTrade = activeTradeMapping.value;
    void (async () => {
      // The columns of a mapped file come from a parse without the mapping.
      const mine = ++run;
      const chosen = file.value;
      if (!chosen) return;
      const bytes = await chosen.arrayBuffer();
      const bare = await api().importParse(transfer(bytes, [bytes]), chosen.name, { currency: account.value?.currency ?? 'GBP' });
      if (mine !== run) return;
      summary.value = bare;
      await openMapping(bare, activeMapping.value, savedTrade);
    })();
  }

  async function loadPage() {
    page.value = await api().importPreview(filter.value, offset.value, PAGE_SIZE);
  }

  async function setFilter(next: PreviewFilter) {
    filter.value = next;
    offset.value = 0;
    await loadPage();
  }

  async function goToPage(nextOffset: number) {
    offset.value = Math.max(0, nextOffset);
    await loadPage();
  }

  async function commit() {
    const counts = plan.value?.counts;
    const parsed = summary.value;
    const target = account.value;
    const chosen = file.value;
    if (!counts || !parsed || !target || !chosen || counts.fresh === 0) return;
    const d = requireDb();
    step.value = 'writing';
    error.value = null;
    writeAbort = new AbortController();
    progress.value = { label: 'Saving transactions', done: 0, total: counts.fresh };
    status.value = `Saving ${counts.fresh} transactions…`;
    try {
      const common = {
        accountId: target.id,
        fileName: chosen.name,
        format: parsed.format,
        total: counts.fresh,
        duplicates: counts.duplicates,
        skipped: counts.skipped,
        stamper: await replicaClock(d),
        signal: writeAbort.signal,
        onProgress: (done: number, total: number) => {
          progress.value = { label: 'Saving transactions', done, total };
        },
      };
      const batch = parsed.broker
        ? await commitTradeImport(d, { ...common, newAssets: await api().importNewAssets(), takeDrafts: (o, n) => api().importTradeDrafts(o, n) })
        : await commitImport(d, { ...common, takeDrafts: (o, n) => api().importDrafts(o, n) });
      if (activeMapping.value && saveMappingForAccount.value) await saveMapping(d, target.id, activeMapping.value);
      if (activeTradeMapping.value && saveMappingForAccount.value) await saveTradeMapping(d, target.id, activeTradeMapping.value);
      result.value = batch;
      step.value = 'done';
      status.value = `Imported ${batch.counts.written} ${parsed.broker ? 'trades' : 'transactions'} into ${target.name}.`;
      await api().importDiscard();
      batches.value = await listBatches(d);
    } catch (e) {
      step.value = e instanceof ImportCancelledError ? 'preview' : 'failed';
      error.value = describeError(e);
      status.value = error.value;
    } finally {
      progress.value = null;
      writeAbort = null;
    }
  }

  /** Cancel: stops the worker or the write (which removes what it wrote) and forgets the statement. */
  function cancel() {
    run++;
    if (writeAbort) {
      writeAbort.abort();
      status.value = 'Cancelling: removing what was saved…';
      return;
    }
    stopWorker();
    reset();
    status.value = 'Import cancelled. Nothing was saved.';
  }

  function reset() {
    step.value = 'choose';
    summary.value = null;
    plan.value = null;
    page.value = null;
    mappingForm.value = null;
    mappingErrors.value = {};
    activeMapping.value = null;
    tradeForm.value = null;
    tradeErrors.value = {};
    activeTradeMapping.value = null;
    mappingProblems.value = [];
    progress.value = null;
    error.value = null;
  }

  function startOver() {
    run++;
    stopWorker();
    reset();
    file.value = null;
    result.value = null;
  }

  async function undo(batchId: string) {
    const d = requireDb();
    undoing.value = batchId;
    status.value = 'Undoing the import…';
    try {
      const removed = await undoImport(d, batchId, await replicaClock(d), (done, total) => {
        progress.value = { label: 'Removing the imported transactions', done, total };
      });
      const trades = batches.value.find((b) => b.id === batchId)?.collection === 'investment_transactions';
      status.value = `Import undone: ${removed} ${trades ? 'trades' : 'transactions'} removed.`;
      if (result.value?.id === batchId) result.value = null;
      batches.value = await listBatches(d);
    } catch (e) {
      error.value = describeError(e);
      status.value = error.value;
    } finally {
      undoing.value = null;
      progress.value = null;
    }
  }

  onScopeDispose(() => {
    run++;
    writeAbort?.abort();
    stopWorker();
  });

  return {
    step, accounts, categories, accountId, account, file, progress, summary, plan, page, filter, offset, mappingForm, mappingErrors,
    saveMappingForAccount, activeMapping, error, result, batches, undoing, status,
    mappingTarget, tradeForm, tradeErrors, activeTradeMapping, mappingProblems, loadActions,
    load, read, applyMapping, editMapping, setFilter, goToPage, commit, cancel, startOver, undo,
  };
}

export type ImportFlow = ReturnType<typeof useImportFlow>;
