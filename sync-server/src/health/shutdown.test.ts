import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectHousehold } from '@mymidas/shared/demo';
import { PgliteDatabase } from '../store/pglite-database.ts';

/**
 * A real server process (embedded PGlite in a temporary folder): SIGTERM while a 1,000-row push is in
 * flight and a change stream is open. The push completes or is not visible at all, the stream is ended
 * with a retry hint, the process exits 0 — and nothing it logged holds the password, the token or PII.
 */
const startScript = fileURLToPath(new URL('../start.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));

const EMAIL = 'pii.person.7731@example.test';
const PASSWORD = 'Sh0rtbread-Lantern-Quarry-99';
const MERCHANT = 'Zyxwv Secret Grocer';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * POST whose body goes in two halves: `onHalf` runs once the first half is on the wire, and the rest follows
 * `pauseMs` later — so a signal sent from `onHalf` reaches a server that has the request in hand (counted in
 * flight) and is idle waiting for the rest, whatever the machine's speed.
 */
function post(port: number, path: string, body: unknown, token?: string, onHalf?: () => void, pauseMs = 0): Promise<{ status: number; body: string }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length, ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const half = Math.floor(data.length / 2);
    req.write(data.subarray(0, half), () => {
      onHalf?.();
      setTimeout(() => req.end(data.subarray(half)), pauseMs);
    });
  });
}

describe('SIGTERM on a real server process', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mymidas-sigterm-'));
  let port: number;
  let output = '';
  let exitCode: number | null = null;
  let push: { status: number; body: string } | Error;
  let streamText = '';
  let token = '';
  let inFlightAtSignal = -1;

  beforeAll(async () => {
    port = await freePort();
    const child = spawn(process.execPath, ['--import', tsx, startScript], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), BACKUP_SCHEDULE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let up = false;
    for (let i = 0; i < 400 && !up; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      up = await fetch(`http://127.0.0.1:${port}/api/v1/ready`).then((r) => r.ok, () => false);
    }
    expect(up, output).toBe(true);

    const reg = await post(port, '/api/v1/auth/register', { email: EMAIL, password: PASSWORD });
    expect(reg.status, reg.body).toBe(201);
    const login = await post(port, '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
    expect(login.status, login.body).toBe(200);
    token = (JSON.parse(login.body) as { accessToken: string }).accessToken;

    // An open change stream, read as it arrives.
    const streamDone = new Promise<void>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/v1/replication/stream', headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) streamText += `HTTP ${res.statusCode} `;
        res.setEncoding('utf8').on('data', (d: string) => (streamText += d));
        res.on('end', resolve);
        res.on('close', resolve);
        res.on('error', resolve);
      }).on('error', reject).end();
    });
    for (let i = 0; i < 600 && !streamText.includes('RESYNC'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(streamText, 'the change stream never said RESYNC').toContain('RESYNC');

    const docs = collectHousehold({ seed: 'sigterm', transactions: 1300, years: 1, referenceDate: '2026-10-31', quotes: false }).transactions.slice(0, 1000);
    expect(docs).toHaveLength(1000);
    docs[0]!.merchant = MERCHANT;
    const rows = docs.map((d) => ({ newDocumentState: { ...d, _deleted: false } }));
    // SIGTERM half-way through the push's body: the request is in flight, and the server must let it finish.
    // (Sent after the whole body, the signal could wait until the write was done: PGlite works on the event loop.)
    push = await post(port, '/api/v1/replication/transactions/push', rows, token, () => child.kill('SIGTERM'), 500).catch((err: Error) => err);
    exitCode = await exited;
    await streamDone;
    const started = output.split('\n').find((l) => l.includes('"shutdown.start"'));
    inFlightAtSignal = started ? (JSON.parse(started) as { inFlight: number }).inFlight : -1;
  }, 900_000);
  afterAll(() => rmSync(cwd, { recursive: true, force: true, maxRetries: 5 }));

  it('exits 0 after the shutdown, the push in flight having finished', () => {
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/"event":"shutdown.done"/);
    expect(inFlightAtSignal, output).toBe(1);
    expect(push).not.toBeInstanceOf(Error);
    const res = push as { status: number; body: string };
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ written: 1000, refused: [], conflicts: [] });
  });

  it('the push is all there or not at all (here: all 1,000 rows, as acknowledged)', async () => {
    const db = await PgliteDatabase.open(join(cwd, 'data', 'pglite'));
    try {
      const n = (await db.asOwner((sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions'))).rows[0]!.n;
      expect([0, 1000]).toContain(n);
      if (!(push instanceof Error) && push.status === 200) expect(n).toBe(1000);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('the open change stream was ended with a retry hint', () => {
    expect(streamText).toMatch(/retry: \d+\nevent: shutdown\n/);
  });

  it('logs are JSON lines with request ids, and hold no password, token, e-mail or PII', () => {
    const lines = output.split('\n').filter((l) => l.startsWith('{'));
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'http.request');
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const r of requests) expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests.map((r) => r.path)).toContain('/api/v1/replication/transactions/push');
    for (const secret of [PASSWORD, token, token.split('.')[2]!, EMAIL, 'pii.person', MERCHANT]) expect(output).not.toContain(secret);
  });
});
