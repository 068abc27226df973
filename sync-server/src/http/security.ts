import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError } from './errors.ts';

/**
 * Security headers for the PWA and the API: a CSP with no inline scripts that still allows workers,
 * WASM (wasm-unsafe-eval, not unsafe-eval) and the service worker; HSTS; framing denied.
 */
export function securityHeaders(opts: { production: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        // Receipts (PDFs) are shown inline from blob: URLs the app makes from checked, typed bytes.
        frameSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(opts.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    xContentTypeOptions: true,
  });
}

/** helmet has no Permissions-Policy; the app needs the camera (receipts) and nothing else. */
export const permissionsPolicy: RequestHandler = (_req, res, next) => {
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
  next();
};

/** CORS is closed: only configured origins get CORS headers; a preflight from any other origin is refused. */
export function cors(allowed: readonly string[]): RequestHandler {
  const set = new Set(allowed);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && set.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-CSRF-Token');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS' && origin) {
      return next(AppError.forbidden('Cross-origin requests are not allowed from this origin.', 'cors'));
    }
    next();
  };
}

export const CSRF_COOKIE = 'mymidas_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Double-submit cookie for endpoints a cookie can authorise (refresh, logout): the header must equal the
 * cookie, compared in constant time. A cross-site page can make the browser send the cookie but cannot
 * read it to put it in the header.
 */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  const cookie = (req.cookies as Record<string, string> | undefined)?.[CSRF_COOKIE];
  const header = req.get(CSRF_HEADER);
  if (!cookie || !header || !sameToken(cookie, header)) {
    return next(AppError.forbidden('Missing or wrong CSRF token. Fetch /api/v1/auth/csrf and send it in the X-CSRF-Token header.', 'csrf'));
  }
  next();
};
