import { startComputeWorker } from '../../client/src/compute/compute-client.ts';
import type { ComputeWorker } from '../../client/src/compute/compute-client.ts';
import { syntheticLedger } from '@mymidas/shared/snapshot/__fixtures__/synthetic-ledger';
import type { SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import { SNAPSHOT_HARNESS_GLOBAL } from '@mymidas/shared/snapshot/__fixtures__/harness-api';
import type { SnapshotBenchOptions, SnapshotBenchRun, SnapshotHarness } from '@mymidas/shared/snapshot/__fixtures__/harness-api';

/** The browser side of the snapshot test and benchmark: a thin API over the compute worker. */

const STORE = 'records';
let worker: ComputeWorker | null = null;
let key: CryptoKey | null = null;
let databaseName = '';

const newKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

function api() {
  if (!worker) throw new Error('harness not started');
  return worker.api;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withRaw<T>(run: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(databaseName);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await run(db);
  } finally {
    db.close();
  }
}

function startWorker(name: string, k: CryptoKey) {
  worker?.terminate();
  worker = startComputeWorker();
  databaseName = name;
  key = k;
}

/** Category totals the way one would write them without a snapshot: a loop over the transaction objects. */
function loopTotals(docs: readonly SnapshotDoc[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const d of docs) {
    if (d.transferId !== null) continue;
    if (d.splits.length === 0) {
      const k = `${d.currency}|${d.categoryId ?? ''}`;
      totals.set(k, (totals.get(k) ?? 0) + d.amount);
    } else {
      for (const s of d.splits) {
        const k = `${d.currency}|${s.categoryId ?? ''}`;
        totals.set(k, (totals.get(k) ?? 0) + s.amount);
      }
    }
  }
  return totals;
}

async function bench(options: SnapshotBenchOptions): Promise<SnapshotBenchRun> {
  const ledger = syntheticLedger(options.count, options.seed);
  const month = ledger.transactions[0]!.date.slice(0, 7);
  const k = await newKey();
  const names = { empty: `bench-empty-${Date.now()}`, full: `bench-full-${Date.now()}` };
  // Store both snapshots once.
  startWorker(names.empty, k);
  await api().openSnapshot(names.empty, k);
  await api().rebuildSnapshot([], null);
  startWorker(names.full, k);
  await api().openSnapshot(names.full, k);
  const rebuildStart = performance.now();
  await api().rebuildSnapshot(ledger.transactions, { seq: options.count });
  const rebuildMs = performance.now() - rebuildStart;
  const storedBytes = await withRaw(async (db) => {
    const values = await request(db.transaction(STORE).objectStore(STORE).getAll());
    return (values as { data: ArrayBuffer }[]).reduce((a, v) => a + v.data.byteLength, 0);
  });

  const openToDashboardMs = { empty: [] as number[], full: [] as number[] };
  const loadInWorkerMs = { empty: [] as number[], full: [] as number[] };
  for (let round = 0; round < options.rounds; round++) {
    for (const which of ['empty', 'full'] as const) {
      const started = performance.now();
      startWorker(names[which], k);
      const state = await api().openSnapshot(names[which], k);
      if (state.state !== 'ready') throw new Error(`bench snapshot ${which} did not load: ${state.reason} ${state.detail}`);
      await api().dashboard({ month, accounts: ledger.accounts });
      openToDashboardMs[which].push(performance.now() - started);
      loadInWorkerMs[which].push(state.loadMs);
    }
  }

  const totalsInWorkerMs: number[] = [];
  const totalsRoundTripMs: number[] = [];
  let workerTotals = new Map<string, number>();
  for (let i = 0; i < options.totalsRuns; i++) {
    const started = performance.now();
    const result = await api().categoryTotals({});
    totalsRoundTripMs.push(performance.now() - started);
    totalsInWorkerMs.push(result.computedInMs);
    workerTotals = new Map(result.totals.map((t) => [`${t.currency}|${t.categoryId ?? ''}`, t.total]));
  }
  const baselineLoopMs: number[] = [];
  let loop = new Map<string, number>();
  for (let i = 0; i < options.totalsRuns; i++) {
    const started = performance.now();
    loop = loopTotals(ledger.transactions);
    baselineLoopMs.push(performance.now() - started);
  }
  const resultsAgree = loop.size === workerTotals.size && [...loop].every(([k2, v]) => workerTotals.get(k2) === v);
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  worker?.terminate();
  worker = null;
  for (const name of Object.values(names)) indexedDB.deleteDatabase(name);
  return {
    count: options.count,
    openToDashboardMs,
    loadInWorkerMs,
    rebuildMs,
    storedBytes,
    totalsInWorkerMs,
    totalsRoundTripMs,
    baselineLoopMs,
    resultsAgree,
    pageHeapMb: memory ? memory.usedJSHeapSize / 2 ** 20 : null,
    userAgent: navigator.userAgent,
  };
}

const harness: SnapshotHarness = {
  async start(name) {
    startWorker(name, await newKey());
  },
  async restartWorker() {
    if (!key) throw new Error('harness not started');
    startWorker(databaseName, key);
  },
  async replaceKey() {
    key = await newKey();
  },
  open: () => api().openSnapshot(databaseName, key!),
  rebuild: (docs, checkpoint) => api().rebuildSnapshot(docs, checkpoint),
  apply: (changes, checkpoint) => api().applySnapshotChanges(changes, checkpoint),
  dashboard: (req) => api().dashboard(req),
  categoryTotals: (range) => api().categoryTotals(range),
  checksums: () => api().snapshotChecksums(),
  checkConsistency: (replica) => api().checkSnapshotConsistency(replica),
  recordKeys: () => withRaw(async (db) => (await request(db.transaction(STORE).objectStore(STORE).getAllKeys())).map(String).sort()),
  flipStoredByte: (recordKey, offset) =>
    withRaw(async (db) => {
      const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
      const value = (await request(store.get(recordKey))) as { iv: Uint8Array; data: ArrayBuffer } | undefined;
      if (!value) throw new Error(`no stored record ${recordKey}`);
      const bytes = new Uint8Array(value.data.slice(0));
      const at = offset % bytes.length;
      bytes[at] = bytes[at]! ^ 0x01;
      await request(store.put({ iv: value.iv, data: bytes.buffer }, recordKey));
      return at;
    }),
  storedContains: (text) =>
    withRaw(async (db) => {
      const values = (await request(db.transaction(STORE).objectStore(STORE).getAll())) as { iv: Uint8Array; data: ArrayBuffer }[];
      const needle = new TextEncoder().encode(text);
      return values.some((v) => {
        const hay = new Uint8Array(v.data);
        outer: for (let i = 0; i + needle.length <= hay.length; i++) {
          for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
          return true;
        }
        return false;
      });
    }),
  bench,
  terminate() {
    worker?.terminate();
    worker = null;
  },
};

(window as unknown as Record<string, SnapshotHarness>)[SNAPSHOT_HARNESS_GLOBAL] = harness;
