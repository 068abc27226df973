import type { Express } from 'express';
import request from 'supertest';

/** A tiny cookie-keeping client over supertest, as a browser tab would behave. Test support only. */
export class TabClient {
  cookies = new Map<string, string>();
  csrf?: string;
  /** The device secret the last sign-in gave, sent with a refresh whose body is left out. */
  deviceSecret?: string;
  constructor(readonly app: Express, readonly ip = '198.51.100.7') {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: request.Response): request.Response {
    const set = res.headers['set-cookie'] as unknown as string[] | undefined;
    for (const c of set ?? []) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      const value = v.join('=');
      if (value === '' || /Expires=Thu, 01 Jan 1970/.test(c)) this.cookies.delete(k!);
      else this.cookies.set(k!, value);
    }
    return res;
  }

  async fetchCsrf(): Promise<string> {
    const res = this.keep(await request(this.app).get('/api/v1/auth/csrf').set('X-Forwarded-For', this.ip));
    this.csrf = (res.body as { csrfToken: string }).csrfToken;
    return this.csrf;
  }

  /**
   * POST as the tab. A refresh with no body given sends the tab's device secret, as the unlocked app does;
   * pass a body (even `{}`) to send exactly that instead.
   */
  async post(path: string, body?: unknown, opts: { token?: string; csrf?: boolean } = {}): Promise<request.Response> {
    const sent = body ?? (path.endsWith('/auth/refresh') && this.deviceSecret ? { deviceSecret: this.deviceSecret } : {});
    // Tests run the app behind one trusted proxy hop; the header stands for the client's address.
    let r = request(this.app).post(path).set('Cookie', this.cookieHeader()).set('X-Forwarded-For', this.ip).send(sent as object);
    if (opts.token) r = r.set('Authorization', `Bearer ${opts.token}`);
    if (opts.csrf !== false && this.csrf) r = r.set('X-CSRF-Token', this.csrf);
    const res = this.keep(await r);
    const secret = (res.body as { deviceSecret?: unknown } | undefined)?.deviceSecret;
    if (path.endsWith('/auth/login') && typeof secret === 'string') this.deviceSecret = secret;
    return res;
  }

  async get(path: string, token?: string): Promise<request.Response> {
    let r = request(this.app).get(path).set('Cookie', this.cookieHeader()).set('X-Forwarded-For', this.ip);
    if (token) r = r.set('Authorization', `Bearer ${token}`);
    return this.keep(await r);
  }
}
