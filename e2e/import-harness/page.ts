import { proxy, transfer } from 'comlink';
import { detectAndParse } from '@mymidas/shared/import';
import type { Account } from '@mymidas/shared/schema';
import { openReplica } from '../../client/src/db/database.ts';
import type { Replica } from '../../client/src/db/database.ts';
import { largeStarlingCsv } from '../lib/large-statement.ts';
import { commitImport, readExistingHashes, undoImport } from '../../client/src/features/import/import-store.ts';
import { replicaClock } from '../../client/src/sync/clock.ts';
import { startImportWorker } from '../../client/src/features/import/import-worker-client.ts';
import type { ImportProgress } from '../../client/src/features/import/import-worker-handlers.ts';
import type { FreezeReport, ImportHarness, ImportRun, MainThreadControl } from '../lib/import-harness-api.ts';

/** The browser side of the import tests: the import worker and store on a real encrypted replica. */

const ACCOUNT_ID = '0190f5a2-1111-7000-8000-00000000a001';
let replica: Replica | null = null;

function frameCounter() {
  const frames: number[] = [];
  let running = true;
  const tick = () => {
    frames.push(performance.now());
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return {
    frames,
    stop() {
      running = false;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest stretch in [start, end] without a frame; the first frame after `end` closes the last stretch. */
function maxGap(frames: readonly number[], start: number, end: number): { maxGapMs: number; maxGapAtMs: number; during: number; gapsOver100: number } {
  const inside = frames.filter((t) => t > start && t < end);
  const after = frames.find((t) => t >= end);
  const points = [start, ...inside, ...(after === undefined ? [end] : [after])];
  let gap = 0;
  let at = 0;
  let over = 0;
  for (let i = 1; i < points.length; i++) {
    const g = (points[i] as number) - (points[i - 1] as number);
    if (g > 100) over++;
    if (g > gap) {
      gap = g;
      at = (points[i - 1] as number) - start;
    }
  }
  return { maxGapMs: gap, maxGapAtMs: at, during: inside.length, gapsOver100: over };
}

async function freezeCheck(rows: number): Promise<FreezeReport> {
  const statement = largeStarlingCsv(rows);
  const bytes = new TextEncoder().encode(statement.text).buffer;
  const worker = startImportWorker();
  try {
    // Let the worker load before the clock starts.
    await worker.api.importDiscard();
    const counter = frameCounter();
    await sleep(300);
    const progress: ImportProgress[] = [];
    const onProgress = proxy((p: ImportProgress) => {
      progress.push(p);
    });
    const start = performance.now();
    const summary = await worker.api.importParse(transfer(bytes, [bytes]), 'big-statement.csv', {}, onProgress);
    const parsedAt = performance.now() - start;
    const plan = await worker.api.importPlan({ accountId: ACCOUNT_ID, accountCurrency: 'GBP', existingHashes: [], rules: [] }, onProgress);
    const end = performance.now();
    await sleep(300);
    counter.stop();
    const { maxGapMs, maxGapAtMs, during, gapsOver100 } = maxGap(counter.frames, start, end);
    let totalMinor = 0;
    for (let offset = 0; offset < plan.counts.fresh; offset += 5_000) {
      for (const d of await worker.api.importDrafts(offset, 5_000)) totalMinor += d.amount;
    }
    const last = progress.at(-1) ?? null;
    return {
      rows: summary.rows, format: summary.format, problems: summary.problemCount, fresh: plan.counts.fresh, duplicates: plan.counts.duplicates,
      totalMinor, expectedTotalMinor: statement.totalMinor, parseMs: summary.parseMs, planMs: plan.planMs, workMs: end - start,
      framesDuring: during, maxGapMs, maxGapAtMs, gapsOver100, parsedAtMs: parsedAt, progressEvents: progress.length, lastProgress: last ? { ...last } : null,
    };
  } finally {
    worker.terminate();
  }
}

async function mainThreadControl(rows: number): Promise<MainThreadControl> {
  const bytes = new TextEncoder().encode(largeStarlingCsv(rows).text);
  const counter = frameCounter();
  await sleep(300);
  const start = performance.now();
  const result = detectAndParse(bytes, 'big-statement.csv');
  const end = performance.now();
  await sleep(300);
  counter.stop();
  return { rows: result.transactions.length, maxGapMs: maxGap(counter.frames, start, end).maxGapMs, workMs: end - start };
}

function need(): Replica {
  if (!replica) throw new Error('open a replica first');
  return replica;
}

async function accountTotal(): Promise<number> {
  return need().db.transactions.count({ selector: { accountId: ACCOUNT_ID } }).exec();
}

const account: Account = {
  id: ACCOUNT_ID, hlc: '1700000000000:0000:seed', name: 'Current account', type: 'current', currency: 'GBP', institution: null, accountRef: null,
  openingBalance: 0, openingDate: '2014-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null,
};

const harness: ImportHarness = {
  freezeCheck,
  mainThreadControl,
  async openReplica(name) {
    await replica?.close();
    replica = await openReplica({ password: 'import harness password', name, kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 } });
    await replica.db.accounts.insert(account);
    return { accountId: ACCOUNT_ID };
  },
  async importText(text, fileName): Promise<ImportRun> {
    const { db } = need();
    const worker = startImportWorker();
    try {
      const bytes = new TextEncoder().encode(text).buffer;
      const summary = await worker.api.importParse(transfer(bytes, [bytes]), fileName, { currency: 'GBP' });
      const plan = await worker.api.importPlan({ accountId: ACCOUNT_ID, accountCurrency: 'GBP', existingHashes: await readExistingHashes(db, ACCOUNT_ID), rules: [] });
      let batchId: string | null = null;
      let written = 0;
      if (plan.counts.fresh > 0) {
        const batch = await commitImport(db, {
          accountId: ACCOUNT_ID, fileName, format: summary.format, total: plan.counts.fresh, duplicates: plan.counts.duplicates, skipped: plan.counts.skipped,
          takeDrafts: (o, n) => worker.api.importDrafts(o, n),
          stamper: await replicaClock(db),
        });
        batchId = batch.id;
        written = batch.transactionIds.length;
      }
      return {
        format: summary.format, parsed: summary.rows, fresh: plan.counts.fresh, duplicates: plan.counts.duplicates, written, batchId,
        accountTotal: await accountTotal(), problems: summary.problems,
      };
    } finally {
      worker.terminate();
    }
  },
  async undo(batchId) {
    const { db } = need();
    const removed = await undoImport(db, batchId, await replicaClock(db));
    return { removed, accountTotal: await accountTotal() };
  },
  async close() {
    await replica?.close();
    replica = null;
  },
};

(window as unknown as { importHarness: ImportHarness }).importHarness = harness;
