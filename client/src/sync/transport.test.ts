import { describe, expect, it } from 'vitest';
import { createTransport, SyncAuthError, SyncHttpError, SyncNetworkError, SyncProtocolError } from './transport.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('sync transport', () => {
  it('pulls with the checkpoint as seq:id and returns it as an object', async () => {
    const urls: string[] = [];
    const t = createTransport({ baseUrl: '/api/v1', getAccessToken: () => 'tok', fetch: async (url, init) => {
      urls.push(String(url));
      expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
      return json(200, { documents: [{ id: 'a', _deleted: false }], checkpoint: '7:0196a1b2-0000-7000-8000-000000000001' });
    } });
    const out = await t.pull('accounts', { seq: 3, id: '0196a1b2-0000-7000-8000-000000000000' }, 50);
    expect(urls[0]).toBe('/api/v1/replication/accounts/pull?limit=50&checkpoint=3%3A0196a1b2-0000-7000-8000-000000000000');
    expect(out.checkpoint).toEqual({ seq: 7, id: '0196a1b2-0000-7000-8000-000000000001' });
  });

  it('refreshes the token once on 401 and retries; a second 401 means signed out', async () => {
    let token = 'old';
    const seen: string[] = [];
    const t = createTransport({
      getAccessToken: () => token,
      refreshAccessToken: async () => (token = 'new'),
      fetch: async (_url, init) => {
        const auth = (init?.headers as Record<string, string>).Authorization!;
        seen.push(auth);
        return auth === 'Bearer new' ? json(200, { conflicts: [], refused: [], written: 1 }) : json(401, { type: 'x/unauthorized', title: 'no', status: 401 });
      },
    });
    expect(await t.push('accounts', [{ newDocumentState: { id: 'a' } }])).toEqual({ conflicts: [], refused: [], written: 1 });
    expect(seen).toEqual(['Bearer old', 'Bearer new']);
    const over = createTransport({ getAccessToken: () => 'x', refreshAccessToken: async () => null, fetch: async () => json(401, {}) });
    await expect(over.pull('accounts', null, 10)).rejects.toBeInstanceOf(SyncAuthError);
  });

  it('maps a failed fetch to a network error and a 429 to an HTTP error with Retry-After', async () => {
    const down = createTransport({ getAccessToken: () => 't', fetch: async () => { throw new TypeError('fetch failed'); } });
    await expect(down.pull('accounts', null, 10)).rejects.toBeInstanceOf(SyncNetworkError);
    const busy = createTransport({ getAccessToken: () => 't', fetch: async () => json(429, { type: 'https://mymidas.app/problems/rate-limited', title: 'Too many', status: 429, detail: 'Slow down' }, { 'Retry-After': '7' }) });
    const error = await busy.pull('accounts', null, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncHttpError);
    expect(error).toMatchObject({ status: 429, kind: 'rate-limited', retryAfterMs: 7_000, message: 'Slow down' });
  });

  it('tells a proxy error page (HTTP error, no problem kind) from a success it cannot read (protocol error)', async () => {
    const gateway = createTransport({ getAccessToken: () => 't', fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    const error = await gateway.pull('accounts', null, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncHttpError);
    expect(error).toMatchObject({ status: 502, kind: null, retryAfterMs: null, message: 'The server could not answer a pull of accounts (HTTP 502).' });
    const portal = createTransport({ getAccessToken: () => 't', fetch: async () => new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 }) });
    await expect(portal.push('accounts', [])).rejects.toBeInstanceOf(SyncProtocolError);
  });

  it('throws a refused event stream as a sync error instead of handing back the refusal', async () => {
    const t = createTransport({ getAccessToken: () => 't', fetch: async () => json(503, { type: 'https://mymidas.app/problems/too-many-streams', title: 'Busy', status: 503, detail: 'Too many streams' }, { 'Retry-After': '5' }) });
    await expect(t.authorisedGet('/replication/stream', { accept: 'text/event-stream' })).rejects.toMatchObject({ status: 503, kind: 'too-many-streams', retryAfterMs: 5_000 });
  });
});
