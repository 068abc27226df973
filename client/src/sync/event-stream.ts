import type { Transport } from './transport.ts';
import { SyncAuthError } from './transport.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';

/**
 * The server's replication hints (`GET /replication/stream`, Server-Sent Events). Read with fetch,
 * because a plain EventSource cannot send the bearer token. Reconnects with backoff until closed;
 * the server says RESYNC on every (re)connect.
 */

export type StreamHint = { readonly type: 'resync' } | { readonly type: 'changed'; readonly collections: readonly string[] };

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Incremental text/event-stream parser: feed it chunks, get the complete events. */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.#buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(this.#buffer.startsWith('\r\n', nl) ? nl + 2 : nl + 1);
      if (line === '') {
        if (this.#data.length > 0) out.push({ event: this.#event || 'message', data: this.#data.join('\n') });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
    }
    return out;
  }
}

export function hintFrom(event: SseEvent): StreamHint | null {
  if (event.event === 'message' && event.data.trim() === 'RESYNC') return { type: 'resync' };
  if (event.event === 'changed') {
    try {
      const body = JSON.parse(event.data) as { collections?: unknown };
      if (Array.isArray(body.collections)) return { type: 'changed', collections: body.collections.filter((c): c is string => typeof c === 'string') };
    } catch {
      return null;
    }
  }
  return null;
}

export interface EventStreamOptions {
  readonly transport: Transport;
  readonly onHint: (hint: StreamHint) => void;
  /** Connection failures (for the indicator); auth failures also end the stream. */
  readonly onError?: (error: unknown) => void;
  readonly backoff?: BackoffOptions;
  readonly path?: string;
}

export interface EventStream {
  /** Stops reading and reconnecting. */
  close(): void;
  readonly closed: Promise<void>;
}

/** Opens the stream and keeps it open (reconnecting with backoff) until close(), or until the token is refused. */
export function openEventStream(options: EventStreamOptions): EventStream {
  const path = options.path ?? '/replication/stream';
  const backoff = new Backoff(options.backoff);
  const ctrl = new AbortController();
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function readOnce(): Promise<void> {
    const res = await options.transport.authorisedGet(path, { signal: ctrl.signal, accept: 'text/event-stream' });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`The sync event stream was refused (HTTP ${res.status}).`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          const hint = hintFrom(event);
          if (!hint) continue;
          // A hint means the connection works: the next drop starts from the shortest wait again.
          backoff.reset();
          options.onHint(hint);
        }
      }
    } finally {
      reader.releaseLock();
      await res.body.cancel().catch(() => undefined);
    }
  }

  const closed = (async () => {
    while (!ctrl.signal.aborted) {
      try {
        await readOnce();
      } catch (error) {
        if (ctrl.signal.aborted) break;
        options.onError?.(error);
        if (error instanceof SyncAuthError) break;
      }
      if (ctrl.signal.aborted) break;
      await sleep(backoff.next());
    }
  })();

  return {
    close() {
      ctrl.abort();
      wake?.();
    },
    closed,
  };
}
