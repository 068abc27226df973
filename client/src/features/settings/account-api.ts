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

/**
 * Every call that could lock the owner out (two-factor, backup codes, password, signing out everywhere)
 * carries the account password: the server checks it again (Argon2), so an access token alone is not
 * enough, and a wrong one counts toward the sign-in lockout.
 */
export interface AccountApi {
  me(): Promise<AccountInfo>;
  totpEnrol(password: string): Promise<TotpEnrolment>;
  /** Turns two-factor on; the answer holds the ten backup codes, shown once. */
  totpConfirm(password: string, code: string): Promise<{ backupCodes: string[] }>;
  totpDisable(password: string, code: string): Promise<void>;
  /** Ten new backup codes (the old ones stop working), shown once. */
  renewBackupCodes(password: string): Promise<{ backupCodes: string[] }>;
  /** Changes the server password; every other session of the account ends. */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
}

export interface AccountApiOptions extends AccessTokens {
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
}

function backupCodesFrom(body: unknown): { backupCodes: string[] } {
  const v = (body ?? {}) as { backupCodes?: unknown };
  return { backupCodes: Array.isArray(v.backupCodes) ? v.backupCodes.filter((c): c is string => typeof c === 'string') : [] };
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
    async totpEnrol(password) {
      const v = ((await call('POST', '/auth/totp/enrol', { password })) ?? {}) as Partial<TotpEnrolment>;
      if (typeof v.secret !== 'string' || typeof v.otpauthUri !== 'string' || !v.otpauthUri.startsWith('otpauth://')) {
        throw unexpectedAnswer(200, 'the two-factor enrolment');
      }
      return { secret: v.secret, otpauthUri: v.otpauthUri };
    },
    async totpConfirm(password, code) {
      return backupCodesFrom(await call('POST', '/auth/totp/confirm', { password, code }));
    },
    async renewBackupCodes(password) {
      return backupCodesFrom(await call('POST', '/auth/totp/backup-codes', { password }));
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
