import type { CollectionName } from '@mymidas/shared/schema';

/**
 * HTTP side of client replication: the server's pull and push endpoints (docs/sync-protocol.md) with
 * the bearer token, one token refresh on a 401, and typed errors the engine turns into backoff, a
 * pause for sign-in, or a message for the sync indicator.
 */

export type WireDoc = Record<string, unknown> & { id: string; _deleted: boolean };

/** Pull position as RxDB stores it (an object: RxDB merges checkpoints with Object.assign). */
export interface PullCheckpoint {
  readonly seq: number;
  readonly id: string;
}

export interface PushRow {
  readonly assumedMasterState?: Record<string, unknown> | null;
  readonly newDocumentState: Record<string, unknown>;
}

export interface Refusal {
  readonly index: number;
  readonly id: string | null;
  readonly reason: string;
  readonly detail: string;
  readonly errors?: readonly { path: string; message: string }[];
}

export interface PushAnswer {
  readonly conflicts: WireDoc[];
  readonly refused: Refusal[];
  readonly written: number;
}

/** Where the access token comes from. */
export interface TokenSource {
  /** The current access token, or null when there is none. */
  getAccessToken(): string | null;
  /**
   * Gets a new access token after the server refused the current one. Resolves null when the session is
   * over (the user must sign in again); rejects when it could not be asked (offline): sync retries later.
   */
  refreshAccessToken?(): Promise<string | null>;
}

export interface TransportOptions extends TokenSource {
  /** API root, default `/api/v1`. */
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
}

/** The server could not be reached (offline, server down, connection dropped). Retried with backoff. */
export class SyncNetworkError extends Error {
  override readonly name = 'SyncNetworkError';
  constructor(cause: unknown) {
    super('The MyMidas server could not be reached.', { cause });
  }
}

/** No usable access token: sync pauses until the user signs in again. */
export class SyncAuthError extends Error {
  override readonly name = 'SyncAuthError';
  constructor() {
    super('Sign in again to sync. Changes made on this device are kept and will be sent then.');
  }
}

/** The server answered with an error. `retryAfterMs` is set for 429/503 with a Retry-After header. */
export class SyncHttpError extends Error {
  override readonly name = 'SyncHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly kind: string | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

export function encodeCheckpoint(cp: PullCheckpoint | null | undefined): string | null {
  return cp && typeof cp.seq === 'number' && typeof cp.id === 'string' ? `${cp.seq}:${cp.id}` : null;
}

export function decodeCheckpoint(text: unknown): PullCheckpoint | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(text);
  return m ? { seq: Number(m[1]), id: m[2]! } : null;
}

export interface Transport {
  pull(collection: CollectionName, checkpoint: PullCheckpoint | null | undefined, limit: number): Promise<{ documents: WireDoc[]; checkpoint: PullCheckpoint | null }>;
  push(collection: CollectionName, rows: readonly PushRow[]): Promise<PushAnswer>;
  /** GET with the bearer token (and one refresh on 401); for the event stream. */
  authorisedGet(path: string, init?: { signal?: AbortSignal; accept?: string }): Promise<Response>;
}

async function errorFrom(res: Response, what: string): Promise<SyncHttpError> {
  let detail = `${what} failed (HTTP ${res.status}).`;
  let kind: string | null = null;
  try {
    const body = (await res.json()) as { detail?: unknown; title?: unknown; type?: unknown };
    if (typeof body.detail === 'string') detail = body.detail;
    else if (typeof body.title === 'string') detail = body.title;
    if (typeof body.type === 'string') kind = body.type.split('/').filter(Boolean).at(-1) ?? null;
  } catch {
    // not a problem+json body
  }
  const retry = Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
  return new SyncHttpError(res.status, detail, kind, Number.isFinite(retry) ? retry * 1000 : null);
}

function isWireDocList(v: unknown): v is WireDoc[] {
  return Array.isArray(v) && v.every((d) => typeof d === 'object' && d !== null && typeof (d as { id?: unknown }).id === 'string');
}

export function createTransport(options: TransportOptions): Transport {
  const base = options.baseUrl ?? '/api/v1';
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let refreshing: Promise<string | null> | null = null;

  /** One refresh at a time; a token that changed meanwhile is used without asking again. */
  async function freshToken(rejected: string | null): Promise<string> {
    const current = options.getAccessToken();
    if (current && current !== rejected) return current;
    if (!options.refreshAccessToken) throw new SyncAuthError();
    refreshing ??= options.refreshAccessToken().finally(() => {
      refreshing = null;
    });
    let token: string | null;
    try {
      token = await refreshing;
    } catch (error) {
      throw new SyncNetworkError(error);
    }
    if (!token || token === rejected) throw new SyncAuthError();
    return token;
  }

  async function send(path: string, init: RequestInit & { accept?: string }): Promise<Response> {
    let token = options.getAccessToken() ?? (await freshToken(null));
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: init.accept ?? 'application/json', Authorization: `Bearer ${token}` };
      if (init.body !== undefined) headers['Content-Type'] = 'application/json';
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, { ...init, headers, cache: 'no-store', credentials: 'same-origin' });
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name === 'AbortError') throw error;
        throw new SyncNetworkError(error);
      }
      if (res.status !== 401) return res;
      await res.body?.cancel().catch(() => undefined);
      if (attempt > 0) throw new SyncAuthError();
      token = await freshToken(token);
    }
  }

  return {
    async pull(collection, checkpoint, limit) {
      const params = new URLSearchParams({ limit: String(limit) });
      const cp = encodeCheckpoint(checkpoint);
      if (cp) params.set('checkpoint', cp);
      const res = await send(`/replication/${collection}/pull?${params.toString()}`, { method: 'GET' });
      if (!res.ok) throw await errorFrom(res, `Pulling ${collection}`);
      let body: { documents?: unknown; checkpoint?: unknown };
      try {
        body = (await res.json()) as typeof body;
      } catch (error) {
        throw new SyncNetworkError(error);
      }
      if (!isWireDocList(body.documents)) throw new SyncHttpError(res.status, `The server's answer to a pull of ${collection} was not understood.`, null, null);
      const next = decodeCheckpoint(body.checkpoint) ?? checkpoint ?? null;
      return { documents: body.documents, checkpoint: next };
    },
    async push(collection, rows) {
      const res = await send(`/replication/${collection}/push`, { method: 'POST', body: JSON.stringify(rows) });
      if (!res.ok) throw await errorFrom(res, `Sending ${collection}`);
      let body: { conflicts?: unknown; refused?: unknown; written?: unknown };
      try {
        body = (await res.json()) as typeof body;
      } catch (error) {
        throw new SyncNetworkError(error);
      }
      if (!isWireDocList(body.conflicts) || !Array.isArray(body.refused)) {
        throw new SyncHttpError(res.status, `The server's answer to a push of ${collection} was not understood.`, null, null);
      }
      return { conflicts: body.conflicts, refused: body.refused as Refusal[], written: typeof body.written === 'number' ? body.written : 0 };
    },
    async authorisedGet(path, init = {}) {
      return send(path, { method: 'GET', ...(init.signal ? { signal: init.signal } : {}), ...(init.accept ? { accept: init.accept } : {}) });
    },
  };
}
