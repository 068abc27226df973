import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { openServices } from '../services.ts';
import { openTestDatabase, signedInUser, testBackends, type TestDatabase } from '../testing/harness.ts';
import { accountDoc } from './fixtures.ts';

const startScript = fileURLToPath(new URL('../start.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
const BATCH = 1000;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  base: string;
  exited: Promise<unknown>;
  output: () => string;
}

async function startServer(cwd: string, env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', tsx, startScript], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENVIRONMENT: 'test', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    const ok = await fetch(`${base}/api/v1/health`).then((r) => r.ok, () => false);
    if (ok) return { child, base, exited, output: () => output };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

type Doc = Record<string, unknown> & { id: string };

async function pullAll(base: string, token: string): Promise<Doc[]> {
  const out: Doc[] = [];
  let checkpoint: string | null = null;
  for (;;) {
    const url = new URL(`${base}/api/v1/replication/accounts/pull`);
    url.searchParams.set('limit', '1000');
    if (checkpoint) url.searchParams.set('checkpoint', checkpoint);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`pull failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { documents: Doc[]; checkpoint: string | null };
    if (body.documents.length === 0) return out;
    out.push(...body.documents);
    checkpoint = body.checkpoint;
  }
}

function pushBatch(base: string, token: string, docs: Doc[]): Promise<Response> {
  return fetch(`${base}/api/v1/replication/accounts/push`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(docs.map((d) => ({ assumedMasterState: null, newDocumentState: d }))),
  });
}

describe.each(testBackends())('killing the server mid-push (%s)', (backend) => {
  it('loses nothing and duplicates nothing; re-pushing the batch converges', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mymidas-kill-'));
    let t: TestDatabase | undefined;
    const env: Record<string, string> = {};
    if (backend === 'postgres') {
      t = await openTestDatabase('postgres');
      env.DATABASE_URL = t.ownerUrl!;
      if (process.env.TEST_DB_APP_PASSWORD) env.DB_APP_PASSWORD = process.env.TEST_DB_APP_PASSWORD;
    }
    // Prepare secrets, schema and a signed-in user in-process, then hand the data over to the child.
    const setup = await openServices(loadConfig({ ENVIRONMENT: 'test', ...env }, cwd), t ? { db: t.db } : {});
    const user = await signedInUser(setup);
    if (!t) await setup.close();
    else await setup.limits.close();

    let server = await startServer(cwd, env);
    try {
      // A first batch lands completely and tells us how long a batch takes on this machine.
      // (Two halves: the first warms the server up, the second is timed.)
      const first = Array.from({ length: BATCH }, () => accountDoc());
      let batchMs = 0;
      for (const half of [first.slice(0, BATCH / 2), first.slice(BATCH / 2)]) {
        const started = Date.now();
        const ok = await pushBatch(server.base, user.token, half);
        batchMs = 2 * (Date.now() - started);
        expect(ok.status, server.output()).toBe(200);
        expect(((await ok.json()) as { written: number }).written).toBe(BATCH / 2);
      }

      // The second batch: SIGKILL about a third of the way through it.
      const second = Array.from({ length: BATCH }, () => accountDoc({ notes: 'pushed when the server died' }));
      const inFlight = pushBatch(server.base, user.token, second).then(
        (r) => ({ answered: true as const, status: r.status }),
        () => ({ answered: false as const, status: 0 }),
      );
      await new Promise((r) => setTimeout(r, Math.max(20, Math.floor(batchMs / 3))));
      server.child.kill('SIGKILL');
      await server.exited;
      const outcome = await inFlight;
      expect(outcome.answered, `the kill came after the response (batch took ${batchMs} ms)`).toBe(false);

      server = await startServer(cwd, env);
      const afterRestart = await pullAll(server.base, user.token);
      const byId = new Map(afterRestart.map((d) => [d.id, d]));
      expect(byId.size, 'no document is duplicated').toBe(afterRestart.length);
      for (const d of first) expect(byId.get(d.id), 'an acknowledged write survived').toEqual(d);
      const landed = second.filter((d) => byId.has(d.id));
      for (const d of landed) expect(byId.get(d.id), 'a document is either whole or absent').toEqual(d);
      expect(afterRestart.length).toBe(BATCH + landed.length);

      // The client never got an answer, so it pushes the same batch again: it converges, without conflicts.
      const again = await pushBatch(server.base, user.token, second);
      expect(again.status).toBe(200);
      const body = (await again.json()) as { conflicts: unknown[]; refused: unknown[]; written: number };
      expect(body.conflicts).toEqual([]);
      expect(body.refused).toEqual([]);
      expect(body.written).toBe(BATCH - landed.length);
      const settled = await pullAll(server.base, user.token);
      expect(settled).toHaveLength(2 * BATCH);
      const settledById = new Map(settled.map((d) => [d.id, d]));
      for (const d of [...first, ...second]) expect(settledById.get(d.id)).toEqual(d);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      if (t) await t.dispose();
    }
  }, 240_000);
});
