import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * The optional HTTPS proxy: a Caddy service in docker-compose.yml behind `--profile https`, the repo's
 * Caddyfile (checked by `caddy validate` where caddy is installed; CI installs it), and the backend's
 * proxy trust and health checks that go with it. tests/docker-compose.test.ts checks the whole file
 * against the Compose Specification schema and `docker-compose config`.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const caddyfile = join(root, 'Caddyfile');

interface Service {
  image?: string;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  networks?: Record<string, { ipv4_address?: string }> | string[];
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  networks: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
};

describe('the HTTPS proxy in docker-compose.yml', () => {
  const https = compose.services.https!;
  const backend = compose.services.backend!;

  it('is a Caddy service that runs only with --profile https, mounts the repo Caddyfile and waits for a ready backend', () => {
    expect(https.image).toMatch(/^caddy:2/);
    expect(https.profiles).toEqual(['https']);
    expect(https.volumes).toContain('./Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(https.ports?.map((p) => p.replace(/^\$\{[^}]+\}:/, ''))).toEqual(['443:443', '80:80']);
    expect(https.depends_on?.backend).toEqual({ condition: 'service_healthy' });
    expect(https.environment).toMatchObject({ MYMIDAS_DOMAIN: expect.any(String), MYMIDAS_TLS: '${MYMIDAS_TLS:-internal}' });
  });

  it('has a fixed address on a network shared with the backend only, which the docs tell TRUST_PROXY to name', () => {
    const address = (https.networks as Record<string, { ipv4_address?: string }>).proxy!.ipv4_address!;
    expect(address).toBe('172.30.90.10');
    expect(compose.networks.proxy!.ipam!.config![0]!.subnet).toBe('172.30.90.0/24');
    expect(backend.networks).toContain('proxy');
    for (const s of ['postgres', 'redis']) expect(compose.services[s]!.networks).not.toContain('proxy');
    expect(readFileSync(caddyfile, 'utf8')).toContain('TRUST_PROXY');
    expect(readFileSync(join(root, 'docs/operations.md'), 'utf8')).toContain('TRUST_PROXY=172.30.90.10');
  });

  it('the backend\'s healthcheck asks /api/v1/ready and it is given time to drain on stop', () => {
    expect(backend.healthcheck!.test!.join(' ')).toContain('/api/v1/ready');
    expect(backend.stop_grace_period).toBe('30s');
  });
});

function caddyInstalled(): boolean {
  return spawnSync('caddy', ['version'], { stdio: 'ignore' }).status === 0;
}

if (!caddyInstalled() && process.env.CI === 'true') throw new Error('CI=true but caddy is not installed: the Caddyfile check would be left out (.ci/run installs it)');
if (!caddyInstalled()) console.warn('\n*** caddy is not installed: the Caddyfile is NOT checked with caddy validate ***\n');
else {
  describe('Caddyfile', () => {
    const validate = (env: Record<string, string>, file = caddyfile) => {
      const home = mkdtempSync(join(tmpdir(), 'mymidas-caddy-'));
      try {
        return spawnSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], {
          env: { PATH: process.env.PATH ?? '', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, ...env },
          encoding: 'utf8',
        });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    };

    it('is valid with its internal CA for a LAN name, and with automatic certificates for a domain', () => {
      const lan = validate({});
      expect(lan.status, lan.stderr).toBe(0);
      expect(lan.stdout + lan.stderr).toContain('Valid configuration');
      const domain = validate({ MYMIDAS_DOMAIN: 'money.example.com', MYMIDAS_TLS: 'owner@example.com' });
      expect(domain.status, domain.stderr).toBe(0);
    });

    it('the check has teeth: a broken copy is refused', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mymidas-caddyfile-'));
      try {
        const broken = join(dir, 'Caddyfile');
        writeFileSync(broken, readFileSync(caddyfile, 'utf8').replace('reverse_proxy', 'reverse_proxxy'));
        expect(validate({}, broken).status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
