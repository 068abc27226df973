import { randomBytes } from 'node:crypto';
import { COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';
import { generateHousehold } from '@mymidas/shared/demo';
import { MAX_PUSH_ROWS } from '@mymidas/shared/protocol';
import type { DemoOptions, ServerOwnedResult } from './demo-server-owned.ts';

/**
 * The client side of `npm run demo`: loads the deterministic demo household into a running MyMidas
 * through its public HTTP API, exactly as a device would. It registers the account (or signs in when the
 * e-mail exists or registration is closed), pushes every client-writable collection in batches through
 * `POST /api/v1/replication/:collection/push`, then asks `POST /api/v1/demo/server-owned` for the
 * server-owned prices and FX rates (clients cannot push those; see demo-server-owned.ts).
 *
 * Pushing is idempotent, so running it again with the same seed writes nothing new.
 */

export interface LoadDemoOptions extends DemoOptions {
  /** Base URL of the server, e.g. http://localhost:8090. */
  readonly url: string;
  readonly email: string;
  readonly password: string;
  /** Rows per push request (the server takes at most 1000 and 1 MB). Default 1000. */
  readonly batch?: number;
  /** Progress callback, called after every push and at each step. */
  readonly onProgress?: (p: DemoProgress) => void;
  /** One-line messages (steps, warnings). */
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
}

export interface DemoProgress {
  readonly phase: 'push' | 'server-owned' | 'done';
  /** Documents pushed so far (all client collections). */
  readonly pushed: number;
  readonly transactions: number;
  /** The requested number of transactions (the generator makes about this many). */
  readonly transactionsTarget: number;
  readonly elapsedMs: number;
}

export interface DemoReport {
  readonly account: 'registered' | 'signed-in';
  readonly email: string;
  readonly userId: string | null;
  /** Documents generated per collection (client and server-owned). */
  readonly generated: Record<CollectionName, number>;
  /** Rows the server stored now, per collection (0 for documents already there from an earlier run). */
  readonly written: Partial<Record<CollectionName, number>>;
  /** Documents that already existed with other content (e.g. an earlier run with another seed), left as they are. */
  readonly conflicts: number;
  /** False when the server does not offer demo prices (a production instance): quotes were not loaded. */
  readonly serverOwnedLoaded: boolean;
  readonly requests: number;
  readonly elapsedMs: number;
}

export class DemoError extends Error {
  override name = 'DemoError';
}

/** A random password that passes the server's rules (long, not containing the e-mail's name), for a fresh demo account. */
export function demoPassword(email: string): string {
  const local = email.toLowerCase().split('@')[0] ?? '';
  for (;;) {
    const password = `mm-${randomBytes(12).toString('base64url')}`;
    if (local.length < 4 || !password.toLowerCase().includes(local)) return password;
  }
}

/** Below express.json's 1 MB limit with room for the array's punctuation. */
const MAX_PUSH_BYTES = 900_000;
const MAX_ATTEMPTS = 6;

interface Problem {
  type?: string;
  title?: string;
  detail?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function problemText(status: number, body: unknown): string {
  const p = (body ?? {}) as Problem;
  return `${status}${p.title ? ` ${p.title}` : ''}${p.detail ? `: ${p.detail}` : ''}`;
}

class Api {
  requests = 0;
  token: string | null = null;
  constructor(
    private readonly base: string,
    private readonly doFetch: typeof fetch,
    private readonly relogin: () => Promise<string>,
  ) {}

  /** One JSON request with retries: 429 waits for Retry-After, 401 signs in again, network and 5xx back off. */
  async call(method: 'GET' | 'POST', path: string, body?: unknown, opts: { auth?: boolean; retry?: boolean } = {}): Promise<{ status: number; body: unknown }> {
    const auth = opts.auth ?? true;
    for (let attempt = 1; ; attempt += 1) {
      const last = attempt >= MAX_ATTEMPTS || opts.retry === false;
      let res: Response;
      try {
        this.requests += 1;
        res = await this.doFetch(new URL(`/api/v1${path}`, this.base), {
          method,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(auth && this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
      } catch (err) {
        if (last) throw new DemoError(`cannot reach ${this.base}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`);
        await sleep(250 * 2 ** attempt);
        continue;
      }
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = { detail: text.slice(0, 200) };
      }
      if (!last && res.status === 429) {
        const wait = Number(res.headers.get('retry-after')) || 5;
        await sleep(wait * 1000);
        continue;
      }
      if (!last && auth && res.status === 401) {
        this.token = await this.relogin();
        continue;
      }
      if (!last && res.status >= 500) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      return { status: res.status, body: parsed };
    }
  }
}

async function signIn(api: Api, email: string, password: string): Promise<string> {
  const res = await api.call('POST', '/auth/login', { email, password }, { auth: false });
  if (res.status !== 200) {
    const hint = res.status === 401 ? ' (if the account already exists, pass its password with --password)' : '';
    throw new DemoError(`sign-in as ${email} failed: ${problemText(res.status, res.body)}${hint}`);
  }
  return (res.body as { accessToken: string }).accessToken;
}

/** Loads the household; throws DemoError with a readable message when the server refuses something. */
export async function loadDemo(options: LoadDemoOptions): Promise<DemoReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const batchRows = Math.min(options.batch ?? MAX_PUSH_ROWS, MAX_PUSH_ROWS);
  const household = { seed: options.seed, transactions: options.transactions, ...(options.years ? { years: options.years } : {}), ...(options.referenceDate ? { referenceDate: options.referenceDate } : {}) };
  // Fail on impossible options before touching the server.
  const records = generateHousehold(household);

  const api: Api = new Api(options.url, options.fetch ?? fetch, (): Promise<string> => signIn(api, options.email, options.password));
  const status = await api.call('GET', '/auth/status', undefined, { auth: false });
  if (status.status !== 200) throw new DemoError(`${options.url} does not look like a MyMidas server: GET /api/v1/auth/status gave ${problemText(status.status, status.body)}`);

  let account: DemoReport['account'] = 'registered';
  const reg = await api.call('POST', '/auth/register', { email: options.email, password: options.password }, { auth: false });
  if (reg.status === 201) log(`registered ${options.email}`);
  else if (reg.status === 409 || reg.status === 403) {
    account = 'signed-in';
    log(`${reg.status === 409 ? 'the account exists' : 'registration is closed'}: signing in as ${options.email}`);
  } else throw new DemoError(`registering ${options.email} failed: ${problemText(reg.status, reg.body)}`);
  api.token = await signIn(api, options.email, options.password);
  const me = await api.call('GET', '/me');
  const userId = me.status === 200 ? ((me.body as { id?: string }).id ?? null) : null;

  const generated = Object.fromEntries(Object.keys(COLLECTIONS).map((n) => [n, 0])) as Record<CollectionName, number>;
  const written: Partial<Record<CollectionName, number>> = {};
  let conflicts = 0;
  let pushed = 0;
  const progress = (phase: DemoProgress['phase']) =>
    options.onProgress?.({ phase, pushed, transactions: generated.transactions, transactionsTarget: options.transactions, elapsedMs: performance.now() - started });

  // Per-collection buffers of serialised rows, flushed at 1000 rows or ~900 kB.
  const buffers = new Map<CollectionName, { rows: string[]; bytes: number }>();
  const flush = async (collection: CollectionName) => {
    const buf = buffers.get(collection);
    if (!buf || buf.rows.length === 0) return;
    const res = await api.call('POST', `/replication/${collection}/push`, `[${buf.rows.join(',')}]`);
    if (res.status !== 200) throw new DemoError(`push to ${collection} failed: ${problemText(res.status, res.body)}`);
    const out = res.body as { conflicts: unknown[]; refused: { index: number; id: string | null; detail: string }[]; written: number };
    if (out.refused.length > 0) {
      const r = out.refused[0]!;
      throw new DemoError(`the server refused ${out.refused.length} ${collection} document(s), e.g. ${r.id ?? `#${r.index}`}: ${r.detail}`);
    }
    conflicts += out.conflicts.length;
    written[collection] = (written[collection] ?? 0) + out.written;
    pushed += buf.rows.length;
    buf.rows = [];
    buf.bytes = 0;
    progress('push');
  };

  let summary: IteratorResult<unknown>;
  for (summary = records.next(); !summary.done; summary = records.next()) {
    const { collection, doc } = summary.value as { collection: CollectionName; doc: Record<string, unknown> };
    generated[collection] += 1;
    if (COLLECTIONS[collection].serverOwned) continue;
    const row = JSON.stringify({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } });
    let buf = buffers.get(collection);
    if (!buf) buffers.set(collection, (buf = { rows: [], bytes: 0 }));
    if (buf.rows.length > 0 && buf.bytes + row.length + 1 > MAX_PUSH_BYTES) await flush(collection);
    buf.rows.push(row);
    buf.bytes += row.length + 1;
    if (buf.rows.length >= batchRows) await flush(collection);
  }
  for (const collection of buffers.keys()) await flush(collection);

  progress('server-owned');
  let serverOwnedLoaded = false;
  const serverOwnedCount = (Object.keys(COLLECTIONS) as CollectionName[]).filter((n) => COLLECTIONS[n].serverOwned).reduce((s, n) => s + generated[n], 0);
  if (serverOwnedCount > 0) {
    log(`asking the server for ${serverOwnedCount.toLocaleString('en-GB')} prices and FX rates (server-owned; generated there from the same seed)`);
    const res = await api.call('POST', '/demo/server-owned', household);
    if (res.status === 404) {
      log('WARNING: this server does not offer demo prices (start it with ENABLE_DEMO=1; never in production): prices and FX rates were not loaded');
    } else if (res.status !== 200) {
      throw new DemoError(`loading the demo prices failed: ${problemText(res.status, res.body)}`);
    } else {
      const out = res.body as ServerOwnedResult;
      for (const [name, n] of Object.entries(out.generated)) {
        if (n !== generated[name as CollectionName]) throw new DemoError(`the server generated ${n} ${name} but this client ${generated[name as CollectionName]}: different generator versions?`);
      }
      for (const [name, n] of Object.entries(out.written)) written[name as CollectionName] = n;
      serverOwnedLoaded = true;
    }
  }
  progress('done');
  return { account, email: options.email, userId, generated, written, conflicts, serverOwnedLoaded, requests: api.requests, elapsedMs: performance.now() - started };
}
