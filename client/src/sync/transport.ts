import {
  encodeCheckpoint, parseCheckpoint, pushAnswerSchema,
  type PullCheckpoint, type PushAnswer, type PushRow, type WireDoc,
} from '@mymidas/shared/protocol';
import type { CollectionName } from '@mymidas/shared/schema';
import { ApiNetworkError, ApiProblemError, ApiSignedOutError } from '../api/errors.ts';
import { createHttpClient, type AccessTokens, type RequestOptions } from '../api/http.ts';

/**
 * HTTP side of client replication: the server's pull and push endpoints (docs/sync-protocol.md) over
 * the one HTTP client (`api/http.ts`: bearer token, one refresh on a 401), with its errors turned into
 * the sync errors below, which the engine turns into backoff, a pause for sign-in, or a message for
 * the sync indicator.
 */

export type { PullCheckpoint, PushAnswer, PushRow, Refusal, WireDoc } from '@mymidas/shared/protocol';

/** Where the access token comes from; a refresh that rejects (offline) makes sync retry later. */
export type TokenSource = AccessTokens;

export interface TransportOptions extends TokenSource {
  /** API root, default `/api/v1`. */
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
}

/** The server could not be reached (offline, server down, connection dropped). Retried with backoff. */
export class SyncNetworkError extends ApiNetworkError {
  override readonly name: string = 'SyncNetworkError';
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
  /** GET with the bearer token (and one refresh on 401); for the event stream. Anything but a 2xx is thrown as a sync error. */
  authorisedGet(path: string, init?: { signal?: AbortSignal; accept?: string }): Promise<Response>;
}

/** The sync error for a failure of the HTTP client; anything else (an abort) as it is. */
function syncError(error: unknown, what: string): unknown {
  if (error instanceof ApiSignedOutError) return new SyncAuthError();
  if (error instanceof ApiNetworkError) return new SyncNetworkError(error.cause);
  if (error instanceof ApiProblemError) {
    // A success whose body could not be read does not follow the protocol.
    if (error.status < 400) return new SyncProtocolError(`The server's answer to ${what} was not understood.`, { cause: error });
    const message = error.fromServer ? error.message : `The server could not answer ${what} (HTTP ${error.status}).`;
    return new SyncHttpError(error.status, message, error.fromServer ? error.kind : null, error.retryAfterMs);
  }
  return error;
}

/**
 * Documents are checked for their envelope only (an id and `_deleted`), one loop without a schema
 * library: a first sync reads 100,000 of them and the replica checks each against its own schema.
 */
function isWireDocList(v: unknown): v is WireDoc[] {
  return Array.isArray(v) && v.every((d) => typeof d === 'object' && d !== null && typeof (d as { id?: unknown }).id === 'string' && typeof (d as { _deleted?: unknown })._deleted === 'boolean');
}

export function createTransport(options: TransportOptions): Transport {
  const http = createHttpClient({ baseUrl: options.baseUrl, fetch: options.fetch, tokens: options });

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw syncError(error, what);
    }
  }
  const json = (what: string, path: string, init: RequestOptions) => call(what, () => http.json(path, { auth: 'bearer', what, ...init }));

  return {
    async pull(collection, checkpoint, limit) {
      const params = new URLSearchParams({ limit: String(limit) });
      const cp = encodeCheckpoint(checkpoint);
      if (cp) params.set('checkpoint', cp);
      const body = (await json(`a pull of ${collection}`, `/replication/${collection}/pull?${params.toString()}`, {})) as { documents?: unknown; checkpoint?: unknown } | null;
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
      const parsed = pushAnswerSchema.safeParse(await json(`a push of ${collection}`, `/replication/${collection}/push`, { method: 'POST', json: rows }));
      if (!parsed.success) throw new SyncProtocolError(`The server's answer to a push of ${collection} was not understood.`);
      return parsed.data as PushAnswer;
    },
    async authorisedGet(path, init = {}) {
      const what = `GET ${path}`;
      return call(what, () => http.send(path, { auth: 'bearer', what, ...(init.signal ? { signal: init.signal } : {}), ...(init.accept ? { accept: init.accept } : {}) }));
    },
  };
}
