import { inject, type InjectionKey } from 'vue';
import { API_BASE, ApiNetworkError, ApiProblemError, type Problem } from '../../app/api.ts';

/**
 * The signed-in account calls the settings screen needs (issue 3 contract): who am I, TOTP enrol /
 * confirm / disable, and changing the password. All are bearer-authorised (no cookie), so no CSRF
 * token is needed. Failures are the same typed errors as app/api.ts, so `describeApiError` words them.
 */

export interface AccountInfo {
  readonly id: string;
  readonly email: string;
  readonly totpEnabled: boolean;
  readonly createdAt: string;
}

export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
}

export interface AccountApi {
  me(): Promise<AccountInfo>;
  totpEnrol(): Promise<TotpEnrolment>;
  /** Turns two-factor on; the answer holds the ten backup codes, shown once. */
  totpConfirm(code: string): Promise<{ backupCodes: string[] }>;
  totpDisable(password: string, code: string): Promise<void>;
  /** Changes the server password; every other session of the account ends. */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
}

export interface AccountApiOptions {
  readonly getAccessToken: () => string | null;
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.title === 'string' && typeof v.status === 'number';
}

export function createAccountApi(options: AccountApiOptions): AccountApi {
  const base = options.baseUrl ?? API_BASE;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const token = options.getAccessToken();
    if (!token) {
      throw new ApiProblemError({ type: 'https://mymidas.app/problems/session-ended', title: 'Not signed in', status: 401, detail: 'Sign in to change account settings; they live on the server.' });
    }
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { method, headers, cache: 'no-store', credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      throw new ApiNetworkError(error);
    }
    if (response.ok) return response;
    const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    const problem: unknown = await response.json().catch(() => null);
    if (isProblem(problem)) throw new ApiProblemError(problem, Number.isFinite(retry) ? retry : null);
    throw new ApiProblemError({ type: 'about:blank#unexpected-response', title: 'Unexpected answer from the server', status: response.status, detail: `The server's answer to ${method} ${path} was not understood (HTTP ${response.status}).` });
  }

  return {
    async me() {
      const v = (await (await call('GET', '/me')).json()) as Partial<AccountInfo>;
      return { id: String(v.id ?? ''), email: String(v.email ?? ''), totpEnabled: v.totpEnabled === true, createdAt: String(v.createdAt ?? '') };
    },
    async totpEnrol() {
      const v = (await (await call('POST', '/auth/totp/enrol', {})).json()) as Partial<TotpEnrolment>;
      if (typeof v.secret !== 'string' || typeof v.otpauthUri !== 'string' || !v.otpauthUri.startsWith('otpauth://')) {
        throw new ApiProblemError({ type: 'about:blank#unexpected-response', title: 'Unexpected answer from the server', status: 200, detail: 'The server did not send a usable enrolment.' });
      }
      return { secret: v.secret, otpauthUri: v.otpauthUri };
    },
    async totpConfirm(code) {
      const v = (await (await call('POST', '/auth/totp/confirm', { code })).json()) as { backupCodes?: unknown };
      const codes = Array.isArray(v.backupCodes) ? v.backupCodes.filter((c): c is string => typeof c === 'string') : [];
      return { backupCodes: codes };
    },
    async totpDisable(password, code) {
      await call('POST', '/auth/totp/disable', { password, code });
    },
    async changePassword(currentPassword, newPassword) {
      await call('POST', '/auth/password', { currentPassword, newPassword });
    },
  };
}

export const ACCOUNT_API: InjectionKey<AccountApi> = Symbol('account-api');

/** The provided AccountApi (tests), or one over the real server using the session's access token. */
export function useAccountApi(getAccessToken: () => string | null): AccountApi {
  return inject(ACCOUNT_API, null) ?? createAccountApi({ getAccessToken });
}
