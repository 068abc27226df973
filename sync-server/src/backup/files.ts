import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The files of one backup, side by side in the backup folder:
 *   20261207_030000.sql.gz.gpg           the dump: plain SQL → gzip → OpenPGP (BACKUP_PASSPHRASE)
 *   20261207_030000.sql.gz.gpg.sha256    `sha256sum` format: "<hex>  20261207_030000.sql.gz.gpg"
 *   20261207_030000.manifest.json        what is in it (below), and whether it was verified
 * The stamp is the backup's time in UTC.
 */
export const BACKUP_SUFFIX = '.sql.gz.gpg';
const NAME = /^(\d{8}_\d{6})(?:-(\d+))?\.sql\.gz\.gpg$/;

export interface Manifest {
  format: 'mymidas-backup-manifest';
  version: 1;
  file: string;
  createdAt: string;
  app: { version: string };
  schema: { latest: string | null; migrations: string[] };
  backend: 'pglite' | 'postgres';
  /** Rows per table in the dump. */
  tables: Record<string, number>;
  rows: number;
  bytes: number;
  sha256: string;
  /** Ids of the ENCRYPTION_KEY values the server held when it wrote the backup (its sealed PII needs one of them). */
  encryptionKeyIds: string[];
  /** Set by a verification (restore into a scratch database and compare the row counts). */
  verified: { at: string; ok: boolean; error?: string } | null;
}

export function stampOf(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}_${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

/** A free name for a backup made at `date` (a second one within the same second gets "-2"). */
export function newBackupPath(dir: string, date: Date): string {
  const stamp = stampOf(date);
  for (let n = 1; ; n++) {
    const file = join(dir, `${stamp}${n > 1 ? `-${n}` : ''}${BACKUP_SUFFIX}`);
    if (!existsSync(file) && !existsSync(`${file}.partial`)) return file;
  }
}

export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

export function manifestPath(file: string): string {
  return join(dirname(file), basename(file).replace(BACKUP_SUFFIX, '.manifest.json'));
}

export function checksumPath(file: string): string {
  return `${file}.sha256`;
}

export function readManifest(file: string): Manifest | null {
  const path = manifestPath(file);
  if (!existsSync(path)) return null;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    return m.format === 'mymidas-backup-manifest' ? m : null;
  } catch {
    return null;
  }
}

export function writeManifest(file: string, manifest: Manifest): void {
  const path = manifestPath(file);
  writeFileSync(`${path}.tmp`, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function writeChecksum(file: string, sha256: string): void {
  writeFileSync(checksumPath(file), `${sha256}  ${basename(file)}\n`, { mode: 0o600 });
}

export function readChecksum(file: string): string | null {
  const path = checksumPath(file);
  if (!existsSync(path)) return null;
  const m = /^([0-9a-f]{64})\s/.exec(readFileSync(path, 'utf8'));
  return m ? m[1]! : null;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface BackupEntry {
  file: string;
  name: string;
  bytes: number;
  manifest: Manifest | null;
  /** From the manifest's createdAt, else the file's modification time. */
  createdAt: Date;
}

/** The backups in a folder, oldest first. */
export function listBackups(dir: string): BackupEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(isBackupName)
    .map((name) => {
      const file = join(dir, name);
      const manifest = readManifest(file);
      const st = statSync(file);
      const created = manifest ? new Date(manifest.createdAt) : st.mtime;
      return { file, name, bytes: st.size, manifest, createdAt: Number.isNaN(created.getTime()) ? st.mtime : created };
    })
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
}
