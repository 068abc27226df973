import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KeySourceError, NEW_KEY_ENV, newKeyFrom } from './rotate-keys-cli.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const hex = () => randomBytes(32).toString('hex');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'sync-server/src/cli/main.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

describe('where rotate-keys takes the new key from', () => {
  it('refuses a key on the command line, in either spelling', () => {
    for (const argv of [['rotate-keys', '--new-key', hex()], ['rotate-keys', `--new-key=${hex()}`]]) {
      expect(() => newKeyFrom(argv, {})).toThrow(KeySourceError);
      expect(() => newKeyFrom(argv, {})).toThrow(/visible to every user/);
    }
  });

  it('reads it from a file, from standard input or from the environment, and generates one when none is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mymidas-key-'));
    const inFile = hex();
    writeFileSync(join(dir, 'new.key'), `${inFile}\n`, { mode: 0o600 });
    expect(newKeyFrom(['rotate-keys', '--new-key-file', join(dir, 'new.key')], {})).toBe(inFile);
    const piped = hex();
    expect(newKeyFrom(['rotate-keys', '--new-key-file', '-'], {}, () => `${piped}\n`)).toBe(piped);
    const fromEnv = hex();
    expect(newKeyFrom(['rotate-keys'], { [NEW_KEY_ENV]: fromEnv })).toBe(fromEnv);
    const a = newKeyFrom(['rotate-keys'], {});
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newKeyFrom(['rotate-keys'], {})).not.toBe(a);
  });

  it('refuses a malformed or unreadable key without saying what it was', () => {
    const short = 'abcd'.repeat(8);
    expect(() => newKeyFrom(['rotate-keys'], { [NEW_KEY_ENV]: short })).toThrow(/not 32 bytes/);
    expect(() => newKeyFrom(['rotate-keys'], { [NEW_KEY_ENV]: short })).not.toThrow(new RegExp(short));
    expect(() => newKeyFrom(['rotate-keys', '--new-key-file', '/nonexistent/new.key'], {})).toThrow(/cannot read the new key/);
    expect(() => newKeyFrom(['rotate-keys', '--new-key-file'], {})).toThrow(/needs a path/);
  });

  it('the rotate-keys command given --new-key stops with that message and leaves the secrets folder as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mymidas-rotate-'));
    const secrets = join(dir, 'secrets');
    const oldKey = hex();
    mkdirSync(secrets, { mode: 0o700 });
    writeFileSync(join(secrets, 'encryption_key'), `${oldKey}\n`, { mode: 0o600 });
    const { code, stderr } = await runCli(['rotate-keys', '--new-key', hex()], { ENVIRONMENT: 'development', SECRETS_DIR: secrets, DATA_DIR: join(dir, 'data') });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--new-key is refused/);
    expect(readdirSync(secrets)).toEqual(['encryption_key']);
    expect(readFileSync(join(secrets, 'encryption_key'), 'utf8').trim()).toBe(oldKey);
    expect(readdirSync(dir)).toEqual(['secrets']);
  });
});
