import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const startScript = fileURLToPath(new URL('./start.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, ['--import', tsx, startScript], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('starting the server', () => {
  it('serves /api/v1/health on embedded PGlite with no configuration, generating local secrets', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mymidas-start-'));
    const port = await freePort();
    const proc = run({ PORT: String(port) }, cwd);
    try {
      let body: Record<string, unknown> | undefined;
      for (let i = 0; i < 120 && !body; i++) {
        await new Promise((r) => setTimeout(r, 500));
        body = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then((r) => r.json() as Promise<Record<string, unknown>>, () => undefined);
      }
      expect(body, proc.output()).toMatchObject({ status: 'ok', storage: 'pglite', version: expect.any(String) });
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('refuses to start in production with a short ENCRYPTION_KEY and names the variable', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mymidas-prod-'));
    const proc = run({ ENVIRONMENT: 'production', ENCRYPTION_KEY: 'tooshort', BACKUP_PASSPHRASE: 'p'.repeat(20), DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toMatch(/ENCRYPTION_KEY: must be 32 random bytes/);
  });
});
