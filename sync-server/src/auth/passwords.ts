import argon2 from 'argon2';

/**
 * Argon2id with the parameters written into the PHC string, so they can be raised later: a hash made
 * with weaker parameters verifies and is re-hashed at the next successful login (needsRehash).
 */
export interface HashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_HASH_PARAMS: HashParams = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string, params: HashParams = DEFAULT_HASH_PARAMS): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...params });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function needsRehash(hash: string, params: HashParams = DEFAULT_HASH_PARAMS): boolean {
  return argon2.needsRehash(hash, { ...params });
}

// A fixed hash to verify against when the e-mail is unknown, so the answer costs the same Argon2 time.
let dummy: Promise<string> | undefined;
export function dummyHash(params: HashParams = DEFAULT_HASH_PARAMS): Promise<string> {
  dummy ??= hashPassword('mymidas-timing-equaliser-' + Math.random(), params);
  return dummy;
}

const COMMON = new Set([
  'password', 'password1', 'password123', '123456789012', '1234567890', 'qwertyuiop', 'qwerty123456', 'iloveyou1234',
  'letmein12345', 'welcome12345', 'admin1234567', 'passw0rd1234', 'monkey123456', 'football1234', 'dragon123456',
  'baseball1234', 'sunshine1234', 'princess1234', 'trustno11234', 'abc123456789', 'correcthorsebatterystaple',
  'passwordpassword', '111111111111', '000000000000', 'aaaaaaaaaaaa', 'changeme1234', 'mymidas12345',
]);

export const MIN_PASSWORD_LENGTH = 12;

/** Returns what is wrong with a password, or null. Messages are for a person. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (password.length > 256) return 'The password must be at most 256 characters long.';
  const lower = password.toLowerCase();
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (lower === email.toLowerCase() || (local.length >= 4 && lower.includes(local))) return 'The password must not contain your e-mail address.';
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) return 'That password is too common. Choose another.';
  return null;
}
