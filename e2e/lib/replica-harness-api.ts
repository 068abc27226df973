/**
 * The contract between the replica harness pages (e2e/replica-harness, run in Chromium) and the Node
 * side (tests, benchmark). Everything crossing it is plain JSON. Kept free of client imports so the
 * Node tools project can type-check it; the page checks it against the real types when it implements it.
 */

/** Same shape as client/src/db/keys.ts KdfParams. */
export interface KdfParams {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export type HarnessCollection = 'transactions' | 'accounts';

export interface HarnessError {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
}

export type HarnessResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: HarnessError };

export interface OpenOptions {
  readonly kdf?: KdfParams;
  readonly keyCompression?: boolean;
}

export interface DumpedStore {
  readonly name: string;
  readonly count: number;
  /** Every key and value of the store, JSON-encoded (binary values as base64). */
  readonly json: string;
}

export interface DumpedDatabase {
  readonly name: string;
  readonly stores: DumpedStore[];
}

export interface StoredKeyInfo {
  readonly params: KdfParams;
  readonly wrappedKey: string;
  readonly salt: string;
}

export interface ReplicaHarness {
  open(name: string, password: string, options?: OpenOptions): Promise<HarnessResult<{ created: boolean; deviceId: string }>>;
  insert(name: string, collection: HarnessCollection, docs: unknown[]): Promise<HarnessResult<number>>;
  /** All documents of the collection as plain JSON, sorted by id. */
  readAll(name: string, collection: HarnessCollection): Promise<HarnessResult<Record<string, unknown>[]>>;
  patch(name: string, id: string, patch: Record<string, unknown>): Promise<HarnessResult<void>>;
  remove(name: string, id: string): Promise<HarnessResult<void>>;
  /** Change events seen on the transactions collection since open: [operation, id, merchant]. */
  events(name: string): [string, string, unknown][];
  findByEncryptedField(name: string, merchant: string): Promise<HarnessResult<number>>;
  changePassword(name: string, oldPassword: string, newPassword: string, kdf?: KdfParams): Promise<HarnessResult<void>>;
  storedKey(name: string): Promise<HarnessResult<StoredKeyInfo>>;
  close(name: string): Promise<void>;
  counters(): { encrypt: number; decrypt: number };
  resetCounters(): void;
  /** Raw IndexedDB of the origin, read without RxDB or Dexie. */
  dumpIndexedDb(): Promise<DumpedDatabase[]>;
  databaseNames(): Promise<string[]>;
  /** Copies document `fromId`'s envelope onto `toId` (or flips one byte when fromId === toId), raw in IndexedDB. */
  tamperEnvelope(fromId: string, toId: string): Promise<HarnessResult<void>>;
  /** Builds keyCompression(encryption(dexie)), the wrong order, and reports what happened. */
  wrongStackOrder(): Promise<HarnessResult<void>>;
  /** Makes a key with the default Argon2id cost and unlocks it again; returns the stored params and timings. */
  defaultCostKey(password: string): Promise<HarnessResult<{ params: KdfParams; createMs: number; unlockMs: number; extractable: boolean }>>;
  erase(name?: string): Promise<HarnessResult<string[]>>;
}


export interface ReplicaBenchOptions {
  readonly count: number;
  /** Documents per bulkInsert / bulkPut call. */
  readonly chunk: number;
  /** Key compression under both RxDB variants (encryption stays outside it). */
  readonly keyCompression: boolean;
  readonly rounds: number;
  /** Run one variant only (for profiling); both by default. */
  readonly only?: 'plain' | 'encrypted';
}

export interface ReplicaBenchTiming {
  readonly insertMs: number;
  readonly queryMs: number;
}

export interface ReplicaBenchRun {
  /** RxDB on Dexie storage, no encryption: one timing per round. */
  readonly plain: ReplicaBenchTiming[];
  /** RxDB on our WebCrypto wrapper over the same storage: one timing per round. */
  readonly encrypted: ReplicaBenchTiming[];
  /** Dexie bulkPut / toArray with no RxDB: the floor, for reference. */
  readonly rawDexie: ReplicaBenchTiming;
  readonly counters: { encrypt: number; decrypt: number };
  readonly userAgent: string;
}

export interface ReplicaBench {
  run(options: ReplicaBenchOptions): Promise<ReplicaBenchRun>;
}

declare global {
  interface Window {
    replicaHarness?: ReplicaHarness;
    replicaBench?: ReplicaBench;
  }
}
