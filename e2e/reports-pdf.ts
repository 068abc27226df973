import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { serveDirectory } from './lib/static-server.ts';

/**
 * Renders a PDF's first page in Chromium with pdf.js (pdfjs-dist), for the reports' browser test (issue 23):
 * a small page of our own on a local static server (the app's CSP would refuse pdf.js's module), the PDF's bytes
 * beside it. Returns the page as a PNG and the text pdf.js finds on every page (what a reader can select).
 */

const PDFJS_BUILD = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PDF page</title>
<style>body{margin:0;background:#888}canvas{display:block;background:#fff}</style></head>
<body><canvas id="page"></canvas>
<script type="module">
import * as pdfjs from './pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = './pdf.worker.mjs';
try {
  const doc = await pdfjs.getDocument({ url: './report.pdf' }).promise;
  const texts = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const p = await doc.getPage(n);
    const content = await p.getTextContent();
    texts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  const first = await doc.getPage(1);
  const viewport = first.getViewport({ scale: 1.5 });
  const canvas = document.getElementById('page');
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  await first.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise;
  window.pdfResult = { pages: doc.numPages, text: texts.join('\\n'), width: viewport.width, height: viewport.height };
} catch (e) {
  window.pdfResult = { error: String(e && e.stack || e) };
}
</script></body></html>`;

export interface RenderedPdf {
  readonly pages: number;
  readonly text: string;
  /** Points × 1.5 of the first page (A4 portrait: 893 × 1263). */
  readonly width: number;
  readonly height: number;
}

export async function renderPdfFirstPage(browser: Browser, pdf: Buffer, screenshot: string): Promise<RenderedPdf> {
  const dir = await mkdtemp(join(tmpdir(), 'mymidas-pdf-'));
  const server = await (async () => {
    await copyFile(join(PDFJS_BUILD, 'pdf.mjs'), join(dir, 'pdf.mjs'));
    await copyFile(join(PDFJS_BUILD, 'pdf.worker.mjs'), join(dir, 'pdf.worker.mjs'));
    await writeFile(join(dir, 'report.pdf'), pdf);
    await writeFile(join(dir, 'index.html'), PAGE);
    return serveDirectory(dir);
  })();
  const context = await browser.newContext({ viewport: { width: 900, height: 1300 } });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => (window as unknown as { pdfResult?: unknown }).pdfResult !== undefined, undefined, { timeout: 120_000 });
    const result = await page.evaluate(() => (window as unknown as { pdfResult: RenderedPdf & { error?: string } }).pdfResult);
    if (result.error) throw new Error(`pdf.js could not read the PDF: ${result.error}`);
    await page.locator('#page').screenshot({ path: screenshot });
    return result;
  } finally {
    await context.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
