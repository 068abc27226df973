import { readProblem, retryAfterMs } from '@mymidas/shared/protocol';
import { ApiNetworkError, ApiProblemError, ApiSignedOutError, unexpectedAnswer } from './errors.ts';

/**
 * The one door of the client to the MyMidas server's HTTP API (docs/architecture.md, "Errors";
 * docs/sync-protocol.md). Every call of the app goes through `HttpClient.send`:
 * - `auth: 'bearer'` sends the access token; on a 401 it refreshes the token once and tries again.
 *   Concurrent 401s share one refresh; a 401 after the refresh is an ApiSignedOutError.
 * - `auth: 'cookie'` is for the endpoints the refresh cookie authorises (refresh, logout): it sends the
 *   CSRF token (double-submit: `GET /auth/csrf` sets the cookie and returns the token, sent back in
 *   X-CSRF-Token), fetched once and fetched again once when the server refuses it.
 * - Every failure is thrown as one of the errors of `./errors.ts`; an aborted call rethrows the abort.
 */

export const API_BASE = '/api/v1';

/** Where the access token comes from (the session store in the app). */
export interface AccessTokens {
  /** The current access token, or null when there is none. */
  getAccessToken(): string | null;
  /**
   * A new access token after the server refused the current one. Resolves null when the session is
   * over (sign in again); rejects when the server could not be asked (offline).
   */
  refreshAccessToken?(): Promise<string | null>;
}

export interface HttpClientOptions {
  /** API root, default `/api/v1`. */
  readonly baseUrl?: string | undefined;
  /** Passed in so tests can replace the network. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Needed for `auth: 'bearer'` calls. */
  readonly tokens?: AccessTokens | undefined;
  /** Clock for Retry-After given as a date. */
  readonly now?: () => number;
}

export type Authorisation = 'none' | 'bearer' | 'cookie';

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Default 'none'. */
  readonly auth?: Authorisation;
  /** A JSON body. */
  readonly json?: unknown;
  /** A raw body with its type (attachment uploads). */
  readonly bytes?: { readonly data: Uint8Array; readonly type: string };
  /** Default `application/json`. */
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Names the call in error messages ("the sign-in"); default `METHOD path`. */
  readonly what?: string;
}

export interface HttpClient {
  /** The answer of a call that succeeded (2xx); every other outcome is thrown. */
  send(path: string, options?: RequestOptions): Promise<Response>;
  /** `send`, then the body as JSON, unchecked: the caller validates it. */
  json(path: string, options?: RequestOptions): Promise<unknown>;
  /** `send`, then the body as bytes. */
  bytes(path: string, options?: RequestOptions): Promise<Uint8Array<ArrayBuffer>>;
}

function aborted(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as { name?: unknown } | null)?.name === 'AbortError';
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const base = options.baseUrl ?? API_BASE;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? Date.now;
  let refreshing: Promise<string | null> | null = null;
  let csrfToken: Promise<string> | null = null;

  /** A token other than the refused one: the current one if it changed meanwhile, else one refresh shared by all callers. */
  async function accessToken(refused: string | null): Promise<string> {
    const current = options.tokens?.getAccessToken() ?? null;
    if (current && current !== refused) return current;
    const refresh = options.tokens?.refreshAccessToken;
    if (!refresh) throw new ApiSignedOutError();
    refreshing ??= refresh().finally(() => {
      refreshing = null;
    });
    let token: string | null;
    try {
      token = await refreshing;
    } catch (error) {
      throw new ApiNetworkError(error);
    }
    if (!token || token === refused) throw new ApiSignedOutError();
    return token;
  }

  async function csrf(signal: AbortSignal | undefined): Promise<string> {
    const pending = (csrfToken ??= json('/auth/csrf', { what: 'the CSRF token request', ...(signal ? { signal } : {}) }).then((body) => {
      const token = (body as { csrfToken?: unknown } | null)?.csrfToken;
      if (typeof token !== 'string' || token.length === 0) throw unexpectedAnswer(200, 'the CSRF token request');
      return token;
    }));
    try {
      return await pending;
    } catch (error) {
      if (csrfToken === pending) csrfToken = null;
      throw error;
    }
  }

  async function problemFrom(res: Response, what: string): Promise<ApiProblemError> {
    const retry = retryAfterMs(res.headers.get('Retry-After'), now());
    const text = await res.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const problem = readProblem(body);
    if (!problem) return unexpectedAnswer(res.status, what, retry);
    return new ApiProblemError(problem, { status: res.status, retryAfterMs: retry, fromServer: true });
  }

  async function once(path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    try {
      return await doFetch(`${base}${path}`, { ...init, ...(signal ? { signal } : {}), credentials: 'same-origin', cache: 'no-store' });
    } catch (error) {
      if (aborted(error, signal)) throw error;
      throw new ApiNetworkError(error);
    }
  }

  async function send(path: string, o: RequestOptions = {}): Promise<Response> {
    const method = o.method ?? 'GET';
    const what = o.what ?? `${method} ${path}`;
    const auth = o.auth ?? 'none';
    const body = o.json !== undefined ? JSON.stringify(o.json) : o.bytes?.data;
    const contentType = o.json !== undefined ? 'application/json' : o.bytes?.type;
    let token = auth === 'bearer' ? await accessToken(null) : null;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: o.accept ?? 'application/json' };
      if (contentType) headers['Content-Type'] = contentType;
      if (token) headers.Authorization = `Bearer ${token}`;
      if (auth === 'cookie') headers['X-CSRF-Token'] = await csrf(o.signal);
      const res = await once(path, { method, headers, ...(body !== undefined ? { body: body as BodyInit } : {}) }, o.signal);
      if (res.ok) return res;
      if (auth === 'bearer' && res.status === 401) {
        await res.body?.cancel().catch(() => undefined);
        if (attempt > 0) throw new ApiSignedOutError();
        token = await accessToken(token);
        continue;
      }
      const error = await problemFrom(res, what);
      if (auth === 'cookie' && attempt === 0 && error.status === 403 && error.kind === 'csrf') {
        csrfToken = null;
        continue;
      }
      throw error;
    }
  }

  /** The body of a successful answer; an answer cut off mid-way is a dropped connection. */
  async function body<T>(res: Response, read: (res: Response) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await read(res);
    } catch (error) {
      if (aborted(error, signal)) throw error;
      throw new ApiNetworkError(error);
    }
  }

  async function json(path: string, o: RequestOptions = {}): Promise<unknown> {
    const res = await send(path, o);
    const text = await body(res, (r) => r.text(), o.signal);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw unexpectedAnswer(res.status, o.what ?? `${o.method ?? 'GET'} ${path}`);
    }
  }

  async function bytes(path: string, o: RequestOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await body(await send(path, o), (r) => r.arrayBuffer(), o.signal));
  }

  return { send, json, bytes };
}
