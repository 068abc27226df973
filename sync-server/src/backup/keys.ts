import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKey, type FieldKey } from '../crypto/field-cipher.ts';
import { decryptText, encryptText } from './pgp.ts';

/**
 * Encryption keys kept for backups. A backup's PII stays sealed under the ENCRYPTION_KEY of its day, so
 * after `rotate_keys.sh` an older backup needs the retired key. Every backup writes each key the server
 * holds (current and previous) to `<backups>/keys/<key id>.key.asc`, encrypted with BACKUP_PASSPHRASE
 * (OpenPGP, as the backups are); retention removes a key file when no kept backup names its id. A
 * restore finds the keys its backup names here and re-seals the restored rows under the current key.
 */
export function keysDir(backupDir: string): string {
  return join(backupDir, 'keys');
}

export async function keepKeys(backupDir: string, keys: readonly string[], passphrase: string): Promise<string[]> {
  const dir = keysDir(backupDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ids: string[] = [];
  for (const text of keys) {
    const key = parseKey(text);
    ids.push(key.idHex);
    const file = join(dir, `${key.idHex}.key.asc`);
    if (existsSync(file)) continue;
    writeFileSync(`${file}.tmp`, await encryptText(text.trim(), passphrase), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return ids;
}

/** The kept key with this id, or null when none is kept. A wrong passphrase throws. */
export async function keptKey(backupDir: string, idHex: string, passphrase: string): Promise<FieldKey | null> {
  if (!/^[0-9a-f]{8}$/.test(idHex)) return null;
  const file = join(keysDir(backupDir), `${idHex}.key.asc`);
  if (!existsSync(file)) return null;
  const key = parseKey(await decryptText(readFileSync(file, 'utf8'), passphrase));
  if (key.idHex !== idHex) throw new Error(`the kept key file ${file} holds key ${key.idHex}, not ${idHex}`);
  return key;
}

/** Removes kept keys that no listed id needs; returns the ids removed. */
export function pruneKeys(backupDir: string, needed: ReadonlySet<string>): string[] {
  const dir = keysDir(backupDir);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^([0-9a-f]{8})\.key\.asc$/.exec(name);
    if (!m || needed.has(m[1]!)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(m[1]!);
  }
  return removed;
}
