import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseKey } from './field-cipher.ts';

/**
 * Where `rotate-keys` takes a new key from. Never the command line: a process's arguments can be read by
 * every user of the machine (`ps`, /proc/PID/cmdline) and end up in shell history. The key comes from a
 * file (`--new-key-file PATH`, `-` for standard input), from NEW_ENCRYPTION_KEY, or is generated.
 */
export const NEW_KEY_ENV = 'NEW_ENCRYPTION_KEY';

export class KeySourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeySourceError';
  }
}

/** Throws when the arguments carry a key (`--new-key HEX` or `--new-key=HEX`), before anything is read or written. */
export function refuseKeyInArgv(argv: readonly string[]): void {
  if (argv.some((a) => a === '--new-key' || a.startsWith('--new-key='))) {
    throw new KeySourceError(
      '--new-key is refused: a key on the command line is visible to every user of this machine (ps) and stays in shell history. ' +
        `Give it with --new-key-file PATH (or --new-key-file - to read standard input) or in ${NEW_KEY_ENV}, or give none to have one generated.`,
    );
  }
}

/** The new key as text (hex or base64 of 32 bytes), checked; a fresh random one when none is given. */
export function newKeyFrom(argv: readonly string[], env: Record<string, string | undefined>, readStdin: () => string = () => readFileSync(0, 'utf8')): string {
  refuseKeyInArgv(argv);
  const at = argv.indexOf('--new-key-file');
  let given: string | undefined;
  let source = '';
  if (at >= 0) {
    const path = argv[at + 1];
    if (!path || (path.startsWith('--') && path !== '-')) throw new KeySourceError('--new-key-file needs a path (or - for standard input)');
    source = path === '-' ? 'standard input' : path;
    try {
      given = (path === '-' ? readStdin() : readFileSync(path, 'utf8')).trim();
    } catch (err) {
      throw new KeySourceError(`cannot read the new key from ${source}: ${(err as Error).message}`);
    }
  } else if (env[NEW_KEY_ENV]) {
    given = env[NEW_KEY_ENV].trim();
    source = NEW_KEY_ENV;
  }
  if (given === undefined) return randomBytes(32).toString('hex');
  try {
    parseKey(given);
  } catch {
    throw new KeySourceError(`the new key in ${source} is not 32 bytes as 64 hex characters or base64`);
  }
  return given;
}
