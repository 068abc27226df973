import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { loadSecrets } from './local-secrets.ts';

const goodKey = 'a'.repeat(64);

describe('configuration', () => {
  it('runs embedded with no configuration at all', () => {
    const c = loadConfig({}, '/srv/mymidas');
    expect(c).toMatchObject({ environment: 'development', port: 8090, baseCurrency: 'GBP', allowRegistration: false, dataDir: '/srv/mymidas/data' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
  });

  it('refuses to start in production without ENCRYPTION_KEY and names it', () => {
    expect(() => loadConfig({ ENVIRONMENT: 'production', BACKUP_PASSPHRASE: 'x'.repeat(20), DATABASE_URL: 'postgres://u:p@db/x' })).toThrow(/ENCRYPTION_KEY/);
  });

  it('refuses a short ENCRYPTION_KEY and names it', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: 'abc123' })).toThrow(/ENCRYPTION_KEY: must be 32 random bytes/);
  });

  it('lists every missing or malformed value in one error', () => {
    try {
      loadConfig({ ENVIRONMENT: 'production', PORT: 'eighty', BASE_CURRENCY: 'pounds', ALLOW_REGISTRATION: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'BASE_CURRENCY', 'ALLOW_REGISTRATION']) expect(problems).toContain(name);
    }
    try {
      loadConfig({ ENVIRONMENT: 'production' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['ENCRYPTION_KEY', 'BACKUP_PASSPHRASE', 'DATABASE_URL']) expect(problems).toContain(name);
    }
  });

  it('builds the database and Redis URLs from the docker passwords', () => {
    const c = loadConfig({ ENVIRONMENT: 'production', ENCRYPTION_KEY: goodKey, BACKUP_PASSPHRASE: 'p'.repeat(20), DB_PASSWORD: 'db-secret-123', REDIS_PASSWORD: 'redis-secret-1' });
    expect(c.databaseUrl).toBe('postgres://mymidas:db-secret-123@postgres:5432/mymidas');
    expect(c.redisUrl).toBe('redis://:redis-secret-1@redis:6379');
  });

  it('generates local secrets once with 0600 permissions and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mymidas-secrets-'));
    const config = loadConfig({}, dir);
    const first = loadSecrets(config);
    const second = loadSecrets(config);
    expect(second).toEqual(first);
    for (const f of ['encryption_key', 'backup_passphrase', 'jwt_private.pem', 'jwt_public.pem']) {
      expect(statSync(join(dir, 'secrets', f)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, 'secrets', 'encryption_key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never generates secrets in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mymidas-prod-'));
    const config = loadConfig({ ENVIRONMENT: 'production', ENCRYPTION_KEY: goodKey, BACKUP_PASSPHRASE: 'p'.repeat(20), DATABASE_URL: 'postgres://u:p@db/x' }, dir);
    expect(() => loadSecrets(config)).toThrow(/JWT key pair missing/);
  });
});
