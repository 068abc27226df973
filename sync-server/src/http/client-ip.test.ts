import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import { openTestServices } from '../testing/harness.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { ipKey } from '../limits/rate-limit.ts';
import { createApp } from './app.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const POLICIES = { auth: { name: 'auth', limit: 10_000, windowMs: 60_000 } };

/** The IPs the audit log recorded for failed sign-ins at this e-mail. */
async function auditedIps(services: Services, marker: string): Promise<string[]> {
  const rows = await services.db.asOwner((sql) =>
    sql.query<{ ip: string }>(`SELECT ip FROM audit_logs WHERE action = 'auth.login.fail' AND user_agent = $1 ORDER BY id`, [marker]),
  );
  return rows.rows.map((r) => r.ip);
}

describe('the client address behind X-Forwarded-For', () => {
  let services: Services;
  beforeAll(async () => {
    ({ services } = await openTestServices('pglite'));
  });
  afterAll(() => services?.close());

  const withConfig = (over: Partial<Services['config']>) => createApp({ ...services, config: { ...services.config, ...over } }, { hashParams: FAST, policies: POLICIES });
  const spoofedLogins = async (app: ReturnType<typeof createApp>, marker: string, n: number) => {
    for (let i = 0; i < n; i++) {
      await request(app).post('/api/v1/auth/login').set('User-Agent', marker).set('X-Forwarded-For', `203.0.113.${i + 1}`).send({ email: 'nobody@example.test', password: 'wrong password here' });
    }
  };

  it('is ignored by default: limits, IP lockout and the audit log all see the socket address', async () => {
    expect(services.config.trustProxyHops).toBe(0);
    expect(services.config.trustedProxies).toEqual([]);
    const app = createApp(services, { hashParams: FAST, policies: POLICIES });
    await spoofedLogins(app, 'default-config', 21);
    const ips = await auditedIps(services, 'default-config');
    expect(ips).toHaveLength(21);
    expect(new Set(ips).size).toBe(1);
    expect(ips[0]).toMatch(/127\.0\.0\.1|::1/);
    // Twenty failures from "twenty addresses" were one address: it is locked, whatever it claims next.
    expect(await services.limits.get(`lock:ip:${ipKey(ips[0]!)}`)).toBeGreaterThan(Date.now());
    for (const spoof of ['203.0.113.250', '198.51.100.99']) expect(await services.limits.get(`lock:ip:${spoof}`)).toBe(0);
    const next = await request(app).post('/api/v1/auth/login').set('X-Forwarded-For', '198.51.100.200').send({ email: 'nobody@example.test', password: 'x' });
    expect(next.status).toBe(401);
    await services.limits.del(`lock:ip:${ipKey(ips[0]!)}`, `fail:ip:${ipKey(ips[0]!)}`);
  });

  it('is believed for exactly the configured hops, or only from the listed proxies', async () => {
    await spoofedLogins(withConfig({ trustProxyHops: 1 }), 'one-hop', 2);
    expect(await auditedIps(services, 'one-hop')).toEqual(['203.0.113.1', '203.0.113.2']);
    await spoofedLogins(withConfig({ trustedProxies: ['loopback'] }), 'listed-loopback', 1);
    expect(await auditedIps(services, 'listed-loopback')).toEqual(['203.0.113.1']);
    // A list that does not name the peer this request came from: the header is not believed.
    await spoofedLogins(withConfig({ trustedProxies: ['10.9.9.9', '172.18.0.1/32'] }), 'listed-other', 1);
    expect((await auditedIps(services, 'listed-other'))[0]).toMatch(/127\.0\.0\.1|::1/);
  });

  it('reads TRUST_PROXY as a checked list and refuses it together with TRUST_PROXY_HOPS', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback, 172.18.0.1, 10.0.0.0/8, fd00::/8' }).trustedProxies).toEqual(['loopback', '172.18.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'loopback', TRUST_PROXY_HOPS: '1' })).toThrow(/one or the other/);
    expect(loadConfig({}).trustProxyHops).toBe(0);
  });
});
