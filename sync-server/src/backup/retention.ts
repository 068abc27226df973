import { rmSync } from 'node:fs';
import { checksumPath, listBackups, manifestPath, type BackupEntry } from './files.ts';
import { pruneKeys } from './keys.ts';

const DAY_MS = 86_400_000;

export function isGood(e: BackupEntry): boolean {
  return e.manifest?.verified?.ok === true;
}

/**
 * Which backups retention removes: those made more than `days` days before `now` — except that the
 * newest verified backup is kept whatever its age when no younger backup is verified, so the folder never
 * loses its only good backup (a run of failed or unverified nights keeps the last one that restores).
 */
export function planRetention(entries: readonly BackupEntry[], now: Date, days: number): { remove: BackupEntry[]; keep: BackupEntry[] } {
  const cutoff = now.getTime() - days * DAY_MS;
  const old = entries.filter((e) => e.createdAt.getTime() < cutoff);
  const young = entries.filter((e) => e.createdAt.getTime() >= cutoff);
  let remove = old;
  if (!young.some(isGood)) {
    const lastGood = [...old].reverse().find(isGood);
    if (lastGood) remove = old.filter((e) => e !== lastGood);
  }
  return { remove, keep: entries.filter((e) => !remove.includes(e)) };
}

/**
 * Applies retention to a backup folder: each removed backup goes with its checksum and manifest, and kept
 * encryption keys no remaining backup names are removed too (never the keys in `alwaysKeep`: the server's own).
 */
export function applyRetention(dir: string, now: Date, days: number, alwaysKeep: readonly string[] = []): { removed: string[]; removedKeys: string[] } {
  const { remove, keep } = planRetention(listBackups(dir), now, days);
  for (const e of remove) {
    rmSync(e.file, { force: true });
    rmSync(checksumPath(e.file), { force: true });
    rmSync(manifestPath(e.file), { force: true });
  }
  const needed = new Set<string>(alwaysKeep);
  for (const e of keep) {
    // A kept backup without a manifest might need any key: keep them all.
    if (!e.manifest) return { removed: remove.map((e) => e.name), removedKeys: [] };
    for (const id of e.manifest.encryptionKeyIds) needed.add(id);
  }
  return { removed: remove.map((e) => e.name), removedKeys: pruneKeys(dir, needed) };
}
