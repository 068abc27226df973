import { argon2id } from 'hash-wasm';
import { z } from 'zod';
import { fromBase64, randomBytes, toBase64 } from './bytes.ts';
import { KeyRecordError, ReplicaError, WrongPasswordError } from './errors.ts';

/**
 * The device data key: a random AES-256-GCM key made on this device, stored only wrapped (AES-KW) by a
 * key-encryption key derived from the user's password with Argon2id. Unlocking is local — no server —
 * and a password change re-wraps this one key; the encrypted documents are never touched.
 *
 * The working key is imported once as a non-extractable CryptoKey: script on the page can use it but
 * can never read its bytes.
 */

/** Argon2id cost. memoryKiB is in KiB, as in RFC 9106. Stored with the wrapped key so it can be tuned later. */
export interface KdfParams {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/** m = 64 MiB, t = 3, p = 1 (RFC 9106's second recommended option, with a higher t for a single lane). */
export const DEFAULT_KDF_PARAMS: KdfParams = Object.freeze({ memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 });

const SALT_BYTES = 16;
/** AES-KW output for a 256-bit key: the key plus an 8-byte integrity block. */
const WRAPPED_KEY_BYTES = 40;

const base64Bytes = (length: number) =>
  z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64').refine((s) => {
    try {
      return fromBase64(s).length === length;
    } catch {
      return false;
    }
  }, `must decode to ${length} bytes`);

const kdfParamsSchema = z.object({
  memoryKiB: z.number().int().min(8).max(4 * 1024 * 1024),
  iterations: z.number().int().min(1).max(64),
  parallelism: z.number().int().min(1).max(16),
}).refine((p) => p.memoryKiB >= 8 * p.parallelism, { message: 'memoryKiB must be at least 8 × parallelism' });

export const wrappedDataKeySchema = z.object({
  version: z.literal(1),
  kdf: z.object({ algorithm: z.literal('argon2id'), salt: base64Bytes(SALT_BYTES), params: kdfParamsSchema }),
  wrapAlgorithm: z.literal('AES-KW'),
  wrappedKey: base64Bytes(WRAPPED_KEY_BYTES),
  /** When this wrapping was made (a password change makes a new one). */
  wrappedAt: z.iso.datetime({ offset: true }),
});

/** What is stored on the device. Holds no secret: the key inside is useless without the password. */
export type WrappedDataKey = z.infer<typeof wrappedDataKeySchema>;

export interface KeyOptions {
  /** Argon2id cost for a new wrapping; defaults to DEFAULT_KDF_PARAMS. */
  readonly kdf?: KdfParams;
  /** Injected for tests; defaults to the global WebCrypto. */
  readonly crypto?: Crypto;
  readonly now?: () => Date;
}

export interface UnlockedDataKey {
  /** Non-extractable AES-GCM key for encrypt/decrypt. */
  readonly key: CryptoKey;
  readonly record: WrappedDataKey;
}

const DATA_KEY_ALGORITHM: AesKeyGenParams = { name: 'AES-GCM', length: 256 };

/** Validates a stored record; bad input gets a KeyRecordError naming the first problem. */
export function parseWrappedDataKey(input: unknown): WrappedDataKey {
  const parsed = wrappedDataKeySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeyRecordError(issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'not a key record', { cause: parsed.error });
  }
  return parsed.data;
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new ReplicaError('INVALID_PASSWORD', 'A non-empty password is needed to protect the data on this device.');
  }
  // The same password typed on different keyboards/OSes must derive the same key.
  return password.normalize('NFC');
}

function checkKdfParams(params: KdfParams): KdfParams {
  const parsed = kdfParamsSchema.safeParse(params);
  if (!parsed.success) throw new ReplicaError('INVALID_PASSWORD', `Argon2id parameters out of range: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Derives the AES-KW key-encryption key. The raw Argon2id output is zeroed once imported. */
async function deriveKek(password: string, salt: Uint8Array, params: KdfParams, crypto: Crypto): Promise<CryptoKey> {
  const raw = await argon2id({
    password: new TextEncoder().encode(password),
    salt,
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
  try {
    return await crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
  } finally {
    raw.fill(0);
  }
}

async function wrapWithPassword(
  dataKey: CryptoKey,
  password: string,
  params: KdfParams,
  crypto: Crypto,
  now: () => Date,
): Promise<WrappedDataKey> {
  const salt = randomBytes(SALT_BYTES, crypto);
  const kek = await deriveKek(password, salt, params, crypto);
  const wrapped = new Uint8Array(await crypto.subtle.wrapKey('raw', dataKey, kek, 'AES-KW'));
  return {
    version: 1,
    kdf: { algorithm: 'argon2id', salt: toBase64(salt), params: { ...params } },
    wrapAlgorithm: 'AES-KW',
    wrappedKey: toBase64(wrapped),
    wrappedAt: now().toISOString(),
  };
}

async function unwrapWithPassword(password: string, record: WrappedDataKey, extractable: boolean, crypto: Crypto): Promise<CryptoKey> {
  const kek = await deriveKek(password, fromBase64(record.kdf.salt), record.kdf.params, crypto);
  try {
    return await crypto.subtle.unwrapKey('raw', fromBase64(record.wrappedKey), kek, 'AES-KW', DATA_KEY_ALGORITHM, extractable, ['encrypt', 'decrypt']);
  } catch (error) {
    // AES-KW's integrity check is the password check: a wrong KEK yields an OperationError.
    if (error instanceof DOMException && error.name === 'OperationError') throw new WrongPasswordError();
    throw error;
  }
}

/**
 * First run on a device: makes a fresh random data key, wraps it under the password, and returns the
 * record to store together with the non-extractable working key.
 */
export async function createDataKey(password: string, options: KeyOptions = {}): Promise<UnlockedDataKey> {
  const pw = checkPassword(password);
  const crypto = options.crypto ?? globalThis.crypto;
  const params = checkKdfParams(options.kdf ?? DEFAULT_KDF_PARAMS);
  const generated = await crypto.subtle.generateKey(DATA_KEY_ALGORITHM, true, ['encrypt', 'decrypt']);
  const record = await wrapWithPassword(generated, pw, params, crypto, options.now ?? (() => new Date()));
  // The extractable key goes out of scope here; what is kept is a non-extractable import of the same bytes.
  const key = await unwrapWithPassword(pw, record, false, crypto);
  return { key, record };
}

/** Offline unlock. Throws WrongPasswordError for a wrong password and KeyRecordError for a damaged record. */
export async function unlockDataKey(password: string, stored: unknown, options: Pick<KeyOptions, 'crypto'> = {}): Promise<CryptoKey> {
  const pw = checkPassword(password);
  const record = parseWrappedDataKey(stored);
  return unwrapWithPassword(pw, record, false, options.crypto ?? globalThis.crypto);
}

/**
 * Password change: unwraps with the old password and wraps the same data key under the new one (new
 * salt, current parameters). Returns the new record; the caller replaces the stored one. The data key
 * never leaves WebCrypto as bytes.
 */
export async function rewrapDataKey(oldPassword: string, newPassword: string, stored: unknown, options: KeyOptions = {}): Promise<WrappedDataKey> {
  const oldPw = checkPassword(oldPassword);
  const newPw = checkPassword(newPassword);
  const crypto = options.crypto ?? globalThis.crypto;
  const record = parseWrappedDataKey(stored);
  const params = checkKdfParams(options.kdf ?? record.kdf.params);
  const transient = await unwrapWithPassword(oldPw, record, true, crypto);
  return wrapWithPassword(transient, newPw, params, crypto, options.now ?? (() => new Date()));
}
