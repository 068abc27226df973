import { ApiProblemError, unexpectedAnswer } from '../api/errors.ts';
import { createHttpClient, type HttpClient } from '../api/http.ts';

/**
 * The auth calls of the sync server's HTTP API (auth contract of issue 3), over the one HTTP client
 * (`api/http.ts`). Failures are its typed errors (`api/errors.ts`); the UI words them with
 * `describeApiError`.
 */

export { ApiNetworkError, ApiProblemError, describeApiError } from '../api/errors.ts';

export interface Session {
  readonly accessToken: string;
  /** Seconds the access token is valid for, from when it was issued. */
  readonly expiresIn: number;
}

export type LoginResult =
  /** `deviceSecret`: the session's second refresh factor, kept sealed by the device (features/auth/device-secret.ts). */
  | ({ readonly kind: 'signed-in'; readonly deviceSecret: string } & Session)
  | { readonly kind: 'totp-required'; readonly message: string };

export interface ServerAuthStatus {
  readonly registrationOpen: boolean;
  readonly hasAccount: boolean;
}

export interface RegisteredUser {
  readonly id: string;
  readonly email: string;
}

export interface ApiClientOptions {
  readonly baseUrl?: string;
  /** Passed in so tests can replace the network. */
  readonly fetch?: typeof globalThis.fetch;
  /** The current access token, if any; sent as a bearer token on calls that need a user. */
  readonly getAccessToken?: () => string | null;
}

export interface ApiClient {
  authStatus(): Promise<ServerAuthStatus>;
  register(email: string, password: string): Promise<RegisteredUser>;
  login(email: string, password: string, totp?: string): Promise<LoginResult>;
  /** Trades the refresh cookie and the session's device secret for a new access token (the cookie rotates). */
  refresh(deviceSecret: string): Promise<Session>;
  /** Ends this session on the server; the refresh cookie is cleared. */
  logout(): Promise<void>;
  me(): Promise<unknown>;
}

function sessionFrom(body: unknown, what: string): Session {
  const v = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof v.accessToken !== 'string' || v.accessToken.length === 0 || typeof v.expiresIn !== 'number' || v.expiresIn <= 0) {
    throw unexpectedAnswer(200, what);
  }
  return { accessToken: v.accessToken, expiresIn: v.expiresIn };
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const { getAccessToken } = options;
  const http: HttpClient = createHttpClient({ baseUrl: options.baseUrl, fetch: options.fetch, tokens: getAccessToken ? { getAccessToken } : undefined });

  return {
    async authStatus() {
      const body = (await http.json('/auth/status')) as Partial<ServerAuthStatus> | null;
      return { registrationOpen: body?.registrationOpen === true, hasAccount: body?.hasAccount === true };
    },
    async register(email, password) {
      return (await http.json('/auth/register', { method: 'POST', json: { email, password } })) as RegisteredUser;
    },
    async login(email, password, totp) {
      try {
        const body = await http.json('/auth/login', { method: 'POST', json: { email, password, ...(totp ? { totp } : {}) }, what: 'the sign-in' });
        const deviceSecret = (body as { deviceSecret?: unknown } | null)?.deviceSecret;
        if (typeof deviceSecret !== 'string' || deviceSecret.length === 0) throw unexpectedAnswer(200, 'the sign-in');
        return { kind: 'signed-in', deviceSecret, ...sessionFrom(body, 'the sign-in') };
      } catch (error) {
        if (error instanceof ApiProblemError && error.status === 401 && error.kind === 'totp-required') {
          return { kind: 'totp-required', message: error.message };
        }
        throw error;
      }
    },
    async refresh(deviceSecret) {
      return sessionFrom(await http.json('/auth/refresh', { method: 'POST', auth: 'cookie', json: { deviceSecret }, what: 'the session refresh' }), 'the session refresh');
    },
    async logout() {
      await http.send('/auth/logout', { method: 'POST', auth: 'cookie' });
    },
    async me() {
      return http.json('/me', { auth: 'bearer' });
    },
  };
}
