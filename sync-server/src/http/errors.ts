import { PROBLEM_CONTENT_TYPE, problemType, type Problem } from '@mymidas/shared/protocol';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';

/** The one error type: everything a client may see is in here, nothing else leaks. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }

  static badRequest(detail: string, extra: Record<string, unknown> = {}): AppError {
    return new AppError(400, 'bad-request', 'The request is not valid', detail, extra);
  }
  static validation(err: ZodError, where = 'body'): AppError {
    const errors = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
    return new AppError(422, 'validation', 'Some values are not valid', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  static unauthorized(detail = 'Sign in to continue.', type = 'unauthorized'): AppError {
    return new AppError(401, type, 'Not signed in', detail, {}, { 'WWW-Authenticate': 'Bearer' });
  }
  static forbidden(detail: string, type = 'forbidden'): AppError {
    return new AppError(403, type, 'Not allowed', detail);
  }
  static notFound(detail = 'Nothing here.'): AppError {
    return new AppError(404, 'not-found', 'Not found', detail);
  }
  static conflict(detail: string, type = 'conflict'): AppError {
    return new AppError(409, type, 'Conflict', detail);
  }
}

/** The problem+json body of an error, in the shape `@mymidas/shared/protocol` reads on the client. */
export function problemBody(err: AppError): Problem {
  return { type: problemType(err.type), title: err.title, status: err.status, ...(err.detail ? { detail: err.detail } : {}), ...err.extra };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`No route for ${req.method} ${req.originalUrl.split("?")[0]}.`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Turns every error into application/problem+json; unknown errors become a bare 500 and are logged. */
export function errorHandler(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    let app: AppError;
    if (err instanceof AppError) app = err;
    else if (typeof err === 'object' && err !== null && (err as BodyParserError).expose && typeof (err as BodyParserError).status === 'number') {
      const e = err as BodyParserError;
      const status = e.status!;
      app =
        e.type === 'entity.too.large'
          ? new AppError(413, 'too-large', 'The request body is too large', 'Send a smaller body.')
          : e.type === 'entity.parse.failed'
            ? AppError.badRequest('The body is not valid JSON.')
            : new AppError(status, 'bad-request', 'The request is not valid', 'The request could not be read.');
    } else {
      log('unhandled error', err);
      app = new AppError(500, 'internal', 'Something went wrong', 'The server could not complete the request.');
    }
    for (const [k, v] of Object.entries(app.headers)) res.setHeader(k, v);
    res.status(app.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemBody(app)));
  };
}
