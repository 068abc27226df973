import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../http/errors.ts';

/** The SSE reconnection delay sent to streams closed by a shutdown (milliseconds). */
export const SHUTDOWN_RETRY_MS = 3000;

/**
 * Tracks the requests in flight and the open change streams, so a shutdown (SIGTERM) can stop taking
 * requests, let the ones running finish (a push commits whole or not at all) and close the streams with
 * a reconnection hint. Its middleware goes first in the app.
 */
export class Lifecycle {
  private draining = false;
  private inFlight = 0;
  private readonly streams = new Set<Response>();
  private readonly idle = new Set<() => void>();

  get isDraining(): boolean {
    return this.draining;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) {
      res.setHeader('Connection', 'close');
      next(new AppError(503, 'shutting-down', 'The server is restarting', 'The server is shutting down; try again in a few seconds.', {}, { 'Retry-After': String(Math.ceil(SHUTDOWN_RETRY_MS / 1000)) }));
      return;
    }
    if (req.method === 'GET' && req.path === '/api/v1/replication/stream') {
      this.streams.add(res);
      res.once('close', () => this.streams.delete(res));
      next();
      return;
    }
    this.inFlight++;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idle) wake();
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };

  /**
   * Refuses new requests from now on, ends every change stream with `retry: <ms>` (the client reconnects
   * after it, to this server once it is back or to another), and resolves when no request is in flight or
   * after `timeoutMs`, saying which.
   */
  async drain(timeoutMs: number): Promise<{ timedOut: boolean; left: number }> {
    this.draining = true;
    for (const res of this.streams) {
      if (!res.writableEnded) {
        res.write(`retry: ${SHUTDOWN_RETRY_MS}\nevent: shutdown\ndata: {"retryMs":${SHUTDOWN_RETRY_MS}}\n\n`);
        res.end();
      }
    }
    this.streams.clear();
    if (this.inFlight === 0) return { timedOut: false, left: 0 };
    let wake: () => void = () => undefined;
    const idle = new Promise<void>((resolve) => {
      wake = resolve;
      this.idle.add(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([idle.then(() => 'idle' as const), timeout]);
    clearTimeout(timer);
    this.idle.delete(wake);
    return { timedOut: outcome === 'timeout', left: this.inFlight };
  }
}
