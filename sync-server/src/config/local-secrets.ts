import { generateKeyPairSync, randomBytes, createHash, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';

export interface Secrets {
  encryptionKey: string;
  previousEncryptionKeys: string[];
  backupPassphrase: string;
  jwtPrivateKeyPem: string;
  jwtPublicKeyPem: string;
  /** Key id: a thumbprint of the public key, carried in every token header. */
  jwtKid: string;
}

const FILES = {
  encryptionKey: 'encryption_key',
  backupPassphrase: 'backup_passphrase',
  jwtPrivate: 'jwt_private.pem',
  jwtPublic: 'jwt_public.pem',
} as const;

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

function readOrCreate(dir: string, name: string, make: () => string, allowCreate: boolean): string {
  const path = join(dir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  if (!allowCreate) throw new Error(`secret file ${path} is missing (run scripts/gen-secrets.sh)`);
  const value = make();
  writeSecret(path, value + '\n');
  return value;
}

/** Creates the JWT key pair files if they are absent (also used by gen-secrets). */
export function generateJwtKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function kidOf(publicPem: string): string {
  const der = createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

/**
 * Environment values win. Otherwise, outside production, secrets are generated on first start into the
 * secrets directory (0600, directory 0700) and reused afterwards; in production a missing file is an error.
 */
export function loadSecrets(config: Config): Secrets {
  const allowCreate = config.environment !== 'production';
  mkdirSync(config.secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(config.secretsDir, 0o700);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const encryptionKey = config.encryptionKey ?? readOrCreate(config.secretsDir, FILES.encryptionKey, () => randomBytes(32).toString('hex'), allowCreate);
  const backupPassphrase = config.backupPassphrase ?? readOrCreate(config.secretsDir, FILES.backupPassphrase, () => randomBytes(24).toString('base64url'), allowCreate);
  const privPath = join(config.secretsDir, FILES.jwtPrivate);
  const pubPath = join(config.secretsDir, FILES.jwtPublic);
  if (existsSync(privPath) !== existsSync(pubPath)) {
    throw new Error(`only half of the JWT key pair is in ${config.secretsDir}; restore the other file or remove both to make a new pair`);
  }
  if (!existsSync(privPath)) {
    if (!allowCreate) throw new Error(`JWT key pair missing in ${config.secretsDir} (run scripts/gen-secrets.sh)`);
    const pair = generateJwtKeyPair();
    writeSecret(privPath, pair.privatePem);
    writeSecret(pubPath, pair.publicPem);
  }
  const jwtPrivateKeyPem = readFileSync(privPath, 'utf8');
  const jwtPublicKeyPem = readFileSync(pubPath, 'utf8');
  // Embedded rotation leaves the old key here until every row is re-sealed (cli rotate-keys).
  const previousFile = join(config.secretsDir, 'encryption_key.previous');
  const previousFromFile = config.encryptionKey || !existsSync(previousFile) ? [] : readFileSync(previousFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    encryptionKey,
    previousEncryptionKeys: [...config.previousEncryptionKeys, ...previousFromFile],
    backupPassphrase,
    jwtPrivateKeyPem,
    jwtPublicKeyPem,
    jwtKid: kidOf(jwtPublicKeyPem),
  };
}
