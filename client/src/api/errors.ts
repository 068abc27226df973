import { problemKind, problemType, type FieldError, type Problem } from '@mymidas/shared/protocol';

/**
 * The failures of a call to the MyMidas server, as `createHttpClient` throws them:
 * - ApiNetworkError: no answer (offline, server down, the connection dropped mid-answer);
 * - ApiProblemError: an answer that says no (problem+json, or any other error body), or an answer that
 *   was not understood (kind `unexpected-response`);
 * - ApiSignedOutError (an ApiProblemError, status 401): no access token, or the server still refused
 *   the token after one refresh. The user must sign in again.
 * `describeApiError` turns any of them into one sentence for the UI.
 */

/** The kind of an ApiProblemError made on this device for an answer it could not read. */
export const UNEXPECTED_ANSWER = 'unexpected-response';

export interface ApiProblemOptions {
  /** The HTTP status of the answer; defaults to the problem's own. */
  readonly status?: number;
  /** From the answer's Retry-After header (429, 503). */
  readonly retryAfterMs?: number | null;
  /** True when the body was the server's own problem+json (not a proxy page or a made-up problem). */
  readonly fromServer?: boolean;
}

export class ApiProblemError extends Error {
  override readonly name: string = 'ApiProblemError';
  readonly status: number;
  /** The last segment of the problem type, e.g. `totp-required`, `weak-password`, `csrf`, `rate-limited`. */
  readonly kind: string;
  readonly fieldErrors: readonly FieldError[];
  readonly retryAfterMs: number | null;
  readonly fromServer: boolean;
  constructor(
    readonly problem: Problem,
    options: ApiProblemOptions = {},
  ) {
    super(problem.detail ?? problem.title);
    this.status = options.status ?? problem.status;
    this.kind = problemKind(problem.type) ?? 'about:blank';
    this.fieldErrors = problem.errors ?? [];
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.fromServer = options.fromServer ?? false;
  }
  /** Retry-After in whole seconds, rounded up. */
  get retryAfterSeconds(): number | null {
    return this.retryAfterMs === null ? null : Math.ceil(this.retryAfterMs / 1000);
  }
}

export class ApiSignedOutError extends ApiProblemError {
  override readonly name: string = 'ApiSignedOutError';
  constructor(detail = 'Not signed in to the MyMidas server. Sign in again to continue.') {
    super({ type: problemType('session-ended'), title: 'Not signed in', status: 401, detail });
  }
}

export class ApiNetworkError extends Error {
  override readonly name: string = 'ApiNetworkError';
  constructor(cause: unknown) {
    super('The MyMidas server could not be reached.', { cause });
  }
}

/** The error for an answer (error or success) whose body this device cannot read. */
export function unexpectedAnswer(status: number, what: string, retryAfterMs: number | null = null): ApiProblemError {
  const problem = {
    type: problemType(UNEXPECTED_ANSWER),
    title: 'Unexpected answer from the server',
    status,
    detail: `The server's answer to ${what} was not understood (HTTP ${status}).`,
  };
  return new ApiProblemError(problem, { retryAfterMs });
}

/** One sentence for the UI: what went wrong and, where it helps, what to do. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiNetworkError) {
    return 'The MyMidas server cannot be reached — you may be offline, or the server is down. Data on this device still works.';
  }
  if (error instanceof ApiProblemError) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return `Too many attempts. ${wait ? `Try again in ${wait} second${wait === 1 ? '' : 's'}.` : 'Wait a minute and try again.'}`;
    }
    const fields = error.fieldErrors.map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`);
    const main = error.message;
    return fields.length > 0 && !fields.some((f) => main.includes(f.split(': ')[1] ?? '')) ? `${main} (${fields.join('; ')})` : main;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
