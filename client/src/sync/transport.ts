import {
  encodeCheckpoint, parseCheckpoint, problemKind, pushAnswerSchema, readProblem, retryAfterMs,
  type PullCheckpoint, type PushAnswer, type PushRow, type WireDoc,
} from '@mymidas/shared/protocol';
import type { CollectionName } from '@mymidas/shared/schema';

/**
 * HTTP side of client replication: the server's pull and push endpoints (docs/sync-protocol.md) with
 * the bearer token, one token refresh on a 401, and typed errors the engine turns into backoff, a
 * pause for sign-in, or a message for the sync indicator.
 */

export type { PullCheckpoint, PushAnswer, PushRow, Refusal, WireDoc } from '@mymidas/shared/protocol';

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

/** The server sent something that does not follow the protocol (docs/sync-protocol.md). Retried with backoff. */
export class SyncProtocolError extends Error {
  override readonly name = 'SyncProtocolError';
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
  const problem = readProblem(await res.json().catch(() => null));
  if (problem) {
    detail = problem.detail ?? problem.title;
    kind = problemKind(problem.type);
  }
  return new SyncHttpError(res.status, detail, kind, retryAfterMs(res.headers.get('Retry-After')));
}

async function jsonBody(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch (error) {
    // A body cut off mid-way: the connection dropped.
    throw new SyncNetworkError(error);
  }
}

/**
 * Documents are checked for their envelope only (an id and `_deleted`), one loop without a schema
 * library: a first sync reads 100,000 of them and the replica checks each against its own schema.
 */
function isWireDocList(v: unknown): v is WireDoc[] {
  return Array.isArray(v) && v.every((d) => typeof d === 'object' && d !== null && typeof (d as { id?: unknown }).id === 'string' && typeof (d as { _deleted?: unknown })._deleted === 'boolean');
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
      const body = (await jsonBody(res)) as { documents?: unknown; checkpoint?: unknown } | null;
      if (!body || !isWireDocList(body.documents)) throw new SyncProtocolError(`The server's answer to a pull of ${collection} was not understood.`);
      let next: PullCheckpoint | null;
      try {
        next = parseCheckpoint(collection, body.checkpoint);
      } catch (error) {
        throw new SyncProtocolError(`The server's answer to a pull of ${collection} carried a checkpoint this device cannot read (${(error as Error).message}).`, { cause: error });
      }
      if (!next && body.documents.length > 0) throw new SyncProtocolError(`The server sent ${collection} without a checkpoint.`);
      return { documents: body.documents, checkpoint: next ?? checkpoint ?? null };
    },
    async push(collection, rows) {
      const res = await send(`/replication/${collection}/push`, { method: 'POST', body: JSON.stringify(rows) });
      if (!res.ok) throw await errorFrom(res, `Sending ${collection}`);
      const parsed = pushAnswerSchema.safeParse(await jsonBody(res));
      if (!parsed.success) throw new SyncProtocolError(`The server's answer to a push of ${collection} was not understood.`);
      return parsed.data as PushAnswer;
    },
    async authorisedGet(path, init = {}) {
      return send(path, { method: 'GET', ...(init.signal ? { signal: init.signal } : {}), ...(init.accept ? { accept: init.accept } : {}) });
    },
  };
}
