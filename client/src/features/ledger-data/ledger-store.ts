import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { Subscription } from 'rxjs';
import { auditTime } from 'rxjs/operators';
import { accountSchema, categorySchema } from '@mymidas/shared/schema';
import type { Account, CategorisationRule, Category, Quote, Settings, Transaction } from '@mymidas/shared/schema';
import { accountBalances, netWorth } from '@mymidas/shared/ledger/balances';
import type { ConvertedBalance, NetWorth } from '@mymidas/shared/ledger/balances';
import { latestFxRates } from '@mymidas/shared/ledger/fx';
import { addDays, todayLocal } from '@mymidas/shared/date';
import { compileRule, learnMerchantCategories } from '@mymidas/shared/ledger/rules';
import type { CompiledRule, MerchantModel } from '@mymidas/shared/ledger/rules';
import type { ReplicaDatabase } from '../../db/database.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { replicaClock, type DeviceClock } from '../../sync/clock.ts';
import { nextSortOrder, sortAccounts } from './accounts-model.ts';
import { newId as uuidv7 } from '../../db/ids.ts';
import { readRows, stripInternal } from './replica-read.ts';
import { readLatestFxQuotes } from './fx-read.ts';
import { ledgerWrites } from './ledger-writes.ts';
import type { CommitResult, LedgerChange, LedgerWrites } from './ledger-writes.ts';
import type { UndoEntry } from './undo.ts';

/**
 * Shared reactive data of the ledger screens (accounts, categories, transactions) over the unlocked
 * replica, and every write they make. Small collections are live RxDB queries. Transactions are read
 * once into memory (PII decrypted only here, never queried in RxDB) and kept current from the
 * collection's change stream, so filters and search run over plain arrays.
 *
 * Every write stamps `hlc`. Transaction writes go through ledger-writes.ts, the one write path every
 * screen uses (checked, stamped, undoable); `lastAction` is that path's "Undo".
 */

export type AccountDraft = Omit<Account, 'id' | 'hlc' | 'sortOrder'> & { sortOrder?: number };
export type CategoryDraft = Omit<Category, 'id' | 'hlc'> & { id?: string };
export type TransactionDraft = Omit<Transaction, 'id' | 'hlc'> & { id?: string };
export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

const DEFAULT_BASE_CURRENCY = 'GBP';

function maxStamp(rows: readonly { hlc: string }[]): string | null {
  let max: string | null = null;
  for (const r of rows) if (max === null || r.hlc > max) max = r.hlc;
  return max;
}

export const useLedgerStore = defineStore('ledger', () => {
  const dbRef = useReplicaDb();

  const accountsRaw = shallowRef<Account[]>([]);
  const categories = shallowRef<Category[]>([]);
  const settings = shallowRef<Settings | null>(null);
  const fxQuotes = shallowRef<Quote[]>([]);
  const rules = shallowRef<CategorisationRule[]>([]);
  const accountsReady = ref(false);

  /** Transactions by id; plain (not reactive): txVersion says when it changed. */
  const txById = new Map<string, Transaction>();
  const txVersion = ref(0);
  const txState = ref<LoadState>('idle');
  const txError = ref<string | null>(null);
  const txLoadMs = ref<number | null>(null);
  let txLoading: Promise<void> | null = null;

  let stamper: DeviceClock | null = null;
  let subs: Subscription[] = [];
  let openDb: ReplicaDatabase | null = null;

  function stop() {
    for (const s of subs) s.unsubscribe();
    subs = [];
    openDb = null;
    stamper = null;
    txById.clear();
    txVersion.value += 1;
    txState.value = 'idle';
    txLoading = null;
    accountsReady.value = false;
    accountsRaw.value = [];
    categories.value = [];
    settings.value = null;
    fxQuotes.value = [];
    rules.value = [];
  }

  /** The latest rate of each pair among the accounts' currencies and the base (fx-read.ts: indexed reads only). */
  let fxRead = 0;
  async function refreshFx(db: ReplicaDatabase): Promise<void> {
    const read = ++fxRead;
    const quotes = await readLatestFxQuotes(db, [baseCurrency.value, ...accountsRaw.value.map((a) => a.currency)]);
    if (read === fxRead && openDb === db) fxQuotes.value = quotes;
  }

  async function start(db: ReplicaDatabase) {
    openDb = db;
    const clock = await replicaClock(db);
    if (openDb !== db) return;
    stamper = clock;
    subs.push(
      db.accounts.find().$.subscribe((docs) => {
        const list = docs.map((d) => d.toMutableJSON() as Account);
        const stamp = maxStamp(list);
        if (stamp) stamper?.observe(stamp);
        accountsRaw.value = list;
        accountsReady.value = true;
      }),
      db.categories.find().$.subscribe((docs) => {
        categories.value = docs.map((d) => d.toMutableJSON() as Category).sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
      }),
      db.settings.find().$.subscribe((docs) => {
        settings.value = (docs[0]?.toMutableJSON() as Settings | undefined) ?? null;
      }),
      // FX quotes arrive by the thousand in a first sync: re-read the few latest rates at most once a second.
      db.quotes.eventBulks$.pipe(auditTime(1_000)).subscribe(() => void refreshFx(db)),
      db.rules.find().$.subscribe((docs) => {
        rules.value = docs.map((d) => d.toMutableJSON() as CategorisationRule);
      }),
    );
    void refreshFx(db);
  }

  watch(
    dbRef,
    (db) => {
      if (db === openDb) return;
      stop();
      if (db) void start(db);
    },
    { immediate: true },
  );

  function requireDb(): ReplicaDatabase {
    const db = dbRef.value;
    if (!db) throw new Error('The replica is locked: unlock it first.');
    return db;
  }

  /** The stamp for a local edit: the replica's device clock (client/src/sync/clock.ts), the one sync uses. */
  function stamp(): string {
    if (!stamper) throw new Error('The replica is still opening.');
    return stamper.nextStamp();
  }

  const accounts = computed(() => sortAccounts(accountsRaw.value));
  const baseCurrency = computed(() => settings.value?.baseCurrency ?? DEFAULT_BASE_CURRENCY);
  watch(
    () => [baseCurrency.value, ...accountsRaw.value.map((a) => a.currency)].sort().join(','),
    () => {
      if (openDb) void refreshFx(openDb);
    },
    { immediate: true },
  );
  const fxRates = computed(() => latestFxRates(fxQuotes.value));
  const accountById = computed(() => new Map(accounts.value.map((a) => [a.id, a])));
  const categoryById = computed(() => new Map(categories.value.map((c) => [c.id, c])));

  /** Every transaction in memory (empty until ensureTransactions has loaded them). */
  const transactions = computed<readonly Transaction[]>(() => {
    void txVersion.value;
    return Array.from(txById.values());
  });

  function applyRows(rows: readonly Transaction[], removed: readonly string[] = []) {
    for (const r of rows) txById.set(r.id, r);
    for (const id of removed) txById.delete(id);
    txVersion.value += 1;
  }

  /** Loads every transaction into memory once; later calls wait for the same load. */
  function ensureTransactions(): Promise<void> {
    if (txLoading) return txLoading;
    const db = requireDb();
    txState.value = 'loading';
    txError.value = null;
    const buffered: { set: Transaction[]; removed: string[] }[] = [];
    let live = false;
    subs.push(
      db.transactions.eventBulks$.subscribe((bulk) => {
        const set: Transaction[] = [];
        const removed: string[] = [];
        for (const ev of bulk.events) {
          if (ev.operation === 'DELETE') removed.push(ev.documentId);
          else set.push(stripInternal(ev.documentData) as Transaction);
        }
        if (live) applyRows(set, removed);
        else buffered.push({ set, removed });
      }),
    );
    const started = performance.now();
    txLoading = readRows(db.transactions)
      .then((rows) => {
        if (dbRef.value !== db) return;
        for (const r of rows) txById.set(r.id, r);
        for (const b of buffered) {
          for (const r of b.set) txById.set(r.id, r);
          for (const id of b.removed) txById.delete(id);
        }
        live = true;
        const s = maxStamp(rows);
        if (s) stamper?.observe(s);
        txVersion.value += 1;
        txLoadMs.value = performance.now() - started;
        txState.value = 'ready';
      })
      .catch((error: unknown) => {
        txState.value = 'error';
        txError.value = error instanceof Error ? error.message : String(error);
        txLoading = null;
        throw error;
      });
    return txLoading;
  }

  /**
   * The newest `limit` transactions straight from the date index: what the list paints first. A
   * descending sort is not served by the ascending IndexedDB index (RxDB would walk every row), so
   * the read is bounded to a recent date range, widened until it holds enough rows.
   */
  async function newestTransactions(limit: number, today: string = todayLocal()): Promise<Transaction[]> {
    const db = requireDb();
    for (let days = 7; days <= 36_600; days *= 2) {
      const rows = await readRows(db.transactions, { selector: { date: { $gte: addDays(today, -days) } }, sort: [{ date: 'desc' }], limit });
      if (rows.length >= limit) return rows;
    }
    return readRows(db.transactions, { sort: [{ date: 'desc' }], limit });
  }

  /** Enabled categorisation rules in the order they apply; a rule that does not compile is skipped. */
  const compiledRules = computed<CompiledRule[]>(() => {
    const out: CompiledRule[] = [];
    for (const r of rules.value) {
      if (!r.enabled) continue;
      try {
        out.push(compileRule(r));
      } catch {
        // A broken rule is reported on the rules screen; entry goes on without it.
      }
    }
    return out.sort((a, b) => a.priority - b.priority || ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
  });

  /** Each merchant's categories as learned from the user's categorised history. */
  const merchantModel = computed<MerchantModel>(() => learnMerchantCategories(transactions.value));

  // ---------- balances ----------
  const balances = computed<{ rows: ConvertedBalance[]; netWorth: NetWorth } | { error: string } | null>(() => {
    if (txState.value !== 'ready') return null;
    try {
      const rows = accountBalances(accounts.value, transactions.value, { baseCurrency: baseCurrency.value, rates: fxRates.value });
      return { rows, netWorth: netWorth(rows.filter((r) => !r.closed || r.balance !== 0), baseCurrency.value) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });

  // ---------- account writes ----------
  async function createAccount(draft: AccountDraft): Promise<Account> {
    const db = requireDb();
    const doc = accountSchema.parse({ ...draft, id: uuidv7(), hlc: stamp(), sortOrder: draft.sortOrder ?? nextSortOrder(accountsRaw.value) });
    await db.accounts.insert(doc);
    return doc;
  }

  async function updateAccount(id: string, patch: Partial<Omit<Account, 'id' | 'hlc'>>): Promise<void> {
    const db = requireDb();
    const doc = await db.accounts.findOne(id).exec();
    if (!doc) throw new Error('That account is no longer on this device.');
    const next = accountSchema.parse({ ...doc.toMutableJSON(), ...patch, hlc: stamp() });
    await doc.incrementalPatch({ ...patch, hlc: next.hlc });
  }

  async function reorderAccounts(changes: readonly { id: string; sortOrder: number }[]): Promise<void> {
    for (const c of changes) await updateAccount(c.id, { sortOrder: c.sortOrder });
  }

  // ---------- category writes ----------
  async function saveCategory(draft: CategoryDraft): Promise<Category> {
    const db = requireDb();
    const doc = categorySchema.parse({ ...draft, id: draft.id ?? uuidv7(), hlc: stamp() });
    if (doc.parentId !== null) {
      const parent = categoryById.value.get(doc.parentId);
      if (!parent) throw new Error('The parent category does not exist.');
      if (parent.parentId !== null) throw new Error('Categories have two levels: the parent must be a top-level category.');
      if (parent.id === doc.id) throw new Error('A category cannot be its own parent.');
    }
    await db.categories.upsert(doc);
    return doc;
  }

  // ---------- transaction writes (undoable), through the one write path ----------
  const writes = computed<LedgerWrites | null>(() => (dbRef.value ? ledgerWrites(dbRef.value) : null));
  /** The action "Undo" reverts, whichever screen made it. */
  const lastAction = computed<UndoEntry | null>(() => writes.value?.lastAction.value ?? null);

  function requireWrites(): LedgerWrites {
    return ledgerWrites(requireDb());
  }

  function applyResult(result: CommitResult) {
    if (txState.value === 'ready') applyRows(result.saved, result.removed);
  }

  /**
   * Writes one user action through ledger-writes.ts: each change's `after` is checked (schema and
   * ledger rules), stamped and saved (null = delete). Returns the saved documents. The action
   * becomes the one "Undo" reverts.
   */
  async function commit(label: string, changes: readonly LedgerChange[]): Promise<Transaction[]> {
    const result = await requireWrites().commit(label, changes);
    applyResult(result);
    return [...result.saved];
  }

  /** Reverts the last action; returns its label, or null when there was nothing to undo. */
  async function undo(): Promise<string | null> {
    const done = await requireWrites().undo();
    if (!done) return null;
    applyResult(done.result);
    return done.label;
  }

  function transactionById(id: string): Transaction | undefined {
    void txVersion.value;
    return txById.get(id);
  }

  return {
    db: dbRef,
    accounts, accountsReady, accountById, categories, categoryById, settings, baseCurrency, fxRates,
    transactions, txState, txError, txVersion, txLoadMs, ensureTransactions, newestTransactions, transactionById,
    balances, lastAction, rules, compiledRules, merchantModel,
    createAccount, updateAccount, reorderAccounts, saveCategory,
    commit, undo, stamp,
  };
});
