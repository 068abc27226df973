import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` on a machine without Chromium: the browser suites are reported as not run and the
 * command exits non-zero before any suite starts, instead of hanging after "No Chromium found".
 */
const root = fileURLToPath(new URL('..', import.meta.url));
/** Far more than the bench needs to load its suites and stop; a hang ends here and fails. */
const LIMIT_MS = 120_000;

interface Outcome {
  readonly code: number | null;
  readonly killed: boolean;
  readonly out: string;
  readonly ms: number;
}

function bench(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, out, ms: Date.now() - started });
    });
  });
}

function withoutChromium(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '', ...extra };
  if (!('CHROMIUM_PATH' in extra)) delete env.CHROMIUM_PATH;
  return env;
}

describe('the bench without Chromium', { timeout: LIMIT_MS + 30_000 }, () => {
  it('lists every browser suite as not run and exits non-zero before running any suite', async () => {
    const r = await bench([], withoutChromium({ BENCH_CHROMIUM_CANDIDATES: '/nonexistent/chromium' }));
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.out).toContain('No Chromium found');
    expect(r.out).toMatch(/BROWSER SUITES NOT RUN \(\d+\): .*first-sync/);
    expect(r.out).not.toContain('▶');
    expect(r.out).not.toContain('results written');
  });

  it('stops the same way when CHROMIUM_PATH points nowhere, even for one browser suite', async () => {
    const r = await bench(['--only', 'first-sync'], withoutChromium({ CHROMIUM_PATH: '/nonexistent/chromium' }));
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.out).toContain('CHROMIUM_PATH=/nonexistent/chromium does not exist');
    expect(r.out).toContain('BROWSER SUITES NOT RUN (1): first-sync');
    expect(r.out).not.toContain('▶');
  });
});
