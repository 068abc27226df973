import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Structured logs: one JSON object per line on stdout (errors on stderr), with a time, a level, an event
 * name and fields. What may be logged is decided here, not by callers: a request line carries the request
 * id, method, the route's path WITHOUT its query string, status, duration and byte count — never a header,
 * a cookie, a body, a query value or an e-mail. Errors log their class and a message with anything that
 * looks like a token, an e-mail address or a long secret replaced.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const LONG_SECRET = /\b[A-Za-z0-9_+/=-]{32,}\b/g;
const URL_CREDENTIALS = /\/\/[^/\s:@]+:[^/\s@]+@/g;

/** Removes what may be a secret or personal data from free text (an error message). */
export function scrub(text: string): string {
  return text
    .replace(URL_CREDENTIALS, '//***:***@')
    .replace(BEARER, '$1 ***')
    .replace(JWT, '***')
    .replace(EMAIL, '***@***')
    .replace(LONG_SECRET, '***');
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function jsonLogger(
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  err: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  minLevel: LogLevel = 'info',
): Logger {
  return {
    log(level, event, fields = {}) {
      if (RANK[level] < RANK[minLevel]) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
      (level === 'error' || level === 'warn' ? err : out)(line);
    },
  };
}

/** The request's id: the one this server gave it (X-Request-Id on the response). */
export function requestId(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

const ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives each request an id (a proxy's X-Request-Id if it looks like one, else a new UUID), returns it
 * in X-Request-Id, and logs one line when the response ends.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    const id = given && ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    res.once('close', () => {
      const status = res.statusCode;
      logger.log(status >= 500 ? 'error' : 'info', 'http.request', {
        requestId: id,
        method: req.method,
        path: req.originalUrl.split('?')[0]!.slice(0, 200),
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        bytes: Number(res.getHeader('content-length') ?? 0) || undefined,
        finished: res.writableFinished,
      });
    });
    next();
  };
}

/** The app's error log (errors.ts calls it for 5xx): class, scrubbed message, request id — no stack values, no request data. */
export function errorLog(logger: Logger) {
  return (msg: string, error?: unknown): void => {
    const e = error instanceof Error ? error : undefined;
    logger.log('error', 'http.error', {
      message: scrub(msg),
      ...(e ? { error: e.name, detail: scrub(e.message).slice(0, 500) } : {}),
    });
  };
}
