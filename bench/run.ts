import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { BrowserContext } from 'playwright-core';
import { benchBrowser, benchChromium, closeBenchBrowser } from './lib/browser.ts';
import { describeTarget, median, meetsTarget } from './lib/suite.ts';
import type { BenchContext, BenchSuite } from './lib/suite.ts';
import { SUITES } from './suites/index.ts';

/**
 * `npm run bench [-- --quick] [-- --only name[,name...]] [-- --list]`
 *
 * Runs each registered suite: setup once, then `runs` samples of the baseline and the measured
 * thing, interleaved (baseline, measured, baseline, ...) so drift hits both alike. Prints one table
 * row per suite with both medians and their ratio (measured ÷ baseline), checks the target and
 * writes everything to bench/results/latest.json. Exit code 1 when a suite fails or misses its target.
 * Without Chromium, browser suites cannot run: they are listed as NOT RUN and the bench stops at once
 * with exit code 1, before any suite starts (pick node suites with --only to run those alone).
 */

interface Row {
  readonly name: string;
  readonly environment: string;
  readonly size: number;
  readonly sizeUnit: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly runs: number;
  readonly median: number;
  readonly samples: number[];
  readonly baselineName: string;
  readonly baselineMedian: number;
  readonly baselineSamples: number[];
  readonly ratio: number;
  readonly target: string;
  readonly pass: boolean | null;
  readonly seconds: number;
  readonly error?: string;
}

function parseArgs(argv: readonly string[]) {
  const opts = { quick: false, list: false, only: null as Set<string> | null };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '--quick') opts.quick = true;
    else if (a === '--list') opts.list = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[(i += 1)] : a.slice('--only='.length);
      if (!value) throw new Error('--only needs a suite name, e.g. --only generator');
      opts.only = new Set(value.split(',').map((s) => s.trim()).filter(Boolean));
    } else if (a === '--') continue;
    else throw new Error(`unknown option ${a} (use --quick, --only <name>, --list)`);
  }
  return opts;
}

const fmt = (x: number) => {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return abs >= 1000 ? Math.round(x).toLocaleString('en-GB') : abs >= 10 ? x.toFixed(1) : x.toFixed(3);
};

function table(rows: readonly Row[]): string {
  const head = ['name', 'env', 'size', 'runs', 'median', 'baseline', 'baseline median', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    r.name, r.environment, `${r.size.toLocaleString('en-GB')} ${r.sizeUnit}`, String(r.runs),
    r.error ? '—' : `${fmt(r.median)} ${r.unit}`, r.baselineName, r.error ? '—' : `${fmt(r.baselineMedian)} ${r.unit}`,
    r.error ? '—' : `×${r.ratio.toFixed(3)}`, r.target, r.error ? 'ERROR' : r.pass === null ? 'n/a' : r.pass ? 'pass' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const FULL_RUN_BUDGET_MINUTES = 15;

async function runSuite(suite: BenchSuite<unknown>, quick: boolean): Promise<Row> {
  const size = quick ? suite.size.quick : suite.size.full;
  const runs = quick ? suite.runs.quick : suite.runs.full;
  const contexts: BrowserContext[] = [];
  const ctx: BenchContext = {
    quick,
    size,
    log: (line) => console.log(`  ${line}`),
    async browser() {
      const c = await (await benchBrowser()).newContext();
      contexts.push(c);
      return c;
    },
  };
  const started = performance.now();
  const base = {
    name: suite.name, environment: suite.environment, size, sizeUnit: suite.sizeUnit, unit: suite.unit, better: suite.better,
    runs, baselineName: suite.baselineName, target: describeTarget(suite.target, suite.unit),
  };
  let state: unknown;
  let setUp = false;
  try {
    state = await suite.setup?.(ctx);
    setUp = true;
    const samples: number[] = [];
    const baselineSamples: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      await suite.settle?.(ctx, state);
      baselineSamples.push(await suite.baseline(ctx, state));
      await suite.settle?.(ctx, state);
      samples.push(await suite.run(ctx, state));
      console.log(`  ${suite.name} #${i + 1}: ${fmt(samples.at(-1)!)} ${suite.unit} vs baseline ${fmt(baselineSamples.at(-1)!)} ${suite.unit}`);
    }
    const m = median(samples);
    const b = median(baselineSamples);
    const ratio = m / b;
    return { ...base, median: m, samples, baselineMedian: b, baselineSamples, ratio, pass: meetsTarget(suite.target, m, ratio), seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`  ${suite.name} failed: ${message}`);
    return { ...base, median: NaN, samples: [], baselineMedian: NaN, baselineSamples: [], ratio: NaN, pass: false, seconds: (performance.now() - started) / 1000, error: message };
  } finally {
    if (setUp) await suite.teardown?.(ctx, state);
    for (const c of contexts) await c.close().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.list) {
    for (const s of SUITES) console.log(`${s.name.padEnd(24)} ${s.environment.padEnd(8)} ${s.description}`);
    return 0;
  }
  const names = new Set(SUITES.map((s) => s.name));
  if (names.size !== SUITES.length) throw new Error('two bench suites share a name');
  for (const n of opts.only ?? []) if (!names.has(n)) throw new Error(`no bench suite "${n}" (have: ${[...names].join(', ')})`);
  const selected = SUITES.filter((s) => !opts.only || opts.only.has(s.name));

  const needBrowser = selected.filter((s) => s.environment === 'browser');
  const found = needBrowser.length > 0 ? benchChromium() : null;
  if (found && 'missing' in found) {
    console.error(`${found.missing}\nBROWSER SUITES NOT RUN (${needBrowser.length}): ${needBrowser.map((s) => s.name).join(', ')}`);
    const nodeOnly = selected.filter((s) => s.environment === 'node').map((s) => s.name);
    if (nodeOnly.length > 0) console.error(`Nothing was run. Node suites alone: npm run bench -- --only ${nodeOnly.join(',')}`);
    return 1;
  }

  const started = new Date();
  console.log(`MyMidas bench — ${selected.length} suite(s)${opts.quick ? ', quick' : ''}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB`);
  const rows: Row[] = [];
  try {
    for (const suite of selected) {
      console.log(`\n▶ ${suite.name} (${suite.environment}): ${suite.description}`);
      rows.push(await runSuite(suite, opts.quick));
    }
  } finally {
    await closeBenchBrowser();
  }
  console.log(`\n${table(rows)}\n`);
  console.log('ratio = measured median ÷ baseline median (same run). For docs/s higher is better; for ms and MB lower is better.');

  const out = new URL('./results/latest.json', import.meta.url);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(out, `${JSON.stringify({
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: opts.quick,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? null,
    results: rows,
  }, null, 2)}\n`);
  console.log(`results written to ${out.pathname}`);
  // The whole run has a budget too (issue 4: every suite at full size within 15 minutes on two cores).
  const minutes = (Date.now() - started.getTime()) / 60_000;
  const wholeRun = !opts.quick && !opts.only;
  const withinBudget = !wholeRun || minutes <= FULL_RUN_BUDGET_MINUTES;
  console.log(`total ${minutes.toFixed(1)} min${wholeRun ? ` (budget for the full run ≤ ${FULL_RUN_BUDGET_MINUTES} min: ${withinBudget ? 'met' : 'MISSED'})` : ''}`);
  return rows.every((r) => !r.error && r.pass !== false) && withinBudget ? 0 : 1;
}

const code = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 2;
});
// Exit now: a server or browser a failed suite left open must not keep the process alive.
process.exit(code);
