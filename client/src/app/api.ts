/**
 * The client's door to the sync server's HTTP API (auth contract of issue 3). Every failure is one
 * of two typed errors: ApiProblemError (the server answered with a problem+json body) or
 * ApiNetworkError (no answer: offline, server down, or the service worker had nothing). The UI turns
 * either into a sentence with `describeApiError`.
 */

export const API_BASE = '/api/v1';
const PROBLEM_TYPE_BASE = 'https://mymidas.app/problems/';

export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

/** RFC 9457 problem details as the server sends them. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly ProblemFieldError[];
}

export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';
  /** The last segment of the problem type, e.g. `totp-required`, `weak-password`, `csrf`. */
  readonly kind: string;
  constructor(
    readonly problem: Problem,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem.detail ?? problem.title);
    this.kind = problemKind(problem.type);
  }
  get status(): number {
    return this.problem.status;
  }
}

export class ApiNetworkError extends Error {
  override readonly name = 'ApiNetworkError';
  constructor(cause: unknown) {
    super('The MyMidas server could not be reached.', { cause });
  }
}

export function problemKind(type: string): string {
  const trimmed = type.startsWith(PROBLEM_TYPE_BASE) ? type.slice(PROBLEM_TYPE_BASE.length) : type;
  return trimmed.split('/').filter(Boolean).at(-1) ?? 'about:blank';
}

export interface Session {
  readonly accessToken: string;
  /** Seconds the access token is valid for, from when it was issued. */
  readonly expiresIn: number;
}

export type LoginResult =
  | ({ readonly kind: 'signed-in' } & Session)
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
  /** Trades the refresh cookie for a new access token (the cookie rotates). */
  refresh(): Promise<Session>;
  /** Ends this session on the server; the refresh cookie is cleared. */
  logout(): Promise<void>;
  me(): Promise<unknown>;
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.title === 'string' && typeof v.status === 'number';
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.accessToken === 'string' && v.accessToken.length > 0 && typeof v.expiresIn === 'number' && v.expiresIn > 0;
}

function unexpected(status: number, what: string): ApiProblemError {
  return new ApiProblemError({ type: 'about:blank#unexpected-response', title: 'Unexpected answer from the server', status, detail: `The server's answer to ${what} was not understood (HTTP ${status}).` });
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const base = options.baseUrl ?? API_BASE;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let csrfToken: string | null = null;

  async function send(method: 'GET' | 'POST', path: string, init: { body?: unknown; csrf?: boolean; bearer?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    if (init.csrf) headers['X-CSRF-Token'] = await csrf();
    if (init.bearer) {
      const token = options.getAccessToken?.();
      if (token) headers.Authorization = `Bearer ${token}`;
    }
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (error) {
      throw new ApiNetworkError(error);
    }
    if (response.ok) return response;
    throw await toProblemError(response, `${method} ${path}`);
  }

  async function toProblemError(response: Response, what: string): Promise<ApiProblemError> {
    const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (isProblem(body)) return new ApiProblemError(body, Number.isFinite(retry) ? retry : null);
    return unexpected(response.status, what);
  }

  async function csrf(): Promise<string> {
    if (csrfToken) return csrfToken;
    const response = await send('GET', '/auth/csrf');
    const body = (await response.json()) as { csrfToken?: unknown };
    if (typeof body.csrfToken !== 'string' || body.csrfToken.length === 0) throw unexpected(response.status, 'GET /auth/csrf');
    csrfToken = body.csrfToken;
    return csrfToken;
  }

  /** Cookie-authorised POST: on a CSRF refusal the token is fetched again and the call retried once. */
  async function cookiePost(path: string): Promise<Response> {
    try {
      return await send('POST', path, { csrf: true });
    } catch (error) {
      if (!(error instanceof ApiProblemError && error.status === 403 && error.kind === 'csrf')) throw error;
      csrfToken = null;
      return send('POST', path, { csrf: true });
    }
  }

  async function readSession(response: Response, what: string): Promise<Session> {
    const body: unknown = await response.json();
    if (!isSession(body)) throw unexpected(response.status, what);
    return { accessToken: body.accessToken, expiresIn: body.expiresIn };
  }

  return {
    async authStatus() {
      const body = (await (await send('GET', '/auth/status')).json()) as Partial<ServerAuthStatus>;
      return { registrationOpen: body.registrationOpen === true, hasAccount: body.hasAccount === true };
    },
    async register(email, password) {
      return (await (await send('POST', '/auth/register', { body: { email, password } })).json()) as RegisteredUser;
    },
    async login(email, password, totp) {
      try {
        const response = await send('POST', '/auth/login', { body: { email, password, ...(totp ? { totp } : {}) } });
        return { kind: 'signed-in', ...(await readSession(response, 'the sign-in')) };
      } catch (error) {
        if (error instanceof ApiProblemError && error.status === 401 && error.kind === 'totp-required') {
          return { kind: 'totp-required', message: error.message };
        }
        throw error;
      }
    },
    async refresh() {
      return readSession(await cookiePost('/auth/refresh'), 'the session refresh');
    },
    async logout() {
      await cookiePost('/auth/logout');
    },
    async me() {
      return (await send('GET', '/me', { bearer: true })).json();
    },
  };
}

/** One sentence for the UI: what went wrong and, where it helps, what to do. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiNetworkError) {
    return 'The MyMidas server cannot be reached — you may be offline, or the server is down. Data on this device still works.';
  }
  if (error instanceof ApiProblemError) {
    const p = error.problem;
    if (p.status === 429) {
      const wait = error.retryAfterSeconds;
      return `Too many attempts. ${wait ? `Try again in ${wait} second${wait === 1 ? '' : 's'}.` : 'Wait a minute and try again.'}`;
    }
    const fields = (p.errors ?? []).map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`);
    const main = p.detail ?? p.title;
    return fields.length > 0 && !fields.some((f) => main.includes(f.split(': ')[1] ?? '')) ? `${main} (${fields.join('; ')})` : main;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
