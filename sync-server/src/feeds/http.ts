import { ProviderError, type ProviderName } from './types.ts';

/** How long one provider request may take before it counts as a network failure. */
export const REQUEST_TIMEOUT_MS = 20_000;
/** A Retry-After longer than this is not waited for in the run: the provider is backed off instead. */
export const MAX_INLINE_WAIT_MS = 60_000;

/** Retry-After as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * One request to a provider: a network failure, a timeout, a 429 or any non-2xx answer becomes a
 * ProviderError (429 with its Retry-After); a 2xx answer is returned for the caller to read and validate.
 */
export async function providerFetch(provider: ProviderName, url: string, init: RequestInit = {}, fetchImpl: Fetch = fetch): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    throw new ProviderError(provider, 'network', `request failed (${err instanceof Error ? err.message : String(err)})`);
  }
  if (res.ok) return res;
  await res.body?.cancel().catch(() => undefined);
  const wait = retryAfterMs(res.headers.get('retry-after'));
  if (res.status === 429) throw new ProviderError(provider, 'rate-limited', `rate limited (429${wait !== null ? `, Retry-After ${Math.ceil(wait / 1000)} s` : ''})`, 429, wait);
  if (res.status === 404) throw new ProviderError(provider, 'not-found', 'not found (404)', 404);
  throw new ProviderError(provider, 'http', `answered ${res.status}`, res.status, res.status === 503 ? wait : null);
}

/** The answer's body as JSON; text that is not JSON is a malformed answer. */
export async function readJson(provider: ProviderName, res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(provider, 'malformed', `answer is not JSON (${text.slice(0, 60).replace(/\s+/g, ' ')}…)`, res.status);
  }
}

/**
 * Runs `call`; when it is refused with a 429 whose Retry-After is short, waits that long and tries once more.
 * A longer (or missing) Retry-After is passed on for the provider's backoff.
 */
export async function withRetryAfter<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ProviderError) || err.kind !== 'rate-limited' || err.retryAfterMs === null || err.retryAfterMs > MAX_INLINE_WAIT_MS) throw err;
    await sleep(err.retryAfterMs);
    return call();
  }
}
