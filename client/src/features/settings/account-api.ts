import { inject, type InjectionKey } from 'vue';
import { unexpectedAnswer } from '../../api/errors.ts';
import { createHttpClient, type AccessTokens } from '../../api/http.ts';

/**
 * The signed-in account calls the settings screen needs (issue 3 contract): who am I, TOTP enrol /
 * confirm / disable, and changing the password. All are bearer-authorised (no cookie), so no CSRF
 * token is needed; the one HTTP client (`api/http.ts`) refreshes the token once on a 401, and its
 * typed errors are what `describeApiError` words.
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

export interface AccountApiOptions extends AccessTokens {
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
}

export function createAccountApi(options: AccountApiOptions): AccountApi {
  const http = createHttpClient({ baseUrl: options.baseUrl, fetch: options.fetch, tokens: options });
  const call = (method: 'GET' | 'POST', path: string, json?: unknown) =>
    http.json(path, { method, auth: 'bearer', ...(json !== undefined ? { json } : {}) });
  const post = async (path: string, json: unknown) => {
    await http.send(path, { method: 'POST', auth: 'bearer', json });
  };

  return {
    async me() {
      const v = ((await call('GET', '/me')) ?? {}) as Partial<AccountInfo>;
      return { id: String(v.id ?? ''), email: String(v.email ?? ''), totpEnabled: v.totpEnabled === true, createdAt: String(v.createdAt ?? '') };
    },
    async totpEnrol() {
      const v = ((await call('POST', '/auth/totp/enrol', {})) ?? {}) as Partial<TotpEnrolment>;
      if (typeof v.secret !== 'string' || typeof v.otpauthUri !== 'string' || !v.otpauthUri.startsWith('otpauth://')) {
        throw unexpectedAnswer(200, 'the two-factor enrolment');
      }
      return { secret: v.secret, otpauthUri: v.otpauthUri };
    },
    async totpConfirm(code) {
      const v = ((await call('POST', '/auth/totp/confirm', { code })) ?? {}) as { backupCodes?: unknown };
      const codes = Array.isArray(v.backupCodes) ? v.backupCodes.filter((c): c is string => typeof c === 'string') : [];
      return { backupCodes: codes };
    },
    async totpDisable(password, code) {
      await post('/auth/totp/disable', { password, code });
    },
    async changePassword(currentPassword, newPassword) {
      await post('/auth/password', { currentPassword, newPassword });
    },
  };
}

export const ACCOUNT_API: InjectionKey<AccountApi> = Symbol('account-api');

/** The provided AccountApi (tests), or one over the real server with the session's access token. */
export function useAccountApi(tokens: AccessTokens): AccountApi {
  return inject(ACCOUNT_API, null) ?? createAccountApi(tokens);
}
