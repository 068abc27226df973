import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/lib/chromium.ts';

/**
 * Headless Chromium for browser benchmarks: one shared browser (/usr/bin/chromium or $CHROMIUM_PATH,
 * with the standard container flags), a tiny in-memory web server for pages, and an esbuild bundler
 * so a suite can run our TypeScript (e.g. the demo household of @mymidas/shared) inside the page.
 */

export { CHROMIUM_ARGS, findChromium };

/**
 * Where the bench finds Chromium, or why it cannot: $CHROMIUM_PATH (which must exist), else the first
 * existing path of $BENCH_CHROMIUM_CANDIDATES (colon-separated; replaces the default search of
 * /usr/bin/chromium and Playwright's download, e.g. to try the bench as on a machine without Chromium).
 */
export function benchChromium(env: NodeJS.ProcessEnv = process.env): { readonly path: string } | { readonly missing: string } {
  try {
    const candidates = env.BENCH_CHROMIUM_CANDIDATES?.split(':').filter(Boolean);
    const path = candidates === undefined ? findChromium(env) : findChromium(env, candidates);
    return path ? { path } : { missing: 'No Chromium found: set CHROMIUM_PATH or install the Debian "chromium" package.' };
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}

let shared: Promise<Browser> | null = null;

/** The shared headless Chromium, started on first use; rejects at once when there is none. */
export function benchBrowser(): Promise<Browser> {
  if (!shared) {
    const found = benchChromium();
    shared = 'path' in found
      ? chromium.launch({ executablePath: found.path, headless: true, args: [...CHROMIUM_ARGS] })
      : Promise.reject(new Error(found.missing));
    shared.catch(() => undefined);
  }
  return shared;
}

export async function closeBenchBrowser(): Promise<void> {
  if (!shared) return;
  const b = shared;
  shared = null;
  const browser = await b.catch(() => null);
  await browser?.close();
}

export interface ServedFile {
  readonly body: string | Uint8Array;
  readonly type: string;
}

export interface PageServer {
  readonly url: string;
  /** Adds or replaces a file at `path` (starting with '/'). */
  set(path: string, file: ServedFile): void;
  close(): Promise<void>;
}

/**
 * Serves files from memory on 127.0.0.1 at a random port. Cross-origin isolation headers are on so
 * pages can use SharedArrayBuffer and performance.measureUserAgentSpecificMemory().
 */
export async function servePages(files: Readonly<Record<string, ServedFile>> = {}): Promise<PageServer> {
  const table = new Map(Object.entries(files));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = table.get(path === '/' ? '/index.html' : path);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set(path, file) {
      table.set(path, file);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** CPU seconds used so far by every Chromium process on this machine (Linux /proc), or null elsewhere. */
function chromiumCpuSeconds(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 a second)
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / 100;
}

/**
 * Waits until Chromium has finished the work a previous sample left behind — IndexedDB deleting a
 * database and compacting its files goes on in the browser process after `deleteDatabase` resolves —
 * so that work is not billed to the next sample: quiet means under 10% of one core over `windowMs`.
 * Gives up after `maxMs`. Where /proc is missing it simply waits one window.
 */
export async function waitForQuietBrowser(windowMs = 1000, maxMs = 20_000): Promise<void> {
  const started = performance.now();
  let before = chromiumCpuSeconds();
  for (;;) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = chromiumCpuSeconds();
    if (before === null || now === null) return;
    if ((now - before) * 1000 < windowMs * 0.1 || performance.now() - started > maxMs) return;
    before = now;
  }
}

/** Bundles a TypeScript entry (and what it imports from node_modules) into one browser ES module. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: false,
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced nothing for ${entry}`);
  return out.text;
}

/** A page holding one bundled module, ready when `window[readyGlobal]` exists. */
export async function openModulePage(context: BrowserContext, server: PageServer, name: string, script: string, readyGlobal: string): Promise<Page> {
  server.set(`/${name}.js`, { body: script, type: 'text/javascript; charset=utf-8' });
  server.set(`/${name}.html`, {
    body: `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="/${name}.js"></script>`,
    type: 'text/html; charset=utf-8',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/${name}.html`);
  await page.waitForFunction((g) => (globalThis as Record<string, unknown>)[g] !== undefined, readyGlobal, { timeout: 30_000 }).catch((e: unknown) => {
    throw new Error(`bench page ${name} did not start: ${errors.join('; ') || String(e)}`);
  });
  return page;
}
