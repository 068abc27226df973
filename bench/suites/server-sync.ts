import { collectHousehold } from '@mymidas/shared/demo';
import type { Transaction } from '@mymidas/shared/schema';
import { defineSuite } from '../lib/suite.ts';
import type { BenchContext } from '../lib/suite.ts';
import { BACKEND_LABEL, PAGE, rawInsert, rawSelectAll, startBenchServer } from './server-fixture.ts';
import type { BenchServer, RawRow } from './server-fixture.ts';

/**
 * Issue 4's server benchmarks, on a real in-process server (server-fixture.ts) over HTTP:
 *
 * - `server-push`: `size` demo transactions pushed through `POST /api/v1/replication/transactions/push`
 *   in requests of 1000 rows (bearer auth, zod validation, per-row lock and savepoint, PII sealed with
 *   AES-256-GCM, RLS, audit rows), vs the floor: raw multi-row INSERTs of the same rows (1000 per
 *   statement, documents as plain jsonb) into a plain table with the same indexes and neither
 *   encryption nor RLS. The request bodies are serialised before the clock starts.
 * - `server-pull`: the same rows pulled back through `GET .../pull?limit=1000` page by page following the
 *   checkpoint (PII opened, RLS), JSON parsed by the client, vs keyset-paged raw SELECTs of 1000 rows
 *   from the plain table, rows parsed by the driver.
 *
 * Both say in their baseline's name whether they ran on PostgreSQL (BENCH_DATABASE_URL or
 * TEST_DATABASE_URL set) or PGlite. Each sample starts from an empty table (not timed). No target yet:
 * the issue asks for the ratio to be measured and shown.
 */

const SIZE = { full: 100_000, quick: 5_000 } as const;

interface Data {
  readonly docs: Transaction[];
  readonly bodies: string[];
  readonly rows: RawRow[];
}

function transactionsFor(ctx: BenchContext): Data {
  // Ten years need ~6,100 transactions; the quick size uses one year of history instead.
  const household = collectHousehold({ seed: 'bench-server', transactions: ctx.size, ...(ctx.size < 7_000 ? { years: 1 } : {}) });
  const docs = household.transactions.slice(0, ctx.size);
  if (docs.length < ctx.size) throw new Error(`the generator made ${docs.length} transactions, fewer than ${ctx.size}`);
  const bodies: string[] = [];
  for (let i = 0; i < docs.length; i += PAGE) {
    bodies.push(JSON.stringify(docs.slice(i, i + PAGE).map((d) => ({ assumedMasterState: null, newDocumentState: { ...d, _deleted: false } }))));
  }
  const rows = docs.map((d) => ({ id: d.id, json: JSON.stringify(d) }));
  return { docs, bodies, rows };
}

const docsPerSecond = (n: number, ms: number) => n / (ms / 1000);

interface PushState extends Data {
  readonly server: BenchServer;
}

async function pushAll(s: PushState): Promise<number> {
  const token = await s.server.token();
  const endpoint = `${s.server.url}/api/v1/replication/transactions/push`;
  const started = performance.now();
  let written = 0;
  for (const body of s.bodies) {
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const out = (await res.json()) as { written?: number; refused?: unknown[]; detail?: string };
    if (res.status !== 200) throw new Error(`push answered ${res.status}: ${out.detail ?? ''}`);
    written += out.written ?? 0;
  }
  const ms = performance.now() - started;
  if (written !== s.docs.length) throw new Error(`push wrote ${written} of ${s.docs.length}`);
  return ms;
}

export const serverPush = defineSuite<PushState>({
  name: 'server-push',
  description: `push of transactions through the real endpoint (HTTP, auth, validation, encryption, RLS) vs raw multi-row INSERT, on ${BACKEND_LABEL}`,
  environment: 'node',
  sizeUnit: 'transactions',
  size: SIZE,
  // One 100k push through the endpoint takes minutes on two cores; the 15-minute budget allows one.
  runs: { full: 1, quick: 2 },
  unit: 'docs/s',
  better: 'higher',
  baselineName: `raw pg multi-row INSERT, plain table (${BACKEND_LABEL})`,
  async setup(ctx) {
    const data = transactionsFor(ctx);
    const server = await startBenchServer();
    ctx.log(`server-push: ${data.docs.length} transactions in ${data.bodies.length} requests on ${BACKEND_LABEL}`);
    return { ...data, server };
  },
  async run(_ctx, s) {
    await s.server.clearTransactions();
    return docsPerSecond(s.docs.length, await pushAll(s));
  },
  async baseline(_ctx, s) {
    await s.server.raw('TRUNCATE bench_plain_transactions');
    const started = performance.now();
    await rawInsert(s.server, s.rows);
    return docsPerSecond(s.rows.length, performance.now() - started);
  },
  teardown: (_ctx, s) => s.server.close(),
});

interface PullState {
  readonly server: BenchServer;
  readonly count: number;
}

export const serverPull = defineSuite<PullState>({
  name: 'server-pull',
  description: `pull of transactions through the real endpoint (HTTP, auth, decryption, RLS) vs raw keyset SELECTs, on ${BACKEND_LABEL}`,
  environment: 'node',
  sizeUnit: 'transactions',
  size: SIZE,
  // One full run (like server-push): both directions are also inside first-sync.
  runs: { full: 1, quick: 2 },
  unit: 'docs/s',
  better: 'higher',
  baselineName: `raw pg SELECT pages of 1000, plain table (${BACKEND_LABEL})`,
  async setup(ctx) {
    const data = transactionsFor(ctx);
    const server = await startBenchServer();
    // The rows a push would have stored (sealed, under RLS), written in bulk: the pull is what is timed.
    await server.seedTransactions(data.docs);
    await rawInsert(server, data.rows);
    ctx.log(`server-pull: ${data.docs.length} transactions stored on ${BACKEND_LABEL}`);
    return { server, count: data.docs.length };
  },
  async run(_ctx, s) {
    const token = await s.server.token();
    const started = performance.now();
    let checkpoint: string | null = null;
    let total = 0;
    for (;;) {
      const q = checkpoint ? `limit=${PAGE}&checkpoint=${encodeURIComponent(checkpoint)}` : `limit=${PAGE}`;
      const res = await fetch(`${s.server.url}/api/v1/replication/transactions/pull?${q}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`pull answered ${res.status}`);
      const body = (await res.json()) as { documents: unknown[]; checkpoint: string | null };
      if (body.documents.length === 0) break;
      total += body.documents.length;
      checkpoint = body.checkpoint;
    }
    const ms = performance.now() - started;
    if (total !== s.count) throw new Error(`pulled ${total} of ${s.count}`);
    return docsPerSecond(total, ms);
  },
  async baseline(_ctx, s) {
    const started = performance.now();
    const total = await rawSelectAll(s.server);
    const ms = performance.now() - started;
    if (total !== s.count) throw new Error(`selected ${total} of ${s.count}`);
    return docsPerSecond(total, ms);
  },
  teardown: (_ctx, s) => s.server.close(),
});
