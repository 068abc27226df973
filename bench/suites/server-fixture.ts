import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { CollectionName, Transaction } from '@mymidas/shared/schema';
import { signAccessToken } from '../../sync-server/src/auth/tokens.ts';
import { writeServerOwned } from '../../sync-server/src/cli/demo-server-owned.ts';
import { createApp } from '../../sync-server/src/http/app.ts';
import { lockUserWrites } from '../../sync-server/src/replication/service.ts';
import type { Services } from '../../sync-server/src/services.ts';
import type { SqlValue, StorageBackend } from '../../sync-server/src/store/database.ts';
import { piiColumns, sealDoc } from '../../sync-server/src/store/documents.ts';
import { openTestServices } from '../../sync-server/src/testing/harness.ts';
import type { ServedFile } from '../lib/browser.ts';

/**
 * A real MyMidas sync server for the server and sync benchmarks, in this process: full services (field
 * cipher, RS256 tokens, RLS) over a fresh database — a new database on PostgreSQL when
 * BENCH_DATABASE_URL or TEST_DATABASE_URL names an owner role, else in-memory PGlite — and the real
 * Express app listening on 127.0.0.1. One user with a live session.
 *
 * Two bench-only differences from production, both outside what is measured: the per-IP API rate limit
 * is raised (a bench makes thousands of requests a minute from one address), and the HTTP server can
 * also serve in-memory bench pages, so a browser page and the API share one origin and no CORS is needed.
 *
 * Also a plain table with neither encryption nor RLS, `bench_plain_transactions`, for the raw baselines,
 * reached through a raw `pg` client on PostgreSQL or the PGlite session as owner.
 */

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';
export const BENCH_BACKEND: StorageBackend = BENCH_DATABASE_URL ? 'postgres' : 'pglite';
export const BACKEND_LABEL = BENCH_BACKEND === 'postgres' ? 'PostgreSQL' : 'PGlite';

/** Rows per push request and per pull page: the endpoint's maximum. */
export const PAGE = 1000;

export interface BenchServer {
  readonly services: Services;
  readonly backend: StorageBackend;
  /** http://127.0.0.1:port — the API is under /api/v1. */
  readonly url: string;
  readonly userId: string;
  /** A fresh access token for the bench user (tokens live 15 minutes; ask before each sample). */
  token(): Promise<string>;
  /** Raw SQL as the owner, no RLS, no encryption (the baseline's path). */
  raw(text: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
  /** Pages served before the API on the same origin (cross-origin isolated). */
  setPage(path: string, file: ServedFile): void;
  /** Removes every transaction of every user (between samples; not timed). */
  clearTransactions(): Promise<void>;
  /** Stores documents in the real table as the push endpoint would (sealed, under RLS and the user's lock), in bulk. */
  seedTransactions(docs: readonly Transaction[]): Promise<void>;
  /** Stores server-owned documents (quotes, snapshots) as the server's jobs do. */
  seedServerOwned(collection: CollectionName, docs: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  // openTestServices reads TEST_DATABASE_URL; point it at the bench database for this call only.
  const before = process.env.TEST_DATABASE_URL;
  if (BENCH_BACKEND === 'postgres') process.env.TEST_DATABASE_URL = BENCH_DATABASE_URL;
  let opened;
  try {
    opened = await openTestServices(BENCH_BACKEND);
  } finally {
    if (before === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = before;
  }
  const { services, t } = opened;
  const app = createApp(services, {
    log: (msg, err) => console.error(msg, err),
    policies: { api: { name: 'api', limit: 1_000_000, windowMs: 60_000 } },
  });
  const pages = new Map<string, ServedFile>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const page = pages.get(path);
    if (!page) {
      app(req, res);
      return;
    }
    res.writeHead(200, {
      'content-type': page.type,
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(page.body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const userId = randomUUID();
  const familyId = randomUUID();
  await services.db.withUser(userId, async (sql) => {
    await sql.query('INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)', [userId, `bench-${userId}@example.com`, 'x']);
    await sql.query(`INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 day')`, [randomUUID(), userId, familyId, randomUUID()]);
  });

  let client: pg.Client | null = null;
  if (BENCH_BACKEND === 'postgres') {
    client = new pg.Client({ connectionString: t.ownerUrl });
    await client.connect();
  }
  const raw: BenchServer['raw'] = async (text, params = []) => {
    if (client) {
      const r = await client.query(text, params as unknown[]);
      return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? 0 };
    }
    return services.db.asOwner((sql) => sql.query(text, params as SqlValue[]));
  };
  await raw(`CREATE TABLE bench_plain_transactions (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, seq bigserial NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
    deleted boolean NOT NULL DEFAULT false, deleted_at timestamptz, doc jsonb NOT NULL)`);
  await raw('CREATE INDEX bench_plain_pull ON bench_plain_transactions (user_id, seq, id)');

  const pii = piiColumns('transactions');
  return {
    services,
    backend: BENCH_BACKEND,
    url,
    userId,
    token: () => signAccessToken(services.keys, { userId, familyId }),
    raw,
    setPage: (path, file) => pages.set(path, file),
    async clearTransactions() {
      await services.db.asOwner((sql) => sql.query('TRUNCATE transactions'));
    },
    async seedServerOwned(collection, docs) {
      await writeServerOwned(services, userId, collection, docs);
    },
    async seedTransactions(docs) {
      const names = ['id', 'user_id', 'doc', ...pii];
      for (let i = 0; i < docs.length; i += 500) {
        const values: SqlValue[] = [];
        const tuples: string[] = [];
        for (const doc of docs.slice(i, i + 500)) {
          const { plain, sealed } = sealDoc(services.cipher, 'transactions', doc as unknown as Record<string, unknown>);
          const base = values.length;
          values.push(doc.id, userId, plain, ...sealed);
          tuples.push(`(${names.map((_, j) => `$${base + j + 1}`).join(', ')})`);
        }
        await services.db.withUser(userId, async (sql) => {
          await lockUserWrites(sql, userId);
          await sql.query(`INSERT INTO transactions (${names.join(', ')}) VALUES ${tuples.join(', ')}`, values);
        });
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client?.end();
      await services.close();
    },
  };
}

export interface RawRow {
  readonly id: string;
  /** The whole document as JSON, PII in the clear. */
  readonly json: string;
}

/** Multi-row INSERTs of the documents (as plain jsonb) into bench_plain_transactions, PAGE rows per statement. */
export async function rawInsert(server: BenchServer, rows: readonly RawRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += PAGE) {
    const chunk = rows.slice(i, i + PAGE);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      params.push(row.id, server.userId, row.json);
      tuples.push(`($${params.length - 2}, $${params.length - 1}, $${params.length}::jsonb)`);
    }
    const r = await server.raw(`INSERT INTO bench_plain_transactions (id, user_id, doc) VALUES ${tuples.join(', ')}`, params);
    if (r.rowCount !== chunk.length) throw new Error(`raw insert stored ${r.rowCount} of ${chunk.length} rows`);
  }
}

/** Keyset-paged SELECTs of the user's plain rows, PAGE at a time, in (seq, id) order like a pull. Returns the row count. */
export async function rawSelectAll(server: BenchServer): Promise<number> {
  let seq = 0;
  let id = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    const r = await server.raw(
      `SELECT id, seq, deleted, doc FROM bench_plain_transactions WHERE user_id = $1 AND (seq, id) > ($2::bigint, $3::uuid) ORDER BY seq, id LIMIT ${PAGE}`,
      [server.userId, seq, id],
    );
    if (r.rows.length === 0) return total;
    total += r.rows.length;
    const last = r.rows.at(-1)!;
    seq = Number(last.seq);
    id = String(last.id);
  }
}
