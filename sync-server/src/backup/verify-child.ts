import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readManifest, writeManifest, type Manifest } from './files.ts';
import { BackupError, verifyBackup } from './sql-backup.ts';

/**
 * The nightly job's verification, in a child process of its own (node's fork of this file): the scratch
 * PGlite it restores into (~435 MB of WASM Postgres from a snapshot, ~900 MB the first time, when the snapshot
 * is built by initdb) lives and dies with the child, so the server's own memory does not jump for a nightly
 * check. The passphrase goes over the IPC channel, never in argv or the environment. Same checks, messages
 * and manifest record as verifyBackup, which the child runs.
 */
interface Request {
  file: string;
  passphrase: string;
  now: string;
  cacheDir?: string;
}

type Reply = { ok: true; manifest: Manifest; pid: number; peakMB: number } | { ok: false; error: string; pid: number; peakMB: number };

export interface ChildVerification {
  manifest: Manifest;
  /** The child that verified, and its peak resident memory (VmHWM), MB. */
  pid: number;
  peakMB: number;
}

const self = fileURLToPath(import.meta.url);

function peakMB(): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

export function verifyInChild(file: string, passphrase: string, now = new Date(), opts: { cacheDir?: string } = {}): Promise<ChildVerification> {
  // The child loads TypeScript as the server does (node --import tsx), whatever this process was started with.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(self, [], { execArgv: ['--import', tsx], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  return new Promise<ChildVerification>((resolve, reject) => {
    let reply: Reply | undefined;
    child.once('message', (m) => {
      reply = m as Reply;
    });
    child.once('error', (err) => reject(new BackupError(`verification of ${basename(file)} failed: could not start its process (${err.message})`)));
    child.once('exit', (code, signal) => {
      if (reply?.ok) return resolve({ manifest: reply.manifest, pid: reply.pid, peakMB: reply.peakMB });
      if (reply) return reject(new BackupError(reply.error));
      // Died without answering (killed, out of memory): recorded in the manifest as verifyBackup would.
      const error = `the verification process ended without an answer (${signal ?? `exit code ${code}`})`;
      const manifest = readManifest(file);
      if (manifest) writeManifest(file, { ...manifest, verified: { at: now.toISOString(), ok: false, error } });
      reject(new BackupError(`verification of ${basename(file)} failed: ${error}`));
    });
    const request: Request = { file, passphrase, now: now.toISOString(), ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) };
    child.send(request);
  });
}

async function serve(req: Request): Promise<Reply> {
  try {
    const manifest = await verifyBackup(req.file, req.passphrase, new Date(req.now), req.cacheDir ? { cacheDir: req.cacheDir } : {});
    return { ok: true, manifest, pid: process.pid, peakMB: peakMB() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), pid: process.pid, peakMB: peakMB() };
  }
}

if (process.argv[1] === self && process.send) {
  process.once('message', (req) => {
    void serve(req as Request).then((reply) => process.send!(reply, () => process.exit(0)));
  });
}
