import { Dexie } from 'dexie';
import {
  addRxStorageMultiInstanceSupport,
  ensureRxStorageInstanceParamsAreCorrect,
  getPrimaryFieldOfPrimaryKey,
  getQueryMatcher,
  getQueryPlan,
  getSortComparator,
  now,
  toArray,
  type PreparedQuery,
  type RxDocumentData,
  type RxJsonSchema,
  type RxStorageCountResult,
  type RxStorageInstanceCreationParams,
  type RxStorageQueryResult,
} from 'rxdb';
import {
  dexieReplaceIfStartsWithPipe,
  fromDexieToStorage,
  getBooleanIndexes,
  getDexieStoreSchema,
  RX_STORAGE_NAME_DEXIE,
  RxStorageDexie,
  RxStorageInstanceDexie,
} from 'rxdb/plugins/storage-dexie';
import type { DexieSettings, DexieStorageInternals } from 'rxdb';

/**
 * RxDB's free Dexie storage with two fewer IndexedDB indexes per collection.
 *
 * RxDB's Dexie layout keeps, besides the primary key and the schema's own indexes, three indexes of its
 * own: `[_deleted+<key>]` (the query planner's fallback when no schema index fits), `[_meta.lwt+<key>]`
 * (the change feed, `getChangedDocumentsSince`) and `[_meta.lwt]` (only `cleanup`). Every IndexedDB
 * index is one more record written with each document: for the transactions collection seven records
 * a document where a plain Dexie table with the same schema indexes writes four, and a new device's
 * first sync (100,000 documents) is bound by exactly those writes (docs/sync-protocol.md, "First sync").
 *
 * This storage drops the fallback index and the cleanup index and keeps everything else as RxDB's Dexie
 * storage has it — database and table names, row format (booleans as '1'/'0'), the change feed, writes,
 * multi-instance events — by running RxDB's own `RxStorageInstanceDexie` on tables it opens itself:
 * - a query or count whose plan names an index the table does not have is planned again by RxDB's own
 *   planner over the indexes the table has (an index count stays an index count); one that names a
 *   missing index itself, or a collection with no index left, scans the primary key, filtering with the
 *   query's matcher (the `_deleted` condition included) and sorting with its comparator — a query sorted
 *   by the primary key alone stops as soon as it has `skip + limit` rows;
 * - `cleanup` finds old deletions through `[_meta.lwt+<key>]`.
 *
 * It can also leave out schema indexes named in `unindexed` (LeanDexieSettings): RxDB still plans
 * queries on them, and they are planned again as above.
 *
 * Existing replicas keep their data: the tables are declared at Dexie version 2 (RxDB declares 1), so
 * Dexie upgrades a database RxDB's storage created by deleting the indexes, rows untouched.
 */

/** RxDB's Dexie storage declares version 1; this layout is version 2 of the same database. */
export const LEAN_DEXIE_VERSION = 2;

const DOCS_TABLE = 'docs';

/** Dexie's name of the index over `fields` as RxDB writes it (key-compression's `|` substituted). */
function dexieIndexName(fields: readonly string[]): string {
  const parts = fields.map((f) => dexieReplaceIfStartsWithPipe(f));
  return parts.length === 1 ? parts[0]! : `[${parts.join('+')}]`;
}

export interface LeanDexieSettings extends DexieSettings {
  /**
   * Per collection, schema indexes the table does not hold, each given by its fields as the schema lists
   * them (e.g. `transactions: [['hlc']]`): for an index that serves no query the app makes often, so its
   * IndexedDB record is not written with every document. A query planned on it is planned again over
   * the indexes the table has.
   */
  readonly unindexed?: Readonly<Record<string, readonly (readonly string[])[]>>;
}

/**
 * The docs table's schema: RxDB's Dexie layout without the fallback and the cleanup index, nor the
 * schema indexes over `unindexed` field lists (RxDB prefixes `_deleted` and appends the key to each).
 */
export function leanDocsSchema(schema: RxJsonSchema<RxDocumentData<unknown>>, primaryPath: string, unindexed: readonly (readonly string[])[] = []): string {
  const dropped = new Set([dexieIndexName(['_deleted', primaryPath]), dexieIndexName(['_meta.lwt'])]);
  for (const fields of unindexed) {
    const name = dexieIndexName(['_deleted', ...fields, primaryPath]);
    const declared = (schema.indexes ?? []).some((index) => dexieIndexName(toArray(index)) === name);
    if (!declared) throw new TypeError(`lean Dexie storage: the schema has no index over [${fields.join(', ')}] to leave out`);
    dropped.add(name);
  }
  return getDexieStoreSchema(schema)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => !dropped.has(part))
    .join(', ');
}

type Internals = Awaited<DexieStorageInternals>;

/** Opens (creating or upgrading) RxDB's Dexie database for this collection with the lean docs table. */
async function openTables(params: RxStorageInstanceCreationParams<unknown, DexieSettings>, settings: LeanDexieSettings): Promise<Internals> {
  const schema = params.schema as RxJsonSchema<RxDocumentData<unknown>>;
  const name = `rxdb-dexie-${params.databaseName}--${schema.version}--${params.collectionName}`;
  const { unindexed, ...dexieSettings } = settings;
  const db = new Dexie(name, { ...dexieSettings, autoOpen: false });
  if (settings.onCreate) await settings.onCreate(db, name);
  db.version(LEAN_DEXIE_VERSION).stores({
    [DOCS_TABLE]: leanDocsSchema(schema, getPrimaryFieldOfPrimaryKey(schema.primaryKey), unindexed?.[params.collectionName]),
    // RxDB's other two tables, unchanged.
    changes: '++sequence, id',
    attachments: 'id',
  });
  await db.open();
  return {
    dexieDb: db,
    dexieTable: db.table(DOCS_TABLE),
    dexieAttachmentsTable: db.table('attachments'),
    booleanIndexes: getBooleanIndexes(schema),
  } as unknown as Internals;
}

class LeanDexieInstance<RxDocType> extends RxStorageInstanceDexie<RxDocType> {
  private tableIndexes: ReadonlySet<string> | null = null;

  private async indexNames(): Promise<ReadonlySet<string>> {
    if (!this.tableIndexes) {
      const { dexieTable } = await this.internals;
      const indexes = (dexieTable as unknown as { schema: { indexes: { name: string }[] } }).schema.indexes;
      this.tableIndexes = new Set(indexes.map((i) => i.name));
    }
    return this.tableIndexes;
  }

  /**
   * The query as given when the table has the index its plan names; otherwise planned again by RxDB's
   * planner over the indexes the table has (so a count stays an index count), or null when the query
   * names a missing index itself and can only scan.
   */
  private async onTable(query: PreparedQuery<RxDocType>): Promise<PreparedQuery<RxDocType> | null> {
    const names = await this.indexNames();
    if (names.has(dexieIndexName(query.queryPlan.index))) return query;
    if (query.query.index) return null;
    const indexes = (this.schema.indexes ?? []).filter((index) => names.has(dexieIndexName(toArray(index))));
    if (indexes.length === 0) return null;
    return { ...query, queryPlan: getQueryPlan({ ...this.schema, indexes }, query.query) };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`lean Dexie storage: ${this.collectionName} is closed`);
  }

  /** The documents matching `query`, read along the primary key. */
  private async scan(query: PreparedQuery<RxDocType>, counting: boolean): Promise<RxDocumentData<RxDocType>[]> {
    const state = await this.internals;
    const q = query.query;
    const matches = getQueryMatcher(this.schema, q);
    const skip = counting ? 0 : (q.skip ?? 0);
    const end = counting || typeof q.limit !== 'number' ? Infinity : skip + q.limit;
    const sort = q.sort ?? [];
    const byKeyAscending = counting || (sort.length === 1 && (sort[0] as Record<string, string>)[this.primaryPath] === 'asc');
    const rows: RxDocumentData<RxDocType>[] = [];
    await state.dexieDb.transaction('r', state.dexieTable, async (tx) => {
      const store = (tx as unknown as { idbtrans: IDBTransaction }).idbtrans.objectStore(DOCS_TABLE);
      await new Promise<void>((resolve, reject) => {
        const request = store.openCursor();
        request.onerror = () => reject(request.error ?? new Error('cursor failed'));
        request.onsuccess = () => {
          const cursor = request.result;
          if (!cursor) return resolve();
          const doc = fromDexieToStorage<RxDocType>(state.booleanIndexes, cursor.value);
          if (matches(doc)) rows.push(doc);
          if (byKeyAscending && rows.length >= end) resolve();
          else cursor.continue();
        };
      });
    });
    if (!byKeyAscending) rows.sort(getSortComparator(this.schema, q));
    return rows.slice(skip, end);
  }

  override async query(query: PreparedQuery<RxDocType>): Promise<RxStorageQueryResult<RxDocType>> {
    this.assertOpen();
    const planned = await this.onTable(query);
    if (planned) return super.query(planned);
    return { documents: await this.scan(query, false) };
  }

  override async count(query: PreparedQuery<RxDocType>): Promise<RxStorageCountResult> {
    this.assertOpen();
    const planned = await this.onTable(query);
    if (planned) return super.count(planned);
    return { count: (await this.scan(query, true)).length, mode: 'slow' };
  }

  /** Deletes documents deleted more than `minimumDeletedTime` ms ago, found through `[_meta.lwt+<key>]`. */
  override async cleanup(minimumDeletedTime: number): Promise<boolean> {
    this.assertOpen();
    const state = await this.internals;
    const index = dexieIndexName(['_meta.lwt', this.primaryPath]);
    const before = now() - minimumDeletedTime;
    await state.dexieDb.transaction('rw', state.dexieTable, async () => {
      const old = (await state.dexieTable.where(index).between([-Infinity, -Infinity], [before, -Infinity]).toArray()) as Record<string, unknown>[];
      const ids = old.filter((row) => row._deleted === '1').map((row) => row[this.primaryPath] as string);
      await state.dexieTable.bulkDelete(ids);
    });
    return true;
  }
}

/** RxDB's Dexie storage (same name, version and settings) writing the lean table layout. */
export class LeanDexieStorage extends RxStorageDexie {
  constructor(override readonly settings: LeanDexieSettings) {
    super(settings);
  }

  override async createStorageInstance<RxDocType>(params: RxStorageInstanceCreationParams<RxDocType, DexieSettings>): Promise<RxStorageInstanceDexie<RxDocType>> {
    ensureRxStorageInstanceParamsAreCorrect(params);
    const schema = params.schema as RxJsonSchema<RxDocumentData<unknown>>;
    // IndexedDB leaves a document out of an index that misses a field: RxDB's Dexie storage refuses optional index fields too.
    for (const field of (schema.indexes ?? []).flat()) {
      if (!field.includes('.') && !(schema.required ?? []).includes(field as never)) {
        throw new TypeError(`lean Dexie storage: ${params.collectionName}: index field "${field}" must be required`);
      }
    }
    const internals = openTables(params as RxStorageInstanceCreationParams<unknown, DexieSettings>, this.settings);
    const instance = new LeanDexieInstance<RxDocType>(this, params.databaseName, params.collectionName, params.schema, internals as DexieStorageInternals, params.options, this.settings, params.devMode);
    await internals;
    await addRxStorageMultiInstanceSupport(RX_STORAGE_NAME_DEXIE, params, instance);
    return instance;
  }
}

export function getLeanDexieStorage(settings: LeanDexieSettings = {}): LeanDexieStorage {
  return new LeanDexieStorage(settings);
}
