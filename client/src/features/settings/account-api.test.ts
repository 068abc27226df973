import { describe, expect, it } from 'vitest';
import { ApiNetworkError, ApiProblemError, describeApiError } from '../../app/api.ts';
import { createAccountApi } from './account-api.ts';

interface Seen {
  method: string;
  url: string;
  auth: string | null;
  body: unknown;
}

function fakeServer(answer: (s: Seen) => Response) {
  const seen: Seen[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const s = { method: init?.method ?? 'GET', url: String(input), auth: headers.get('Authorization'), body: init?.body ? JSON.parse(String(init.body)) : undefined };
    seen.push(s);
    return answer(s);
  }) as typeof globalThis.fetch;
  return { seen, fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('account api', () => {
  it('sends the bearer token and the contract bodies', async () => {
    const server = fakeServer((s) => {
      if (s.url.endsWith('/me')) return json(200, { id: 'u1', email: 'me@example.org', totpEnabled: false, createdAt: '2026-01-01T00:00:00.000Z' });
      if (s.url.endsWith('/totp/enrol')) return json(200, { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/MyMidas:me?secret=JBSWY3DPEHPK3PXP', qrSvg: '<svg/>' });
      if (s.url.endsWith('/totp/confirm')) return json(200, { backupCodes: ['AAAA-BBBB-CCCC', 7] });
      if (s.url.endsWith('/totp/backup-codes')) return json(200, { backupCodes: ['DDDD-EEEE-FFFF'] });
      return new Response(null, { status: 204 });
    });
    const api = createAccountApi({ getAccessToken: () => 'tok', fetch: server.fetch });
    expect((await api.me()).totpEnabled).toBe(false);
    expect(await api.totpEnrol('pw')).toEqual({ secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/MyMidas:me?secret=JBSWY3DPEHPK3PXP' });
    expect(await api.totpConfirm('pw', '123456')).toEqual({ backupCodes: ['AAAA-BBBB-CCCC'] });
    expect(await api.renewBackupCodes('pw')).toEqual({ backupCodes: ['DDDD-EEEE-FFFF'] });
    await api.totpDisable('pw', 'AAAA-BBBB-CCCC');
    await api.changePassword('old pw', 'new pw');
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/me', 'POST /api/v1/auth/totp/enrol', 'POST /api/v1/auth/totp/confirm', 'POST /api/v1/auth/totp/backup-codes', 'POST /api/v1/auth/totp/disable', 'POST /api/v1/auth/password',
    ]);
    expect(server.seen.every((s) => s.auth === 'Bearer tok')).toBe(true);
    expect(server.seen.slice(1).map((s) => s.body)).toEqual([
      { password: 'pw' }, { password: 'pw', code: '123456' }, { password: 'pw' }, { password: 'pw', code: 'AAAA-BBBB-CCCC' }, { currentPassword: 'old pw', newPassword: 'new pw' },
    ]);
  });

  it('turns problems, rate limits and no network into typed errors with a sentence', async () => {
    const weak = createAccountApi({ getAccessToken: () => 'tok', fetch: fakeServer(() => json(422, { type: 'https://mymidas.app/problems/weak-password', title: 'Weak', status: 422, detail: 'The password is too common.' })).fetch });
    await expect(weak.changePassword('a', 'b')).rejects.toSatisfy((e) => e instanceof ApiProblemError && e.kind === 'weak-password' && describeApiError(e) === 'The password is too common.');
    const limited = createAccountApi({ getAccessToken: () => 'tok', fetch: fakeServer(() => json(429, { type: 'x/rate-limited', title: 'Slow down', status: 429 }, { 'Retry-After': '12' })).fetch });
    await expect(limited.totpConfirm('pw', '123456')).rejects.toSatisfy((e) => describeApiError(e) === 'Too many attempts. Try again in 12 seconds.');
    const offline = createAccountApi({ getAccessToken: () => 'tok', fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    await expect(offline.me()).rejects.toBeInstanceOf(ApiNetworkError);
  });

  it('refuses without a session and without a usable enrolment', async () => {
    const server = fakeServer(() => json(200, { secret: 'S', otpauthUri: 'https://evil.example/' }));
    await expect(createAccountApi({ getAccessToken: () => null, fetch: server.fetch }).me()).rejects.toSatisfy((e) => e instanceof ApiProblemError && e.status === 401);
    expect(server.seen).toEqual([]);
    await expect(createAccountApi({ getAccessToken: () => 't', fetch: server.fetch }).totpEnrol('pw')).rejects.toBeInstanceOf(ApiProblemError);
  });
});
