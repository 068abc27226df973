import { describe, expect, it } from 'vitest';
import { ApiNetworkError, ApiProblemError, ApiSignedOutError, describeApiError, UNEXPECTED_ANSWER } from './errors.ts';
import { createHttpClient, type AccessTokens } from './http.ts';

interface Seen {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null | undefined;
  readonly signal: AbortSignal | null | undefined;
}

/** A fake network: `answer` decides each response; every request is recorded. */
function fakeFetch(answer: (seen: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const s = { url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: init?.body, signal: init?.signal };
    seen.push(s);
    return answer(s);
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const problem = (status: number, kind: string, detail: string, extra: object = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `https://mymidas.app/problems/${kind}`, title: kind, status, detail, ...extra }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });

/** A token source whose refresh is counted and can be held open until `release()`. */
function tokens(first: string | null, next: string | null) {
  let current = first;
  let refreshes = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const source: AccessTokens = {
    getAccessToken: () => current,
    async refreshAccessToken() {
      refreshes += 1;
      await gate;
      current = next;
      return next;
    },
  };
  return { source, release, refreshes: () => refreshes };
}

describe('http client: bearer token', () => {
  it('sends the access token to the base URL and returns the answer', async () => {
    const net = fakeFetch(() => json(200, { ok: true }));
    const http = createHttpClient({ fetch: net.fetch, tokens: { getAccessToken: () => 'tok' } });
    await expect(http.json('/me', { auth: 'bearer' })).resolves.toEqual({ ok: true });
    expect(net.seen[0]!.url).toBe('/api/v1/me');
    expect(net.seen[0]!.headers.get('Authorization')).toBe('Bearer tok');
  });

  it('does not send the token on calls that do not ask for it', async () => {
    const net = fakeFetch(() => json(200, {}));
    await createHttpClient({ fetch: net.fetch, baseUrl: '/x', tokens: { getAccessToken: () => 'tok' } }).send('/auth/status');
    expect(net.seen[0]!.url).toBe('/x/auth/status');
    expect(net.seen[0]!.headers.has('Authorization')).toBe(false);
  });

  it('refreshes once when three calls are refused at the same time, and retries each with the new token', async () => {
    const t = tokens('old', 'new');
    const net = fakeFetch((s) => (s.headers.get('Authorization') === 'Bearer new' ? json(200, { url: s.url }) : problem(401, 'invalid-token', 'expired')));
    const http = createHttpClient({ fetch: net.fetch, tokens: t.source });
    const calls = ['/a', '/b', '/c'].map((p) => http.json(p, { auth: 'bearer' }));
    // Let every first attempt reach the server and be refused before the refresh answers.
    await new Promise((resolve) => setTimeout(resolve, 10));
    t.release();
    await expect(Promise.all(calls)).resolves.toEqual([{ url: '/api/v1/a' }, { url: '/api/v1/b' }, { url: '/api/v1/c' }]);
    expect(t.refreshes()).toBe(1);
    expect(net.seen.map((s) => s.headers.get('Authorization'))).toEqual(['Bearer old', 'Bearer old', 'Bearer old', 'Bearer new', 'Bearer new', 'Bearer new']);
  });

  it('uses a token that changed meanwhile instead of refreshing again', async () => {
    let current = 'old';
    let refreshes = 0;
    const net = fakeFetch((s) => {
      if (s.headers.get('Authorization') === 'Bearer old') {
        current = 'renewed-elsewhere';
        return problem(401, 'invalid-token', 'expired');
      }
      return json(200, {});
    });
    const refreshAccessToken = async () => {
      refreshes += 1;
      return 'x';
    };
    const http = createHttpClient({ fetch: net.fetch, tokens: { getAccessToken: () => current, refreshAccessToken } });
    await http.send('/me', { auth: 'bearer' });
    expect(refreshes).toBe(0);
    expect(net.seen[1]!.headers.get('Authorization')).toBe('Bearer renewed-elsewhere');
  });

  it('is signed out when the server refuses the refreshed token too, after one refresh only', async () => {
    const t = tokens('old', 'new');
    t.release();
    const net = fakeFetch(() => problem(401, 'session-ended', 'The session has ended.'));
    const error = await createHttpClient({ fetch: net.fetch, tokens: t.source }).send('/me', { auth: 'bearer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiSignedOutError);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({ status: 401, kind: 'session-ended' });
    expect(t.refreshes()).toBe(1);
    expect(net.seen).toHaveLength(2);
  });

  it('is signed out without asking the server when there is no token and no way to get one', async () => {
    const net = fakeFetch(() => json(200, {}));
    await expect(createHttpClient({ fetch: net.fetch, tokens: { getAccessToken: () => null } }).send('/me', { auth: 'bearer' })).rejects.toBeInstanceOf(ApiSignedOutError);
    await expect(createHttpClient({ fetch: net.fetch, tokens: { getAccessToken: () => null, refreshAccessToken: async () => null } }).send('/me', { auth: 'bearer' })).rejects.toBeInstanceOf(ApiSignedOutError);
    expect(net.seen).toEqual([]);
  });

  it('reports a refresh that could not reach the server as a network error, not as signed out', async () => {
    const net = fakeFetch(() => problem(401, 'invalid-token', 'expired'));
    const http = createHttpClient({ fetch: net.fetch, tokens: { getAccessToken: () => 'old', refreshAccessToken: () => Promise.reject(new TypeError('Failed to fetch')) } });
    await expect(http.send('/me', { auth: 'bearer' })).rejects.toBeInstanceOf(ApiNetworkError);
  });
});

describe('http client: CSRF for cookie-authorised calls', () => {
  it('fetches the token once, sends it in X-CSRF-Token, and fetches it again once when refused', async () => {
    const issued = ['c1', 'c2'];
    const net = fakeFetch((s) => {
      if (s.url.endsWith('/auth/csrf')) return json(200, { csrfToken: issued.shift() });
      if (s.url.endsWith('/auth/logout') && s.headers.get('X-CSRF-Token') === 'c1') return problem(403, 'csrf', 'Missing or wrong CSRF token.');
      return json(200, {});
    });
    const http = createHttpClient({ fetch: net.fetch });
    await http.send('/auth/refresh', { method: 'POST', auth: 'cookie' });
    await http.send('/auth/logout', { method: 'POST', auth: 'cookie' });
    expect(net.seen.map((s) => `${s.method} ${s.url} ${s.headers.get('X-CSRF-Token') ?? '-'}`)).toEqual([
      'GET /api/v1/auth/csrf -', 'POST /api/v1/auth/refresh c1', 'POST /api/v1/auth/logout c1', 'GET /api/v1/auth/csrf -', 'POST /api/v1/auth/logout c2',
    ]);
  });

  it('gives up after one new token and keeps no token that failed to arrive', async () => {
    let csrfCalls = 0;
    const net = fakeFetch((s) => {
      if (s.url.endsWith('/auth/csrf')) return ++csrfCalls === 1 ? new Response('oops', { status: 500 }) : json(200, { csrfToken: 'c' });
      return problem(403, 'csrf', 'Missing or wrong CSRF token.');
    });
    const http = createHttpClient({ fetch: net.fetch });
    await expect(http.send('/auth/logout', { method: 'POST', auth: 'cookie' })).rejects.toMatchObject({ status: 500 });
    await expect(http.send('/auth/logout', { method: 'POST', auth: 'cookie' })).rejects.toMatchObject({ status: 403, kind: 'csrf' });
    expect(net.seen.filter((s) => s.url.endsWith('/auth/logout'))).toHaveLength(2);
  });
});

describe('http client: failures', () => {
  it('turns a problem+json answer into one typed error with status, kind, detail and field errors', async () => {
    const net = fakeFetch(() => problem(422, 'validation', 'Some values are not valid', { errors: [{ path: 'body.email', message: 'must be an e-mail address' }] }));
    const error = await createHttpClient({ fetch: net.fetch }).send('/auth/register', { method: 'POST', json: { email: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({ status: 422, kind: 'validation', message: 'Some values are not valid', fromServer: true, fieldErrors: [{ path: 'body.email', message: 'must be an e-mail address' }], retryAfterMs: null });
    expect(net.seen[0]!.headers.get('Content-Type')).toBe('application/json');
    expect(net.seen[0]!.body).toBe('{"email":"x"}');
  });

  it('carries Retry-After of a 429 in milliseconds, as seconds or as a date', async () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const seconds = await createHttpClient({ fetch: fakeFetch(() => problem(429, 'rate-limited', 'Too many requests', {}, { 'Retry-After': '42' })).fetch })
      .send('/auth/login', { method: 'POST' }).catch((e: unknown) => e);
    expect(seconds).toMatchObject({ status: 429, kind: 'rate-limited', retryAfterMs: 42_000 });
    expect(describeApiError(seconds)).toBe('Too many attempts. Try again in 42 seconds.');
    const date = await createHttpClient({ now: () => now, fetch: fakeFetch(() => problem(429, 'rate-limited', 'Slow down', {}, { 'Retry-After': 'Sun, 06 Dec 2026 12:00:30 GMT' })).fetch })
      .send('/x').catch((e: unknown) => e);
    expect(date).toMatchObject({ retryAfterMs: 30_000 });
  });

  it('gives a clear error for an error answer that is not JSON (a proxy page)', async () => {
    const error = await createHttpClient({ fetch: fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502 })).fetch })
      .send('/auth/status', { what: 'the status check' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({ status: 502, kind: UNEXPECTED_ANSWER, fromServer: false });
    expect(describeApiError(error)).toBe("The server's answer to the status check was not understood (HTTP 502).");
  });

  it('gives a clear error for a success answer that is not JSON where JSON was expected', async () => {
    const error = await createHttpClient({ fetch: fakeFetch(() => new Response('<html>captive portal</html>', { status: 200 })).fetch }).json('/auth/status').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 200, kind: UNEXPECTED_ANSWER });
    expect((error as Error).message).toMatch(/GET \/auth\/status was not understood/);
  });

  it('reports a fetch that throws as a network error', async () => {
    const error = await createHttpClient({ fetch: async () => { throw new TypeError('Failed to fetch'); } }).send('/auth/status').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiNetworkError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(describeApiError(error)).toMatch(/cannot be reached/);
  });

  it('reports an answer cut off mid-body as a network error', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"documents":['));
        controller.error(new TypeError('network connection lost'));
      },
    });
    await expect(createHttpClient({ fetch: async () => new Response(body, { status: 200 }) }).json('/x')).rejects.toBeInstanceOf(ApiNetworkError);
  });

  it('passes the abort signal to fetch and rethrows the abort as it is', async () => {
    const ctrl = new AbortController();
    const net = fakeFetch((s) => new Promise<Response>((_resolve, reject) => {
      s.signal?.addEventListener('abort', () => reject(s.signal?.reason));
    }));
    const call = createHttpClient({ fetch: net.fetch }).send('/replication/stream', { signal: ctrl.signal, accept: 'text/event-stream' });
    ctrl.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApiNetworkError);
    expect((error as Error).name).toBe('AbortError');
    expect(net.seen[0]!.headers.get('Accept')).toBe('text/event-stream');
  });

  it('sends raw bytes with their own type and reads raw bytes back', async () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
    const net = fakeFetch((s) => (s.method === 'POST' ? json(201, {}) : new Response(bytes.slice(), { status: 200 })));
    const http = createHttpClient({ fetch: net.fetch });
    await http.send('/attachments/x', { method: 'POST', bytes: { data: bytes, type: 'application/pdf' } });
    expect(net.seen[0]!.headers.get('Content-Type')).toBe('application/pdf');
    expect(net.seen[0]!.body).toBe(bytes);
    await expect(http.bytes('/attachments/x')).resolves.toEqual(bytes);
  });
});
