import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectHousehold } from '@mymidas/shared/demo';
import { benchBrowser, bundleForBrowser, closeBenchBrowser, waitForQuietBrowser } from './lib/browser.ts';
import type { PullTiming } from './suites/first-sync-api.ts';
import { startBenchServer } from './suites/server-fixture.ts';

/**
 * A measurement, not a suite: where the browser's time goes during the first-sync bench's replica pull
 * (bench/suites/first-sync.ts, same server fixture and harness page, e2e/first-sync-harness/page.ts).
 *
 *   node --import tsx bench/profile-first-sync.ts [transactions=100000] [--runs N] [--cached] [--no-profile] [--out file.cpuprofile]
 *
 * Each run is a fresh replica pulling every transaction with the app's sync engine, under the renderer's
 * CPU profiler (CDP `Profiler`, through Playwright); it prints the sync's time and the functions with the
 * most self time. `--cached` answers the pull requests from copies recorded on the first run (through
 * Playwright's request interception), so later runs show the client's cost with the server's left out
 * (the first run is the recording one and is not a cached figure). The raw Dexie baseline of the same
 * documents is timed after each run, as the suite does.
 */

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const size = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 100_000);
const runs = Number(option('--runs') ?? 2);
const cached = flag('--cached');
const profiling = !flag('--no-profile');
const out = option('--out');
/** Also prints the callers of these functions (comma-separated names). */
const callersOf = option('--callers')?.split(',') ?? [];
/** Profiles the raw Dexie baseline too. */
const profileBaseline = flag('--profile-baseline');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const frameName = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').pop() ?? url;
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
};

/** Self time (ms) of the functions named `name`, by their callers `depth` frames up, most first. */
function callers(profile: Profile, name: string, depth = 6): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName !== name) return;
    const chain: string[] = [];
    for (let p = parent.get(id); p !== undefined && chain.length < depth; p = parent.get(p)) chain.push(frameName(byId.get(p)!));
    const key = chain.join(' < ');
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([n, ms]) => ({ name: n, ms })).sort((a, b) => b.ms - a.ms);
}

/** Self time (ms) per function (name, file, line), most first. */
function selfTimes(profile: Profile): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const name = frameName(node);
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

const household = collectHousehold({ seed: 'bench-first-sync', transactions: size, ...(size < 7_000 ? { years: 1 } : {}) });
const docs = household.transactions.slice(0, size);
const server = await startBenchServer();
await server.seedTransactions(docs);
server.setPage('/first-sync.js', { body: await bundleForBrowser(fileURLToPath(new URL('../e2e/first-sync-harness/page.ts', import.meta.url))), type: 'text/javascript; charset=utf-8' });
server.setPage('/first-sync.html', { body: '<!doctype html><meta charset="utf-8"><title>first sync</title><script type="module" src="/first-sync.js"></script>', type: 'text/html; charset=utf-8' });
const browser = await benchBrowser();
const context = await browser.newContext();
const page = await context.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(`${server.url}/first-sync.html`);
await page.waitForFunction(() => 'firstSync' in globalThis);
type Api = Record<string, (...a: unknown[]) => unknown>;
const call = <T>(fn: string, ...a: unknown[]) => page.evaluate(([f, x]) => ((globalThis as unknown as { firstSync: Api }).firstSync[f as string]!)(...(x as unknown[])), [fn, a] as const) as Promise<T>;
for (let i = 0; i < docs.length; i += 10_000) await call('addDocuments', 'transactions', docs.slice(i, i + 10_000));

const answers = new Map<string, { body: Buffer; headers: Record<string, string>; status: number }>();
if (cached) {
  await page.route('**/api/v1/replication/*/pull*', async (route) => {
    const key = new URL(route.request().url()).search + new URL(route.request().url()).pathname;
    const kept = answers.get(key);
    if (kept) return route.fulfill(kept);
    const response = await route.fetch();
    const answer = { body: await response.body(), headers: response.headers(), status: response.status() };
    answers.set(key, answer);
    return route.fulfill(answer);
  });
}

const cdp = await context.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
for (let run = 1; run <= runs; run++) {
  await waitForQuietBrowser();
  if (profiling) await cdp.send('Profiler.start');
  const t = await call<PullTiming>('pullIntoReplica', { token: await server.token(), expected: { transactions: docs.length, quotes: 0 }, name: `profile-first-sync-${run}` });
  const profile = profiling ? ((await cdp.send('Profiler.stop')) as unknown as { profile: Profile }).profile : null;
  await waitForQuietBrowser();
  if (profileBaseline) await cdp.send('Profiler.start');
  const raw = await call<{ ms: number }>('rawDexie', `profile-first-sync-raw-${run}`, 1000);
  const baselineProfile = profileBaseline ? ((await cdp.send('Profiler.stop')) as unknown as { profile: Profile }).profile : null;
  const label = cached ? (run === 1 ? 'recording' : 'cached answers') : 'live server';
  console.log(`run ${run} (${label}): sync ${(t.ms / 1000).toFixed(2)} s (answers ${(t.fetchMs / 1000).toFixed(2)} s over ${t.requests} requests), raw Dexie ${(raw.ms / 1000).toFixed(2)} s, ratio ×${(t.ms / raw.ms).toFixed(2)}`);
  if (baselineProfile) {
    console.log('  baseline self time:');
    for (const r of selfTimes(baselineProfile).slice(0, 15)) console.log(`  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  }
  if (!profile) continue;
  for (const name of callersOf) {
    console.log(`  callers of ${name}:`);
    for (const r of callers(profile, name).slice(0, 8)) console.log(`  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  }
  if (out) writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${run}.cpuprofile`), JSON.stringify(profile));
  const ranked = selfTimes(profile);
  const total = ranked.reduce((s, r) => s + r.ms, 0);
  console.log(`  self time, ${(total / 1000).toFixed(2)} s sampled:`);
  for (const r of ranked.slice(0, 40)) console.log(`  ${r.ms.toFixed(0).padStart(7)} ms ${((100 * r.ms) / total).toFixed(1).padStart(5)} %  ${r.name}`);
}
await page.close();
await context.close();
await closeBenchBrowser();
await server.close();
