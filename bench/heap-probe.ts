import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS, findChromium } from '../e2e/lib/chromium.ts';
import { DASHBOARD_HARNESS_GLOBAL } from '../e2e/lib/dashboard-harness-api.ts';

/**
 * A measuring aid for the `open-app-heap` suite (not a suite): where the heap of the opened dashboard lives.
 * Builds the app and the harness into --site (with --build), serves them on a fixed port so a persistent
 * browser profile (--profile) keeps its seeded replica between runs (--seed N seeds it once), then opens the
 * app --rounds times as the suite does and logs, for each open, the heap by scope right after the numbers
 * (as the suite measures it), the page's heap after a forced collection (what is live, not garbage), and
 * again after --later ms. With --snapshot <file> it writes the page's heap snapshot after the last open;
 * `--summary a.heapsnapshot [b.heapsnapshot]` prints the largest node kinds by self size (and b − a).
 *
 *   node --import tsx bench/heap-probe.ts --build --site /tmp/heap/site --profile /tmp/heap/profile --seed 100000
 *   node --import tsx bench/heap-probe.ts --site /tmp/heap/site --profile /tmp/heap/profile --rounds 3 --snapshot /tmp/heap/now.heapsnapshot
 *   node --import tsx bench/heap-probe.ts --summary before.heapsnapshot --summary after.heapsnapshot
 */

const PASSWORD = 'open-app bench password';
const NUMBERS_MARK = 'mymidas:dashboard-numbers';

const { values } = parseArgs({
  options: {
    site: { type: 'string' },
    build: { type: 'boolean', default: false },
    root: { type: 'string', default: new URL('..', import.meta.url).pathname },
    profile: { type: 'string' },
    port: { type: 'string', default: '4199' },
    seed: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    later: { type: 'string', default: '5000' },
    snapshot: { type: 'string' },
    summary: { type: 'string', multiple: true },
    top: { type: 'string', default: '40' },
  },
});

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

async function summarise(file: string): Promise<Map<string, { size: number; count: number }>> {
  const data = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < data.nodes.length; i += fields.length) {
    const type = types[data.nodes[i + iType!]!]!;
    const name = data.strings[data.nodes[i + iName!]!] ?? '';
    const key = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? 'string' : type === 'code' || type === 'hidden' || type === 'array' ? `${type}:${name.slice(0, 60)}` : `${type}:${name.slice(0, 60)}`;
    const entry = out.get(key) ?? { size: 0, count: 0 };
    entry.size += data.nodes[i + iSize!]!;
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

if (values.summary) {
  const top = Number(values.top);
  const [a, b] = await Promise.all(values.summary.map(summarise));
  const total = (m: Map<string, { size: number }>) => [...m.values()].reduce((s, e) => s + e.size, 0);
  console.log(`total a ${(total(a!) / 2 ** 20).toFixed(2)} MB${b ? `, b ${(total(b) / 2 ** 20).toFixed(2)} MB` : ''}`);
  const rows = b
    ? [...new Set([...a!.keys(), ...b.keys()])].map((k) => ({ k, d: (b.get(k)?.size ?? 0) - (a!.get(k)?.size ?? 0), n: (b.get(k)?.count ?? 0) - (a!.get(k)?.count ?? 0), s: b.get(k)?.size ?? 0 }))
    : [...a!.entries()].map(([k, e]) => ({ k, d: e.size, n: e.count, s: e.size }));
  rows.sort((x, y) => Math.abs(y.d) - Math.abs(x.d));
  for (const r of rows.slice(0, top)) console.log(`${(r.d / 1024).toFixed(0).padStart(8)} kB ${String(r.n).padStart(8)}  ${r.k}`);
  process.exit(0);
}

if (!values.site || !values.profile) throw new Error('--site and --profile are needed');
const site = values.site;
if (values.build || !existsSync(join(site, 'index.html'))) {
  const root = values.root!;
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: site, emptyOutDir: true, sourcemap: false } });
  await build({ configFile: join(root, 'e2e/dashboard-harness/vite.config.ts'), logLevel: 'warn', build: { outDir: join(site, 'harness'), emptyOutDir: true } });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.woff': 'font/woff', '.png': 'image/png' };
const base = normalize(site) + sep;
const server = createServer((req, res) => {
  void (async () => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    let file = normalize(join(base, path));
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      await stat(file);
    } catch {
      if (path.startsWith('/api/') || extname(path) !== '') return void res.writeHead(404).end();
      file = join(base, 'index.html');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    createReadStream(file).pipe(res);
  })();
});
await new Promise<void>((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
const url = `http://127.0.0.1:${values.port}`;

const executablePath = findChromium();
if (!executablePath) throw new Error('no Chromium');
const context: BrowserContext = await chromium.launchPersistentContext(values.profile, {
  executablePath,
  headless: true,
  args: [...CHROMIUM_ARGS, '--enable-blink-features=ForceEagerMeasureMemory'],
});

function call(page: Page, method: string, ...args: unknown[]): Promise<unknown> {
  return page.evaluate(({ g, method, args }) => ((window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[g]!)[method]!(...args), { g: DASHBOARD_HARNESS_GLOBAL, method, args });
}

async function byScope(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    type Breakdown = { bytes: number; attribution: { url?: string; scope?: string }[] };
    const memory = await (performance as Performance & { measureUserAgentSpecificMemory(): Promise<{ bytes: number; breakdown: Breakdown[] }> }).measureUserAgentSpecificMemory();
    const out: Record<string, number> = { total: Math.round((memory.bytes / 2 ** 20) * 100) / 100 };
    for (const entry of memory.breakdown) {
      const where = entry.attribution.map((a) => `${a.scope ?? '?'}:${(a.url ?? '').split('/').pop()?.replace(/-[\w-]{8}\.js$/, '.js') ?? ''}`).join('+') || 'shared';
      out[where] = Math.round(((out[where] ?? 0) + entry.bytes / 2 ** 20) * 100) / 100;
    }
    return out;
  });
}

try {
  if (values.seed) {
    const page = await context.newPage();
    await page.goto(`${url}/harness/seed.html`);
    await page.waitForFunction((g) => g in window, DASHBOARD_HARNESS_GLOBAL, { timeout: 30_000 });
    await call(page, 'open', PASSWORD, false);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const n = Number(values.seed);
    if (n > 0) console.log('seeded', JSON.stringify(await call(page, 'seed', { transactions: n, referenceDate: today, years: Math.max(1, Math.min(10, Math.floor(n / 1200))), quotes: true })));
    await call(page, 'close');
    await page.close();
  }
  // A build served before on this origin stays in the service worker's precache: forget it, so the opens run this build.
  {
    const page = await context.newPage();
    await page.goto(`${url}/harness/seed.html`);
    await page.evaluate(async () => {
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
      for (const k of await caches.keys()) await caches.delete(k);
    });
    await page.close();
  }
  const rounds = Number(values.rounds);
  for (let round = 0; round < rounds; round++) {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const scripts: string[] = [];
    let numbersSeen = false;
    page.on('request', (r) => {
      const name = r.url().split('/').pop() ?? '';
      if (name.endsWith('.js')) scripts.push(`${numbersSeen ? '+' : ''}${name}`);
    });
    await page.goto(`${url}/`);
    await page.locator('#unlock-password').fill(PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.waitForFunction((mark) => performance.getEntriesByName(mark, 'mark').length > 0, NUMBERS_MARK, { timeout: 600_000, polling: 50 });
    numbersSeen = true;
    const atNumbers = await byScope(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const afterGc = await byScope(page);
    await page.waitForTimeout(Number(values.later));
    const later = await byScope(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const laterGc = await byScope(page);
    const phases = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('mymidas:')).map((m) => [m.name.slice(8), Math.round(m.startTime)])));
    console.log(`round ${round}: at numbers ${JSON.stringify(atNumbers)}\n  page gc'd ${JSON.stringify(afterGc)}\n  +${values.later} ms ${JSON.stringify(later)}\n  +${values.later} ms gc'd ${JSON.stringify(laterGc)}\n  marks ${JSON.stringify(phases)}\n  scripts (+ after the numbers) ${scripts.join(' ')}${errors.length ? `\n  errors ${errors.join('; ')}` : ''}`);
    if (values.snapshot && round === rounds - 1) {
      const chunks: string[] = [];
      cdp.on('HeapProfiler.addHeapSnapshotChunk', (e: { chunk: string }) => chunks.push(e.chunk));
      await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      await writeFile(values.snapshot, chunks.join(''));
      console.log(`snapshot written: ${values.snapshot}`);
    }
    await cdp.detach();
    await page.close();
  }
} finally {
  await context.close();
  server.close();
}
