import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { generateJwtKeyPair, kidOf } from '../config/local-secrets.ts';
import { envelopeCensus, rotateKeys } from '../crypto/rotate-keys.ts';
import { newKeyFrom, refuseKeyInArgv } from '../crypto/rotate-keys-cli.ts';
import { openServices } from '../services.ts';
import { verifyAuditChain } from '../audit/audit.ts';
import { runBackupCli } from '../backup/cli.ts';
import { unlockAccount } from '../auth/unlock.ts';
import { feedsCommand } from '../feeds/cli.ts';

/**
 * Operator commands. Thin wrappers in scripts/ call these:
 *   gen-secrets [--env-file .env]  write JWT keys to secrets/ and print/append fresh passwords and keys
 *   rotate-keys [--new-key-file F] re-seal every PII field under a new key (resumable; see docs/operations.md)
 *   key-census                     how many envelopes each key id still seals
 *   backup [--dir D] [--no-verify] / restore --list | --verify F | F [--force]   as scripts/backup.sh and restore.sh
 *   verify-audit                   recompute the audit log's hash chain; exit 3 if it was tampered with
 *   unlock EMAIL [--ip ADDR]       lift the account's sign-in lockout (and that IP's); exit 4 if no such account
 *   feeds run JOB | feeds status   run a feed job once now (prices, fx, backfill, net-worth), or print the feeds' status
 */
const USAGE = `usage: mymidas <gen-secrets|rotate-keys|key-census|verify-audit|backup|restore|unlock|feeds> [options]`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function genSecrets(): Promise<void> {
  const config = loadConfig({ ...process.env, ENVIRONMENT: 'development' });
  const priv = join(config.secretsDir, 'jwt_private.pem');
  const pub = join(config.secretsDir, 'jwt_public.pem');
  if (!existsSync(priv)) {
    const pair = generateJwtKeyPair();
    writeFileSync(priv, pair.privatePem, { mode: 0o600, flag: 'wx' });
    writeFileSync(pub, pair.publicPem, { mode: 0o600, flag: 'wx' });
    console.error(`wrote JWT key pair (kid ${kidOf(pair.publicPem)}) to ${config.secretsDir}`);
  } else console.error(`JWT key pair already in ${config.secretsDir}, kept`);
  const lines = [
    `DB_PASSWORD=${randomBytes(24).toString('base64url')}`,
    `DB_APP_PASSWORD=${randomBytes(24).toString('base64url')}`,
    `REDIS_PASSWORD=${randomBytes(24).toString('base64url')}`,
    `ENCRYPTION_KEY=${randomBytes(32).toString('hex')}`,
    `BACKUP_PASSPHRASE=${randomBytes(24).toString('base64url')}`,
  ];
  const envFile = arg('--env-file');
  if (envFile) {
    if (existsSync(envFile)) {
      console.error(`${envFile} exists; not overwriting (delete it first to make new secrets)`);
      process.exitCode = 1;
      return;
    }
    writeFileSync(envFile, lines.join('\n') + '\n', { mode: 0o600 });
    console.error(`wrote ${envFile}`);
  } else console.log(lines.join('\n'));
}

/**
 * Embedded mode keeps its key in secrets/encryption_key. Rotation writes the old key to
 * secrets/encryption_key.previous FIRST, then the new key, then re-seals: a crash at any point leaves
 * both keys on disk, and running the command again finishes the job.
 */
async function rotate(): Promise<void> {
  refuseKeyInArgv(process.argv);
  const config = loadConfig(process.env);
  if (config.encryptionKey) {
    if (!config.previousEncryptionKeys.length) {
      console.error('With ENCRYPTION_KEY in the environment: set ENCRYPTION_KEY to the NEW key and ENCRYPTION_KEY_PREVIOUS to the old one (restart the server with both), then run this.');
      process.exitCode = 2;
      return;
    }
  } else {
    const current = join(config.secretsDir, 'encryption_key');
    const previous = join(config.secretsDir, 'encryption_key.previous');
    const resuming = existsSync(previous) && process.argv.includes('--resume');
    if (!resuming) {
      const oldKey = readFileSync(current, 'utf8').trim();
      const newKey = newKeyFrom(process.argv, process.env);
      const known = existsSync(previous) ? readFileSync(previous, 'utf8').split('\n').filter(Boolean) : [];
      writeFileSync(previous + '.tmp', [...new Set([oldKey, ...known])].join('\n') + '\n', { mode: 0o600 });
      renameSync(previous + '.tmp', previous);
      writeFileSync(current + '.tmp', newKey + '\n', { mode: 0o600 });
      renameSync(current + '.tmp', current);
    }
  }
  const services = await openServices(config);
  try {
    console.error(`re-sealing under key ${services.cipher.current.idHex}…`);
    const { resealed } = await rotateKeys(services.db, services.cipher, {
      onBatch: (p) => console.error(`  ${p.table}: ${p.resealed} rows`),
    });
    console.error(`done: ${resealed} rows re-sealed`);
    console.log(JSON.stringify(await envelopeCensus(services.db)));
  } finally {
    await services.close();
  }
}

async function census(): Promise<void> {
  const services = await openServices(loadConfig(process.env));
  try {
    const counts = await envelopeCensus(services.db);
    const cur = services.cipher.current.idHex;
    for (const [k, n] of Object.entries(counts)) console.log(`${k}${k === cur ? ' (current)' : ''}: ${n}`);
  } finally {
    await services.close();
  }
}

async function verifyAudit(): Promise<void> {
  const services = await openServices(loadConfig(process.env));
  try {
    const r = await verifyAuditChain(services.db);
    if (r.ok) console.log(`audit log intact: ${r.rows} rows, head ${r.head ?? '(empty)'}`);
    else {
      console.error(`audit log TAMPERED: the chain breaks at row ${r.brokenAt} (of ${r.rows})`);
      process.exitCode = 3;
    }
  } finally {
    await services.close();
  }
}

/** `backup …` and `restore …`: the same commands as scripts/backup.sh and scripts/restore.sh (backup/cli.ts). */
async function backupOrRestore(): Promise<void> {
  process.exitCode = await runBackupCli(process.argv.slice(2));
}

async function unlock(): Promise<void> {
  const email = process.argv[3];
  if (!email || email.startsWith('--')) throw new Error('usage: unlock <email> [--ip ADDRESS]');
  const services = await openServices(loadConfig(process.env));
  try {
    const r = await unlockAccount(services, email, arg('--ip'));
    if (!r.account) {
      console.error(`no account has the e-mail ${email}`);
      process.exitCode = 4;
      return;
    }
    console.log(`${email}: ${r.account.wasLocked ? 'sign-in lock lifted' : 'was not locked'}; failed attempts forgotten${r.ip ? `; IP ${r.ip} unlocked` : ''}`);
  } finally {
    await services.close();
  }
}

const commands: Record<string, () => Promise<void>> = {
  unlock,
  backup: backupOrRestore,
  restore: backupOrRestore, feeds: () => feedsCommand(process.argv.slice(3)), 'gen-secrets': genSecrets, 'rotate-keys': rotate, 'key-census': census, 'verify-audit': verifyAudit };
const cmd = process.argv[2];
const run = cmd ? commands[cmd] : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(2);
}
run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
