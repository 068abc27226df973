import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CURRENCY_CODE } from '@mymidas/shared/money';

export const ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const key32 = z.string().refine((v) => {
  const t = v.trim();
  return /^[0-9a-fA-F]{64}$/.test(t) || (/^[A-Za-z0-9+/]+={0,2}$/.test(t) && Buffer.from(t, 'base64').length === 32);
}, 'must be 32 random bytes as 64 hex characters or base64 (scripts/gen-secrets.sh makes one)');

const envSchema = z.object({
  ENVIRONMENT: z.enum(ENVIRONMENTS).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8090),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DB_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  DB_HOST: z.string().default('postgres'),
  DB_NAME: z.string().default('mymidas'),
  DB_USER: z.string().default('mymidas'),
  DB_APP_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  REDIS_HOST: z.string().default('redis'),
  ENCRYPTION_KEY: key32.optional(),
  ENCRYPTION_KEY_PREVIOUS: z.string().optional(),
  BACKUP_PASSPHRASE: z.string().min(16, 'must be at least 16 characters').optional(),
  BASE_CURRENCY: z.string().regex(CURRENCY_CODE, 'must be an ISO 4217 code such as GBP').default('GBP'),
  ALLOW_REGISTRATION: bool.default(false),
  ENABLE_DEMO: bool.default(false),
  ATTACHMENT_QUOTA_BYTES: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1024 ** 3),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  SESSION_MAX_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  TRUST_PROXY: z.string().optional(),
  CORS_ORIGINS: z.string().optional(),
  DATA_DIR: z.string().default('data'),
  SECRETS_DIR: z.string().default('secrets'),
  CLIENT_DIST: z.string().default('client/dist'),
});

export interface Config {
  environment: Environment;
  port: number;
  host: string;
  /** Owner role URL when real Postgres is configured; undefined means embedded PGlite. */
  databaseUrl?: string;
  dbAppPassword?: string;
  redisUrl?: string;
  encryptionKey?: string;
  previousEncryptionKeys: string[];
  backupPassphrase?: string;
  baseCurrency: string;
  allowRegistration: boolean;
  /** Mounts `POST /api/v1/demo/server-owned` (for `npm run demo`); never in production. */
  enableDemo: boolean;
  /** Attachment bytes each user may store (default 1 GiB); an upload past it is refused with a 413. */
  attachmentQuotaBytes: number;
  /** How many proxy hops' X-Forwarded-For entries to believe (0: none; the socket address is the client). */
  trustProxyHops: number;
  /** Absolute lifetime of a session in days (default 30): after it the password is needed, however often it was refreshed. */
  sessionMaxDays: number;
  /** Or: believe X-Forwarded-For only from these addresses/CIDRs (or loopback, linklocal, uniquelocal). */
  trustedProxies: string[];
  corsOrigins: string[];
  dataDir: string;
  secretsDir: string;
  clientDist: string;
}

/**
 * Reads the environment once, at start. In production every secret must be given and well-formed,
 * and all problems are reported together; elsewhere missing secrets are generated locally
 * (see local-secrets.ts) and the storage defaults to embedded PGlite.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  let databaseUrl = e.DATABASE_URL;
  if (!databaseUrl && e.DB_PASSWORD) {
    databaseUrl = `postgres://${encodeURIComponent(e.DB_USER)}:${encodeURIComponent(e.DB_PASSWORD)}@${e.DB_HOST}:5432/${encodeURIComponent(e.DB_NAME)}`;
  }
  let redisUrl = e.REDIS_URL;
  if (!redisUrl && e.REDIS_PASSWORD) redisUrl = `redis://:${encodeURIComponent(e.REDIS_PASSWORD)}@${e.REDIS_HOST}:6379`;

  const trustedProxies = (e.TRUST_PROXY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of trustedProxies) {
    if (!isProxyAddress(p)) problems.push(`TRUST_PROXY: "${p}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`);
  }
  if (trustedProxies.length && e.TRUST_PROXY_HOPS > 0) problems.push('TRUST_PROXY and TRUST_PROXY_HOPS: set one or the other, not both');

  const previous = (e.ENCRYPTION_KEY_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  previous.forEach((k, i) => {
    if (!key32.safeParse(k).success) problems.push(`ENCRYPTION_KEY_PREVIOUS[${i}]: must be 32 random bytes as 64 hex characters or base64`);
  });

  if (e.ENVIRONMENT === 'production') {
    if (!e.ENCRYPTION_KEY) problems.push('ENCRYPTION_KEY: required in production (32 random bytes; scripts/gen-secrets.sh makes one)');
    if (!e.BACKUP_PASSPHRASE) problems.push('BACKUP_PASSPHRASE: required in production (at least 16 characters)');
    if (!databaseUrl) problems.push('DATABASE_URL or DB_PASSWORD: required in production');
    if (e.ENABLE_DEMO) problems.push('ENABLE_DEMO: the demo data route is never offered in production');
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    environment: e.ENVIRONMENT,
    port: e.PORT,
    host: e.HOST,
    databaseUrl,
    dbAppPassword: e.DB_APP_PASSWORD ?? e.DB_PASSWORD,
    redisUrl,
    encryptionKey: e.ENCRYPTION_KEY,
    previousEncryptionKeys: previous,
    backupPassphrase: e.BACKUP_PASSPHRASE,
    baseCurrency: e.BASE_CURRENCY,
    allowRegistration: e.ALLOW_REGISTRATION,
    enableDemo: e.ENABLE_DEMO,
    attachmentQuotaBytes: e.ATTACHMENT_QUOTA_BYTES,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    sessionMaxDays: e.SESSION_MAX_DAYS,
    trustedProxies,
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    dataDir: resolve(cwd, e.DATA_DIR),
    secretsDir: resolve(cwd, e.SECRETS_DIR),
    clientDist: resolve(cwd, e.CLIENT_DIST),
  };
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An entry Express's 'trust proxy' list accepts: a named range, an address, or address/prefix-length. */
function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [addr, prefix, ...rest] = entry.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
