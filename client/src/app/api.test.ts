import { describe, expect, it } from 'vitest';
import { ApiNetworkError, ApiProblemError, createApiClient, describeApiError } from './api.ts';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A scripted server: each handler answers one request in order. Stands in for the network only. */
function fakeServer(handlers: Array<(call: Call) => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const handler = handlers.shift();
    if (!handler) throw new Error(`unexpected request ${call.method} ${call.url}`);
    return handler(call);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });
const problem = (status: number, kind: string, detail: string, extra: object = {}) =>
  json(status, { type: `https://mymidas.app/problems/${kind}`, title: kind, status, detail, ...extra });

describe('api client', () => {
  it('signs in and returns the access token and the device secret', async () => {
    const server = fakeServer([() => json(200, { accessToken: 'tok', expiresIn: 900, tokenType: 'Bearer', deviceSecret: 'ds-1' })]);
    const api = createApiClient({ fetch: server.fetch });
    await expect(api.login('a@b.example', 'pw')).resolves.toEqual({ kind: 'signed-in', accessToken: 'tok', expiresIn: 900, deviceSecret: 'ds-1' });
    expect(server.calls[0]).toMatchObject({ url: '/api/v1/auth/login', method: 'POST', body: { email: 'a@b.example', password: 'pw' } });
  });

  it('turns a totp-required problem into a second step instead of an error, and sends the code next time', async () => {
    const server = fakeServer([
      () => problem(401, 'totp-required', 'Enter the 6-digit code.'),
      () => json(200, { accessToken: 'tok2', expiresIn: 900, deviceSecret: 'ds-2' }),
    ]);
    const api = createApiClient({ fetch: server.fetch });
    await expect(api.login('a@b.example', 'pw')).resolves.toEqual({ kind: 'totp-required', message: 'Enter the 6-digit code.' });
    await expect(api.login('a@b.example', 'pw', '123456')).resolves.toMatchObject({ kind: 'signed-in', accessToken: 'tok2' });
    expect(server.calls[1]!.body).toEqual({ email: 'a@b.example', password: 'pw', totp: '123456' });
  });

  it('raises a typed problem error for a wrong password', async () => {
    const server = fakeServer([() => problem(401, 'unauthorized', 'Wrong e-mail or password.')]);
    const api = createApiClient({ fetch: server.fetch });
    const error = await api.login('a@b.example', 'bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect((error as ApiProblemError).kind).toBe('unauthorized');
    expect(describeApiError(error)).toBe('Wrong e-mail or password.');
  });

  it('fetches the CSRF token once and sends it as X-CSRF-Token on cookie-authorised posts', async () => {
    const server = fakeServer([
      () => json(200, { csrfToken: 'c1' }),
      () => json(200, { accessToken: 'a', expiresIn: 900 }),
      () => new Response(null, { status: 204 }),
    ]);
    const api = createApiClient({ fetch: server.fetch });
    await api.refresh('ds-1');
    await api.logout();
    expect(server.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/v1/auth/csrf', 'POST /api/v1/auth/refresh', 'POST /api/v1/auth/logout']);
    expect(server.calls[1]!.headers['X-CSRF-Token']).toBe('c1');
    expect(server.calls[1]!.body).toEqual({ deviceSecret: 'ds-1' });
    expect(server.calls[2]!.headers['X-CSRF-Token']).toBe('c1');
  });

  it('fetches a fresh CSRF token and retries once when the server refuses the old one', async () => {
    const server = fakeServer([
      () => json(200, { csrfToken: 'old' }),
      () => problem(403, 'csrf', 'Missing or wrong CSRF token.'),
      () => json(200, { csrfToken: 'new' }),
      () => json(200, { accessToken: 'a', expiresIn: 900 }),
    ]);
    const api = createApiClient({ fetch: server.fetch });
    await expect(api.refresh('ds-1')).resolves.toEqual({ accessToken: 'a', expiresIn: 900 });
    expect(server.calls[3]!.headers['X-CSRF-Token']).toBe('new');
  });

  it('reports an ended session as a problem the session store can recognise', async () => {
    const server = fakeServer([() => json(200, { csrfToken: 'c' }), () => problem(401, 'session-ended', 'The session has ended. Sign in again.')]);
    const error = await createApiClient({ fetch: server.fetch }).refresh('ds-1').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'session-ended', status: 401 });
  });

  it('raises ApiNetworkError when the server cannot be reached, with a message that says so', async () => {
    const api = createApiClient({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    const error = await api.authStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiNetworkError);
    expect(describeApiError(error)).toMatch(/cannot be reached/);
  });

  it('does not accept a success body without a token', async () => {
    const server = fakeServer([() => json(200, { accessToken: '', expiresIn: 900 })]);
    await expect(createApiClient({ fetch: server.fetch }).login('a@b.example', 'pw')).rejects.toThrow(/not understood/);
  });

  it('explains a non-problem error body by status instead of failing to parse it', async () => {
    const server = fakeServer([() => new Response('<html>Bad gateway</html>', { status: 502 })]);
    const error = await createApiClient({ fetch: server.fetch }).authStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(describeApiError(error)).toMatch(/HTTP 502/);
  });

  it('says how long to wait after a rate limit', async () => {
    const server = fakeServer([() => problem(429, 'rate-limited', 'Too many requests', { }), ]);
    const error = await createApiClient({ fetch: server.fetch }).login('a@b.example', 'pw').catch((e: unknown) => e);
    expect(describeApiError(error)).toBe('Too many attempts. Wait a minute and try again.');
    const limited = fakeServer([() => problem(429, 'rate-limited', 'Too many requests', {}) ]);
    const withHeader = await createApiClient({ fetch: async (...a) => { const r = await limited.fetch(...a); return new Response(await r.text(), { status: 429, headers: { 'Retry-After': '42' } }); } })
      .login('a@b.example', 'pw').catch((e: unknown) => e);
    expect(describeApiError(withHeader)).toBe('Too many attempts. Try again in 42 seconds.');
  });

  it('lists the fields a validation problem names', async () => {
    const server = fakeServer([() => problem(400, 'validation', 'The request body is not valid', { errors: [{ path: 'body.email', message: 'must be an e-mail address' }] })]);
    const error = await createApiClient({ fetch: server.fetch }).register('nope', 'pw').catch((e: unknown) => e);
    expect(describeApiError(error)).toBe('The request body is not valid (email: must be an e-mail address)');
  });
});
