import { pathToFileURL } from 'node:url';
import { findChromium, launchChromium } from '../../e2e/lib/chromium.ts';
import { REPLICA_HARNESS_CONFIG, buildAndServeHarness } from '../../e2e/lib/harness-site.ts';
import type { ReplicaBenchRun, ReplicaBenchTiming } from '../../e2e/lib/replica-harness-api.ts';

/**
 * Replica encryption overhead (issue 7, ARCHITECTURE decision 5): 100k transaction documents inserted
 * with chunked bulkInsert into RxDB on Dexie storage, plain vs our WebCrypto AES-GCM wrapper, then all
 * read back from a freshly opened database. Reports encrypted ÷ plain for insert, for the full read and
 * for both together (target ≤ 1.3), with raw Dexie bulkPut/toArray as the floor. Runs in headless
 * Chromium on the replica harness page (e2e/replica-harness/bench.html).
 */

export const REPLICA_ENCRYPTION_TARGET = 1.3;

export interface ReplicaEncryptionBenchOptions {
  readonly count?: number;
  readonly chunk?: number;
  readonly keyCompression?: boolean;
  readonly rounds?: number;
  readonly log?: (line: string) => void;
}

export interface ReplicaEncryptionMetric {
  readonly plainMs: number;
  readonly encryptedMs: number;
  /** encrypted ÷ plain, medians over the rounds. */
  readonly ratio: number;
}

export interface ReplicaEncryptionReport {
  readonly suite: 'replica-encryption';
  readonly documents: number;
  readonly chunk: number;
  readonly keyCompression: boolean;
  readonly rounds: number;
  readonly insert: ReplicaEncryptionMetric;
  readonly queryAll: ReplicaEncryptionMetric;
  readonly total: ReplicaEncryptionMetric;
  readonly target: number;
  /** total.ratio ≤ target. */
  readonly withinTarget: boolean;
  readonly rawDexie: { readonly bulkPutMs: number; readonly toArrayMs: number };
  readonly webCryptoCalls: { readonly encrypt: number; readonly decrypt: number };
  readonly raw: ReplicaBenchRun;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function metric(plain: number[], encrypted: number[]): ReplicaEncryptionMetric {
  const plainMs = median(plain);
  const encryptedMs = median(encrypted);
  return { plainMs, encryptedMs, ratio: encryptedMs / plainMs };
}

const sum = (t: ReplicaBenchTiming) => t.insertMs + t.queryMs;

export async function runReplicaEncryptionBench(options: ReplicaEncryptionBenchOptions = {}): Promise<ReplicaEncryptionReport> {
  const count = options.count ?? 100_000;
  const chunk = options.chunk ?? 2_000;
  const keyCompression = options.keyCompression ?? true;
  const rounds = options.rounds ?? 1;
  const log = options.log ?? (() => undefined);
  if (!findChromium()) throw new Error('replica-encryption bench needs Chromium: set CHROMIUM_PATH or install /usr/bin/chromium');

  const site = await buildAndServeHarness(REPLICA_HARNESS_CONFIG);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${site.url}/bench.html`);
    await page.waitForFunction(() => window.replicaBench !== undefined, undefined, { timeout: 30_000 }).catch((error: unknown) => {
      throw new Error(`bench page did not start: ${pageErrors.join('; ') || String(error)}`);
    });
    log(`replica-encryption: ${count} docs, chunks of ${chunk}, key compression ${keyCompression ? 'on' : 'off'}, ${rounds} round(s)`);
    const raw = await page.evaluate((o) => window.replicaBench!.run(o), { count, chunk, keyCompression, rounds });
    const insert = metric(raw.plain.map((t) => t.insertMs), raw.encrypted.map((t) => t.insertMs));
    const queryAll = metric(raw.plain.map((t) => t.queryMs), raw.encrypted.map((t) => t.queryMs));
    const total = metric(raw.plain.map(sum), raw.encrypted.map(sum));
    const report: ReplicaEncryptionReport = {
      suite: 'replica-encryption',
      documents: count,
      chunk,
      keyCompression,
      rounds,
      insert,
      queryAll,
      total,
      target: REPLICA_ENCRYPTION_TARGET,
      withinTarget: total.ratio <= REPLICA_ENCRYPTION_TARGET,
      rawDexie: { bulkPutMs: raw.rawDexie.insertMs, toArrayMs: raw.rawDexie.queryMs },
      webCryptoCalls: raw.counters,
      raw,
    };
    const f = (m: ReplicaEncryptionMetric) => `${(m.plainMs / 1000).toFixed(2)} s → ${(m.encryptedMs / 1000).toFixed(2)} s (×${m.ratio.toFixed(2)})`;
    log(`  insert    ${f(insert)}`);
    log(`  query all ${f(queryAll)}`);
    log(`  total     ${f(total)} target ≤ ×${REPLICA_ENCRYPTION_TARGET}: ${report.withinTarget ? 'met' : 'MISSED'}`);
    log(`  raw Dexie bulkPut ${(raw.rawDexie.insertMs / 1000).toFixed(2)} s, toArray ${(raw.rawDexie.queryMs / 1000).toFixed(2)} s`);
    return report;
  } finally {
    await browser.close();
    await site.close();
  }
}

/** `node --import tsx bench/suites/replica-encryption.ts [count] [chunk] [rounds] [--no-key-compression]` */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count, chunk, rounds] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
  const report = await runReplicaEncryptionBench({
    count: count || undefined,
    chunk: chunk || undefined,
    rounds: rounds || undefined,
    keyCompression: !process.argv.includes('--no-key-compression'),
    log: (line) => console.log(line),
  });
  const perRound = (list: ReplicaBenchTiming[]) => list.map((t) => `${(t.insertMs / 1000).toFixed(2)}+${(t.queryMs / 1000).toFixed(2)}`).join(', ');
  console.log(`  rounds (insert+query s): plain ${perRound(report.raw.plain)}; encrypted ${perRound(report.raw.encrypted)}`);
  console.log(JSON.stringify({ ...report, raw: undefined }));
}
